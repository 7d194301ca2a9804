package service

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/swv"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/internal/requestlog"
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/temporalx"
	"github.com/topdossier/topdossier/workflows"
)

// RequestForm is the IB'er's new request, as typed or sent.
type RequestForm struct {
	Kind, TLVType, TLVCategory, Question string
}

var requestKinds = []string{workflows.RequestKindArrangement, workflows.RequestKindTLV, workflows.RequestKindAdvice,
	workflows.RequestKindContact, workflows.RequestKindMDO, workflows.RequestKindMDOT, workflows.RequestKindOT}

// check names every problem of the form at once, in Dutch.
func (f RequestForm) check() fault.FieldErrors {
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
func buildSnapshot(lic platform.Licence, v DossierView, f RequestForm) plan.RequestSnapshot {
	snap := plan.RequestSnapshot{School: lic.Name, PupilName: store.PupilName(v.Pupil), BirthDate: v.Pupil.BirthDate.Format(time.DateOnly),
		Group: v.Pupil.GroupName, Kind: f.Kind, TLVType: f.TLVType, TLVCategory: f.TLVCategory, Question: strings.TrimSpace(f.Question),
		SupportLevel: string(v.Dossier.SupportLevel), Understand: v.Content.Understand, Perspective: v.Content.Perspective,
		ActionPart: v.Frozen, Evaluation: v.Content.Evaluation, Hearing: v.Content.Hearing, Realise: v.Content.Realise}
	for _, g := range v.Growth {
		if g.Kind == "tried" {
			snap.Tried = append(snap.Tried, plan.SnapshotNote{On: g.OccurredOn.Format(time.DateOnly), Body: g.Body})
		}
	}
	if lic.SchoolType != nil {
		snap.SchoolType = string(*lic.SchoolType)
	}
	if v.ActionPart != nil {
		snap.ActionPartVersion = v.ActionPart.Number
	}
	for _, t := range v.Tests {
		snap.Tests = append(snap.Tests, plan.SnapshotTest{Instrument: t.Instrument, TakenOn: t.TakenOn.Format(time.DateOnly),
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
func sharingParties(v DossierView, rules ConsentRules, today time.Time) []plan.ConsentParty {
	var out []plan.ConsentParty
	for _, p := range plan.ConsentPartiesAt(v.Pupil.BirthDate, today, store.Guardians(v.Guardians), rules.Ages) {
		if p.Shares {
			out = append(out, p)
		}
	}
	return out
}

// openInzage writes the parties of a (new) round and tells them by mail.
// The mail carries the party's link into the portal (store.PortalLink:
// a guardian's account is made and linked first).
func (s *Requests) openInzage(ctx context.Context, tx pgx.Tx, licenceID, pupilID uuid.UUID, req school.SwvRequest, parties []plan.ConsentParty) error {
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
	back := fmt.Sprintf("/ouder/%s/%s#aanvraag-%s", licenceID, pupilID, req.ID)
	for _, p := range rows {
		if p.Email == "" {
			continue
		}
		link, err := store.PortalLink(ctx, s.tenants.Platform(), s.cfg.SiteURL, p.GuardianID, p.Email, p.Name, licenceID, pupilID, back)
		if err != nil {
			return err
		}
		body := "Beste ouder of verzorger,\n\nDe school wil een aanvraag doen bij het samenwerkingsverband. In TOP dossier " +
			"leest u precies wat de school wil meesturen, geeft u per bijlage aan of die mee mag, en geeft u uw antwoord " +
			"(akkoord, niet akkoord, of een correctie vragen).\n\n" + store.PortalLinkText(link, false) + "\n"
		if err := q.EnqueueMail(ctx, school.EnqueueMailParams{DedupeKey: fmt.Sprintf("swv-request:%s:%d:%s", req.ID, req.Round, p.PartyKey),
			ToAddress: p.Email, Subject: "Inzage in een aanvraag bij het samenwerkingsverband", Body: body}); err != nil {
			return err
		}
	}
	return nil
}

// RequestView is a request as the school and the portal show it.
type RequestView struct {
	Request  school.SwvRequest
	Snapshot plan.RequestSnapshot
	Parties  []school.ListSWVRequestPartiesRow
	// Accounts: per party key, where their portal account stands
	// ("", "invited", "active").
	Accounts map[string]string
	Shares   map[string]map[string]bool // attachment id → party key → may share
	Events   []swv.RequestEvent         // what the SWV shows the school, after submitting
	Decision *swv.Decision
	SWV      *swv.Request // the SWV's request, after submitting
	// SWVGone: the SWV deleted its request (retention term or erasure).
	SWVGone bool
	// ViewDueAt: from then on the school may submit an arrangement or a
	// TLV without every party's view (silence does not block it).
	ViewDueAt time.Time
}

// ViewOnly reports whether the parties give a view, not their
// agreement: an arrangement or a TLV (the school's legal task, WPO art.
// 18a; the SWV decides). Other requests need their agreement.
func (v RequestView) ViewOnly() bool {
	return v.Request.Kind == workflows.RequestKindTLV || v.Request.Kind == workflows.RequestKindArrangement
}

// SWVStatus is the step at the SWV, or "" before submitting.
func (v RequestView) SWVStatus() string {
	if v.SWV == nil {
		return ""
	}
	return v.SWV.Status
}

// Shared reports whether every party let attachment id go.
func (v RequestView) Shared(id string) bool {
	return store.SharedByAll(v.Parties, v.Shares[id])
}

// Ready says whether the school may submit, and if not, why (Dutch). For
// an arrangement or a TLV the parties give their view: the school may
// submit once everybody answered or the term for a view passed; a
// requested correction still comes first. Other requests need every
// party's agreement.
func (v RequestView) Ready() (bool, string) {
	if v.Request.Status != "inzage" {
		return false, ""
	}
	if len(v.Parties) == 0 {
		return false, "Er is niemand om toestemming te vragen: vul eerst de ouders met gezag in."
	}
	waiting := false
	for _, p := range v.Parties {
		switch {
		case p.Answer == nil:
			waiting = true
		case *p.Answer == "correction":
			return false, "Er is een correctie gevraagd: pas het dossier aan en leg de aanvraag opnieuw ter inzage."
		}
	}
	if v.ViewOnly() {
		if waiting && time.Now().Before(v.ViewDueAt) {
			return false, fmt.Sprintf("Nog niet iedereen heeft geantwoord. De ouders hebben tot %s om hun zienswijze te geven; "+
				"daarna kan de school de aanvraag ook zonder indienen.", v.ViewDueAt.In(law.Netherlands()).Format("02-01-2006"))
		}
		return true, ""
	}
	if waiting {
		return false, "Nog niet iedereen heeft geantwoord."
	}
	for _, p := range v.Parties {
		if *p.Answer != "agree" {
			return false, "Zonder toestemming om te delen kan de school deze aanvraag niet indienen."
		}
	}
	return true, ""
}

// ReadyOK and ReadyWhy are Ready for templates.
func (v RequestView) ReadyOK() bool { ok, _ := v.Ready(); return ok }

// ReadyWhy is why the school cannot submit yet ("" when it can).
func (v RequestView) ReadyWhy() string { _, why := v.Ready(); return why }

// Load reads a request of the pupil's current dossier.
func (s *Requests) Load(ctx context.Context, licenceID uuid.UUID, d school.Dossier, requestID uuid.UUID) (RequestView, error) {
	var v RequestView
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
		v.Shares = store.SharesOf(shares)
		return json.Unmarshal(v.Request.Snapshot, &v.Snapshot)
	})
	if err == nil {
		v.Accounts = map[string]string{}
		for _, p := range v.Parties {
			if v.Accounts[p.PartyKey], err = portalAccountState(ctx, platform.New(s.tenants.Platform()), p.Email); err != nil {
				break
			}
		}
	}
	v.ViewDueAt = law.TermEnd(v.Request.InzageSince, cmp.Or(s.cfg.ViewWithin, law.RequestViewWithin))
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
		if errors.Is(err, pgx.ErrNoRows) {
			// Deleted at the SWV (its retention term, or an honoured
			// erasure): the school's own record stays.
			v.SWVGone = true
			return nil
		}
		if err != nil {
			return err
		}
		v.SWV = &r
		return nil
	})
	return v, err
}

// ErrRequestSubmitted: the request was submitted or withdrawn; it is
// not prepared again.
var ErrRequestSubmitted = fault.FieldErrors{"request": "Deze aanvraag is al ingediend of ingetrokken."}

// Prepare makes a request from the dossier and gives the guardians (or
// the pupil from the share age) inzage in exactly what will be sent: the
// snapshot is frozen now, the parties are asked by mail.
func (s *Requests) Prepare(ctx context.Context, actor Actor, lic platform.Licence, d school.Dossier, f RequestForm) (uuid.UUID, error) {
	if f.Kind != workflows.RequestKindTLV {
		f.TLVType, f.TLVCategory = "", ""
	}
	if errs := f.check(); errs != nil {
		return uuid.Nil, errs
	}
	v, err := s.dossiers.Load(ctx, lic.ID, d.PupilID)
	if err != nil {
		return uuid.Nil, err
	}
	rules, err := s.dossiers.ConsentRules(ctx, lic.ID)
	if err != nil {
		return uuid.Nil, err
	}
	snap, err := json.Marshal(buildSnapshot(lic, v, f))
	if err != nil {
		return uuid.Nil, err
	}
	uid := actor.UserID
	var id uuid.UUID
	err = writeOfPupil(ctx, s.tenants, lic.ID, d.PupilID, func(tx pgx.Tx) error {
		req, err := school.New(tx).CreateSWVRequest(ctx, school.CreateSWVRequestParams{DossierID: d.ID, Kind: f.Kind,
			TlvType: optional(f.TLVType), TlvCategory: optional(f.TLVCategory), Question: strings.TrimSpace(f.Question),
			Snapshot: snap, CreatedBy: &uid})
		if err != nil {
			return err
		}
		id = req.ID
		if err := s.openInzage(ctx, tx, lic.ID, d.PupilID, req, sharingParties(v, rules, Today(s.cfg.Location))); err != nil {
			return err
		}
		e := actor.entry(ctx, d.PupilID, logbook.ActionCreate, "swv_request")
		e.EntityID = req.ID.String()
		return logbook.Append(ctx, tx, e)
	})
	if err != nil {
		return uuid.Nil, err
	}
	SendOutbox(ctx, s.temporal, s.logger, lic.ID)
	return id, nil
}

// Reopen builds the snapshot again from the corrected dossier and opens a
// new round of answers: after a party asked for a correction, or after
// the SWV returned the request as incomplete.
func (s *Requests) Reopen(ctx context.Context, actor Actor, lic platform.Licence, d school.Dossier, id uuid.UUID) error {
	if err := s.dossiers.CheckNotRestricted(ctx, lic.ID, d.PupilID); err != nil {
		return err // sharing is a use of the data
	}
	v, err := s.dossiers.Load(ctx, lic.ID, d.PupilID)
	if err != nil {
		return err
	}
	rules, err := s.dossiers.ConsentRules(ctx, lic.ID)
	if err != nil {
		return err
	}
	current, err := s.Load(ctx, lic.ID, d, id)
	if err != nil {
		return err
	}
	swvStatus := current.SWVStatus()
	err = writeOfPupil(ctx, s.tenants, lic.ID, d.PupilID, func(tx pgx.Tx) error {
		q := school.New(tx)
		req, err := q.GetSWVRequestForUpdate(ctx, school.GetSWVRequestForUpdateParams{ID: id, DossierID: d.ID})
		if err != nil {
			return db.Classify(err)
		}
		returned := req.Status == "submitted" && swvStatus == workflows.RequestStepIncomplete
		if req.Status != "inzage" && !returned {
			return ErrRequestSubmitted
		}
		tlvType, tlvCategory := "", ""
		if req.TlvType != nil {
			tlvType = *req.TlvType
		}
		if req.TlvCategory != nil {
			tlvCategory = *req.TlvCategory
		}
		snap, err := json.Marshal(buildSnapshot(lic, v, RequestForm{Kind: req.Kind, TLVType: tlvType, TLVCategory: tlvCategory, Question: req.Question}))
		if err != nil {
			return err
		}
		if returned {
			err = q.ReturnSWVRequest(ctx, school.ReturnSWVRequestParams{ID: id, Snapshot: snap})
		} else {
			err = q.ReopenSWVRequest(ctx, school.ReopenSWVRequestParams{ID: id, Snapshot: snap})
		}
		if err != nil {
			return err
		}
		req.Round++
		if err := s.openInzage(ctx, tx, lic.ID, d.PupilID, req, sharingParties(v, rules, Today(s.cfg.Location))); err != nil {
			return err
		}
		e := actor.entry(ctx, d.PupilID, logbook.ActionUpdate, "swv_request")
		e.EntityID = id.String()
		return logbook.Append(ctx, tx, e)
	})
	if err != nil {
		return err
	}
	SendOutbox(ctx, s.temporal, s.logger, lic.ID)
	return nil
}

// ErrSubmittedBefore: the request is at the SWV already; submitting again
// changes nothing.
var ErrSubmittedBefore = errors.New("request submitted before")

// NotReady is why a request cannot go to the SWV yet, in Dutch: not every
// party answered, a correction was asked, the SWV's process refused.
type NotReady struct{ Why string }

func (e *NotReady) Error() string { return "request not ready: " + e.Why }

// Submit sends the request to the SWV and waits until it is there: the
// submission workflow copies the snapshot, with the parents' views and
// only the attachments every party let go, into the SWV's database,
// starts the SWV's process (or resumes it after the SWV returned the
// request) and marks the school's request submitted. The round is the
// submission's key: a double click or a retry joins the running one.
func (s *Requests) Submit(ctx context.Context, actor Actor, lic platform.Licence, d school.Dossier, id uuid.UUID) error {
	if err := s.dossiers.CheckNotRestricted(ctx, lic.ID, d.PupilID); err != nil {
		return err // sharing is a use of the data
	}
	v, err := s.Load(ctx, lic.ID, d, id)
	if err != nil {
		return err
	}
	if v.Request.Status == "submitted" {
		return ErrSubmittedBefore
	}
	if ok, why := v.Ready(); !ok {
		if why == "" {
			return ErrRequestSubmitted
		}
		return &NotReady{Why: why}
	}
	swvLic, err := platform.New(s.tenants.Platform()).GetSWVLicenceOf(ctx, lic.ID)
	if err != nil {
		return errors.Join(fault.ErrUnavailable, fmt.Errorf("no SWV licence for %s: %w", lic.ID, err))
	}
	_, err = workflows.SubmitRequest(ctx, s.temporal, workflows.SubmitRequestInput{
		SchoolLicenceID: lic.ID.String(), SchoolRequestID: id.String(), DossierID: d.ID.String(), PupilID: d.PupilID.String(),
		SWVLicenceID: swvLic.ID.String(), Submission: v.Request.Round, ActorID: actorID(actor), ActorRole: string(actor.Role),
		RequestID: requestlog.ID(ctx),
		Request:   workflows.RequestInput{Kind: v.Request.Kind, Timers: s.cfg.Timers, Quorum: s.cfg.Quorum, RetentionTerm: s.cfg.RetentionTerm},
	})
	err = temporalx.AsFault(err)
	var refusal *fault.Refusal
	if errors.As(err, &refusal) && refusal.Fields() != nil {
		return &NotReady{Why: strings.Join(slices.Collect(maps.Values(refusal.Fields())), " ")}
	}
	return err
}

// Withdraw withdraws the request: at the SWV while it has not decided
// (a refusal comes back as field errors), then at the school.
func (s *Requests) Withdraw(ctx context.Context, actor Actor, lic platform.Licence, d school.Dossier, id uuid.UUID) error {
	v, err := s.Load(ctx, lic.ID, d, id)
	if err != nil {
		return err
	}
	if v.Request.Status == "withdrawn" {
		return nil
	}
	if v.Request.SwvRequestID != nil && v.Request.SwvLicenceID != nil {
		_, err := s.Act(ctx, actor, *v.Request.SwvLicenceID, *v.Request.SwvRequestID, workflows.UpdateRequestWithdraw, workflows.RequestAction{
			RequestID: uuid.NewSHA1(id, []byte("withdraw")).String()}, "", "")
		if err != nil {
			return err
		}
	}
	return s.tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			if err := school.New(tx).WithdrawSWVRequest(ctx, id); err != nil {
				return err
			}
			e := actor.entry(ctx, d.PupilID, logbook.ActionUpdate, "swv_request")
			e.EntityID = id.String()
			return logbook.Append(ctx, tx, e)
		})
	})
}

