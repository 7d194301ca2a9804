package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/service"
)

type objectionAddressPage struct {
	Licence platform.Licence
	Form    service.ObjectionAddress
	Errors  fault.FieldErrors
	Saved   bool
}

// handleObjectionAddress shows where objections to the SWV's decisions
// go; every decision prints it.
func (s *Server) handleObjectionAddress(c *gin.Context) error {
	lic, err := s.licenceParam(c, true)
	if err != nil {
		return err
	}
	page := objectionAddressPage{Licence: lic, Saved: c.Query("opgeslagen") == "1"}
	if page.Form, err = s.swv.ObjectionAddressOf(c, lic.ID); err != nil {
		return err
	}
	s.render(c, http.StatusOK, "objection_address", page)
	return nil
}

// handleObjectionAddressSave stores it.
func (s *Server) handleObjectionAddressSave(c *gin.Context) error {
	lic, err := s.licenceParam(c, true)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	in := service.ObjectionAddress{Address: c.PostForm("address"), Email: c.PostForm("email")}
	err = s.swv.SetObjectionAddress(c, lic.ID, in)
	if fields, ok := asFieldErrors(err); ok {
		s.render(c, http.StatusUnprocessableEntity, "objection_address", objectionAddressPage{Licence: lic, Form: in, Errors: fields})
		return nil
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/licenties/"+lic.ID.String()+"/bezwaaradres?opgeslagen=1")
	return nil
}
