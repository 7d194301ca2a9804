package service

import (
	"context"
	"errors"
	"log/slog"
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
func (s *Requests) Advise(ctx context.Context, actor Actor, swvLicenceID, requestID uuid.UUID, actionID, profession, advice string) error {
	text, err := RequiredText("advice", advice, "Schrijf uw advies op.")
	if err != nil {
		return err
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
		Profession: profession, LinkedToSchool: linked}, text, actor.Name)
	return err
}

// Vote is a committee member's vote as typed: for or against, the term of
// a granted arrangement or TLV, and the motivation.
type Vote struct {
	RequestID      string
	Approve        bool
	StartOn, EndOn string
	Motivation     string
}

// Vote records a committee member's vote with its motivation; whether
// the actor chairs or sits in the meeting the request is on is looked up
// here, and the workflow counts the votes.
func (s *Requests) Vote(ctx context.Context, actor Actor, swvLicenceID, requestID uuid.UUID, v Vote) error {
	text, err := RequiredText("motivation", v.Motivation, "Schrijf de motivering op.")
	if err != nil {
		return err
	}
	a := workflows.RequestAction{RequestID: v.RequestID, Approve: v.Approve}
	if v.Approve {
		start, err1 := time.Parse(time.DateOnly, v.StartOn)
		end, err2 := time.Parse(time.DateOnly, v.EndOn)
		if err1 != nil || err2 != nil || !end.After(start) {
			return fault.FieldErrors{"term": "Vul de looptijd in: een begindatum en een latere einddatum."}
		}
		a.StartOn, a.EndOn = start, end
	}
	uid := actor.UserID
	err = s.tenants.With(ctx, swvLicenceID, func(pool *pgxpool.Pool) error {
		q := swv.New(pool)
		req, err := q.GetRequest(ctx, requestID)
		if err != nil {
			return db.Classify(err)
		}
		if req.MeetingID == nil {
			return nil
		}
		m, err := q.GetMeeting(ctx, *req.MeetingID)
		if err != nil {
			return db.Classify(err)
		}
		a.Chair, a.Member = m.ChairID == uid, slices.Contains(m.MemberIds, uid)
		// The meeting's day starts at midnight where the SWV is; a vote
		// before it is refused by the request's process.
		y, mo, d := m.MeetsOn.Date()
		a.MeetingOn = time.Date(y, mo, d, 0, 0, 0, 0, s.cfg.Location)
		return nil
	})
	if err != nil {
		return err
	}
	_, err = s.Act(ctx, actor, swvLicenceID, requestID, workflows.UpdateRequestVote, a, text, "")
	return err
}
