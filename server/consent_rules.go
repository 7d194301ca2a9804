package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/service"
)

type rulesPage struct {
	Licence  platform.Licence
	Form     service.RulesForm
	Defaults service.RulesForm
	Own      bool
	Saved    bool
	Errors   fault.FieldErrors
	// The law's ages, shown, not chosen.
	ShareAge, DecideAge int
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
	s.renderRules(c, http.StatusOK, rulesPage{Licence: lic, Form: service.FormOfRules(r), Own: r.Own, Saved: c.Query("opgeslagen") == "1"})
	return nil
}

func (s *Server) renderRules(c *gin.Context, status int, page rulesPage) {
	page.Defaults = service.FormOfRules(service.ConsentRules{Timers: s.cfg.ConsentTimers, Ages: law.Ages(), Policy: s.cfg.ConsentPolicy})
	page.ShareAge, page.DecideAge = law.ShareAge, law.DecideAge
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
	f := service.RulesForm{RemindAfter: c.PostForm("remind_after"), Deadline: c.PostForm("deadline"), SchoolReminder: c.PostForm("school_reminder"),
		Policy: c.PostForm("policy")}
	err = s.dossiers.SaveConsentRules(c, actorOf(c), lic.SwvID, f)
	if fields, ok := asFieldErrors(err); ok {
		s.renderRules(c, http.StatusUnprocessableEntity, rulesPage{Licence: lic, Form: f, Errors: fields})
		return nil
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/licenties/"+lic.ID.String()+"/instemmingsregels?opgeslagen=1")
	return nil
}
