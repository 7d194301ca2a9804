package server

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/service"
	"github.com/topdossier/topdossier/workflows"
)

// handlePupilLeave records that a pupil left the school (after a
// confirmation that says what it will do; a day ahead is planned): the enrolment
// workflow ends, and the retention terms start (the dossiers are deleted
// after two years, the record after five), each a workflow of its own.
func (s *Server) handlePupilLeave(c *gin.Context) error {
	lic, pupilID, requestID, err := s.pupilPost(c)
	if err != nil {
		return err
	}
	back := func(errs fault.FieldErrors, preview *service.LeavingPreview) error {
		status := http.StatusOK
		if errs != nil {
			status = http.StatusUnprocessableEntity
		}
		return s.renderPupil(c, status, func(p *pupilPage) {
			p.Form, p.Leaving = sentForm(c, errs), preview
			p.RequestID = requestID // the confirmation sends the same request on
		})
	}
	if c.PostForm("bevestigd") != "1" {
		// First what it will do, to confirm.
		v, err := s.dossiers.Load(c, lic.ID, pupilID)
		if errors.Is(err, fault.ErrNotFound) {
			var d service.PupilDetail
			if d, err = s.pupils.Load(c, lic.ID, pupilID); err == nil {
				v = service.DossierView{Pupil: d.Pupil}
			}
		}
		if err != nil {
			return err
		}
		preview, err := s.retention.PreviewLeaving(c, v, c.PostForm("left_on"))
		if fields, ok := asFieldErrors(err); ok {
			return back(fields, nil)
		}
		if err != nil {
			return err
		}
		return back(nil, &preview)
	}
	err = s.retention.Leave(c, actorOf(c), lic.ID, pupilID, requestID, c.PostForm("left_on"))
	if fields, ok := asFieldErrors(err); ok {
		return back(fields, nil)
	}
	if err != nil {
		return err
	}
	m := "uitgeschreven"
	if left, _ := time.Parse(time.DateOnly, c.PostForm("left_on")); left.After(s.today()) {
		m = "gepland"
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingen/%s?m=%s", lic.ID, pupilID, m))
	return nil
}

// handlePupilLeaveCancel withdraws a planned leaving.
func (s *Server) handlePupilLeaveCancel(c *gin.Context) error {
	lic, pupilID, _, err := s.pupilPost(c)
	if err != nil {
		return err
	}
	if err := s.retention.CancelLeaving(c, actorOf(c), lic.ID, pupilID); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingen/%s?m=ingetrokken", lic.ID, pupilID))
	return nil
}

// handlePupilReturn: the pupil is back at school; the retention terms
// stop and nothing is deleted.
func (s *Server) handlePupilReturn(c *gin.Context) error {
	lic, pupilID, requestID, err := s.pupilPost(c)
	if err != nil {
		return err
	}
	if err := s.retention.Return(c, actorOf(c), lic.ID, pupilID, requestID); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingen/%s", lic.ID, pupilID))
	return nil
}

type archivePage struct {
	Licence platform.Licence
	service.Archive
	CanHold   bool
	RequestID string
	Errors    fault.FieldErrors
	Notice    string
}

// handleArchive lists the pupils who left, with when their dossiers and
// record will be deleted and any hold, and the closed dossiers of pupils
// still at school (kept until the pupil leaves).
func (s *Server) handleArchive(c *gin.Context) error {
	return s.renderArchive(c, http.StatusOK, nil)
}

func (s *Server) renderArchive(c *gin.Context, status int, errs fault.FieldErrors) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	page := archivePage{Licence: lic, RequestID: uuid.NewString(), Errors: errs,
		CanHold: principalOf(c).can(auth.PermSchoolSettings, lic.ID)}
	if page.Archive, err = s.retention.Archive(c, actorOf(c), lic.ID); err != nil {
		return err
	}
	if c.Query("m") == "bewaard" {
		page.Notice = "De bewaartermijn is verlengd."
	}
	s.render(c, status, "archive", page)
	return nil
}

// handleArchiveHold extends a left pupil's retention for a legal reason
// (an objection, a dispute, a legal duty), by the school admin.
func (s *Server) handleArchiveHold(c *gin.Context) error {
	lic, pupilID, requestID, err := s.pupilPost(c)
	if err != nil {
		return err
	}
	err = s.retention.Hold(c, actorOf(c), lic.ID, pupilID, workflows.RetentionDossier, requestID, c.PostForm("until"), c.PostForm("reason"))
	if fields, ok := asFieldErrors(err); ok {
		return s.renderArchive(c, http.StatusUnprocessableEntity, fields)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/archief?m=bewaard", lic.ID))
	return nil
}
