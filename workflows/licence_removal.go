package workflows

import (
	"context"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// LicenceRemovalID is the id of a licence's removal: one at a time.
func LicenceRemovalID(licenceID string) string { return "licence-removal/" + licenceID }

// SignalRestoreLicence ends a removal's wait after the licence was restored
// (the platform database says so first; the signal only saves the wait).
const SignalRestoreLicence = "restore"

// LicenceRemovalInput is a removal: ids and the moment of purging only.
type LicenceRemovalInput struct {
	LicenceID  string
	RemovalID  string
	PurgeAfter time.Time
}

// PurgeLicenceInput is the last step of a removal.
type PurgeLicenceInput struct {
	LicenceID  string
	RemovalID  string
	Terminated int
}

// LicenceRemovalWorkflow removes a licence (issue 19, fix 4). The licence
// is closed already (nobody reaches it); the workflow waits for the grace
// period, then terminates the licence's workflows and drops its database
// (PurgeLicence). A restore within the grace period ends it without
// purging; PurgeLicence checks the platform's record again, so a restore
// whose signal was lost still holds.
func LicenceRemovalWorkflow(ctx workflow.Context, in LicenceRemovalInput) (string, error) {
	var acts *Activities
	restore := workflow.GetSignalChannel(ctx, SignalRestoreLicence)
	timerCtx, cancelTimer := workflow.WithCancel(ctx)
	timer := workflow.NewTimer(timerCtx, max(in.PurgeAfter.Sub(workflow.Now(ctx)), time.Second))
	restored := false
	sel := workflow.NewSelector(ctx)
	sel.AddFuture(timer, func(workflow.Future) {})
	sel.AddReceive(restore, func(c workflow.ReceiveChannel, _ bool) {
		c.Receive(ctx, nil)
		restored = true
		cancelTimer()
	})
	sel.Select(ctx)
	if restored {
		return "restored", nil
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		// A database server that is away delays the purge, never skips it.
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 10 * time.Second, BackoffCoefficient: 2, MaximumInterval: 30 * time.Minute},
	})
	var terminated int
	if err := workflow.ExecuteActivity(actx, acts.TerminateLicenceWorkflows, in).Get(ctx, &terminated); err != nil {
		return "", err
	}
	var outcome string
	err := workflow.ExecuteActivity(actx, acts.PurgeLicence, PurgeLicenceInput{LicenceID: in.LicenceID, RemovalID: in.RemovalID,
		Terminated: terminated}).Get(ctx, &outcome)
	return outcome, err
}

// TerminateLicenceWorkflows is implemented by activities.Activities.TerminateLicenceWorkflows.
func (*Activities) TerminateLicenceWorkflows(context.Context, LicenceRemovalInput) (int, error) {
	panic(errNotRun)
}

// PurgeLicence is implemented by activities.Activities.PurgeLicence.
func (*Activities) PurgeLicence(context.Context, PurgeLicenceInput) (string, error) { panic(errNotRun) }
