package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/service"
)

// The school's processes in the API: the consent round of the
// handelingsdeel and the requests to the SWV, with the same services,
// checks and logbook lines as the pages.

const dossierPath = "/licences/:licence/pupils/:pupil/dossier"

func (s *Server) schoolOps() []apiOp {
	const tag = "School: instemming en aanvragen"
	return []apiOp{
		{Method: "GET", Path: dossierPath + "/consent", Perm: auth.PermDossierRead, Handle: s.handleAPIConsentShow, Tag: tag,
			ID: "showConsent", Summary: "The consent round of the last handelingsdeel offered: parties, answers, outcome (logged)",
			Out: struct {
				Consent *consentJSON `json:"consent"`
			}{}},
		{Method: "POST", Path: dossierPath + "/action-part/offer", Perm: auth.PermDossierManage, Handle: s.handleAPIActionPartOffer, Tag: tag,
			ID: "offerActionPart", Status: http.StatusCreated,
			Summary: "Offer the handelingsdeel for consent: the draft becomes the next version and its consent round starts (422 names what is missing; " +
				"the last version again when the draft did not change). The round shows at showConsent once it has invited the parties.",
			Out: struct {
				ActionPart actionPartJSON `json:"action_part"`
			}{}},
		{Method: "POST", Path: dossierPath + "/action-part/:version/consent-answers", Perm: auth.PermDossierManage, Tag: tag,
			Handle: s.handleAPIConsentRecord, ID: "recordConsentAnswer",
			Summary: "Record an answer a party gave on paper or in a meeting; the round decides, the school never decides for the parents",
			Body:    consentAnswerJSON{}, Out: struct {
				Consent *consentJSON `json:"consent"`
			}{}},
		{Method: "GET", Path: dossierPath + "/requests", Perm: auth.PermDossierRead, Handle: s.handleAPIRequestList, Tag: tag,
			ID: "listRequests", Summary: "The requests to the SWV made from the pupil's current dossier, newest first (all of them: a dossier has few)",
			Out: struct {
				Requests   []schoolRequestJSON `json:"requests"`
				NextCursor *string             `json:"next_cursor"`
			}{}},
		{Method: "POST", Path: dossierPath + "/requests", Perm: auth.PermDossierManage, Handle: s.handleAPIRequestPrepare, Tag: tag,
			ID: "prepareRequest", Summary: "Prepare a request from the dossier; the parties get inzage in exactly what will be sent",
			Body: requestFormJSON{}, Status: http.StatusCreated, Out: struct {
				Request schoolRequestJSON `json:"request"`
			}{}},
		{Method: "GET", Path: dossierPath + "/requests/:request", Perm: auth.PermDossierRead, Handle: s.handleAPIRequestShow, Tag: tag,
			ID: "showRequest", Summary: "One request: the parties' answers, whether it may be submitted, where the SWV stands (logged)",
			Out: struct {
				Request schoolRequestJSON `json:"request"`
			}{}},
		{Method: "POST", Path: dossierPath + "/requests/:request/answers", Perm: auth.PermDossierManage, Handle: s.handleAPIRequestAnswer,
			Tag: tag, ID: "recordRequestAnswer", Summary: "Record a party's answer and view given on paper or in a meeting",
			Body: requestAnswerJSON{}, Out: struct {
				Request schoolRequestJSON `json:"request"`
			}{}},
		{Method: "POST", Path: dossierPath + "/requests/:request/submit", Perm: auth.PermDossierManage, Handle: s.handleAPIRequestSubmit,
			Tag: tag, ID: "submitRequest", Summary: "Send the request to the SWV (422 says why not yet); submitting twice changes nothing",
			Out: struct {
				Request schoolRequestJSON `json:"request"`
			}{}},
		{Method: "POST", Path: dossierPath + "/requests/:request/reopen", Perm: auth.PermDossierManage, Handle: s.handleAPIRequestReopen,
			Tag: tag, ID: "reopenRequest", Summary: "After a correction: build the snapshot again from the dossier and open a new round of answers",
			Out: struct {
				Request schoolRequestJSON `json:"request"`
			}{}},
		{Method: "POST", Path: dossierPath + "/requests/:request/withdraw", Perm: auth.PermDossierManage, Handle: s.handleAPIRequestWithdraw,
			Tag: tag, ID: "withdrawRequest", Summary: "Withdraw the request, until the SWV has decided",
			Out: struct {
				Request schoolRequestJSON `json:"request"`
			}{}},
		{Method: "GET", Path: dossierPath + "/requests/:request/decision.pdf", Perm: auth.PermDossierRead, Tag: tag,
			Handle: s.handleAPIRequestDecisionPDF, ID: "schoolDecisionPDF", PDF: true,
			Summary: "The SWV's signed decision (PAdES), once signed (logged as an export)"},
	}
}

