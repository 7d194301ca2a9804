package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/workflows"
)

// The events a licence's webhooks receive.
const (
	EventDossierPhase   = "dossier.phase_changed"
	EventConsentDecided = "consent.decided"
	EventRequestDecided = "request.decided"
	EventDecisionSigned = "decision.signed"
	EventPupilLeft      = "pupil.left"
)

// WebhookEvent is what a webhook receives: ids and codes only, never a
// name or a text; the receiver fetches details with its own token.
type WebhookEvent struct {
	ID         uuid.UUID         `json:"id"` // the same on every retry: receivers drop repeats
	Event      string            `json:"event"`
	LicenceID  uuid.UUID         `json:"licence_id"`
	OccurredAt time.Time         `json:"occurred_at"`
	Data       map[string]string `json:"data"`
}

// EnqueueEvent adds a delivery of the event to every webhook of the
// licence and returns their ids. key names what happened once: an event
// enqueued before (a retried activity) adds nothing.
func EnqueueEvent(ctx context.Context, q *platform.Queries, licenceID uuid.UUID, event, key string, at time.Time,
	data map[string]string) ([]uuid.UUID, error) {
	body, err := json.Marshal(WebhookEvent{ID: uuid.NewSHA1(licenceID, []byte(key)), Event: event, LicenceID: licenceID,
		OccurredAt: at.UTC(), Data: data})
	if err != nil {
		return nil, err
	}
	return q.EnqueueWebhookDeliveries(ctx, platform.EnqueueWebhookDeliveriesParams{EventKey: key, Event: event, Payload: body,
		LicenceID: licenceID})
}

// EmitEvent enqueues the event for the licence's webhooks and starts the
// deliveries, each first retried after firstRetry (zero: the workflow's
// default). An enqueue that fails is returned; a start that fails is
// returned in started's place for the caller to log: the deliver
// schedule starts it later.
func EmitEvent(ctx context.Context, q *platform.Queries, tc client.Client, licenceID uuid.UUID, event, key string, at time.Time,
	data map[string]string, firstRetry time.Duration) (notStarted []error, err error) {
	ids, err := EnqueueEvent(ctx, q, licenceID, event, key, at, data)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if err := workflows.StartWebhookDelivery(ctx, tc, workflows.WebhookDeliveryInput{DeliveryID: id.String(),
			FirstRetry: firstRetry}); err != nil {
			notStarted = append(notStarted, fmt.Errorf("webhook delivery %s not started: %w", id, err))
		}
	}
	return notStarted, nil
}

// WebhookSignature is the value of the TopDossier-Signature header of a
// delivery: t=<unix seconds>,v1=<hex HMAC-SHA256 over "<t>.<body>"> under
// the webhook's secret. A receiver computes the same, compares in
// constant time and refuses a t more than five minutes off.
func WebhookSignature(secret []byte, at time.Time, body []byte) string {
	t := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(t + "."))
	mac.Write(body)
	return "t=" + t + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}
