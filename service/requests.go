package service

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/swv"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/internal/requestlog"
	"github.com/topdossier/topdossier/temporalx"
	"github.com/topdossier/topdossier/workflows"
)

// RequestsConfig is how the SWV's process of a new request runs.
type RequestsConfig struct {
	Timers        workflows.RequestTimers
	Quorum        int
	RetentionTerm time.Duration
}

// Requests is what a school does with its requests to the SWV, and what
// the SWV's people do with them.
type Requests struct {
	tenants  *tenants.Manager
	temporal client.Client
	cfg      RequestsConfig
}

// NewRequests returns the request service.
func NewRequests(tm *tenants.Manager, tc client.Client, cfg RequestsConfig) *Requests {
	return &Requests{tenants: tm, temporal: tc, cfg: cfg}
}

// Submission is one inzage round of a school's request, ready to go to
// its SWV (the guardians answered, the use is not restricted).
type Submission struct {
	SchoolLicenceID, SWVLicenceID uuid.UUID
	Dossier                       school.Dossier
	RequestID                     uuid.UUID
	Round                         int32
	Kind                          string
}

// Submit submits the round and waits until the request is at the SWV: the
// submission workflow copies it into the SWV's database, starts the SWV's
// process (or resumes it after the SWV returned the request) and marks the
// school's request submitted. The round is the submission's key: a double
// click or a retry joins the running one. A refusal of the SWV's process
// comes back as field errors for the page.
func (s *Requests) Submit(ctx context.Context, actor Actor, sub Submission) error {
	_, err := workflows.SubmitRequest(ctx, s.temporal, workflows.SubmitRequestInput{
		SchoolLicenceID: sub.SchoolLicenceID.String(), SchoolRequestID: sub.RequestID.String(),
		DossierID: sub.Dossier.ID.String(), PupilID: sub.Dossier.PupilID.String(), SWVLicenceID: sub.SWVLicenceID.String(),
		Submission: sub.Round, ActorID: actorID(actor), ActorRole: string(actor.Role), RequestID: requestlog.ID(ctx),
		Request: workflows.RequestInput{Kind: sub.Kind, Timers: s.cfg.Timers, Quorum: s.cfg.Quorum, RetentionTerm: s.cfg.RetentionTerm},
	})
	err = temporalx.AsFault(err)
	var refusal *fault.Refusal
	if errors.As(err, &refusal) && refusal.Fields() != nil {
		return refusal.Fields()
	}
	return err
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