// consentJSON is a consent round as the API shows it.
type consentJSON struct {
	ActionPartVersion int32              `json:"action_part_version"`
	Status            string             `json:"status" doc:"open, consented, refused, superseded, ..."`
	StartedAt         time.Time          `json:"started_at"`
	DeadlineAt        time.Time          `json:"deadline_at"`
	EscalatedAt       *time.Time         `json:"escalated_at"`
	ClosedAt          *time.Time         `json:"closed_at"`
	Parties           []consentPartyJSON `json:"parties"`
	Answers           []consentEntryJSON `json:"answers"`
}

type consentPartyJSON struct {
	Key     string `json:"key" doc:"the party: guardian:<id> or pupil"`
	Name    string `json:"name"`
	Decides bool   `json:"decides" doc:"their consent is needed"`
	Shares  bool   `json:"shares" doc:"they are heard (the pupil from 12)"`
	Removed bool   `json:"removed"`
	Answer  string `json:"answer" doc:"their last answer, empty when none"`
}

type consentEntryJSON struct {
	Party      string     `json:"party"`
	Answer     string     `json:"answer"`
	Remark     string     `json:"remark"`
	Channel    string     `json:"channel" enum:"school|portal"`
	RecordedBy *uuid.UUID `json:"recorded_by"`
	At         time.Time  `json:"at"`
}

type consentAnswerJSON struct {
	RequestID string `json:"request_id" doc:"optional: without it the Idempotency-Key makes the answer's id"`
	Party     string `json:"party"`
	Answer    string `json:"answer" enum:"agree|refuse"`
	Remark    string `json:"remark"`
}

func (s *Server) consentOf(c *gin.Context) (*consentJSON, error) {
	_, v, err := s.viewDossierAs(c, logbook.ActionView, "consent_round")
	if err != nil {
		return nil, err
	}
	cv := v.Consent
	if cv == nil {
		return nil, nil
	}
	out := &consentJSON{ActionPartVersion: cv.Round.ActionPartNumber, Status: cv.Round.Status, StartedAt: cv.Round.StartedAt,
		DeadlineAt: cv.Round.DeadlineAt, EscalatedAt: cv.Round.EscalatedAt, ClosedAt: cv.Round.ClosedAt,
		Parties: []consentPartyJSON{}, Answers: []consentEntryJSON{}}
	for _, p := range cv.Parties {
		out.Parties = append(out.Parties, consentPartyJSON{Key: p.Key, Name: p.Name, Decides: p.Decides, Shares: p.Shares,
			Removed: p.Removed, Answer: cv.Answer(p.Key)})
	}
	for _, r := range cv.Responses {
		out.Answers = append(out.Answers, consentEntryJSON{Party: r.PartyKey, Answer: r.Answer, Remark: r.Remark, Channel: r.Channel,
			RecordedBy: r.RecordedBy, At: r.At})
	}
	return out, nil
}

