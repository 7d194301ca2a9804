package temporalx

import (
	"context"
	"errors"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/topdossier/topdossier/fault"
)

// Update sends the update name with args to the workflow, under updateID
// (the request id of the person's action, so a retry or a double click
// has one effect), waits until it completed and decodes its result into
// out (nil: no result). Its errors speak the fault vocabulary:
//   - the workflow refused: a *fault.Refusal with the application error's
//     type as code and its details;
//   - the workflow does not run: fault.ErrNoProcess;
//   - Temporal did not answer or failed otherwise: fault.ErrUnavailable.
func Update(ctx context.Context, c client.Client, workflowID, updateID, name string, out any, args ...any) error {
	handle, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateID: updateID, UpdateName: name, Args: args,
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = handle.Get(ctx, out)
	}
	return AsFault(err)
}

// AsFault turns the error of an update, a workflow run or a query into
// the fault vocabulary, as Update describes; nil stays nil.
func AsFault(err error) error {
	var appErr *temporal.ApplicationError
	var notFound *serviceerror.NotFound
	switch {
	case err == nil:
		return nil
	case errors.As(err, &appErr):
		var details func(...any) error
		if appErr.HasDetails() {
			details = appErr.Details
		}
		refusal := fault.NewRefusal(appErr.Type(), details)
		if appErr.Type() == fault.CodeRestricted {
			return errors.Join(fault.ErrRestricted, refusal, err)
		}
		return errors.Join(refusal, err)
	case errors.As(err, &notFound):
		return errors.Join(fault.ErrNoProcess, err)
	}
	return errors.Join(fault.ErrUnavailable, err)
}
