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
	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/config"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/workflows"
)

// Deps is what the activities work with: the licence databases, the mail
// server and the platform key that seals the SWVs' signing keys.
type Deps struct {
	Tenants   *tenants.Manager
	Mail      config.MailConfig
	SecretKey auth.Keys
	// Leaver carries out planned leavings (service.Retention); nil: a
	// planned leaving waits until a worker has one.
	Leaver activities.Leaver
	// Webhooks is how events are posted to webhooks (zero: a client that
	// refuses private and loopback addresses, first retry after 30 s).
	Webhooks WebhookConfig
	// LAS runs the schools' nightly LAS updates (service.LAS); nil: the
	// runs fail and say so.
	LAS activities.LASRunner
	// Transfers starts the processes of a transferred pupil at the
	// receiving school (service.Transfers); nil: an accepted transfer
	// waits until a worker has it.
	Transfers activities.TransferProcesses
	// ExpiryConcurrency is how many retention deletions this worker runs
	// at once (0: ExpiryConcurrency).
	ExpiryConcurrency int
}

// WebhookConfig is how events are posted to webhooks
// (activities.WebhookConfig).
type WebhookConfig = activities.WebhookConfig

// Activities is the implementation of every activity, built from d.
func Activities(c client.Client, d Deps) *activities.Activities {
	return &activities.Activities{Tenants: d.Tenants, Mail: d.Mail, SecretKey: d.SecretKey, Temporal: c, Leaver: d.Leaver,
		Webhooks: d.Webhooks, LAS: d.LAS, Transfers: d.Transfers}
}

// New returns a worker with everything registered, not yet started. Eight
// pollers per kind instead of two: at the start of a school year 1,000
// consent rounds had all invitations out in 38 s instead of 56 s
// (BenchmarkConsentRounds1000, 2 cores).
func New(c client.Client, d Deps) *Worker {
	acts := Activities(c, d)
	w := sdkworker.New(c, workflows.TaskQueue, sdkworker.Options{MaxConcurrentWorkflowTaskPollers: 8, MaxConcurrentActivityTaskPollers: 8})
	Register(w, acts)
	concurrency := d.ExpiryConcurrency
	if concurrency <= 0 {
		concurrency = ExpiryConcurrency
	}
	// The deletions hold the throttle only for their own work: an
	// activity slot also covers the round trips to Temporal (the poll, the
	// answer), which on a night of 100,000 terms take 5–10 times the
	// deletion itself; with as many slots as deletions the night went at
	// the pace of those round trips (8/s, docs/scale.md).
	expiry := sdkworker.New(c, workflows.RetentionExpiryQueue, sdkworker.Options{
		MaxConcurrentActivityExecutionSize: ExpirySlotsPerDeletion * concurrency,
		MaxConcurrentActivityTaskPollers:   max(2, concurrency)})
	expiry.RegisterActivityWithOptions(throttled(concurrency, acts.ExpireRetention), activity.RegisterOptions{Name: "ExpireRetention"})
	return &Worker{Worker: w, expiry: expiry}
}

// ExpiryConcurrency is how many retention deletions one worker runs at
// once unless configured (WORKER_EXPIRY_CONCURRENCY).
const ExpiryConcurrency = 2

// ExpirySlotsPerDeletion is how many expiry activities a worker holds per
// deletion it runs at once: the others wait for their turn or for
// Temporal.
const ExpirySlotsPerDeletion = 8

// throttled runs at most n of fn at once in this process; the rest wait
// for a turn, or give up when their context ends (the activity is
// retried).
func throttled[T any](n int, fn func(context.Context, T) error) func(context.Context, T) error {
	turns := make(chan struct{}, n)
	return func(ctx context.Context, arg T) error {
		select {
		case turns <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		defer func() { <-turns }()
		return fn(ctx, arg)
	}
}

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
	r.RegisterWorkflowWithOptions(workflows.LeavingWorkflow, workflow.RegisterOptions{Name: "LeavingWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.ReconcileRetentionWorkflow, workflow.RegisterOptions{Name: "ReconcileRetentionWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.HousekeepingWorkflow, workflow.RegisterOptions{Name: "HousekeepingWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.SubmitRequestWorkflow, workflow.RegisterOptions{Name: "SubmitRequestWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.DeliverWorkflow, workflow.RegisterOptions{Name: "DeliverWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.WebhookDeliveryWorkflow, workflow.RegisterOptions{Name: "WebhookDeliveryWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.LASImportWorkflow, workflow.RegisterOptions{Name: "LASImportWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.TransferWorkflow, workflow.RegisterOptions{Name: "TransferWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.MonitorWorkflow, workflow.RegisterOptions{Name: "MonitorWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.LicenceRemovalWorkflow, workflow.RegisterOptions{Name: "LicenceRemovalWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.ReconcileProcessesWorkflow, workflow.RegisterOptions{Name: "ReconcileProcessesWorkflow"})
}

// Register registers every workflow on r, and every exported method of
// acts as the activity of that name: the name the workflows' declarations
// (workflows.Activities) carry.
func Register(r sdkworker.Registry, acts *activities.Activities) {
	RegisterWorkflows(r)
	r.RegisterActivity(acts)
}

// Run runs the worker until ctx is done.
func Run(ctx context.Context, c client.Client, d Deps) error {
	w := New(c, d)
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	<-ctx.Done()
	w.Stop()
	return nil
}