func (s *Server) handleAPIConsentShow(c *gin.Context) error {
	out, err := s.consentOf(c)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, gin.H{"consent": out})
}

func (s *Server) handleAPIActionPartOffer(c *gin.Context) error {
	lic, d, err := s.openDossier(c)
	if err != nil {
		return err
	}
	v, missing, err := s.dossiers.OfferActionPart(c, actorOf(c), lic.ID, d)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return &phaseIncomplete{Missing: missing}
	}
	return writeJSON(c, http.StatusCreated, gin.H{"action_part": actionPartJSON{Version: v.Number, Cycle: v.Cycle, ConsentStatus: v.ConsentStatus}})
}

// actionPartJSON is a handelingsdeel version offered for consent.
type actionPartJSON struct {
	Version       int32  `json:"version"`
	Cycle         int32  `json:"cycle"`
	ConsentStatus string `json:"consent_status" enum:"pending|given|refused"`
}

func (s *Server) handleAPIConsentRecord(c *gin.Context) error {
	lic, d, err := s.openDossier(c)
	if err != nil {
		return err
	}
	number, err := strconv.ParseInt(c.Param("version"), 10, 32)
	if err != nil {
		return fault.ErrNotFound
	}
	var in consentAnswerJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if _, err := s.dossiers.RespondConsent(c, actorOf(c), lic.ID, d, int32(number), service.ConsentAnswerInput{
		RequestID: actionID(c, in.RequestID), Party: in.Party, Answer: in.Answer, Remark: in.Remark}); err != nil {
		return err
	}
	out, err := s.consentOf(c)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, gin.H{"consent": out})
}

// schoolRequestJSON is a request as the school sees it in the API.
type schoolRequestJSON struct {
	ID          uuid.UUID  `json:"id"`
	Kind        string     `json:"kind" enum:"arrangement|tlv|advice|contact|mdo|mdo_t|ot"`
	TLVType     *string    `json:"tlv_type"`
	TLVCategory *string    `json:"tlv_category"`
	Question    string     `json:"question"`
	Status      string     `json:"status" enum:"inzage|submitted|withdrawn"`
	Round       int32      `json:"round" doc:"the round of answers; a paper answer names it"`
	CreatedAt   time.Time  `json:"created_at"`
	SubmittedAt *time.Time `json:"submitted_at"`
	// Only on one request (showRequest and the changes).
	Parties     []requestPartyJSON `json:"parties,omitempty"`
	Ready       *bool              `json:"ready,omitempty" doc:"the school may submit now"`
	NotReadyWhy string             `json:"not_ready_why,omitempty"`
	ViewDueAt   *time.Time         `json:"view_due_at,omitempty" doc:"after it an arrangement or TLV may go without every view"`
	Attachments []attachmentJSON   `json:"attachments,omitempty"`
	SWV         *swvSideJSON       `json:"swv,omitempty"`
}

type requestPartyJSON struct {
	Key        string     `json:"key"`
	Name       string     `json:"name"`
	Answer     *string    `json:"answer" enum:"agree|refuse|correction"`
	Remark     string     `json:"remark"`
	View       string     `json:"view" doc:"their zienswijze"`
	AnsweredAt *time.Time `json:"answered_at"`
	RecordedBy *uuid.UUID `json:"recorded_by" doc:"set when the school recorded a paper answer"`
}

type attachmentJSON struct {
	ID       string `json:"id"`
	FileName string `json:"file_name"`
	Shared   bool   `json:"shared" doc:"every party let it go to the SWV"`
}

// swvSideJSON is where the SWV stands, as the school may know it.
type swvSideJSON struct {
	LicenceID uuid.UUID     `json:"licence_id"`
	RequestID uuid.UUID     `json:"request_id"`
	Status    string        `json:"status" doc:"intake, bij_consulent, agenda, ..., closed; deleted when the SWV's term ended"`
	Decision  *decisionJSON `json:"decision"`
}

