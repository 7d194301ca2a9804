package server

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/service"
)

// The SWV's own school licence: pupils without a school (thuiszitters,
// pupils in care) and how long each has been without education.

type withoutEducationPage struct {
	Licence platform.Licence
	Pupils  []service.WithoutEducation
}

// swvSchoolLicence is the licence in the path when it is an SWV's own
// school licence; any other is not found.
func (s *Server) swvSchoolLicence(c *gin.Context) (platform.Licence, error) {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return lic, err
	}
	if lic.Kind != platform.LicenceKindSwvSchool {
		return lic, fault.ErrNotFound
	}
	return lic, nil
}

func (s *Server) handleWithoutEducation(c *gin.Context) error {
	lic, err := s.swvSchoolLicence(c)
	if err != nil {
		return err
	}
	if accessOf(c).Scope != auth.ScopeLicence {
		return fault.ErrNotFound // the whole list is not a teacher's
	}
	rows, err := s.pupils.WithoutEducation(c, actorOf(c), lic.ID)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "without_education", withoutEducationPage{Licence: lic, Pupils: rows})
	return nil
}

// handleWithoutEducationSince records since when a pupil is without
// education, from the pupil page.
func (s *Server) handleWithoutEducationSince(c *gin.Context) error {
	lic, err := s.swvSchoolLicence(c)
	if err != nil {
		return err
	}
	_, pupilID, err := s.pupilParams(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	err = s.pupils.SetWithoutEducationSince(c, actorOf(c), lic.ID, pupilID, c.PostForm("without_education_since"))
	if fields, ok := asFieldErrors(err); ok {
		return s.renderPupil(c, http.StatusUnprocessableEntity, func(p *pupilPage) { p.Form = sentForm(c, fields) })
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingen/%s?m=zonder-onderwijs", lic.ID, pupilID))
	return nil
}
