package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/swv"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/temporalx"
	"github.com/topdossier/topdossier/workflows"
)

// RequestsConfig is how the SWV's process of a new request runs.
type RequestsConfig struct {
	Location      *time.Location
	Timers        workflows.RequestTimers
	Quorum        int
	RetentionTerm time.Duration
	// ViewWithin is how long the parties have to give their view on an
	// arrangement or TLV request; after it the school may submit without
	// (zero: law.RequestViewWithin).
	ViewWithin time.Duration
	// SiteURL is the public address, for the links in mails.
	SiteURL string
}

// SchoolYearEnd is 31 July of the school year day falls in.
func SchoolYearEnd(day time.Time) time.Time {
	y := day.Year()
	if day.Month() >= time.August {
		y++
	}
	return time.Date(y, time.July, 31, 0, 0, 0, 0, time.UTC)
}

// Requests is what a school does with its requests to the SWV, and what
// the SWV's people do with them.
type Requests struct {
	tenants  *tenants.Manager
	temporal client.Client
	logger   *slog.Logger
	dossiers *Dossiers // the dossier a request is made from, the consent rules
	cfg      RequestsConfig
}

// NewRequests returns the request service.
func NewRequests(tm *tenants.Manager, tc client.Client, logger *slog.Logger, dossiers *Dossiers, cfg RequestsConfig) *Requests {
	return &Requests{tenants: tm, temporal: tc, logger: logger, dossiers: dossiers, cfg: cfg}
}

// actorID is the actor's user id as a workflow input carries it; "" for
// the system.
func actorID(a Actor) string {
	if a.UserID == uuid.Nil {
		return ""
	}
	return a.UserID.String()
}

// Act writes the text a person typed under the action's request
// id, then asks the workflow. A refusal removes the text again and is
// named in Dutch: nothing half-written stays behind. The SWV's steps
// (intake, advice, votes, signing, objection) all go through here.
func (s *Requests) Act(ctx context.Context, actor Actor, swvLicenceID, requestID uuid.UUID, update string, a workflows.RequestAction,
	text, actorName string) (workflows.RequestStatus, error) {
	var st workflows.RequestStatus
	if err := CheckRequestID(a.RequestID); err != nil {
		return st, err
	}
	a.ActorID = actorID(actor)
	key := a.RequestID
	err := s.tenants.With(ctx, swvLicenceID, func(pool *pgxpool.Pool) error {
		if err := store.RefuseSWVRestricted(ctx, swv.New(pool), requestID); err != nil {
			return err
		}
		return swv.New(pool).PutRequestInput(ctx, swv.PutRequestInputParams{InputKey: key, RequestID: requestID, Body: text, ActorName: actorName})
	})
	if err != nil {
		return st, db.Classify(err)
	}
	err = temporalx.Update(ctx, s.temporal, workflows.RequestWorkflowID(swvLicenceID.String(), requestID.String()), a.RequestID,
		update, &st, a)
	if err == nil {
		return st, nil
	}
	_ = s.tenants.With(ctx, swvLicenceID, func(pool *pgxpool.Pool) error {
		return swv.New(pool).DeleteRequestInput(ctx, key)
	})
	var refusal *fault.Refusal
	switch {
	case errors.As(err, &refusal) && refusal.Fields() != nil:
		return st, refusal.Fields()
	case errors.Is(err, fault.ErrNoProcess):
		return st, fault.Refused(fault.CodeRequestClosed)
	}
	return st, err
}

// RequiredText trims v, the text a person typed for field, and asks
// for it: 1 to 5,000 characters, else msg.
func RequiredText(field, v, msg string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" || len([]rune(v)) > 5000 {
		return v, fault.FieldErrors{field: msg}
	}
	return v, nil
}

// Schedule puts the request on a meeting's agenda.
func (s *Requests) Schedule(ctx context.Context, actor Actor, swvLicenceID, requestID uuid.UUID, actionID, meeting string) error {
	meetingID, err := uuid.Parse(meeting)
	if err != nil {
		return fault.FieldErrors{"meeting": "Kies een vergadering."}
	}
	err = s.tenants.With(ctx, swvLicenceID, func(pool *pgxpool.Pool) error {
		_, err := swv.New(pool).GetMeeting(ctx, meetingID)
		return db.Classify(err)
	})
	if err != nil {
		return fault.FieldErrors{"meeting": "Kies een vergadering."}
	}
	_, err = s.Act(ctx, actor, swvLicenceID, requestID, workflows.UpdateRequestSchedule, workflows.RequestAction{RequestID: actionID,
		MeetingID: meetingID.String()}, "", "")
	return err
}