type decisionJSON struct {
	Approved       bool       `json:"approved"`
	DecidedOn      time.Time  `json:"decided_on"`
	StartOn        *time.Time `json:"start_on"`
	EndOn          *time.Time `json:"end_on"`
	Number         *string    `json:"number"`
	SignedAt       *time.Time `json:"signed_at"`
	ObjectionUntil *time.Time `json:"objection_until"`
	Motivation     string     `json:"motivation"`
}

func requestFull(v service.RequestView) schoolRequestJSON {
	r := v.Request
	out := schoolRequestJSON{ID: r.ID, Kind: r.Kind, TLVType: r.TlvType, TLVCategory: r.TlvCategory, Question: r.Question,
		Status: r.Status, Round: r.Round, CreatedAt: r.CreatedAt, SubmittedAt: r.SubmittedAt, Parties: []requestPartyJSON{}}
	for _, p := range v.Parties {
		out.Parties = append(out.Parties, requestPartyJSON{Key: p.PartyKey, Name: p.Name, Answer: p.Answer, Remark: p.Remark,
			View: p.View, AnsweredAt: p.AnsweredAt, RecordedBy: p.RecordedBy})
	}
	ready, why := v.Ready()
	out.Ready, out.NotReadyWhy = &ready, why
	if v.ViewOnly() && !v.ViewDueAt.IsZero() {
		due := v.ViewDueAt
		out.ViewDueAt = &due
	}
	for _, a := range v.Snapshot.Attachments {
		out.Attachments = append(out.Attachments, attachmentJSON{ID: a.ID, FileName: a.FileName, Shared: v.Shared(a.ID)})
	}
	if r.SwvLicenceID != nil && r.SwvRequestID != nil {
		side := &swvSideJSON{LicenceID: *r.SwvLicenceID, RequestID: *r.SwvRequestID, Status: v.SWVStatus()}
		if v.SWVGone {
			side.Status = "deleted"
		}
		if d := v.Decision; d != nil {
			side.Decision = &decisionJSON{Approved: d.Approved, DecidedOn: d.DecidedOn, StartOn: d.StartOn, EndOn: d.EndOn,
				Number: d.Number, SignedAt: d.SignedAt, ObjectionUntil: d.ObjectionUntil, Motivation: d.Motivation}
		}
		out.SWV = side
	}
	return out
}

type requestFormJSON struct {
	Kind        string `json:"kind" enum:"arrangement|tlv|advice|contact|mdo|mdo_t|ot"`
	TLVType     string `json:"tlv_type" enum:"|sbo|so|vso"`
	TLVCategory string `json:"tlv_category" enum:"|laag|midden|hoog"`
	Question    string `json:"question"`
}

type requestAnswerJSON struct {
	Party  string          `json:"party" doc:"the party's key, as parties lists it"`
	Round  int             `json:"round" doc:"the round the party read"`
	Answer string          `json:"answer" enum:"agree|refuse|correction"`
	Remark string          `json:"remark" doc:"why, or what to correct (required unless agree)"`
	View   string          `json:"view" doc:"their zienswijze"`
	Share  map[string]bool `json:"share" doc:"attachment id → may go to the SWV (absent: no)"`
}

func (s *Server) handleAPIRequestList(c *gin.Context) error {
	lic, d, err := s.openDossierAny(c)
	if err != nil {
		return err
	}
	v, err := s.dossiers.Load(c, lic.ID, d.PupilID)
	if err != nil {
		return err
	}
	if err := s.logbook.Record(c, actorOf(c), lic.ID, d.PupilID, logbook.ActionView, "swv_request"); err != nil {
		return err
	}
	out := make([]schoolRequestJSON, 0, len(v.Requests))
	for _, r := range v.Requests {
		out = append(out, schoolRequestJSON{ID: r.ID, Kind: r.Kind, TLVType: r.TlvType, TLVCategory: r.TlvCategory, Question: r.Question,
			Status: r.Status, Round: r.Round, CreatedAt: r.CreatedAt, SubmittedAt: r.SubmittedAt})
	}
	return writeJSON(c, http.StatusOK, gin.H{"requests": out, "next_cursor": nil})
}

