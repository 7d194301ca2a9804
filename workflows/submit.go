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

// SubmitRequestInput submits one inzage round of a school's request to its
// SWV. It carries ids and settings; the content goes from database to
// database inside the activities.
type SubmitRequestInput struct {
	SchoolLicenceID, SchoolRequestID, DossierID, PupilID string
	SWVLicenceID                                         string
	// Submission is the inzage round being submitted: one snapshot, one
	// submission per round.
	Submission int32
	// ActorID and ActorRole are who submits, for the logbook; RequestID
	// is the id of the person's request, for the logbook lines.
	ActorID, ActorRole, RequestID string
	// Request starts the SWV's process of a first submission.
	Request RequestInput
}

// SubmitRequestResult is where the request went: the SWV's request id and
// whether this was a resubmission after the SWV returned it.
type SubmitRequestResult struct {
	SWVRequestID string
	Resubmitted  bool
}

// SubmitRequestWorkflowID is the business key of one round's submission.
func SubmitRequestWorkflowID(schoolLicenceID, schoolRequestID string, submission int32) string {
	return fmt.Sprintf("submit/%s/%s/%d", schoolLicenceID, schoolRequestID, submission)
}

// SubmitRequestWorkflow carries a school's request across the databases
// in steps that each retry on their own, so a failure halfway never
// leaves one database ahead of the other: it copies what the guardians
// let go into the SWV's database (CopyRequestToSWV, idempotent per
// round), starts the SWV's RequestWorkflow (or, after the SWV returned
// the request, asks it to take the completed request back in), and only
// then marks the school's request submitted with the logbook line of the
// sharing. A refusal of the SWV's process ends it with that refusal and
// the school's request stays as it was.
func SubmitRequestWorkflow(ctx workflow.Context, in SubmitRequestInput) (SubmitRequestResult, error) {
	var acts *Activities
	var out SubmitRequestResult
	actx := activityOptions(ctx)
	var copied CopiedRequest
	err := workflow.ExecuteActivity(actx, acts.CopyRequestToSWV, CopyRequestInput{SchoolLicenceID: in.SchoolLicenceID,
		SchoolRequestID: in.SchoolRequestID, DossierID: in.DossierID, PupilID: in.PupilID, SWVLicenceID: in.SWVLicenceID,
		Submission: in.Submission, RequestID: in.RequestID}).Get(ctx, &copied)
	if err != nil {
		return out, err
	}
	out.SWVRequestID, out.Resubmitted = copied.SWVRequestID, copied.Resubmit
	if copied.Resubmit {
		err = workflow.ExecuteActivity(actx, acts.ResubmitRequest, ResubmitRequestInput{SWVLicenceID: in.SWVLicenceID,
			SWVRequestID: copied.SWVRequestID, ActorID: in.ActorID,
			// One id per round: submitting the same round again is one resubmission.
			UpdateID: fmt.Sprintf("resubmit:%s:%d", in.SchoolRequestID, in.Submission)}).Get(ctx, nil)
		if err != nil {
			return out, err
		}
	} else {
		req := in.Request
		req.SWVLicenceID, req.RequestID = in.SWVLicenceID, copied.SWVRequestID
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID: RequestWorkflowID(req.SWVLicenceID, req.RequestID), TaskQueue: TaskQueue,
			// The request's process outlives its submission by years.
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
			TypedSearchAttributes: temporal.NewSearchAttributes(LicenceKey().ValueSet(req.SWVLicenceID), KindKey().ValueSet("request")),
		})
		err := workflow.ExecuteChildWorkflow(cctx, RequestWorkflow, req).GetChildWorkflowExecution().Get(ctx, nil)
		if err != nil && !temporal.IsWorkflowExecutionAlreadyStartedError(err) {
			return out, err
		}
	}
	err = workflow.ExecuteActivity(actx, acts.MarkRequestSubmitted, MarkRequestSubmittedInput{SchoolLicenceID: in.SchoolLicenceID,
		SchoolRequestID: in.SchoolRequestID, DossierID: in.DossierID, PupilID: in.PupilID, SWVLicenceID: in.SWVLicenceID,
		SWVRequestID: copied.SWVRequestID,
		ActorID:      in.ActorID, ActorRole: in.ActorRole, RequestID: in.RequestID}).Get(ctx, nil)
	return out, err
}

// SubmitRequest runs the submission of one round and waits for it: a page
// answers once the request is at the SWV. A second call for the same
// round joins the first; a failed one may be run again. A refusal of the
// SWV's process comes back as the workflow's error (an ApplicationError
// with the refusal's code).
func SubmitRequest(ctx context.Context, c client.Client, in SubmitRequestInput) (SubmitRequestResult, error) {
	var out SubmitRequestResult
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       SubmitRequestWorkflowID(in.SchoolLicenceID, in.SchoolRequestID, in.Submission),
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		WorkflowExecutionTimeout: time.Hour,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			LicenceKey().ValueSet(in.SchoolLicenceID),
			KindKey().ValueSet("submit"),
		),
	}, SubmitRequestWorkflow, in)
	if err != nil {
		return out, fmt.Errorf("start submission: %w", err)
	}
	return out, run.Get(ctx, &out)
}
