package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
)

type settingsPage struct {
	Licence platform.Licence
	Setting school.SchoolSetting
	Saved   bool
}

// handleSchoolSettings shows the choices a school makes for its portal.
func (s *Server) handleSchoolSettings(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	page := settingsPage{Licence: lic, Saved: c.Query("opgeslagen") == "1"}
	if page.Setting, err = s.dossiers.Settings(c, lic.ID); err != nil {
		return err
	}
	s.render(c, http.StatusOK, "settings", page)
	return nil
}

// handleSchoolSettingsSave stores them; the change is a logbook line of
// the school (no pupil).
func (s *Server) handleSchoolSettingsSave(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	view := c.PostForm("view_without_authority") == "1"
	if err := s.dossiers.SetViewWithoutAuthority(c, actorOf(c), lic.ID, view); err != nil {
		return err
	}
	if err := s.rod.SetPGNKept(c, actorOf(c), lic.ID, c.PostForm("rod_pgn") == "1"); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/licenties/"+lic.ID.String()+"/instellingen?opgeslagen=1")
	return nil
}
