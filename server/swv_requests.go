package server

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/service"
)

type requestPage struct {
	Licence platform.Licence
	Pupil   school.Pupil
	service.RequestView
	Notice string
	Error  string
}

func (s *Server) requestParams(c *gin.Context) (platform.Licence, school.Dossier, uuid.UUID, error) {
	lic, d, err := s.openDossierAny(c)
	if err != nil {
		return lic, d, uuid.Nil, err
	}
	id, err := uuidParam(c, "request")
	return lic, d, id, err
}

// openDossierAny is the pupil's current dossier, open or closed.
func (s *Server) openDossierAny(c *gin.Context) (platform.Licence, school.Dossier, error) {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return lic, school.Dossier{}, err
	}
	d, err := s.loadDossierHeader(c, lic.ID, pupilID)
	return lic, d, err
}

// handleRequestShow is the school's page of a request: what is sent, the
// parties' answers, and after submitting where the SWV stands.
func (s *Server) handleRequestShow(c *gin.Context) error {
	lic, d, id, err := s.requestParams(c)
	if err != nil {
		return err
	}
	return s.renderRequest(c, http.StatusOK, lic, d, id, "")
}

func (s *Server) renderRequest(c *gin.Context, status int, lic platform.Licence, d school.Dossier, id uuid.UUID, problem string) error {
	v, err := s.requests.Load(c, lic.ID, d, id)
	if err != nil {
		return err
	}
	page := requestPage{Licence: lic, RequestView: v, Error: problem}
	if page.Pupil, err = s.requests.Viewed(c, actorOf(c), lic.ID, d.PupilID, id); err != nil {
		return err
	}
	switch c.Query("m") {
	case "ingediend":
		page.Notice = "De aanvraag is ingediend bij het samenwerkingsverband."
	case "opnieuw":
		page.Notice = "De aanvraag ligt opnieuw ter inzage; de ouders krijgen bericht."
	case "vastgelegd":
		page.Notice = "Het antwoord is vastgelegd."
	}
	s.render(c, status, "swv_request", page)
	return nil
}

func requestURL(licenceID, pupilID, requestID uuid.UUID) string {
	return dossierURL(licenceID, pupilID) + "/aanvragen/" + requestID.String()
}

// handleRequestDecisionPDF lets the school download the signed decision.
func (s *Server) handleRequestDecisionPDF(c *gin.Context) error {
	lic, d, id, err := s.requestParams(c)
	if err != nil {
		return err
	}
	v, err := s.requests.Load(c, lic.ID, d, id)
	if err != nil {
		return err
	}
	if v.Request.SwvRequestID == nil || v.Request.SwvLicenceID == nil {
		return fault.ErrNotFound
	}
	if err := s.logbook.Record(c, actorOf(c), lic.ID, d.PupilID, logbook.ActionExport, "decision_document"); err != nil {
		return err
	}
	return s.serveDecisionPDF(c, *v.Request.SwvLicenceID, *v.Request.SwvRequestID, nil)
}

// handleRequestCreate prepares a request from the dossier and gives the
// guardians (or the pupil from 16) inzage in exactly what will be sent.
func (s *Server) handleRequestCreate(c *gin.Context) error {
	return s.postDossierForm(c, "request", "#aanvragen", func(lic platform.Licence, d school.Dossier) error {
		_, err := s.requests.Prepare(c, actorOf(c), lic, d, service.RequestForm{Kind: c.PostForm("kind"), TLVType: c.PostForm("tlv_type"),
			TLVCategory: c.PostForm("tlv_category"), Question: c.PostForm("question")})
		return err
	})
}

// handleRequestReopen: after a correction the school builds the snapshot
// again from the corrected dossier and opens a new round of answers.
func (s *Server) handleRequestReopen(c *gin.Context) error {
	lic, d, id, err := s.requestParams(c)
	if err != nil {
		return err
	}
	if err := s.requests.Reopen(c, actorOf(c), lic, d, id); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, requestURL(lic.ID, d.PupilID, id)+"?m=opnieuw")
	return nil
}

// handleRequestSubmit sends the request to the SWV (service.Requests.Submit).
func (s *Server) handleRequestSubmit(c *gin.Context) error {
	lic, d, id, err := s.requestParams(c)
	if err != nil {
		return err
	}
	err = s.requests.Submit(c, actorOf(c), lic, d, id)
	var notReady *service.NotReady
	switch {
	case errors.As(err, &notReady):
		return s.renderRequest(c, http.StatusUnprocessableEntity, lic, d, id, notReady.Why)
	case errors.Is(err, service.ErrSubmittedBefore):
	case err != nil:
		return err
	}
	c.Redirect(http.StatusSeeOther, requestURL(lic.ID, d.PupilID, id)+"?m=ingediend")
	return nil
}

// handleRequestRecordAnswer: the school records an answer a guardian (or
// the pupil) gave on paper or in a meeting, with their view and what may
// be shared (service.Requests.RecordAnswer).
func (s *Server) handleRequestRecordAnswer(c *gin.Context) error {
	lic, d, id, err := s.requestParams(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	round, _ := strconv.Atoi(c.PostForm("round"))
	in := service.RequestAnswer{Answer: c.PostForm("answer"), Remark: c.PostForm("remark"), View: c.PostForm("view"),
		Round: round, Share: map[string]bool{}}
	for key, values := range c.Request.PostForm {
		if aid, ok := strings.CutPrefix(key, "share_"); ok {
			in.Share[aid] = len(values) > 0 && values[0] == "1"
		}
	}
	err = s.requests.RecordAnswer(c, actorOf(c), lic.ID, d, id, c.PostForm("party"), in)
	if fields, ok := asFieldErrors(err); ok {
		return s.renderRequest(c, http.StatusUnprocessableEntity, lic, d, id, strings.Join(slices.Collect(maps.Values(fields)), " "))
	}
	if errors.Is(err, fault.ErrNotFound) {
		return s.renderRequest(c, http.StatusUnprocessableEntity, lic, d, id, "Kies wie het antwoord gaf.")
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, requestURL(lic.ID, d.PupilID, id)+"?m=vastgelegd")
	return nil
}

// handleRequestWithdraw: the school withdraws a request, before the SWV
// decides on it (or before it was sent at all).
func (s *Server) handleRequestWithdraw(c *gin.Context) error {
	lic, d, id, err := s.requestParams(c)
	if err != nil {
		return err
	}
	err = s.requests.Withdraw(c, actorOf(c), lic, d, id)
	if fields, ok := asFieldErrors(err); ok {
		return s.renderRequest(c, http.StatusUnprocessableEntity, lic, d, id,
			"Het samenwerkingsverband heeft al besloten; intrekken kan niet meer. "+strings.Join(slices.Collect(maps.Values(fields)), " "))
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, requestURL(lic.ID, d.PupilID, id))
	return nil
}