// Advise records an expert's advice, signed off by the expert
// (profession: their profession on the SWV licence). Whether the expert
// is linked to the applying school (any role there) is looked up here;
// the workflow refuses the advice then (WPO art. 18a: independent
// experts).
func (s *Requests) Advise(ctx context.Context, actor Actor, swvLicenceID, requestID uuid.UUID, actionID, profession, outcome, advice string) error {
	errs := fault.FieldErrors{}
	if !slices.Contains([]string{"positief", "negatief", "anders"}, outcome) {
		errs["outcome"] = "Kies uw conclusie: positief, negatief of anders."
	}
	text, err := RequiredText("advice", advice, "Schrijf uw advies op.")
	if fields, ok := err.(fault.FieldErrors); ok {
		maps.Copy(errs, fields)
	} else if err != nil {
		return err
	}
	if len(errs) > 0 {
		return errs
	}
	var req swv.Request
	asked := false
	err = s.tenants.With(ctx, swvLicenceID, func(pool *pgxpool.Pool) error {
		q := swv.New(pool)
		if req, err = q.GetRequest(ctx, requestID); err != nil {
			return db.Classify(err)
		}
		asked, err = q.ExpertAsked(ctx, swv.ExpertAskedParams{RequestID: requestID, ExpertID: actor.UserID})
		return err
	})
	if err != nil {
		return err
	}
	if !asked {
		return fault.FieldErrors{"action": "U bent niet gevraagd om over deze aanvraag te adviseren."}
	}
	linked, err := platform.New(s.tenants.Platform()).IsLinkedToLicence(ctx, platform.IsLinkedToLicenceParams{UserID: actor.UserID,
		LicenceID: &req.SchoolLicenceID})
	if err != nil {
		return err
	}
	_, err = s.Act(ctx, actor, swvLicenceID, requestID, workflows.UpdateRequestAdvice, workflows.RequestAction{RequestID: actionID,
		Profession: profession, LinkedToSchool: linked, Outcome: outcome}, text, actor.Name)
	return err
}

// onAgenda reads the request and the meeting it is on (nil before it is
// on an agenda): who chairs and sits in it decides what a person may do.
func (s *Requests) onAgenda(ctx context.Context, swvLicenceID, requestID uuid.UUID) (swv.Request, *swv.CommitteeMeeting, error) {
	var req swv.Request
	var meeting *swv.CommitteeMeeting
	err := s.tenants.With(ctx, swvLicenceID, func(pool *pgxpool.Pool) error {
		q := swv.New(pool)
		var err error
		if req, err = q.GetRequest(ctx, requestID); err != nil {
			return db.Classify(err)
		}
		if req.MeetingID == nil {
			return nil
		}
		m, err := q.GetMeeting(ctx, *req.MeetingID)
		if err != nil {
			return db.Classify(err)
		}
		meeting = &m
		return nil
	})
	return req, meeting, err
}

// Sign has the decision numbered, rendered and signed by the actor. The
// document names where an objection goes, so the SWV's objection address
// must be set first.
func (s *Requests) Sign(ctx context.Context, actor Actor, swvLicenceID, requestID uuid.UUID, actionID string) error {
	sw, err := platform.New(s.tenants.Platform()).GetSWVOfLicence(ctx, swvLicenceID)
	if err != nil {
		return db.Classify(err)
	}
	if strings.TrimSpace(sw.ObjectionAddress) == "" {
		return fault.FieldErrors{"action": "Vul eerst bij het samenwerkingsverband in waar bezwaar naartoe gaat (het postadres, en eventueel " +
			"een e-mailadres): dat staat op elk besluit. Daarna kunt u ondertekenen."}
	}
	_, err = s.Act(ctx, actor, swvLicenceID, requestID, workflows.UpdateRequestSign, workflows.RequestAction{RequestID: actionID}, "", "")
	return err
}

// SetCategory is the chair's category for a granted TLV for SO or VSO,
// set or changed after the vote, before signing (the signed TLV carries
// it).
func (s *Requests) SetCategory(ctx context.Context, actor Actor, swvLicenceID, requestID uuid.UUID, actionID, category string) error {
	category = strings.TrimSpace(category)
	if !slices.Contains([]string{"laag", "midden", "hoog"}, category) {
		return fault.FieldErrors{"category": "Kies de bekostigingscategorie: laag, midden of hoog."}
	}
	a := workflows.RequestAction{RequestID: actionID, Category: category}
	req, m, err := s.onAgenda(ctx, swvLicenceID, requestID)
	if err != nil {
		return err
	}
	if req.TlvType == nil || *req.TlvType == "sbo" {
		return fault.FieldErrors{"category": "Een toelaatbaarheidsverklaring voor het speciaal basisonderwijs heeft geen categorie."}
	}
	if m != nil {
		a.Chair = m.ChairID == actor.UserID
	}
	_, err = s.Act(ctx, actor, swvLicenceID, requestID, workflows.UpdateRequestCategory, a, "", "")
	return err
}