// writeRequest answers with the request as it stands now (logged as a
// view of the request).
func (s *Server) writeRequest(c *gin.Context, status int, id uuid.UUID) error {
	lic, d, err := s.openDossierAny(c)
	if err != nil {
		return err
	}
	v, err := s.requests.Load(c, lic.ID, d, id)
	if err != nil {
		return err
	}
	if _, err := s.requests.Viewed(c, actorOf(c), lic.ID, d.PupilID, id); err != nil {
		return err
	}
	if status == http.StatusCreated {
		c.Header("Location", fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier/requests/%s", lic.ID, d.PupilID, id))
	}
	return writeJSON(c, status, gin.H{"request": requestFull(v)})
}

func (s *Server) handleAPIRequestPrepare(c *gin.Context) error {
	lic, d, err := s.openDossier(c)
	if err != nil {
		return err
	}
	var in requestFormJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	id, err := s.requests.Prepare(c, actorOf(c), lic, d, service.RequestForm{Kind: in.Kind, TLVType: in.TLVType,
		TLVCategory: in.TLVCategory, Question: in.Question})
	if err != nil {
		return err
	}
	return s.writeRequest(c, http.StatusCreated, id)
}

func (s *Server) handleAPIRequestShow(c *gin.Context) error {
	_, _, id, err := s.requestParams(c)
	if err != nil {
		return err
	}
	return s.writeRequest(c, http.StatusOK, id)
}

func (s *Server) handleAPIRequestAnswer(c *gin.Context) error {
	lic, d, id, err := s.requestParams(c)
	if err != nil {
		return err
	}
	var in requestAnswerJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Share == nil {
		in.Share = map[string]bool{}
	}
	err = s.requests.RecordAnswer(c, actorOf(c), lic.ID, d, id, in.Party, service.RequestAnswer{Answer: in.Answer, Remark: in.Remark,
		View: in.View, Round: in.Round, Share: in.Share})
	if errors.Is(err, fault.ErrNotFound) {
		return fault.FieldErrors{"party": "Kies een partij die voor deze aanvraag is gevraagd (zie parties)."}
	}
	if err != nil {
		return err
	}
	return s.writeRequest(c, http.StatusOK, id)
}

func (s *Server) handleAPIRequestSubmit(c *gin.Context) error {
	lic, d, id, err := s.requestParams(c)
	if err != nil {
		return err
	}
	err = s.requests.Submit(c, actorOf(c), lic, d, id)
	var notReady *service.NotReady
	switch {
	case errors.As(err, &notReady):
		return fault.FieldErrors{"request": notReady.Why}
	case errors.Is(err, service.ErrSubmittedBefore):
	case err != nil:
		return err
	}
	return s.writeRequest(c, http.StatusOK, id)
}

func (s *Server) handleAPIRequestReopen(c *gin.Context) error {
	lic, d, id, err := s.requestParams(c)
	if err != nil {
		return err
	}
	if err := s.requests.Reopen(c, actorOf(c), lic, d, id); err != nil {
		return err
	}
	return s.writeRequest(c, http.StatusOK, id)
}

func (s *Server) handleAPIRequestWithdraw(c *gin.Context) error {
	lic, d, id, err := s.requestParams(c)
	if err != nil {
		return err
	}
	if err := s.requests.Withdraw(c, actorOf(c), lic, d, id); err != nil {
		return err
	}
	return s.writeRequest(c, http.StatusOK, id)
}

func (s *Server) handleAPIRequestDecisionPDF(c *gin.Context) error {
	return s.handleRequestDecisionPDF(c)
}
