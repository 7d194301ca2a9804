package server

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/swv"
	"github.com/topdossier/topdossier/documents"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/service"
)

// Transfers (overdracht): the sending school's page per pupil, the
// school's overview with the transfers offered to it, the parents' answer
// in the portal.

type transferPage struct {
	Licence platform.Licence
	service.DossierView
	Transfers []service.TransferView
	Open      bool // a transfer is in progress
	Query     string
	Searched  bool
	Schools   []platform.SearchSchoolLicencesRow
	Parts     []string
	Form      formState
	Errors    fault.FieldErrors
	Notice    string
}

func (s *Server) handleTransferShow(c *gin.Context) error {
	return s.renderTransfer(c, http.StatusOK, nil)
}

func (s *Server) renderTransfer(c *gin.Context, status int, errs fault.FieldErrors) error {
	lic, v, err := s.viewDossierAs(c, logbook.ActionView, "transfer")
	if err != nil {
		return err
	}
	page := transferPage{Licence: lic, DossierView: v, Parts: plan.TransferParts(), Errors: errs, Form: sentForm(c, errs),
		Query: strings.TrimSpace(c.Query("zoek"))}
	if page.Transfers, err = s.transfers.OfPupil(c, lic.ID, v.Pupil.ID); err != nil {
		return err
	}
	for _, t := range page.Transfers {
		page.Open = page.Open || t.Open()
	}
	if _, ok := c.GetQuery("zoek"); ok || errs != nil {
		page.Searched = true
		if page.Query == "" {
			page.Query = c.PostForm("zoek")
		}
		if page.Schools, err = s.transfers.Schools(c, lic, page.Query); err != nil {
			return err
		}
	}
	switch c.Query("m") {
	case "gestart":
		page.Notice = "De overdracht is gestart. De ouders (of de leerling) krijgen bericht en geven in TOP dossier hun toestemming; daarna beslist de ontvangende school."
	case "ingetrokken":
		page.Notice = "De overdracht is ingetrokken."
	}
	s.render(c, status, "transfer", page)
	return nil
}

