package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
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
	err = s.tenants.With(c, lic.ID, func(pool *pgxpool.Pool) error {
		page.Setting, err = school.New(pool).GetSchoolSetting(c)
		return err
	})
	if err != nil {
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
	err = s.tenants.With(c, lic.ID, func(pool *pgxpool.Pool) error {
		return db.InTx(c, pool, func(tx pgx.Tx) error {
			if err := school.New(tx).SetViewWithoutAuthority(c, view); err != nil {
				return err
			}
			return logbook.Append(c, tx, s.actionEntry(c, logbook.ActionUpdate, "school_setting", "view_without_authority"))
		})
	})
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/licenties/"+lic.ID.String()+"/instellingen?opgeslagen=1")
	return nil
}
