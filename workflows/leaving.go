package workflows

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// LeavingWorkflowID is the business key of a pupil's planned leaving.
func LeavingWorkflowID(licenceID, pupilID string) string {
	return fmt.Sprintf("leaving/%s/%s", licenceID, pupilID)
}

// LeavingInput names a pupil whose leaving is planned ahead (ids only;
// the date is read from the pupil's record, pupil.leaving_on).
type LeavingInput struct {
	LicenceID, PupilID string
	// RequestID is the id of the form that planned it: the leaving's
	// signals to the other processes are keyed by it.
	RequestID string
}

// LeavingWorkflow waits for the day a school planned a pupil to leave,
// then records the leaving as if it were typed that day: the enrolment,
// an open consent round and the open dossier stop and the retention terms
// start (activity LeavePlanned). It reads the day from the record when it
// starts and again when it wakes, so a changed or cancelled plan is
// followed; a plan changed to an earlier day restarts it.
func LeavingWorkflow(ctx workflow.Context, in LeavingInput) (string, error) {
	var acts *Activities
	if in.LicenceID == "" || in.PupilID == "" || in.RequestID == "" {
		return "", temporal.NewNonRetryableApplicationError("leaving workflow: incomplete input", "InvalidInput", nil)
	}
	actx := activityOptions(ctx)
	ref := PupilRef{LicenceID: in.LicenceID, PupilID: in.PupilID}
	for {
		var at *time.Time
		if err := workflow.ExecuteActivity(actx, acts.PlannedLeaving, ref).Get(ctx, &at); err != nil {
			return "", err
		}
		if at == nil {
			return "cancelled", nil
		}
		if wait := at.Sub(workflow.Now(ctx)); wait > 0 {
			if err := workflow.Sleep(ctx, wait); err != nil {
				return "", err
			}
			continue
		}
		if err := workflow.ExecuteActivity(actx, acts.LeavePlanned, in).Get(ctx, nil); err != nil {
			return "", err
		}
		return "left", nil
	}
}

// StartLeaving starts (or, for a changed plan, restarts) a pupil's
// planned leaving.
func StartLeaving(ctx context.Context, c client.Client, in LeavingInput) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       LeavingWorkflowID(in.LicenceID, in.PupilID),
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			LicenceKey().ValueSet(in.LicenceID),
			KindKey().ValueSet("leaving"),
		),
	}, LeavingWorkflow, in)
	if err != nil {
		return fmt.Errorf("start leaving workflow: %w", err)
	}
	return nil
}