// RequestAnswer is a party's answer to a request in inzage: akkoord, niet
// akkoord or a correction (with why), their zienswijze, the round they
// read, and per attachment of the snapshot whether it may go.
type RequestAnswer struct {
	Answer, Remark, View string
	Round                int
	Share                map[string]bool // attachment id → may go
	// recordedBy: the staff member who recorded an answer the party gave
	// on paper or in a meeting (RecordAnswer).
	recordedBy *uuid.UUID
}

// RecordAnswer records, as the party's answer, what a guardian or the
// pupil said on paper or in a meeting, with who recorded it (as with
// consent answers); the page marks it "vastgelegd door de school".
func (s *Requests) RecordAnswer(ctx context.Context, actor Actor, licenceID uuid.UUID, d school.Dossier, requestID uuid.UUID,
	partyKey string, in RequestAnswer) error {
	in.recordedBy = actor.userID()
	return s.Answer(ctx, actor, licenceID, d, requestID, partyKey, true, in)
}

// Answer records a party's answer to a request, for the round they read.
// Only a party asked in this round, who may answer for the pupil
// (canAnswer), is heard; anyone else finds no request.
func (s *Requests) Answer(ctx context.Context, actor Actor, licenceID uuid.UUID, d school.Dossier, requestID uuid.UUID,
	partyKey string, canAnswer bool, in RequestAnswer) error {
	v, err := s.Load(ctx, licenceID, d, requestID)
	if err != nil {
		return err
	}
	asked := false
	for _, p := range v.Parties {
		asked = asked || p.PartyKey == partyKey
	}
	if !asked || !canAnswer {
		return fault.ErrNotFound
	}
	remark, view := strings.TrimSpace(in.Remark), strings.TrimSpace(in.View)
	errs := fault.FieldErrors{}
	switch {
	case in.Answer != "agree" && in.Answer != "refuse" && in.Answer != "correction":
		errs["request_answer"] = "Kies uw antwoord."
	case in.Answer != "agree" && remark == "":
		errs["request_remark"] = "Schrijf op waarom, of wat er verbeterd moet worden."
	}
	if len([]rune(remark)) > 5000 || len([]rune(view)) > 5000 {
		errs["request_remark"] = "De toelichting is te lang (hoogstens 5000 tekens)."
	}
	if v.Request.Status != "inzage" || int32(in.Round) != v.Request.Round {
		errs["request_answer"] = "De aanvraag is intussen gewijzigd of al ingediend. Lees hem opnieuw."
	}
	if len(errs) > 0 {
		return errs
	}
	answer := in.Answer
	return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			n, err := q.AnswerSWVRequest(ctx, school.AnswerSWVRequestParams{RequestID: requestID, PartyKey: partyKey, Answer: &answer,
				Remark: remark, View: view, Round: v.Request.Round, RecordedBy: in.recordedBy})
			if err != nil {
				return err
			}
			if n == 0 {
				return fault.FieldErrors{"request_answer": "De aanvraag is intussen gewijzigd of al ingediend. Lees hem opnieuw."}
			}
			for _, a := range v.Snapshot.Attachments {
				aid, err := uuid.Parse(a.ID)
				if err != nil {
					continue
				}
				if err := q.SetAttachmentShare(ctx, school.SetAttachmentShareParams{RequestID: requestID, AttachmentID: aid,
					PartyKey: partyKey, Share: in.Share[a.ID]}); err != nil {
					return err
				}
			}
			e := actor.entry(ctx, d.PupilID, logbook.ActionConsent, "swv_request")
			e.EntityID = requestID.String()
			return logbook.Append(ctx, tx, e)
		})
	})
}

// Viewed reads the pupil a request is about and writes the logbook line
// of the school's view of the request.
func (s *Requests) Viewed(ctx context.Context, actor Actor, licenceID, pupilID, requestID uuid.UUID) (school.Pupil, error) {
	var p school.Pupil
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			var err error
			if p, err = school.New(tx).GetPupil(ctx, pupilID); err != nil {
				return db.Classify(err)
			}
			e := actor.entry(ctx, pupilID, logbook.ActionView, "swv_request")
			e.EntityID = requestID.String()
			return logbook.Append(ctx, tx, e)
		})
	})
	return p, err
}
