package activities

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/workflows"
)

// removalState reads the removal's record: "due", or "restored" or
// "purged" (already, e.g. by `licence remove -now`), so neither step runs
// after a restore and none twice.
func (a *Activities) removalState(ctx context.Context, removalID string) (string, error) {
	id, err := parseID("removal", removalID)
	if err != nil {
		return "", err
	}
	r, err := platform.New(a.Tenants.Platform()).GetLicenceRemoval(ctx, id)
	switch {
	case err != nil:
		return "", nonRetryable(db.Classify(err))
	case r.RestoredAt != nil:
		return "restored", nil
	case r.PurgedAt != nil:
		return "purged", nil
	}
	return "due", nil
}

// TerminateLicenceWorkflows ends every running workflow of the licence
// (search attribute TopLicence) and deletes its nightly LAS schedule; it
// lists again until none is left, as visibility trails the terminations.
// The removal's own workflow carries no licence attribute.
func (a *Activities) TerminateLicenceWorkflows(ctx context.Context, in workflows.LicenceRemovalInput) (int, error) {
	if state, err := a.removalState(ctx, in.RemovalID); err != nil || state != "due" {
		return 0, err
	}
	if _, err := parseID("licence", in.LicenceID); err != nil {
		return 0, err
	}
	query := fmt.Sprintf("%s = '%s' AND ExecutionStatus = 'Running'", workflows.SearchAttrLicence, in.LicenceID)
	terminated := 0
	for round := 0; ; round++ {
		resp, err := a.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, PageSize: 500})
		if err != nil {
			return terminated, err
		}
		if len(resp.Executions) == 0 {
			break
		}
		if round > 100 {
			return terminated, errors.New("licence workflows keep running after 100 rounds of terminating")
		}
		for _, e := range resp.Executions {
			err := a.Temporal.TerminateWorkflow(ctx, e.Execution.WorkflowId, e.Execution.RunId, "licentie verwijderd")
			var notFound *serviceerror.NotFound
			if err != nil && !errors.As(err, &notFound) {
				return terminated, err
			}
			if err == nil {
				terminated++
			}
		}
		if activity.IsActivity(ctx) { // also run by `topdossier licence remove -now`
			activity.RecordHeartbeat(ctx, terminated)
		}
	}
	err := a.Temporal.ScheduleClient().GetHandle(ctx, workflows.LASScheduleID(in.LicenceID)).Delete(ctx)
	var notFound *serviceerror.NotFound
	if err != nil && !errors.As(err, &notFound) {
		return terminated, err
	}
	return terminated, nil
}

// PurgeLicence drops the licence's database and its directory entry and
// closes the platform's record of the removal; a restored removal is left
// alone ("restored"), a repeated call finds the work done.
func (a *Activities) PurgeLicence(ctx context.Context, in workflows.PurgeLicenceInput) (string, error) {
	if state, err := a.removalState(ctx, in.RemovalID); err != nil || state != "due" {
		return state, err
	}
	licenceID, err := parseID("licence", in.LicenceID)
	if err != nil {
		return "", err
	}
	if err := a.Tenants.RemoveLicence(ctx, licenceID); err != nil && !errors.Is(err, fault.ErrNotFound) {
		return "", err
	}
	removalID := uuid.MustParse(in.RemovalID)
	terminated := int32(in.Terminated)
	if err := platform.New(a.Tenants.Platform()).MarkLicencePurged(ctx, platform.MarkLicencePurgedParams{ID: removalID,
		WorkflowsTerminated: &terminated}); err != nil {
		return "", err
	}
	if activity.IsActivity(ctx) {
		activity.GetLogger(ctx).Info("licence purged", "licence", in.LicenceID, "workflows_terminated", in.Terminated)
	}
	return "purged", nil
}
