package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/swv"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/service"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/workflows"
)

// requestForm is the IB'er's new request, as typed.
type requestForm struct {
	Kind, TLVType, TLVCategory, Question string
}

var requestKinds = []string{workflows.RequestKindArrangement, workflows.RequestKindTLV, workflows.RequestKindAdvice,
	workflows.RequestKindContact, workflows.RequestKindMDO, workflows.RequestKindMDOT, workflows.RequestKindOT}

// check names every problem of the form at once, in Dutch.
func (f requestForm) check() fault.FieldErrors {
	errs := fault.FieldErrors{}
	if !slices.Contains(requestKinds, f.Kind) {
		errs["kind"] = "Kies wat de school aanvraagt."
	}
	if f.Kind == workflows.RequestKindTLV {
		switch {
		case f.TLVType != "sbo" && f.TLVType != "so" && f.TLVType != "vso":
			errs["tlv_type"] = "Kies voor welk onderwijs de toelaatbaarheidsverklaring is: SBO, SO of VSO."
		case f.TLVCategory != "" && f.TLVType == "sbo":
			errs["tlv_category"] = "Een categorie (laag, midden, hoog) hoort alleen bij SO en VSO."
		case f.TLVCategory != "" && f.TLVCategory != "laag" && f.TLVCategory != "midden" && f.TLVCategory != "hoog":
			errs["tlv_category"] = "Kies laag, midden of hoog."
		}
	}
	if q := strings.TrimSpace(f.Question); q == "" || len([]rune(q)) > 5000 {
		errs["question"] = "Schrijf de vraag van de school op (hoogstens 5000 tekens)."
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// buildSnapshot is what the request will carry: the dossier as it is now,
// the last frozen handelingsdeel, and the attachments by name.
func buildSnapshot(lic platform.Licence, v service.DossierView, f requestForm) plan.RequestSnapshot {
	snap := plan.RequestSnapshot{School: lic.Name, PupilName: fullName(v.Pupil), BirthDate: v.Pupil.BirthDate.Format(dateLayout),
		Group: v.Pupil.GroupName, Kind: f.Kind, TLVType: f.TLVType, TLVCategory: f.TLVCategory, Question: strings.TrimSpace(f.Question),
		SupportLevel: string(v.Dossier.SupportLevel), Understand: v.Content.Understand, Perspective: v.Content.Perspective,
		ActionPart: v.Frozen, Evaluation: v.Content.Evaluation}
	if lic.SchoolType != nil {
		snap.SchoolType = string(*lic.SchoolType)
	}
	if v.ActionPart != nil {
		snap.ActionPartVersion = v.ActionPart.Number
	}
	for _, t := range v.Tests {
		snap.Tests = append(snap.Tests, plan.SnapshotTest{Instrument: t.Instrument, TakenOn: t.TakenOn.Format(dateLayout),
			Score: t.Score, Level: t.Level})
	}
	for _, a := range v.Attachments {
		snap.Attachments = append(snap.Attachments, plan.SnapshotAttachment{ID: a.ID.String(), FileName: a.FileName,
			ContentType: a.ContentType, SizeBytes: a.SizeBytes})
	}
	return snap
}

// sharingParties are whose toestemming sharing needs today: the guardians
// with authority, or from the share age the pupil.
func sharingParties(v service.DossierView, rules service.ConsentRules, today time.Time) []plan.ConsentParty {
	var out []plan.ConsentParty
	for _, p := range plan.ConsentPartiesAt(v.Pupil.BirthDate, today, store.Guardians(v.Guardians), rules.Ages) {
		if p.Shares {
			out = append(out, p)
		}
	}
	return out
}

// openInzage writes the parties of a (new) round and tells them by mail.
func (s *Server) openInzage(ctx context.Context, tx pgx.Tx, licenceID uuid.UUID, req school.SwvRequest, parties []plan.ConsentParty) error {
	q := school.New(tx)
	keys := make([]string, 0, len(parties))
	for _, p := range parties {
		guardianID, err := plan.PartyGuardian(p.Key)
		if err != nil {
			return err
		}
		if err := q.UpsertSWVRequestParty(ctx, school.UpsertSWVRequestPartyParams{RequestID: req.ID, PartyKey: p.Key, Kind: p.Kind,
			GuardianID: guardianID, Round: req.Round}); err != nil {
			return err
		}
		keys = append(keys, p.Key)
	}
	if err := q.DeleteOtherSWVRequestParties(ctx, school.DeleteOtherSWVRequestPartiesParams{RequestID: req.ID, Keys: keys}); err != nil {
		return err
	}
	if err := q.ClearAttachmentShares(ctx, req.ID); err != nil {
		return err
	}
	rows, err := q.ListSWVRequestParties(ctx, req.ID)
	if err != nil {
		return err
	}
	for _, p := range rows {
		if p.Email == "" {
			continue
		}
		body := "Beste ouder of verzorger,\n\nDe school wil een aanvraag doen bij het samenwerkingsverband. Log in op TOP dossier: " +
			"daar leest u precies wat de school wil meesturen, geeft u per bijlage aan of die mee mag, en geeft u uw antwoord " +
			"(akkoord, niet akkoord, of een correctie vragen).\n"
		if err := q.EnqueueMail(ctx, school.EnqueueMailParams{DedupeKey: fmt.Sprintf("swv-request:%s:%d:%s", req.ID, req.Round, p.PartyKey),
			ToAddress: p.Email, Subject: "Inzage in een aanvraag bij het samenwerkingsverband", Body: body}); err != nil {
			return err
		}
	}
	return nil
}

// handleRequestCreate prepares a request from the dossier and gives the
// guardians (or the pupil from 16) inzage in exactly what will be sent.
func (s *Server) handleRequestCreate(c *gin.Context) error {
	return s.postDossierForm(c, "request", "#aanvragen", func(lic platform.Licence, d school.Dossier) error {
		f := requestForm{Kind: c.PostForm("kind"), TLVType: c.PostForm("tlv_type"), TLVCategory: c.PostForm("tlv_category"),
			Question: c.PostForm("question")}
		if f.Kind != workflows.RequestKindTLV {
			f.TLVType, f.TLVCategory = "", ""
		}
		if errs := f.check(); errs != nil {
			return errs
		}
		v, err := s.dossiers.Load(c, lic.ID, d.PupilID)
		if err != nil {
			return err
		}
		rules, err := s.dossiers.ConsentRules(c, lic.ID)
		if err != nil {
			return err
		}
		snap, err := json.Marshal(buildSnapshot(lic, v, f))
		if err != nil {
			return err
		}
		uid := principalOf(c).UserID
		err = s.tenants.With(c, lic.ID, func(pool *pgxpool.Pool) error {
			return db.InTx(c, pool, func(tx pgx.Tx) error {
				req, err := school.New(tx).CreateSWVRequest(c, school.CreateSWVRequestParams{DossierID: d.ID, Kind: f.Kind,
					TlvType: optional(f.TLVType), TlvCategory: optional(f.TLVCategory), Question: strings.TrimSpace(f.Question),
					Snapshot: snap, CreatedBy: &uid})
				if err != nil {
					return err
				}
				if err := s.openInzage(c, tx, lic.ID, req, sharingParties(v, rules, s.today())); err != nil {
					return err
				}
				e := s.entry(c, d.PupilID, logbook.ActionCreate, "swv_request")
				e.EntityID = req.ID.String()
				return logbook.Append(c, tx, e)
			})
		})
		if err != nil {
			return err
		}
		s.sendOutbox(c, lic.ID)
		return nil
	})
}

func (s *Server) sendOutbox(c *gin.Context, licenceID uuid.UUID) {
	service.SendOutbox(c, s.temporal, s.logger, licenceID)
}

// requestView is a request as the school and the portal show it.
type requestView struct {
	Request  school.SwvRequest
	Snapshot plan.RequestSnapshot
	Parties  []school.ListSWVRequestPartiesRow
	Shares   map[string]map[string]bool // attachment id → party key → may share
	Events   []swv.RequestEvent         // what the SWV shows the school, after submitting
	Decision *swv.Decision
	SWV      *swv.Request // the SWV's request, after submitting
}

// SWVStatus is the step at the SWV, or "" before submitting.
func (v requestView) SWVStatus() string {
	if v.SWV == nil {
		return ""
	}
	return v.SWV.Status
}

// Shared reports whether every party let attachment id go.
func (v requestView) Shared(id string) bool {
	if len(v.Parties) == 0 {
		return false
	}
	for _, p := range v.Parties {
		if !v.Shares[id][p.PartyKey] {
			return false
		}
	}
	return true
}

// Ready says whether the school may submit, and if not, why (Dutch).
func (v requestView) Ready() (bool, string) {
	if v.Request.Status != "inzage" {
		return false, ""
	}
	if len(v.Parties) == 0 {
		return false, "Er is niemand om toestemming te vragen: vul eerst de ouders met gezag in."
	}
	for _, p := range v.Parties {
		switch {
		case p.Answer == nil:
			return false, "Nog niet iedereen heeft geantwoord."
		case *p.Answer == "correction":
			return false, "Er is een correctie gevraagd: pas het dossier aan en leg de aanvraag opnieuw ter inzage."
		}
	}
	if v.Request.Kind == workflows.RequestKindTLV {
		for _, p := range v.Parties {
			if strings.TrimSpace(p.View) != "" {
				return true, ""
			}
		}
		return false, "Voor een toelaatbaarheidsverklaring is de zienswijze van de ouders nodig."
	}
	for _, p := range v.Parties {
		if *p.Answer != "agree" {
			return false, "Zonder toestemming om te delen kan de school deze aanvraag niet indienen."
		}
	}
	return true, ""
}

// ReadyOK and ReadyWhy are Ready for templates.
func (v requestView) ReadyOK() bool { ok, _ := v.Ready(); return ok }

// ReadyWhy is why the school cannot submit yet ("" when it can).
func (v requestView) ReadyWhy() string { _, why := v.Ready(); return why }

// loadRequest reads a request of the pupil's current dossier.
func (s *Server) loadRequest(ctx context.Context, licenceID uuid.UUID, d school.Dossier, requestID uuid.UUID) (requestView, error) {
	var v requestView
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		var err error
		if v.Request, err = q.GetSWVRequest(ctx, school.GetSWVRequestParams{ID: requestID, DossierID: d.ID}); err != nil {
			return db.Classify(err)
		}
		if v.Parties, err = q.ListSWVRequestParties(ctx, requestID); err != nil {
			return err
		}
		shares, err := q.ListAttachmentShares(ctx, requestID)
		if err != nil {
			return err
		}
		v.Shares = map[string]map[string]bool{}
		for _, sh := range shares {
			id := sh.AttachmentID.String()
			if v.Shares[id] == nil {
				v.Shares[id] = map[string]bool{}
			}
			v.Shares[id][sh.PartyKey] = sh.Share
		}
		return json.Unmarshal(v.Request.Snapshot, &v.Snapshot)
	})
	if err != nil || v.Request.SwvRequestID == nil || v.Request.SwvLicenceID == nil {
		return v, err
	}
	// After submitting: what the SWV shows the school, never its notes.
	err = s.tenants.With(ctx, *v.Request.SwvLicenceID, func(pool *pgxpool.Pool) error {
		q := swv.New(pool)
		var err error
		if v.Events, err = q.ListRequestEvents(ctx, swv.ListRequestEventsParams{RequestID: *v.Request.SwvRequestID, Internal: false}); err != nil {
			return err
		}
		dec, err := q.GetDecision(ctx, *v.Request.SwvRequestID)
		if err == nil {
			v.Decision = &dec
		}
		r, err := q.GetRequest(ctx, *v.Request.SwvRequestID)
		if err != nil {
			return db.Classify(err)
		}
		v.SWV = &r
		return nil
	})
	return v, err
}

