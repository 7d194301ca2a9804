package workflows

import (
	"context"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// ProcessReconcileScheduleID is the nightly reconciliation of every school
// licence's database with Temporal (issue 19, drill 11).
const ProcessReconcileScheduleID = "reconcile-processes"

// ProcessReconcileReport is what the reconciliation of one licence found
// and repaired: ids only.
type ProcessReconcileReport struct {
	LicenceID        string
	WorkflowsChecked int
	// DossiersWithoutWorkflow: open dossiers whose workflow is not running
	// (reported: restarting one would guess its deadlines).
	DossiersWithoutWorkflow []string
	// WorkflowsWithoutEntity: running workflows whose dossier or pupil is
	// not in the database (reported: what was lost is not guessed back).
	WorkflowsWithoutEntity []string
	// ProjectionsRepaired: process_step rows rewritten from what the
	// workflow itself answers.
	ProjectionsRepaired []string
}

// ProcessReconcileTotals sums a run over the licences.
type ProcessReconcileTotals struct {
	Licences, WorkflowsChecked, DossiersWithoutWorkflow, WorkflowsWithoutEntity, ProjectionsRepaired int
}

// ReconcileProcessesWorkflow reconciles every school licence's database
// with Temporal, one licence at a time; a licence that fails is retried,
// then left for the next night while the others go on.
func ReconcileProcessesWorkflow(ctx workflow.Context) (ProcessReconcileTotals, error) {
	var acts *Activities
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		HeartbeatTimeout:    5 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 10 * time.Second, BackoffCoefficient: 2, MaximumAttempts: 3},
	})
	var licences []string
	if err := workflow.ExecuteActivity(ctx, acts.ReconcileLicences).Get(ctx, &licences); err != nil {
		return ProcessReconcileTotals{}, err
	}
	var t ProcessReconcileTotals
	for _, l := range licences {
		var r ProcessReconcileReport
		if err := workflow.ExecuteActivity(ctx, acts.ReconcileLicence, l).Get(ctx, &r); err != nil {
			workflow.GetLogger(ctx).Warn("reconciliation of a licence failed", "licence", l, "err", err)
			continue
		}
		t.Licences++
		t.WorkflowsChecked += r.WorkflowsChecked
		t.DossiersWithoutWorkflow += len(r.DossiersWithoutWorkflow)
		t.WorkflowsWithoutEntity += len(r.WorkflowsWithoutEntity)
		t.ProjectionsRepaired += len(r.ProjectionsRepaired)
	}
	return t, nil
}

// EnsureProcessReconcileSchedule creates the nightly schedule (04:30 UTC,
// after housekeeping), or brings an existing one up to date.
func EnsureProcessReconcileSchedule(ctx context.Context, c client.Client) error {
	return ensureSchedule(ctx, c, client.ScheduleOptions{
		ID:   ProcessReconcileScheduleID,
		Spec: client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: 24 * time.Hour, Offset: 4*time.Hour + 30*time.Minute}}},
		Action: &client.ScheduleWorkflowAction{
			ID:                    ProcessReconcileScheduleID + "/run",
			Workflow:              ReconcileProcessesWorkflow,
			TaskQueue:             TaskQueue,
			TypedSearchAttributes: temporal.NewSearchAttributes(KindKey().ValueSet("reconcile-processes")),
		},
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
	})
}

// ReconcileLicences is implemented by activities.Activities.ReconcileLicences.
func (*Activities) ReconcileLicences(context.Context) ([]string, error) { panic(errNotRun) }

// ReconcileLicence is implemented by activities.Activities.ReconcileLicence.
func (*Activities) ReconcileLicence(context.Context, string) (ProcessReconcileReport, error) {
	panic(errNotRun)
}
