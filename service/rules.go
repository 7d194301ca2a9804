package service

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/workflows"
)

import ()

// ConsentRules rule the consent rounds and the pupil's rights at a
// school: its SWV's own choice, else the platform's defaults.
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
		Ages:   law.ConsentAges{Share: int(row.ShareAge), Decide: int(row.DecideAge)},
		Policy: row.Policy,
		Own:    true,
	}, nil
}
