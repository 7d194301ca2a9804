package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/fault"
)

type swvSchoolsPage struct {
	Licence     platform.Licence
	Schools     []platform.ListSchoolsOfSWVRow
	Consultants []platform.ListStaffForLicenceRow
	Error       string
}

// swvLicence is the licence in the path, an SWV's own licence.
func (s *Server) swvLicence(c *gin.Context) (platform.Licence, error) {
	return s.licenceParam(c, true)
}

func (s *Server) renderSWVSchools(c *gin.Context, status int, lic platform.Licence, msg string) error {
	q := platform.New(s.tenants.Platform())
	page := swvSchoolsPage{Licence: lic, Error: msg}
	var err error
	if page.Schools, err = q.ListSchoolsOfSWV(c, lic.SwvID); err != nil {
		return err
	}
	staff, err := q.ListStaffForLicence(c, &lic.ID)
	if err != nil {
		return err
	}
	for _, m := range staff {
		if m.Role == platform.StaffRoleConsultant {
			page.Consultants = append(page.Consultants, m)
		}
	}
	s.render(c, status, "swv_schools", page)
	return nil
}

// handleSWVSchools lists the SWV's schools with their consulent.
func (s *Server) handleSWVSchools(c *gin.Context) error {
	lic, err := s.swvLicence(c)
	if err != nil {
		return err
	}
	return s.renderSWVSchools(c, http.StatusOK, lic, "")
}

// handleSWVAssignConsultant links a consulent of this SWV to one of its
// schools, or unlinks when none is chosen.
func (s *Server) handleSWVAssignConsultant(c *gin.Context) error {
	lic, err := s.swvLicence(c)
	if err != nil {
		return err
	}
	schoolID, err := uuidParam(c, "school")
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	q := platform.New(s.tenants.Platform())
	school, err := q.GetLicence(c, schoolID)
	if err != nil || school.SwvID != lic.SwvID || school.Kind == platform.LicenceKindSwv {
		return fault.ErrNotFound
	}
	if c.PostForm("consultant") == "" {
		if err := q.UnassignConsultant(c, schoolID); err != nil {
			return err
		}
		c.Redirect(http.StatusSeeOther, "/licenties/"+lic.ID.String()+"/scholen")
		return nil
	}
	consultant, err := uuid.Parse(c.PostForm("consultant"))
	valid := false
	if err == nil {
		staff, err := q.ListStaffForLicence(c, &lic.ID)
		if err != nil {
			return err
		}
		for _, m := range staff {
			valid = valid || (m.UserID == consultant && m.Role == platform.StaffRoleConsultant)
		}
	}
	if !valid {
		return s.renderSWVSchools(c, http.StatusUnprocessableEntity, lic, "Kies een consulent van dit samenwerkingsverband.")
	}
	if err := q.AssignConsultant(c, platform.AssignConsultantParams{SchoolLicenceID: schoolID, ConsultantUserID: consultant}); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/licenties/"+lic.ID.String()+"/scholen")
	return nil
}
