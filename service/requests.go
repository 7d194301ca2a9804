package service

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/db"
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
