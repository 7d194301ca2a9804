package activities

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/workflows"
)

// WebhookConfig is how events reach webhooks.
type WebhookConfig struct {
	// Client posts the deliveries (nil: publicClient, which refuses
	// private, loopback and link-local addresses).
	Client *http.Client
	// FirstRetry is the wait before the first retry (zero: 30 s).
	FirstRetry time.Duration
}

// publicClient posts only to public addresses: a webhook must not reach
// into the platform's own network (SSRF). The check runs on the address
// actually dialled, so a name that resolves to a private address later
// is refused too.
var publicClient = store.PublicHTTPClient(nil, 20*time.Second, false)

// emit enqueues an event for the licence's webhooks and starts their
// deliveries. An enqueue that fails fails the activity, which Temporal
// retries (every activity is idempotent, and so is the enqueue); a start
// that fails is left to the deliver schedule.
func (a *Activities) emit(ctx context.Context, licenceID uuid.UUID, event, key string, at time.Time, data map[string]string) error {
	notStarted, err := store.EmitEvent(ctx, platform.New(a.Tenants.Platform()), a.Temporal, licenceID, event, key, at, data, a.Webhooks.FirstRetry)
	if err != nil {
		return wrap("enqueue webhook event", err)
	}
	for _, err := range notStarted {
		activity.GetLogger(ctx).Warn("webhook delivery not started", "err", err)
	}
	return nil
}

// DeliverWebhook posts one delivery with its signature. A 2xx answer
// delivers it; anything else is recorded and returned as an error, which
// the workflow retries with backoff.
func (a *Activities) DeliverWebhook(ctx context.Context, deliveryID string) error {
	id, err := parseID("delivery", deliveryID)
	if err != nil {
		return err
	}
	q := platform.New(a.Tenants.Platform())
	d, err := q.GetWebhookDelivery(ctx, id)
	if err != nil {
		return wrap("read webhook delivery", err)
	}
	if d.Status != "pending" {
		return nil // delivered (or given up) before
	}
	if d.WebhookRemovedAt != nil {
		return temporal.NewNonRetryableApplicationError("webhook removed", workflows.ErrWebhookGone, nil)
	}
	box, err := auth.NewSecretBox(a.SecretKey, "webhook")
	if err != nil {
		return err
	}
	secret, err := box.Open(d.SecretSealed)
	if err != nil {
		return temporal.NewNonRetryableApplicationError("webhook secret unreadable", workflows.ErrWebhookGone, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.Url, bytes.NewReader(d.Payload))
	if err != nil {
		return temporal.NewNonRetryableApplicationError("webhook address invalid", workflows.ErrWebhookGone, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "TOP-dossier-webhooks/1")
	req.Header.Set("TopDossier-Event", d.Event)
	req.Header.Set("TopDossier-Delivery", d.ID.String())
	req.Header.Set("TopDossier-Signature", store.WebhookSignature([]byte(secret), time.Now(), d.Payload))
	client := a.Webhooks.Client
	if client == nil {
		client = publicClient
	}
	resp, err := client.Do(req)
	if err != nil {
		msg := "geen verbinding"
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			msg = "geen antwoord binnen de tijd"
		}
		_ = q.RecordWebhookAttempt(ctx, platform.RecordWebhookAttemptParams{ID: id, LastError: msg})
		return fmt.Errorf("webhook %s: %w", id, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	status := int32(resp.StatusCode)
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	msg := ""
	if !ok {
		msg = fmt.Sprintf("de ontvanger antwoordde %d", resp.StatusCode)
	}
	if err := q.RecordWebhookAttempt(ctx, platform.RecordWebhookAttemptParams{ID: id, LastStatus: &status, LastError: msg,
		Delivered: ok}); err != nil {
		return wrap("record webhook attempt", err)
	}
	if !ok {
		return fmt.Errorf("webhook %s: answered %d", id, resp.StatusCode)
	}
	return nil
}

// FailWebhookDelivery marks a delivery failed after its last attempt.
func (a *Activities) FailWebhookDelivery(ctx context.Context, deliveryID string) error {
	id, err := parseID("delivery", deliveryID)
	if err != nil {
		return err
	}
	return wrap("fail webhook delivery", platform.New(a.Tenants.Platform()).FailWebhookDelivery(ctx, id))
}
