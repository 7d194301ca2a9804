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
	Maxima  service.TLVMaxima
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
	if page.Form, page.Maxima, err = s.swv.DecisionSettings(c, lic.ID); err != nil {
		return err
	}
	s.render(c, http.StatusOK, "objection_address", page)
	return nil
}

// handleTLVMaximaSave stores for how many school years at most the SWV
// gives a TLV, per type.
func (s *Server) handleTLVMaximaSave(c *gin.Context) error {
	lic, err := s.licenceParam(c, true)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	in := service.TLVMaxima{SBO: c.PostForm("tlv_sbo"), SO: c.PostForm("tlv_so"), VSO: c.PostForm("tlv_vso")}
	err = s.swv.SetTLVMaxima(c, lic.ID, in)
	if fields, ok := asFieldErrors(err); ok {
		page := objectionAddressPage{Licence: lic, Maxima: in, Errors: fields}
		if page.Form, _, err = s.swv.DecisionSettings(c, lic.ID); err != nil {
			return err
		}
		s.render(c, http.StatusUnprocessableEntity, "objection_address", page)
		return nil
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/licenties/"+lic.ID.String()+"/bezwaaradres?opgeslagen=1")
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
		page := objectionAddressPage{Licence: lic, Form: in, Errors: fields}
		if _, page.Maxima, err = s.swv.DecisionSettings(c, lic.ID); err != nil {
			return err
		}
		s.render(c, http.StatusUnprocessableEntity, "objection_address", page)
		return nil
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/licenties/"+lic.ID.String()+"/bezwaaradres?opgeslagen=1")
	return nil
}