type requestPage struct {
	Licence platform.Licence
	Pupil   school.Pupil
	requestView
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
	v, err := s.loadRequest(c, lic.ID, d, id)
	if err != nil {
		return err
	}
	page := requestPage{Licence: lic, requestView: v, Error: problem}
	err = s.tenants.With(c, lic.ID, func(pool *pgxpool.Pool) error {
		return db.InTx(c, pool, func(tx pgx.Tx) error {
			var err error
			if page.Pupil, err = school.New(tx).GetPupil(c, d.PupilID); err != nil {
				return err
			}
			e := s.entry(c, d.PupilID, logbook.ActionView, "swv_request")
			e.EntityID = id.String()
			return logbook.Append(c, tx, e)
		})
	})
	if err != nil {
		return err
	}
	switch c.Query("m") {
	case "ingediend":
		page.Notice = "De aanvraag is ingediend bij het samenwerkingsverband."
	case "opnieuw":
		page.Notice = "De aanvraag ligt opnieuw ter inzage; de ouders krijgen bericht."
	}
	s.render(c, status, "swv_request", page)
	return nil
}

// handleRequestReopen: after a correction the school builds the snapshot
// again from the corrected dossier and opens a new round of answers.
func (s *Server) handleRequestReopen(c *gin.Context) error {
	lic, d, id, err := s.requestParams(c)
	if err != nil {
		return err
	}
	if err := s.dossiers.CheckNotRestricted(c, lic.ID, d.PupilID); err != nil {
		return err // sharing is a use of the data
	}
	v, err := s.dossiers.Load(c, lic.ID, d.PupilID)
	if err != nil {
		return err
	}
	rules, err := s.dossiers.ConsentRules(c, lic.ID)
	if err != nil {
		return err
	}
	current, err := s.loadRequest(c, lic.ID, d, id)
	if err != nil {
		return err
	}
	swvStatus := current.SWVStatus()
	err = s.tenants.With(c, lic.ID, func(pool *pgxpool.Pool) error {
		return db.InTx(c, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			req, err := q.GetSWVRequestForUpdate(c, school.GetSWVRequestForUpdateParams{ID: id, DossierID: d.ID})
			if err != nil {
				return db.Classify(err)
			}
			returned := req.Status == "submitted" && swvStatus == workflows.RequestStepIncomplete
			if req.Status != "inzage" && !returned {
				return errRequestSubmitted
			}
			tlvType, tlvCategory := "", ""
			if req.TlvType != nil {
				tlvType = *req.TlvType
			}
			if req.TlvCategory != nil {
				tlvCategory = *req.TlvCategory
			}
			snap, err := json.Marshal(buildSnapshot(lic, v, requestForm{Kind: req.Kind, TLVType: tlvType, TLVCategory: tlvCategory, Question: req.Question}))
			if err != nil {
				return err
			}
			if returned {
				err = q.ReturnSWVRequest(c, school.ReturnSWVRequestParams{ID: id, Snapshot: snap})
			} else {
				err = q.ReopenSWVRequest(c, school.ReopenSWVRequestParams{ID: id, Snapshot: snap})
			}
			if err != nil {
				return err
			}
			req.Round++
			if err := s.openInzage(c, tx, lic.ID, req, sharingParties(v, rules, s.today())); err != nil {
				return err
			}
			e := s.entry(c, d.PupilID, logbook.ActionUpdate, "swv_request")
			e.EntityID = id.String()
			return logbook.Append(c, tx, e)
		})
	})
	if err != nil {
		return err
	}
	s.sendOutbox(c, lic.ID)
	c.Redirect(http.StatusSeeOther, requestURL(lic.ID, d.PupilID, id)+"?m=opnieuw")
	return nil
}

