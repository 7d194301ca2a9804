package workflows

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// SendOutboxWorkflow sends a licence's outbox once, retrying while the
// mail server is away. The server starts one when it wrote a mail outside
// a workflow (a portal invitation); rounds send their own.
func SendOutboxWorkflow(ctx workflow.Context, licenceID string) (int, error) {
	var acts *Activities
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 5 * time.Second, BackoffCoefficient: 2,
			MaximumInterval: 5 * time.Minute, MaximumAttempts: 12},
	})
	var sent int
	err := workflow.ExecuteActivity(ctx, acts.SendOutbox, SendOutboxInput{LicenceID: licenceID}).Get(ctx, &sent)
	return sent, err
}

// StartSendOutbox starts a SendOutboxWorkflow for the licence. Each start
// has its own id: a send already under way may have read the outbox
// before the newest mail was written.
func StartSendOutbox(ctx context.Context, c client.Client, licenceID string) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       fmt.Sprintf("outbox/%s/%s", licenceID, uuid.NewString()),
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		TypedSearchAttributes:    temporal.NewSearchAttributes(LicenceKey().ValueSet(licenceID), KindKey().ValueSet("outbox")),
	}, SendOutboxWorkflow, licenceID)
	if err != nil {
		return fmt.Errorf("start outbox send: %w", err)
	}
	return nil
}

// goSendOutbox sends the licence's outbox in a coroutine, so a mail server
// that is down delays the mails, not the workflow; *pending counts the
// sends under way, for the workflow to wait on before it ends.
func goSendOutbox(ctx workflow.Context, licenceID string, pending *int) {
	var acts *Activities
	*pending++
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { *pending-- }()
		sctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: time.Minute,
			// Mails left unsent stay in the outbox; the next send takes them.
			RetryPolicy: &temporal.RetryPolicy{InitialInterval: 5 * time.Second, BackoffCoefficient: 2,
				MaximumInterval: 5 * time.Minute, MaximumAttempts: 12},
		})
		_ = workflow.ExecuteActivity(sctx, acts.SendOutbox, SendOutboxInput{LicenceID: licenceID}).Get(ctx, nil)
	})
}