// Vote is a committee member's vote as typed: for or against the chair's
// proposal, and the motivation.
type Vote struct {
	RequestID string
	// Approve: grant (true) or refuse (false); nil when the member did
	// not choose (the form preselects nothing).
	Approve    *bool
	Motivation string
}

// Proposal is the term (and for a TLV for SO or VSO the category) the
// chair puts to the committee, as typed.
type Proposal struct {
	RequestID      string
	StartOn, EndOn string
	Category       string
}

// Propose records the chair's proposal the committee votes on. For a TLV
// the term runs at least to the end of the school year it starts in and
// at most the SWV's maximum for its type; for SO and VSO the category
// (laag, midden, hoog) is required, for SBO there is none.
func (s *Requests) Propose(ctx context.Context, actor Actor, swvLicenceID, requestID uuid.UUID, in Proposal) error {
	start, err1 := time.Parse(time.DateOnly, strings.TrimSpace(in.StartOn))
	end, err2 := time.Parse(time.DateOnly, strings.TrimSpace(in.EndOn))
	if err1 != nil || err2 != nil || !end.After(start) {
		return fault.FieldErrors{"proposal": "Vul de looptijd in: een begindatum en een latere einddatum."}
	}
	req, meeting, err := s.onAgenda(ctx, swvLicenceID, requestID)
	if err != nil {
		return err
	}
	a := workflows.RequestAction{RequestID: in.RequestID, StartOn: start, EndOn: end}
	if meeting != nil {
		a.Chair = meeting.ChairID == actor.UserID
	}
	if req.Kind == workflows.RequestKindTLV {
		typ := ""
		if req.TlvType != nil {
			typ = *req.TlvType
		}
		first := SchoolYearEnd(start)
		sw, err := platform.New(s.tenants.Platform()).GetSWVOfLicence(ctx, swvLicenceID)
		if err != nil {
			return db.Classify(err)
		}
		// The SWV's maxima (its settings; defaults SBO 2, SO and VSO 4).
		maxYears := int(map[string]int32{"sbo": sw.TlvMaxYearsSbo, "so": sw.TlvMaxYearsSo, "vso": sw.TlvMaxYearsVso}[typ])
		maxYears = max(maxYears, 1)
		last := first.AddDate(maxYears-1, 0, 0)
		switch {
		case end.Before(first):
			return fault.FieldErrors{"proposal": fmt.Sprintf("Een toelaatbaarheidsverklaring geldt ten minste tot het einde van het schooljaar: "+
				"tot en met %s.", first.Format("02-01-2006"))}
		case end.After(last):
			return fault.FieldErrors{"proposal": fmt.Sprintf("Het samenwerkingsverband geeft een toelaatbaarheidsverklaring voor %s voor "+
				"hoogstens %d schooljaren: tot en met %s.", strings.ToUpper(typ), maxYears, last.Format("02-01-2006"))}
		}
		category := strings.TrimSpace(in.Category)
		switch {
		case (typ == "so" || typ == "vso") && !slices.Contains([]string{"laag", "midden", "hoog"}, category):
			return fault.FieldErrors{"proposal": "Kies de bekostigingscategorie voor het (voortgezet) speciaal onderwijs: laag, midden of hoog."}
		case typ == "sbo" && category != "":
			return fault.FieldErrors{"proposal": "Een toelaatbaarheidsverklaring voor het speciaal basisonderwijs heeft geen categorie."}
		}
		a.Category = category
	}
	_, err = s.Act(ctx, actor, swvLicenceID, requestID, workflows.UpdateRequestPropose, a, "", "")
	return err
}

