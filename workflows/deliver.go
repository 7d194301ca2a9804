package workflows

import (
	"context"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// DeliverScheduleID is the id of the schedule that sends what was left
// waiting.
const DeliverScheduleID = "deliver"

// DeliverEvery is how often the deliver schedule runs.
const DeliverEvery = 5 * time.Minute

// DeliverWorkflow sends, for every licence, the signals and mails that
// their writers could not send right after the commit (Temporal or the
// mail server was away): a change and what it must tell are written in
// one transaction, and this is what makes the telling certain. A mail
// that still cannot go waits for the next run.
func DeliverWorkflow(ctx workflow.Context) (DeliverResult, error) {
	var acts *Activities
	var r DeliverResult
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 4 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 2},
	})
	if err := workflow.ExecuteActivity(actx, acts.DeliverPending, DeliverInput{WaitedFor: time.Minute}).Get(ctx, &r); err != nil {
		return r, err
	}
	mctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 2},
	})
	for _, licenceID := range r.MailWaiting {
		var sent int
		if err := workflow.ExecuteActivity(mctx, acts.SendOutbox, SendOutboxInput{LicenceID: licenceID}).Get(ctx, &sent); err != nil {
			r.MailFailed++
			continue // the next run tries again
		}
		r.MailsSent += sent
	}
	return r, nil
}

// EnsureDeliverSchedule creates the deliver schedule (every DeliverEvery),
// or brings an existing one up to date; workers call it at start.
func EnsureDeliverSchedule(ctx context.Context, c client.Client) error {
	return ensureSchedule(ctx, c, client.ScheduleOptions{
		ID:   DeliverScheduleID,
		Spec: client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: DeliverEvery}}},
		Action: &client.ScheduleWorkflowAction{
			ID:                    "deliver/run",
			Workflow:              DeliverWorkflow,
			TaskQueue:             TaskQueue,
			TypedSearchAttributes: temporal.NewSearchAttributes(KindKey().ValueSet("deliver")),
		},
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
	})
}
