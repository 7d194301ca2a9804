// Package worker registers every workflow and activity of TOP dossier on
// the one task queue and runs them.
package worker

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/topdossier/topdossier/activities"
	"github.com/topdossier/topdossier/workflows"
)

// New returns a worker with everything registered, not yet started. Eight
// pollers per kind instead of two: at the start of a school year 1,000
// consent rounds had all invitations out in 38 s instead of 56 s
// (BenchmarkConsentRounds1000, 2 cores).
func New(c client.Client, acts *activities.Activities) *Worker {
	w := sdkworker.New(c, workflows.TaskQueue, sdkworker.Options{MaxConcurrentWorkflowTaskPollers: 8, MaxConcurrentActivityTaskPollers: 8})
	Register(w, acts)
	expiry := sdkworker.New(c, workflows.RetentionExpiryQueue, sdkworker.Options{MaxConcurrentActivityExecutionSize: ExpiryConcurrency,
		MaxConcurrentActivityTaskPollers: 2})
	expiry.RegisterActivityWithOptions(acts.ExpireRetention, activity.RegisterOptions{Name: activities.ActivityExpireRetention})
	return &Worker{Worker: w, expiry: expiry}
}

// ExpiryConcurrency is how many retention deletions one worker runs at
// once.
const ExpiryConcurrency = 2

// Worker is the worker of the main task queue with the one that deletes
// what retention runs hand it; they start and stop together.
type Worker struct {
	sdkworker.Worker
	expiry sdkworker.Worker
}

// Start starts both workers.
func (w *Worker) Start() error {
	if err := w.Worker.Start(); err != nil {
		return err
	}
	if err := w.expiry.Start(); err != nil {
		w.Worker.Stop()
		return err
	}
	return nil
}

// Run runs both until interruptCh says stop.
func (w *Worker) Run(interruptCh <-chan any) error {
	if err := w.Start(); err != nil {
		return err
	}
	<-interruptCh
	w.Stop()
	return nil
}

// Stop stops both, deletions first.
func (w *Worker) Stop() {
	w.expiry.Stop()
	w.Worker.Stop()
}

// WorkflowRegistry is what a worker and a replayer both offer.
type WorkflowRegistry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
}

// RegisterWorkflows registers every workflow under its stable name; the
// replay test uses it too, so it replays exactly what production runs.
func RegisterWorkflows(r WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(workflows.EnrolmentWorkflow, workflow.RegisterOptions{Name: "EnrolmentWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.DossierWorkflow, workflow.RegisterOptions{Name: "DossierWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.ConsentWorkflow, workflow.RegisterOptions{Name: "ConsentWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.SendOutboxWorkflow, workflow.RegisterOptions{Name: "SendOutboxWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.RequestWorkflow, workflow.RegisterOptions{Name: "RequestWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.RetentionWorkflow, workflow.RegisterOptions{Name: "RetentionWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.AVGRequestWorkflow, workflow.RegisterOptions{Name: "AVGRequestWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.ReconcileRetentionWorkflow, workflow.RegisterOptions{Name: "ReconcileRetentionWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.HousekeepingWorkflow, workflow.RegisterOptions{Name: "HousekeepingWorkflow"})
}

// Register registers every workflow and activity on r.
func Register(r sdkworker.Registry, acts *activities.Activities) {
	RegisterWorkflows(r)
	r.RegisterActivityWithOptions(acts.RecordProcessStep, activity.RegisterOptions{Name: activities.ActivityRecordProcessStep})
	r.RegisterActivityWithOptions(acts.ConfirmEnrolment, activity.RegisterOptions{Name: activities.ActivityConfirmEnrolment})
	r.RegisterActivityWithOptions(acts.AdvanceDossierPhase, activity.RegisterOptions{Name: activities.ActivityAdvanceDossier})
	r.RegisterActivityWithOptions(acts.StartDossierCycle, activity.RegisterOptions{Name: activities.ActivityStartDossierCycle})
	r.RegisterActivityWithOptions(acts.CloseDossier, activity.RegisterOptions{Name: activities.ActivityCloseDossier})
	r.RegisterActivityWithOptions(acts.OpenConsentRound, activity.RegisterOptions{Name: activities.ActivityOpenConsentRound})
	r.RegisterActivityWithOptions(acts.RerouteConsentRound, activity.RegisterOptions{Name: activities.ActivityRerouteConsentRound})
	r.RegisterActivityWithOptions(acts.InviteConsentParties, activity.RegisterOptions{Name: activities.ActivityInviteConsentParties})
	r.RegisterActivityWithOptions(acts.RecordConsentAnswer, activity.RegisterOptions{Name: activities.ActivityRecordConsentAnswer})
	r.RegisterActivityWithOptions(acts.CloseConsentRound, activity.RegisterOptions{Name: activities.ActivityCloseConsentRound})
	r.RegisterActivityWithOptions(acts.EscalateConsentRound, activity.RegisterOptions{Name: activities.ActivityEscalateConsentRound})
	r.RegisterActivityWithOptions(acts.SendOutbox, activity.RegisterOptions{Name: activities.ActivitySendOutbox})
	r.RegisterActivityWithOptions(acts.PupilShareAt, activity.RegisterOptions{Name: activities.ActivityPupilShareAt})
	r.RegisterActivityWithOptions(acts.OpenPupilPortal, activity.RegisterOptions{Name: activities.ActivityOpenPupilPortal})
	r.RegisterActivityWithOptions(acts.RecordRequestStep, activity.RegisterOptions{Name: activities.ActivityRecordRequestStep})
	r.RegisterActivityWithOptions(acts.RecordRequest, activity.RegisterOptions{Name: activities.ActivityRecordRequest})
	r.RegisterActivityWithOptions(acts.IssueDecision, activity.RegisterOptions{Name: activities.ActivityIssueDecision})
	r.RegisterActivityWithOptions(acts.NotifyDecision, activity.RegisterOptions{Name: activities.ActivityNotifyDecision})
	r.RegisterActivityWithOptions(acts.RetentionDue, activity.RegisterOptions{Name: activities.ActivityRetentionDue})
	r.RegisterActivityWithOptions(acts.RecordRetention, activity.RegisterOptions{Name: activities.ActivityRecordRetention})
	r.RegisterActivityWithOptions(acts.ExpireRetention, activity.RegisterOptions{Name: activities.ActivityExpireRetention})
	r.RegisterActivityWithOptions(acts.FindRetentionOverdue, activity.RegisterOptions{Name: activities.ActivityFindRetentionOverdue})
	r.RegisterActivityWithOptions(acts.Housekeep, activity.RegisterOptions{Name: activities.ActivityHousekeep})
	r.RegisterActivityWithOptions(acts.AnchorLogbooks, activity.RegisterOptions{Name: activities.ActivityAnchorLogbooks})
}

// Run runs the worker until ctx is done.
func Run(ctx context.Context, c client.Client, acts *activities.Activities) error {
	w := New(c, acts)
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	<-ctx.Done()
	w.Stop()
	return nil
}
