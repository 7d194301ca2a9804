// Package activities holds every side effect the workflows cause: database
// writes, documents, mail and the logbook. Each activity is idempotent, so
// Temporal may retry it freely.
package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/config"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/store"
)

// Activities carries the dependencies of every activity.
type Activities struct {
	Tenants *tenants.Manager
	Mail    config.MailConfig
	// SecretKey is the platform keys (current first, then old ones) that
	// seal the SWVs' signing keys and the webhook secrets.
	SecretKey auth.Keys
	// Temporal is the client of the activities that ask another
	// workflow (an update cannot be sent from workflow code).
	Temporal client.Client
	// Leaver carries out a pupil's planned leaving with the same code as
	// a leaving typed on the pupil page (service.Retention).
	Leaver Leaver
	// Webhooks is how events reach the licences' webhooks.
	Webhooks WebhookConfig
	// LAS runs the schools' nightly LAS updates (service.LAS).
	LAS LASRunner
	// Transfers starts the processes of a transferred pupil and dossier
	// at the receiving school (service.Transfers).
	Transfers TransferProcesses
}

// Leaver is what the planned-leaving activities need of the retention
// service.
type Leaver interface {
	// PlannedLeaving is the moment the pupil's planned leaving day starts
	// where the school is; nil when nothing is planned (any more).
	PlannedLeaving(ctx context.Context, licenceID, pupilID uuid.UUID) (*time.Time, error)
	// LeavePlanned records the planned leaving now (a no-op when it was
	// cancelled or done).
	LeavePlanned(ctx context.Context, licenceID, pupilID uuid.UUID, requestID string) error
	// LeaveTransferred records that the pupil left today for the school
	// that accepted their plan (a no-op when they left before).
	LeaveTransferred(ctx context.Context, licenceID, pupilID uuid.UUID, requestID string) error
}

// errInvalidInput is the non-retryable error type for input that will
// never succeed, however often it is retried.
const errInvalidInput = "InvalidInput"

// nonRetryable turns invalid input and unknown rows into errors Temporal
// does not retry; anything else (a database that is down) is retried.
func nonRetryable(err error) error {
	if err == nil {
		return nil
	}
	var fields fault.FieldErrors
	if errors.Is(err, fault.ErrNotFound) || errors.As(err, &fields) {
		return temporal.NewNonRetryableApplicationError(err.Error(), errInvalidInput, err)
	}
	return err
}

// parseID reads one id of an activity's input; a malformed id never
// becomes valid, so the error is not retried.
func parseID(what, id string) (uuid.UUID, error) {
	v, err := uuid.Parse(id)
	if err != nil {
		return uuid.Nil, temporal.NewNonRetryableApplicationError("invalid "+what+" id", errInvalidInput, err)
	}
	return v, nil
}

func parseIDs(licenceID, entityID string) (uuid.UUID, uuid.UUID, error) {
	lic, err := parseID("licence", licenceID)
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	ent, err := parseID("entity", entityID)
	return lic, ent, err
}

func decodeJSON(raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return temporal.NewNonRetryableApplicationError("stored content unreadable", errInvalidInput, err)
	}
	return nil
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return nonRetryable(fmt.Errorf("%s: %w", what, db.Classify(err)))
}

// refuseRestricted refuses, for good, a change or a share of the data of a
// pupil whose use is restricted (AVG art. 18). The pages refuse earlier;
// this is the check where the write happens, inside its transaction.
func refuseRestricted(ctx context.Context, q *school.Queries, pupilID uuid.UUID) error {
	err := store.RefuseRestricted(ctx, q, pupilID)
	if errors.Is(err, fault.ErrRestricted) {
		return temporal.NewNonRetryableApplicationError("use of the pupil's data is restricted", fault.CodeRestricted, err)
	}
	if err != nil {
		return fmt.Errorf("read restriction: %w", err)
	}
	return nil
}

// actorOf is the person an activity's input names, for the logbook; nil
// for the system or a party without an account.
func actorOf(userID string) *uuid.UUID {
	id, err := uuid.Parse(userID)
	if err != nil {
		return nil
	}
	return &id
}
