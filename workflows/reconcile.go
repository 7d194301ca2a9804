package workflows

import (
	"context"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// RetentionScheduleID is the id of the monthly reconciliation schedule.
const RetentionScheduleID = "retention-reconcile"

// ReconcileResult is what a reconciliation found and did.
type ReconcileResult struct {
	Overdue int // data past its term
	Started int // retention runs started for them
}

// ReconcileRetentionWorkflow finds data that outlived its term without a
// retention workflow to delete it (a run that failed, data from before
// this existed) and starts one for each; a run past its term deletes at
// once. A run that is still going is left alone. It covers the schools'
// pupils and the SWVs' closed requests.
func ReconcileRetentionWorkflow(ctx workflow.Context, in ReconcileInput) (ReconcileResult, error) {
	var acts *Activities
	var res ReconcileResult
	var overdue []RetentionOverdue
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 5}}), acts.FindRetentionOverdue, in).Get(ctx, &overdue)
	if err != nil {
		return res, err
	}
	res.Overdue = len(overdue)
	for _, o := range overdue {
		term := in.Dossier
		switch o.Kind {
		case RetentionEnrolment:
			term = in.Enrolment
		case RetentionRequest:
			term = in.TLV
		}
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:            RetentionWorkflowID(o.LicenceID, o.Kind, o.PupilID),
			TaskQueue:             TaskQueue,
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
			TypedSearchAttributes: temporal.NewSearchAttributes(LicenceKey().ValueSet(o.LicenceID), KindKey().ValueSet("retention")),
		})
		child := workflow.ExecuteChildWorkflow(cctx, RetentionWorkflow, RetentionInput{LicenceID: o.LicenceID, Kind: o.Kind,
			EntityID: o.PupilID, Term: term, Rev: RetentionRev})
		if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
			if temporal.IsWorkflowExecutionAlreadyStartedError(err) {
				continue // its own run is on it
			}
			return res, err
		}
		res.Started++
	}
	// Reported as counts only (the run's result holds them too): data
	// found past its term means a run failed or never started.
	workflow.GetLogger(ctx).Info("retention reconciliation", "overdue", res.Overdue, "started", res.Started)
	return res, nil
}

// EnsureRetentionSchedule creates the monthly reconciliation (the 1st,
// 02:00 UTC), or brings the input of an existing one up to date; workers
// call it at start.
func EnsureRetentionSchedule(ctx context.Context, c client.Client, in ReconcileInput) error {
	return ensureSchedule(ctx, c, client.ScheduleOptions{
		ID: RetentionScheduleID,
		Spec: client.ScheduleSpec{
			Calendars: []client.ScheduleCalendarSpec{{DayOfMonth: []client.ScheduleRange{{Start: 1}},
				Hour: []client.ScheduleRange{{Start: 2}}}},
		},
		Action: &client.ScheduleWorkflowAction{
			ID:                    "retention-reconcile/run",
			Workflow:              ReconcileRetentionWorkflow,
			Args:                  []any{in},
			TaskQueue:             TaskQueue,
			TypedSearchAttributes: temporal.NewSearchAttributes(KindKey().ValueSet("retention-reconcile")),
		},
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
	})
}