var errRequestSubmitted = fault.FieldErrors{"request": "Deze aanvraag is al ingediend of ingetrokken."}

func requestURL(licenceID, pupilID, requestID uuid.UUID) string {
	return dossierURL(licenceID, pupilID) + "/aanvragen/" + requestID.String()
}

// handleRequestSubmit sends the request to the SWV: the snapshot (with
// the guardians' zienswijze) and only the attachments every party let
// go are written into the SWV database, and its workflow starts. Each
// step is idempotent, so submitting again after a failure sends it once.
func (s *Server) handleRequestSubmit(c *gin.Context) error {
	lic, d, id, err := s.requestParams(c)
	if err != nil {
		return err
	}
	if err := s.dossiers.CheckNotRestricted(c, lic.ID, d.PupilID); err != nil {
		return err // sharing is a use of the data
	}
	v, err := s.loadRequest(c, lic.ID, d, id)
	if err != nil {
		return err
	}
	if v.Request.Status == "submitted" {
		c.Redirect(http.StatusSeeOther, requestURL(lic.ID, d.PupilID, id)+"?m=ingediend")
		return nil
	}
	if ok, why := v.Ready(); !ok {
		if why == "" {
			return errRequestSubmitted
		}
		return s.renderRequest(c, http.StatusUnprocessableEntity, lic, d, id, why)
	}
	swvLic, err := platform.New(s.tenants.Platform()).GetSWVLicenceOf(c, lic.ID)
	if err != nil {
		return errors.Join(fault.ErrUnavailable, fmt.Errorf("no SWV licence for %s: %w", lic.ID, err))
	}
	// The copy to the SWV, the start (or resumption) of its process and
	// the school's "submitted" are steps of one workflow: each retries on
	// its own, and a page that gives up waiting leaves nothing half-done.
	err = s.requests.Submit(c, actorOf(c), service.Submission{SchoolLicenceID: lic.ID, SWVLicenceID: swvLic.ID,
		Dossier: d, RequestID: id, Round: v.Request.Round, Kind: v.Request.Kind})
	if fields, ok := asFieldErrors(err); ok {
		return s.renderRequest(c, http.StatusUnprocessableEntity, lic, d, id, strings.Join(slices.Collect(maps.Values(fields)), " "))
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, requestURL(lic.ID, d.PupilID, id)+"?m=ingediend")
	return nil
}

