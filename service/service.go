// Package service is what a person or an API client can do with TOP
// dossier, below the pages and the JSON API: each method takes the
// context, the actor and (for a state change) the request id the action
// carries, validates, authorises what the route alone cannot, writes in
// one transaction with its logbook line, and asks the workflow. It never
// sees HTTP: the server parses, calls one method and renders.
package service

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/internal/requestlog"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/workflows"
)

// Actor is who acts: the person (or integration) behind a page or an API
// call, in the role the route granted on the licence. The zero Actor is
// the system.
type Actor struct {
	UserID uuid.UUID
	Name   string
	Role   auth.Role
}

// userRef is the actor's account for a record, nil for the operator's
// command line or the platform itself.
func (a Actor) userRef() *uuid.UUID {
	if a.UserID == uuid.Nil {
		return nil
	}
	id := a.UserID
	return &id
}

// entry is the logbook line for what the actor does to a pupil, under the
// id of the request being served.
func (a Actor) entry(ctx context.Context, pupilID uuid.UUID, action, entity string) logbook.Entry {
	e := a.actionEntry(ctx, action, entity, pupilID.String())
	e.PupilID = &pupilID
	return e
}

// userID is the actor's user id, nil for the system.
func (a Actor) userID() *uuid.UUID {
	if a.UserID == uuid.Nil {
		return nil
	}
	id := a.UserID
	return &id
}

// actionEntry is the logbook line for what the actor does to something
// that is no pupil.
func (a Actor) actionEntry(ctx context.Context, action, entity, entityID string) logbook.Entry {
	e := logbook.Entry{Action: action, Entity: entity, EntityID: entityID, RequestID: requestlog.ID(ctx), ActorRole: string(a.Role)}
	if a.UserID != uuid.Nil {
		id := a.UserID
		e.ActorID = &id
	}
	return e
}

// listEntry is the logbook line for a list of pupils the actor saw
// (names, groups, process steps): one line with the number shown, not one
// per pupil.
func (a Actor) listEntry(ctx context.Context, shown int) logbook.Entry {
	return a.actionEntry(ctx, logbook.ActionView, "pupil_list", strconv.Itoa(shown))
}

// Config is what the services take from the configuration.
type Config struct {
	// Location is the school's time zone: dates people type are days
	// there.
	Location      *time.Location
	DossierTimers workflows.DossierTimers
	// ConsentDefaults rule consent where an SWV set no rules of its own.
	ConsentDefaults ConsentRules
}

// Dossiers is what people do with a pupil's plan: open it, fill it in,
// move it through the HGW cycle, offer its handelingsdeel for consent and
// record the answers.
type Dossiers struct {
	tenants  *tenants.Manager
	temporal client.Client
	logger   *slog.Logger
	cfg      Config
}

// NewDossiers returns the dossier service.
func NewDossiers(tm *tenants.Manager, tc client.Client, logger *slog.Logger, cfg Config) *Dossiers {
	return &Dossiers{tenants: tm, temporal: tc, logger: logger, cfg: cfg}
}

// today is the date in the school's time zone, as a UTC midnight like the
// dates people type.
func (s *Dossiers) today() time.Time { return Today(s.cfg.Location) }

// Today is the date in loc, as a UTC midnight like the dates people type
// and the database returns.
func Today(loc *time.Location) time.Time {
	y, m, d := time.Now().In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// writeOfPupil runs fn in one transaction on the licence's database, after
// checking there that the pupil's data may be changed or shared: not while
// its use is restricted (AVG art. 18). Every write of a pupil's plan goes
// through here; the pages refuse earlier, this holds for every caller.
func writeOfPupil(ctx context.Context, tm *tenants.Manager, licenceID, pupilID uuid.UUID, fn func(pgx.Tx) error) error {
	return tm.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			if err := store.RefuseRestricted(ctx, school.New(tx), pupilID); err != nil {
				return err
			}
			return fn(tx)
		})
	})
}

// deliverSignals sends the signals a write left in the licence's signal
// outbox for the process, right after the commit. What cannot be sent now
// the deliver schedule sends; the change itself is kept either way.
func deliverSignals(ctx context.Context, tm *tenants.Manager, tc client.Client, logger *slog.Logger, licenceID uuid.UUID, workflowID string) {
	err := tm.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		_, err := store.DeliverSignals(ctx, tc, pool, workflowID)
		return err
	})
	if err != nil {
		logger.WarnContext(ctx, "signal left for the deliver schedule", "err", err)
	}
}

// userNames are the display names of the accounts with ids; an account
// deleted since has none.
func userNames(ctx context.Context, tm *tenants.Manager, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	names := map[uuid.UUID]string{}
	if len(ids) == 0 {
		return names, nil
	}
	users, err := platform.New(tm.Platform()).ListUserNames(ctx, ids)
	for _, u := range users {
		names[u.ID] = u.DisplayName
	}
	return names, err
}

// emitEvent enqueues an event for the licence's webhooks and starts the
// deliveries (store.EmitEvent; a start that fails is left to the deliver
// schedule).
func emitEvent(ctx context.Context, tm *tenants.Manager, tc client.Client, logger *slog.Logger, licenceID uuid.UUID, event, key string,
	at time.Time, data map[string]string) error {
	notStarted, err := store.EmitEvent(ctx, platform.New(tm.Platform()), tc, licenceID, event, key, at, data, 0)
	for _, err := range notStarted {
		logger.WarnContext(ctx, "webhook delivery not started", "err", err)
	}
	return err
}
