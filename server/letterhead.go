package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/documents"
	"github.com/topdossier/topdossier/fault"
)

// letterheadPage is the licence's own logo and details for its documents.
type letterheadPage struct {
	Licence platform.Licence
	HasLogo bool
	Details string
	Saved   bool
	Form    formState
}

// handleLetterhead shows the logo and details the licence's documents
// carry, with the form to change them.
func (s *Server) handleLetterhead(c *gin.Context) error {
	lic, err := s.anyLicenceParam(c)
	if err != nil {
		return err
	}
	return s.renderLetterhead(c, lic, http.StatusOK, formState{})
}

func (s *Server) renderLetterhead(c *gin.Context, lic platform.Licence, status int, form formState) error {
	lh, err := s.licences.Letterhead(c, lic.ID)
	if err != nil {
		return err
	}
	s.render(c, status, "letterhead", letterheadPage{Licence: lic, HasLogo: len(lh.Logo) > 0, Details: lh.Details,
		Saved: c.Query("opgeslagen") == "1", Form: form})
	return nil
}

// handleLetterheadSave stores the details and, when a file came, the logo
// (PNG or JPEG, checked by its content, at most 512 kB).
func (s *Server) handleLetterheadSave(c *gin.Context) error {
	lic, err := s.anyLicenceParam(c)
	if err != nil {
		return err
	}
	if err := c.Request.ParseMultipartForm(documents.MaxLogoBytes + 64<<10); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return fault.ErrMalformed
	}
	var logo []byte
	if f, _, err := c.Request.FormFile("logo"); err == nil {
		defer f.Close()
		if logo, err = io.ReadAll(io.LimitReader(f, documents.MaxLogoBytes+1)); err != nil {
			return err
		}
	}
	err = s.licences.SetLetterhead(c, actorOf(c), lic.ID, logo, c.PostForm("remove_logo") == "1", c.PostForm("details"))
	if fields, ok := asFieldErrors(err); ok {
		return s.renderLetterhead(c, lic, http.StatusUnprocessableEntity, sentForm(c, fields))
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/huisstijl?opgeslagen=1", lic.ID))
	return nil
}

// handleLetterheadLogo serves the stored logo, for the preview.
func (s *Server) handleLetterheadLogo(c *gin.Context) error {
	lic, err := s.anyLicenceParam(c)
	if err != nil {
		return err
	}
	lh, err := s.licences.Letterhead(c, lic.ID)
	if err != nil {
		return err
	}
	if len(lh.Logo) == 0 {
		return fault.ErrNotFound
	}
	c.Header("Cache-Control", "no-store")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "image/"+lh.LogoType, lh.Logo)
	return nil
}

// anyLicenceParam is the active licence in the path, a school's or an
// SWV's.
func (s *Server) anyLicenceParam(c *gin.Context) (platform.Licence, error) {
	lic, err := s.licenceParam(c, false)
	if errors.Is(err, fault.ErrNotFound) {
		return s.licenceParam(c, true)
	}
	return lic, err
}