// handleRequestDecisionPDF lets the school download the signed decision.
func (s *Server) handleRequestDecisionPDF(c *gin.Context) error {
	lic, d, id, err := s.requestParams(c)
	if err != nil {
		return err
	}
	v, err := s.loadRequest(c, lic.ID, d, id)
	if err != nil {
		return err
	}
	if v.Request.SwvRequestID == nil || v.Request.SwvLicenceID == nil {
		return fault.ErrNotFound
	}
	if err := s.record(c, lic.ID, d.PupilID, logbook.ActionExport, "decision_document"); err != nil {
		return err
	}
	return s.serveDecisionPDF(c, *v.Request.SwvLicenceID, *v.Request.SwvRequestID, nil)
}

// handleRequestWithdraw: the school withdraws a request, before the SWV
// decides on it (or before it was sent at all).
func (s *Server) handleRequestWithdraw(c *gin.Context) error {
	lic, d, id, err := s.requestParams(c)
	if err != nil {
		return err
	}
	v, err := s.loadRequest(c, lic.ID, d, id)
	if err != nil {
		return err
	}
	if v.Request.Status == "withdrawn" {
		c.Redirect(http.StatusSeeOther, requestURL(lic.ID, d.PupilID, id))
		return nil
	}
	if v.Request.SwvRequestID != nil && v.Request.SwvLicenceID != nil {
		_, err := s.requests.Act(c, actorOf(c), *v.Request.SwvLicenceID, *v.Request.SwvRequestID, workflows.UpdateRequestWithdraw, workflows.RequestAction{
			RequestID: uuid.NewSHA1(id, []byte("withdraw")).String()}, "", "")
		if fields, ok := asFieldErrors(err); ok {
			return s.renderRequest(c, http.StatusUnprocessableEntity, lic, d, id,
				"Het samenwerkingsverband heeft al besloten; intrekken kan niet meer. "+strings.Join(slices.Collect(maps.Values(fields)), " "))
		}
		if err != nil {
			return err
		}
	}
	err = s.tenants.With(c, lic.ID, func(pool *pgxpool.Pool) error {
		return db.InTx(c, pool, func(tx pgx.Tx) error {
			if err := school.New(tx).WithdrawSWVRequest(c, id); err != nil {
				return err
			}
			e := s.entry(c, d.PupilID, logbook.ActionUpdate, "swv_request")
			e.EntityID = id.String()
			return logbook.Append(c, tx, e)
		})
	})
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, requestURL(lic.ID, d.PupilID, id))
	return nil
}
