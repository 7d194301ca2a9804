package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// AVG request steps, as process_step shows them.
const (
	AVGStepOpen    = "avg_verzoek"
	AVGStepOverdue = "avg_verzoek_te_laat"
	AVGStepDone    = "avg_verzoek_beantwoord"
)

// SignalAVGDecided tells the workflow the school answered.
const SignalAVGDecided = "decided"

// AVGRequestWorkflowID is the business key of an AVG request.
func AVGRequestWorkflowID(licenceID, requestID string) string {
	return fmt.Sprintf("avg/%s/%s", licenceID, requestID)
}

// AVGRequestInput starts the term of one request (ids only).
type AVGRequestInput struct {
	LicenceID, PupilID, RequestID string
	RespondWithin                 time.Duration // default a month (AVG art. 12(3))
}

// AVGRequestWorkflow keeps the school's term to answer a request under
// the AVG: open until answered; past the term it is on the school's list
// as overdue until answered. The answer itself is content the server
// writes; the signal only ends the term.
func AVGRequestWorkflow(ctx workflow.Context, in AVGRequestInput) (string, error) {
	var acts *Activities
	if in.LicenceID == "" || in.PupilID == "" || in.RequestID == "" || in.RespondWithin <= 0 {
		return "", temporal.NewNonRetryableApplicationError("avg workflow: incomplete input", "InvalidInput", nil)
	}
	actx := activityOptions(ctx)
	var seq int32
	step := func(name string, due *time.Time) error {
		seq++
		err := workflow.ExecuteActivity(actx, acts.RecordProcessStep, ProcessStep{
			LicenceID: in.LicenceID, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, EntityKind: "avg_request",
			EntityID: in.RequestID, Step: name, WaitingFor: map[bool]string{true: "school"}[due != nil], DueAt: due, Seq: seq,
		}).Get(ctx, nil)
		if err != nil {
			return err
		}
		return workflow.UpsertTypedSearchAttributes(ctx, StepKey().ValueSet(name))
	}
	due := workflow.Now(ctx).Add(in.RespondWithin)
	if err := step(AVGStepOpen, &due); err != nil {
		return "", err
	}
	decided := workflow.GetSignalChannel(ctx, SignalAVGDecided)
	timer := workflow.NewTimer(ctx, in.RespondWithin)
	overdue := false
	for {
		sel := workflow.NewSelector(ctx)
		done := false
		sel.AddReceive(decided, func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(ctx, nil)
			done = true
		})
		if !overdue {
			sel.AddFuture(timer, func(workflow.Future) { overdue = true })
		}
		sel.Select(ctx)
		if done {
			if err := step(AVGStepDone, nil); err != nil {
				return "", err
			}
			if overdue {
				return "answered-late", nil
			}
			return "answered", nil
		}
		if err := step(AVGStepOverdue, &due); err != nil {
			return "", err
		}
	}
}
