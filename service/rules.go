package service

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/workflows"
)

// ConsentRules rule the consent rounds at a school: its SWV's own terms
// and policy, else the platform's defaults. The pupil's ages are the
// law's (law.Ages) whatever an SWV stored before they stopped being a
// choice.
type ConsentRules struct {
	Timers workflows.ConsentTimers
	Ages   law.ConsentAges
	Policy string
	Own    bool // the SWV set its own rules
}

// ConsentRules returns the rules for a school licence.
func (s *Dossiers) ConsentRules(ctx context.Context, licenceID uuid.UUID) (ConsentRules, error) {
	r := s.cfg.ConsentDefaults
	row, err := platform.New(s.tenants.Platform()).GetConsentRulesForLicence(ctx, licenceID)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return r, nil
	case err != nil:
		return r, err
	}
	day := 24 * time.Hour
	return ConsentRules{
		Timers: workflows.ConsentTimers{RemindAfter: time.Duration(row.RemindAfterDays) * day,
			Deadline: time.Duration(row.DeadlineDays) * day, SchoolReminderEvery: time.Duration(row.SchoolReminderDays) * day},
		Ages:   law.Ages(),
		Policy: row.Policy,
		Own:    true,
	}, nil
}

// RulesForm is the SWV admin's form of consent rules, as typed.
type RulesForm struct {
	RemindAfter, Deadline, SchoolReminder, Policy string
}

// FormOfRules is r as the form shows it.
func FormOfRules(r ConsentRules) RulesForm {
	days := func(d time.Duration) string { return strconv.Itoa(int(d / (24 * time.Hour))) }
	return RulesForm{RemindAfter: days(r.Timers.RemindAfter), Deadline: days(r.Timers.Deadline),
		SchoolReminder: days(r.Timers.SchoolReminderEvery), Policy: r.Policy}
}

// params checks the form; every problem is named at once, in Dutch.
func (f RulesForm) params(swvID uuid.UUID, by *uuid.UUID) (platform.UpsertConsentRulesParams, fault.FieldErrors) {
	errs := fault.FieldErrors{}
	num := func(field, v string, lo, hi int, msg string) int32 {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < lo || n > hi {
			errs[field] = msg
		}
		return int32(n)
	}
	p := platform.UpsertConsentRulesParams{SwvID: swvID, UpdatedBy: by, Policy: f.Policy,
		RemindAfterDays:    num("remind_after", f.RemindAfter, 1, 60, "Vul de herinnering in als aantal dagen, van 1 tot en met 60."),
		DeadlineDays:       num("deadline", f.Deadline, 2, 90, "Vul de termijn in als aantal dagen, van 2 tot en met 90."),
		SchoolReminderDays: num("school_reminder", f.SchoolReminder, 1, 30, "Vul in om de hoeveel dagen de school herinnerd wordt, van 1 tot en met 30."),
		// The columns stay (rows of before hold them); they are not read.
		ShareAge: law.ShareAge, DecideAge: law.DecideAge,
	}
	if errs["remind_after"] == "" && errs["deadline"] == "" && p.RemindAfterDays >= p.DeadlineDays {
		errs["remind_after"] = "De herinnering moet vóór het einde van de termijn komen."
	}
	if p.Policy != workflows.PolicyAny && p.Policy != workflows.PolicyAll {
		errs["policy"] = "Kies hoe de antwoorden van twee ouders tellen."
	}
	if len(errs) > 0 {
		return p, errs
	}
	return p, nil
}

// SaveConsentRules stores the SWV's own consent rules. They rule consent
// rounds that start from now on; a round under way keeps the rules it
// started with.
func (s *Dossiers) SaveConsentRules(ctx context.Context, actor Actor, swvID uuid.UUID, f RulesForm) error {
	by := actor.UserID
	params, errs := f.params(swvID, &by)
	if errs != nil {
		return errs
	}
	if err := platform.New(s.tenants.Platform()).UpsertConsentRules(ctx, params); err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "consent rules changed", "swv", swvID)
	return nil
}
