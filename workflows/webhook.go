package workflows

import (
	"context"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// WebhookDeliveryInput names one delivery of an event to one webhook:
// its id only (the event and the address are in the platform database).
type WebhookDeliveryInput struct {
	DeliveryID string
	// FirstRetry is the wait before the first retry, doubling after each
	// failure up to an hour (zero: 30 seconds); MaxAttempts bounds the
	// attempts (zero: 12, about a day).
	FirstRetry  time.Duration
	MaxAttempts int32
}

// WebhookDeliveryWorkflow posts one event to a webhook, retrying with
// backoff while the receiver is away or answers with an error; after the
// last attempt the delivery is marked failed (the admin page shows it).
func WebhookDeliveryWorkflow(ctx workflow.Context, in WebhookDeliveryInput) (bool, error) {
	var acts *Activities
	first, attempts := in.FirstRetry, in.MaxAttempts
	if first <= 0 {
		first = 30 * time.Second
	}
	if attempts <= 0 {
		attempts = 12
	}
	dctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: first, BackoffCoefficient: 2, MaximumInterval: time.Hour,
			MaximumAttempts: attempts, NonRetryableErrorTypes: []string{ErrWebhookGone}},
	})
	err := workflow.ExecuteActivity(dctx, acts.DeliverWebhook, in.DeliveryID).Get(ctx, nil)
	if err == nil {
		return true, nil
	}
	fctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 10},
	})
	return false, workflow.ExecuteActivity(fctx, acts.FailWebhookDelivery, in.DeliveryID).Get(ctx, nil)
}

// ErrWebhookGone: the webhook was removed; its deliveries stop.
const ErrWebhookGone = "WebhookGone"

// StartWebhookDelivery starts the delivery's workflow; a start for a
// delivery already under way joins it.
func StartWebhookDelivery(ctx context.Context, c client.Client, in WebhookDeliveryInput) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       "webhook/" + in.DeliveryID,
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		TypedSearchAttributes:    temporal.NewSearchAttributes(KindKey().ValueSet("webhook")),
	}, WebhookDeliveryWorkflow, in)
	return err
}