// Vote records a committee member's vote with its motivation; whether
// the actor chairs or sits in the meeting the request is on is looked up
// here, and the workflow counts the votes.
func (s *Requests) Vote(ctx context.Context, actor Actor, swvLicenceID, requestID uuid.UUID, v Vote) error {
	errs := fault.FieldErrors{}
	if v.Approve == nil {
		errs["approve"] = "Kies of u toekent of afwijst."
	}
	text, err := RequiredText("motivation", v.Motivation, "Schrijf de motivering op.")
	if fields, ok := err.(fault.FieldErrors); ok {
		maps.Copy(errs, fields)
	} else if err != nil {
		return err
	}
	if len(errs) > 0 {
		return errs
	}
	a := workflows.RequestAction{RequestID: v.RequestID, Approve: *v.Approve}
	_, m, err := s.onAgenda(ctx, swvLicenceID, requestID)
	if err != nil {
		return err
	}
	if m != nil {
		a.Chair, a.Member = m.ChairID == actor.UserID, slices.Contains(m.MemberIds, actor.UserID)
		// The meeting's day starts at midnight where the SWV is; a vote
		// before it is refused by the request's process.
		y, mo, d := m.MeetsOn.Date()
		a.MeetingOn = time.Date(y, mo, d, 0, 0, 0, 0, s.cfg.Location)
	}
	_, err = s.Act(ctx, actor, swvLicenceID, requestID, workflows.UpdateRequestVote, a, text, "")
	return err
}

// Intake accepts the request, or returns it as incomplete with what is
// missing (required then).
func (s *Requests) Intake(ctx context.Context, actor Actor, swvLicenceID, requestID uuid.UUID, actionID string, accept bool, missing string) error {
	missing = strings.TrimSpace(missing)
	if !accept {
		var err error
		if missing, err = RequiredText("missing", missing, "Schrijf op wat er ontbreekt, zodat de school het kan aanvullen."); err != nil {
			return err
		}
	}
	_, err := s.Act(ctx, actor, swvLicenceID, requestID, workflows.UpdateRequestIntake, workflows.RequestAction{RequestID: actionID,
		Accept: accept}, missing, "")
	return err
}

// Objection steps: a bezwaar lodged, the advice on it, the term
// extended, the decision on it.
const (
	ObjectionLodged  = "lodged"
	ObjectionAdvice  = "advice"
	ObjectionExtend  = "extend"
	ObjectionDecided = "decided"
)

// Objection records a step of a bezwaar with its text; decided with
// stands: the decision stands (true) or the objection is upheld.
func (s *Requests) Objection(ctx context.Context, actor Actor, swvLicenceID, requestID uuid.UUID, actionID, step, text string, stands bool) error {
	updates := map[string]string{ObjectionLodged: workflows.UpdateRequestObject, ObjectionAdvice: workflows.UpdateRequestObjectionAdvice,
		ObjectionExtend: workflows.UpdateRequestExtendObjection, ObjectionDecided: workflows.UpdateRequestObjectionDecided}
	update, ok := updates[step]
	if !ok {
		return fault.FieldErrors{"step": "Kies de stap: lodged, advice, extend of decided."}
	}
	text, err := RequiredText("objection", text, "Schrijf kort op waar het bezwaar over gaat, of wat er besloten is.")
	if err != nil {
		return err
	}
	_, err = s.Act(ctx, actor, swvLicenceID, requestID, update, workflows.RequestAction{RequestID: actionID,
		Accept: step == ObjectionDecided && stands}, text, "")
	return err
}

// Handled closes an advice, contact, MDO or OT request with how it was
// handled.
func (s *Requests) Handled(ctx context.Context, actor Actor, swvLicenceID, requestID uuid.UUID, actionID, text string) error {
	text, err := RequiredText("handled", text, "Schrijf kort op hoe de vraag is afgehandeld.")
	if err != nil {
		return err
	}
	_, err = s.Act(ctx, actor, swvLicenceID, requestID, workflows.UpdateRequestHandled, workflows.RequestAction{RequestID: actionID}, text, "")
	return err
}

// Evaluate records the result of an arrangement at its end: behaald,
// deels or niet, with an optional explanation.
func (s *Requests) Evaluate(ctx context.Context, actor Actor, swvLicenceID, requestID uuid.UUID, actionID, result, text string) error {
	if result != "behaald" && result != "deels" && result != "niet" {
		return fault.FieldErrors{"result": "Kies of het resultaat behaald, deels behaald of niet behaald is."}
	}
	text = strings.TrimSpace(text)
	if len([]rune(text)) > 5000 {
		return fault.FieldErrors{"text": "De toelichting is te lang (hoogstens 5000 tekens)."}
	}
	_, err := s.Act(ctx, actor, swvLicenceID, requestID, workflows.UpdateRequestEvaluate, workflows.RequestAction{RequestID: actionID,
		Result: result}, text, "")
	return err
}
