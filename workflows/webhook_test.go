package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
)

// TestWebhookDeliveryWorkflow: a receiver that fails twice gets the
// event a third time, after waits that double; one that never answers
// is given up after the last attempt and the delivery marked failed; a
// removed webhook stops at once.
func TestWebhookDeliveryWorkflow(t *testing.T) {
	for _, tc := range []struct {
		name       string
		failFirst  int   // attempts that fail
		gone       bool  // the webhook was removed
		want       bool  // delivered
		attempts   int   // DeliverWebhook calls
		failed     int   // FailWebhookDelivery calls
		minElapsed int64 // seconds the retries took at least
	}{
		{"delivered on the third attempt", 2, false, true, 3, 0, 10 + 20},
		{"given up after the last attempt", 99, false, false, 4, 1, 10 + 20 + 40},
		{"webhook removed", 0, true, false, 1, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			env := s.NewTestWorkflowEnvironment()
			start := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
			env.SetStartTime(start)
			attempts, failed := 0, 0
			var last time.Time
			env.RegisterActivityWithOptions(func(_ context.Context, id string) error {
				if id != "d1" {
					t.Errorf("delivered %q", id)
				}
				attempts++
				last = env.Now()
				if tc.gone {
					return temporal.NewNonRetryableApplicationError("webhook removed", ErrWebhookGone, nil)
				}
				if attempts <= tc.failFirst {
					return errors.New("answered 500")
				}
				return nil
			}, activity.RegisterOptions{Name: "DeliverWebhook"})
			env.RegisterActivityWithOptions(func(_ context.Context, id string) error {
				failed++
				return nil
			}, activity.RegisterOptions{Name: "FailWebhookDelivery"})
			env.ExecuteWorkflow(WebhookDeliveryWorkflow, WebhookDeliveryInput{DeliveryID: "d1", FirstRetry: 10 * time.Second, MaxAttempts: 4})
			if err := env.GetWorkflowError(); err != nil {
				t.Fatal(err)
			}
			var delivered bool
			if err := env.GetWorkflowResult(&delivered); err != nil {
				t.Fatal(err)
			}
			if delivered != tc.want || attempts != tc.attempts || failed != tc.failed {
				t.Errorf("delivered %v after %d attempts, failed marked %d times; want %v, %d, %d", delivered, attempts, failed,
					tc.want, tc.attempts, tc.failed)
			}
			if elapsed := int64(last.Sub(start).Seconds()); elapsed < tc.minElapsed {
				t.Errorf("the last attempt %d s after the first, want at least %d (backoff)", elapsed, tc.minElapsed)
			}
		})
	}
}