// handleTransferStart starts a transfer with the onderwijskundig rapport
// as it is now (made again when the parents add their view).
func (s *Server) handleTransferStart(c *gin.Context) error {
	lic, d, err := s.openDossier(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	report, err := s.schoolReportPDF(c, lic, d.PupilID, principalOf(c).Name)
	if err != nil {
		return err
	}
	_, err = s.transfers.Start(c, actorOf(c), lic, d, service.TransferForm{ToLicenceID: c.PostForm("to_licence"),
		Parts: c.PostFormArray("part"), Attachments: c.PostFormArray("attachment")}, report)
	if fields, ok := asFieldErrors(err); ok {
		return s.renderTransfer(c, http.StatusUnprocessableEntity, fields)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingen/%s/overdracht?m=gestart", lic.ID, d.PupilID))
	return nil
}

// schoolReportPDF renders the pupil's onderwijskundig rapport as it goes
// with a transfer, made by by.
func (s *Server) schoolReportPDF(c *gin.Context, lic platform.Licence, pupilID uuid.UUID, by string) ([]byte, error) {
	v, err := s.dossiers.Load(c, lic.ID, pupilID)
	if err != nil {
		return nil, err
	}
	d, err := s.schoolReport(c, lic, v)
	if err != nil {
		return nil, err
	}
	d.GeneratedBy = by
	var buf bytes.Buffer
	if err := documents.RenderSchoolReportPDF(&buf, d); err != nil {
		return nil, fmt.Errorf("render school report: %w", err)
	}
	return buf.Bytes(), nil
}

func (s *Server) handleTransferWithdraw(c *gin.Context) error {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return err
	}
	id, err := uuidParam(c, "transfer")
	if err != nil {
		return err
	}
	err = s.transfers.Withdraw(c, actorOf(c), lic.ID, pupilID, id)
	if fields, ok := asFieldErrors(err); ok {
		return s.renderTransfer(c, http.StatusConflict, fields)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingen/%s/overdracht?m=ingetrokken", lic.ID, pupilID))
	return nil
}

// handleTransferRecordAnswer records what a party said on paper or in a
// meeting.
func (s *Server) handleTransferRecordAnswer(c *gin.Context) error {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return err
	}
	id, err := uuidParam(c, "transfer")
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	err = s.transfers.RecordAnswer(c, actorOf(c), lic.ID, pupilID, id, c.PostForm("party"), transferAnswerOf(c))
	if fields, ok := asFieldErrors(err); ok {
		return s.renderTransfer(c, http.StatusUnprocessableEntity, fields)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingen/%s/overdracht#overdracht-%s", lic.ID, pupilID, id))
	return nil
}

// transferAnswerOf reads an answer form: the answer, why, and per
// attachment (share_<id>) whether it may go.
func transferAnswerOf(c *gin.Context) service.TransferAnswer {
	in := service.TransferAnswer{Answer: c.PostForm("answer"), Remark: c.PostForm("remark"), Share: map[string]bool{}}
	for key, values := range c.Request.PostForm {
		if id, ok := strings.CutPrefix(key, "share_"); ok {
			in.Share[id] = len(values) > 0 && values[0] == "1"
		}
	}
	return in
}

type transfersPage struct {
	Licence  platform.Licence
	Incoming []service.IncomingTransfer
	Outgoing []school.ListTransfersOutRow
	Form     formState
	Errors   fault.FieldErrors
	Notice   string
}

// handleTransfers is the school's transfers: those offered to it (to
// accept or decline) and its own, with who each waits for.
func (s *Server) handleTransfers(c *gin.Context) error {
	return s.renderTransfers(c, http.StatusOK, nil)
}

func (s *Server) renderTransfers(c *gin.Context, status int, errs fault.FieldErrors) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	page := transfersPage{Licence: lic, Errors: errs, Form: sentForm(c, errs)}
	if page.Incoming, err = s.transfers.Incoming(c, actorOf(c), lic.ID); err != nil {
		return err
	}
	if principalOf(c).can(auth.PermDossierManage, lic.ID) {
		if page.Outgoing, err = s.transfers.Outgoing(c, actorOf(c), lic.ID); err != nil {
			return err
		}
	}
	if c.Query("m") == "afgewezen" {
		page.Notice = "De overdracht is niet aangenomen. De school die overdraagt en de ouders lezen uw reden."
	}
	s.render(c, status, "transfers", page)
	return nil
}

// handleTransferDecide accepts (then shows the new pupil's dossier) or
// declines, with a reason, a transfer offered to the school.
func (s *Server) handleTransferDecide(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	id, err := uuidParam(c, "transfer")
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	accept := c.PostForm("decision") == "accept"
	if !accept && c.PostForm("decision") != "decline" {
		return s.renderTransfers(c, http.StatusUnprocessableEntity, fault.FieldErrors{"decision": "Kies aannemen of niet aannemen."})
	}
	pupilID, err := s.transfers.Decide(c, actorOf(c), lic.ID, id, accept, c.PostForm("reason"))
	if fields, ok := asFieldErrors(err); ok {
		return s.renderTransfers(c, http.StatusUnprocessableEntity, fields)
	}
	if err != nil {
		return err
	}
	if !accept {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/overdrachten?m=afgewezen", lic.ID))
		return nil
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingen/%s/dossier?melding=overgedragen", lic.ID, pupilID))
	return nil
}

// portalTransferParams are the licence, pupil, reader and transfer of a
// portal route (the licence and pupil were checked by linkedPortal).
func portalTransferParams(c *gin.Context) (uuid.UUID, uuid.UUID, service.Reader, uuid.UUID, error) {
	licenceID, _ := uuidParam(c, "licence")
	pupilID, _ := uuidParam(c, "pupil")
	id, err := uuidParam(c, "transfer")
	return licenceID, pupilID, portalReader(c), id, err
}

// handlePortalTransferAnswer is a party's answer on a transfer: per
// attachment whether it may go, agree or refuse.
func (s *Server) handlePortalTransferAnswer(c *gin.Context) error {
	licenceID, pupilID, u, id, err := portalTransferParams(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	err = s.transfers.Answer(c, portalActorOf(c), licenceID, pupilID, id, u.PartyKey, u.CanAnswer, transferAnswerOf(c))
	if fields, ok := asFieldErrors(err); ok {
		return s.renderPortalPupil(c, http.StatusUnprocessableEntity, fields)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/ouder/%s/%s?beantwoord=1#overdracht-%s", licenceID, pupilID, id))
	return nil
}

// handlePortalTransferAttachment lets a party read an attachment of a
// transfer before deciding whether it may go.
func (s *Server) handlePortalTransferAttachment(c *gin.Context) error {
	licenceID, pupilID, u, id, err := portalTransferParams(c)
	if err != nil {
		return err
	}
	attachmentID, err := uuidParam(c, "attachment")
	if err != nil {
		return err
	}
	a, err := s.transfers.Attachment(c, portalActorOf(c), u.PartyKey, u.CanAnswer, licenceID, pupilID, id, attachmentID)
	if err != nil {
		return err
	}
	serveAttachment(c, a)
	return nil
}

// The transfers in the API.

type transferStartJSON struct {
	ToLicenceID   string   `json:"to_licence_id"`
	Parts         []string `json:"parts"`
	AttachmentIDs []string `json:"attachment_ids"`
}

type transferPartyJSON struct {
	Kind       string     `json:"kind"`
	Answer     *string    `json:"answer"`
	AnsweredAt *time.Time `json:"answered_at"`
}

type transferJSON struct {
	ID           uuid.UUID           `json:"id"`
	ToLicenceID  uuid.UUID           `json:"to_licence_id"`
	ToName       string              `json:"to_name"`
	Status       string              `json:"status"`
	Reason       string              `json:"reason"`
	Parts        []string            `json:"parts"`
	Attachments  []string            `json:"attachments"`
	Parties      []transferPartyJSON `json:"parties"`
	CreatedAt    time.Time           `json:"created_at"`
	ConsentDueAt time.Time           `json:"consent_due_at"`
	DecidedAt    *time.Time          `json:"decided_at"`
}

func toTransferJSON(v service.TransferView) transferJSON {
	t := v.Transfer
	out := transferJSON{ID: t.ID, ToLicenceID: t.ToLicenceID, ToName: t.ToName, Status: t.Status, Reason: t.Reason,
		Parts: v.Package.Parts, CreatedAt: t.CreatedAt, ConsentDueAt: t.ConsentDueAt, DecidedAt: t.DecidedAt,
		Parties: []transferPartyJSON{}, Attachments: []string{}}
	if out.Parts == nil {
		out.Parts = []string{}
	}
	for _, a := range v.Package.Attachments {
		out.Attachments = append(out.Attachments, a.FileName)
	}
	for _, p := range v.Parties {
		out.Parties = append(out.Parties, transferPartyJSON{Kind: p.Kind, Answer: p.Answer, AnsweredAt: p.AnsweredAt})
	}
	return out
}

type incomingJSON struct {
	ID            uuid.UUID          `json:"id"`
	FromLicenceID uuid.UUID          `json:"from_licence_id"`
	FromName      string             `json:"from_name"`
	PupilName     string             `json:"pupil_name"`
	BirthDate     *string            `json:"birth_date"`
	Status        string             `json:"status"`
	Reason        string             `json:"reason"`
	Offer         plan.TransferOffer `json:"offer"`
	OfferedAt     time.Time          `json:"offered_at"`
	PupilID       *uuid.UUID         `json:"pupil_id"`
}

type transferDecisionJSON struct {
	Accept bool   `json:"accept"`
	Reason string `json:"reason"`
}

type transferDecidedJSON struct {
	Status  string     `json:"status"`
	PupilID *uuid.UUID `json:"pupil_id"`
}

func (s *Server) transferOps() []apiOp {
	const tag = "School: overdracht"
	return []apiOp{
		{Method: "POST", Path: "/licences/:licence/pupils/:pupil/transfers", Perm: auth.PermDossierManage, Handle: s.handleAPITransferStart, Tag: tag,
			ID: "startTransfer", Summary: "Start a transfer of the pupil's plan to another school on the platform: the parts and attachments " +
				"chosen go, with the onderwijskundig rapport, once the parents (or the pupil from 16) agreed and the school accepted",
			Body: transferStartJSON{}, Out: transferJSON{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/licences/:licence/pupils/:pupil/transfers", Perm: auth.PermDossierManage, Handle: s.handleAPITransferList, Tag: tag,
			ID: "listTransfers", Summary: "The pupil's transfers, newest first, with who answered", Out: []transferJSON{}},
		{Method: "POST", Path: "/licences/:licence/pupils/:pupil/transfers/:transfer/withdraw", Perm: auth.PermDossierManage,
			Handle: s.handleAPITransferWithdraw, Tag: tag, ID: "withdrawTransfer", Summary: "Withdraw a transfer that is still open",
			Out: transferJSON{}},
		{Method: "GET", Path: "/licences/:licence/incoming-transfers", Perm: auth.PermTransferReceive, Handle: s.handleAPIIncomingTransfers,
			Tag: tag, ID: "listIncomingTransfers", Summary: "Transfers offered to the school by other schools (who and what by name; the plan " +
				"itself comes on acceptance)", Out: []incomingJSON{}},
		{Method: "POST", Path: "/licences/:licence/incoming-transfers/:transfer/decision", Perm: auth.PermTransferReceive,
			Handle: s.handleAPITransferDecide, Tag: tag, ID: "decideTransfer", Summary: "Accept (the plan becomes the start of a dossier here) " +
				"or decline with a reason", Body: transferDecisionJSON{}, Out: transferDecidedJSON{}},
	}
}

func (s *Server) handleAPITransferStart(c *gin.Context) error {
	lic, d, err := s.openDossier(c)
	if err != nil {
		return err
	}
	var in transferStartJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	report, err := s.schoolReportPDF(c, lic, d.PupilID, principalOf(c).Name)
	if err != nil {
		return err
	}
	id, err := s.transfers.Start(c, actorOf(c), lic, d, service.TransferForm{ToLicenceID: in.ToLicenceID, Parts: in.Parts,
		Attachments: in.AttachmentIDs}, report)
	if err != nil {
		return err
	}
	v, err := s.transfers.Get(c, lic.ID, d.PupilID, id)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusCreated, toTransferJSON(v))
}

func (s *Server) handleAPITransferList(c *gin.Context) error {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return err
	}
	if _, err := s.dossiers.Header(c, lic.ID, pupilID); err != nil {
		return err // no such pupil (with a plan) here
	}
	if err := s.logbook.Record(c, actorOf(c), lic.ID, pupilID, logbook.ActionView, "transfer"); err != nil {
		return err
	}
	list, err := s.transfers.OfPupil(c, lic.ID, pupilID)
	if err != nil {
		return err
	}
	out := []transferJSON{}
	for _, v := range list {
		out = append(out, toTransferJSON(v))
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) handleAPITransferWithdraw(c *gin.Context) error {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return err
	}
	id, err := uuidParam(c, "transfer")
	if err != nil {
		return err
	}
	if err := s.transfers.Withdraw(c, actorOf(c), lic.ID, pupilID, id); err != nil {
		return err
	}
	v, err := s.transfers.Get(c, lic.ID, pupilID, id)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, toTransferJSON(v))
}

func (s *Server) handleAPIIncomingTransfers(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	list, err := s.transfers.Incoming(c, actorOf(c), lic.ID)
	if err != nil {
		return err
	}
	out := []incomingJSON{}
	for _, t := range list {
		j := incomingJSON{ID: t.ID, FromLicenceID: t.FromLicenceID, FromName: t.FromName, PupilName: t.PupilName, Status: t.Status,
			Reason: t.Reason, Offer: t.Offer, OfferedAt: t.OfferedAt, PupilID: t.PupilID}
		if t.BirthDate != nil {
			b := t.BirthDate.Format(dateLayout)
			j.BirthDate = &b
		}
		out = append(out, j)
	}
	return writeJSON(c, http.StatusOK, out)
}

func (s *Server) handleAPITransferDecide(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	id, err := uuidParam(c, "transfer")
	if err != nil {
		return err
	}
	var in transferDecisionJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	pupilID, err := s.transfers.Decide(c, actorOf(c), lic.ID, id, in.Accept, in.Reason)
	if err != nil {
		return err
	}
	out := transferDecidedJSON{Status: "declined"}
	if in.Accept {
		out.Status, out.PupilID = "accepted", &pupilID
	}
	return writeJSON(c, http.StatusOK, out)
}

type swvTransfersPage struct {
	Licence platform.Licence
	Notices []swv.ListTransferNoticesRow
}

// handleSWVTransfers is the SWV's overview of pupils with a granted
// arrangement or TLV who move to another school.
func (s *Server) handleSWVTransfers(c *gin.Context) error {
	lic, err := s.licenceParam(c, true)
	if err != nil {
		return err
	}
	page := swvTransfersPage{Licence: lic}
	if page.Notices, err = s.swv.TransferNotices(c, actorOf(c), swvReaderOf(c, lic.ID), lic.ID); err != nil {
		return err
	}
	s.render(c, http.StatusOK, "swv_transfers", page)
	return nil
}
