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

// New returns a worker with everything registered, not yet started.
func New(c client.Client, acts *activities.Activities) sdkworker.Worker {
	w := sdkworker.New(c, workflows.TaskQueue, sdkworker.Options{})
	Register(w, acts)
	return w
}

// Register registers every workflow and activity on r; the replayer and the
// test suite use it too, so they see exactly what production runs.
func Register(r sdkworker.Registry, acts *activities.Activities) {
	r.RegisterWorkflowWithOptions(workflows.EnrolmentWorkflow, workflow.RegisterOptions{Name: "EnrolmentWorkflow"})
	r.RegisterActivityWithOptions(acts.RecordProcessStep, activity.RegisterOptions{Name: activities.ActivityRecordProcessStep})
	r.RegisterActivityWithOptions(acts.ConfirmEnrolment, activity.RegisterOptions{Name: activities.ActivityConfirmEnrolment})
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
