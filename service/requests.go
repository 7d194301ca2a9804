package service

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/db/school"
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

// Requests is what a school does with its requests to the SWV.
type Requests struct {
	temporal client.Client
	cfg      RequestsConfig
}

// NewRequests returns the request service.
func NewRequests(tc client.Client, cfg RequestsConfig) *Requests {
	return &Requests{temporal: tc, cfg: cfg}
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
