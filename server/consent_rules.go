package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/service"
	"github.com/topdossier/topdossier/workflows"
)

// rulesForm is the SWV admin's form, as typed.
type rulesForm struct {
	RemindAfter, Deadline, SchoolReminder, ShareAge, DecideAge, Policy string
}

func formOfRules(r service.ConsentRules) rulesForm {
	days := func(d time.Duration) string { return strconv.Itoa(int(d / (24 * time.Hour))) }
	return rulesForm{RemindAfter: days(r.Timers.RemindAfter), Deadline: days(r.Timers.Deadline),
		SchoolReminder: days(r.Timers.SchoolReminderEvery), ShareAge: strconv.Itoa(r.Ages.Share),
		DecideAge: strconv.Itoa(r.Ages.Decide), Policy: r.Policy}
}

// params checks the form; every problem is named at once, in Dutch.
func (f rulesForm) params(swvID uuid.UUID, by *uuid.UUID) (platform.UpsertConsentRulesParams, fault.FieldErrors) {
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
		ShareAge:           num("share_age", f.ShareAge, 12, 18, "Vul een leeftijd van 12 tot en met 18 in."),
		DecideAge:          num("decide_age", f.DecideAge, 12, 18, "Vul een leeftijd van 12 tot en met 18 in."),
	}
	if errs["remind_after"] == "" && errs["deadline"] == "" && p.RemindAfterDays >= p.DeadlineDays {
		errs["remind_after"] = "De herinnering moet vóór het einde van de termijn komen."
	}
	if errs["share_age"] == "" && errs["decide_age"] == "" && p.ShareAge > p.DecideAge {
		errs["decide_age"] = "De leerling beslist niet eerder dan hij of zij eigen privacyrechten heeft."
	}
	if p.Policy != workflows.PolicyAny && p.Policy != workflows.PolicyAll {
		errs["policy"] = "Kies hoe de antwoorden van twee ouders tellen."
	}
	if len(errs) > 0 {
		return p, errs
	}
	return p, nil
}

type rulesPage struct {
	Licence  platform.Licence
	Form     rulesForm
	Defaults rulesForm
	Own      bool
	Saved    bool
	Errors   fault.FieldErrors
}

// handleConsentRules shows an SWV's consent rules for its schools.
func (s *Server) handleConsentRules(c *gin.Context) error {
	lic, err := s.licenceParam(c, true)
	if err != nil {
		return err
	}
	r, err := s.dossiers.ConsentRules(c, lic.ID)
	if err != nil {
		return err
	}
	s.renderRules(c, http.StatusOK, rulesPage{Licence: lic, Form: formOfRules(r), Own: r.Own, Saved: c.Query("opgeslagen") == "1"})
	return nil
}

func (s *Server) renderRules(c *gin.Context, status int, page rulesPage) {
	page.Defaults = formOfRules(service.ConsentRules{Timers: s.cfg.ConsentTimers, Ages: s.cfg.ConsentAges, Policy: s.cfg.ConsentPolicy})
	s.render(c, status, "consent_rules", page)
}

// handleConsentRulesSave stores them. They rule consent rounds that start
// from now on; a round under way keeps the rules it started with.
func (s *Server) handleConsentRulesSave(c *gin.Context) error {
	lic, err := s.licenceParam(c, true)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	f := rulesForm{RemindAfter: c.PostForm("remind_after"), Deadline: c.PostForm("deadline"), SchoolReminder: c.PostForm("school_reminder"),
		ShareAge: c.PostForm("share_age"), DecideAge: c.PostForm("decide_age"), Policy: c.PostForm("policy")}
	by := principalOf(c).UserID
	params, errs := f.params(lic.SwvID, &by)
	if errs != nil {
		s.renderRules(c, http.StatusUnprocessableEntity, rulesPage{Licence: lic, Form: f, Errors: errs})
		return nil
	}
	if err := platform.New(s.tenants.Platform()).UpsertConsentRules(c, params); err != nil {
		return err
	}
	s.logger.InfoContext(c, "consent rules changed", "swv", lic.SwvID)
	c.Redirect(http.StatusSeeOther, "/licenties/"+lic.ID.String()+"/instemmingsregels?opgeslagen=1")
	return nil
}
