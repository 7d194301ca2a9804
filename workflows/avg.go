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
	// AtSWV: the request is made to the SWV (LicenceID) about what it
	// holds; PupilID is empty (the SWV knows the pupil by its request).
	// The SWV's answer is written and the workflow told after the commit
	// (the SWV has no signal outbox): at the end of the term the workflow
	// reads the answer itself, so a lost signal costs no false "overdue".
	// Once answered, the requester is mailed (through the school) and an
	// honoured erasure is carried out.
	AtSWV bool
}

// AVGRequestWorkflow keeps the school's (or the SWV's) term to answer a
// request under the AVG: open until answered; past the term it is on the
// list as overdue until answered. The answer itself is content the server
// writes; the signal only ends the term.
func AVGRequestWorkflow(ctx workflow.Context, in AVGRequestInput) (string, error) {
	var acts *Activities
	if in.LicenceID == "" || (in.PupilID == "") != in.AtSWV || in.RequestID == "" || in.RespondWithin <= 0 {
		return "", temporal.NewNonRetryableApplicationError("avg workflow: incomplete input", "InvalidInput", nil)
	}
	actx := activityOptions(ctx)
	var seq int32
	waitingFor := "school"
	if in.AtSWV {
		waitingFor = "swv"
	}
	step := func(name string, due *time.Time) error {
		seq++
		err := workflow.ExecuteActivity(actx, acts.RecordProcessStep, ProcessStep{
			LicenceID: in.LicenceID, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, EntityKind: "avg_request",
			EntityID: in.RequestID, Step: name, WaitingFor: map[bool]string{true: waitingFor}[due != nil], DueAt: due, Seq: seq,
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
	var recheck workflow.Future // at the SWV past the term: a daily look at the answer
	ref := SWVAVGRef{SWVLicenceID: in.LicenceID, AVGRequestID: in.RequestID}
	for {
		sel := workflow.NewSelector(ctx)
		done, fired := false, false
		sel.AddReceive(decided, func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(ctx, nil)
			done = true
		})
		if !overdue {
			sel.AddFuture(timer, func(workflow.Future) { fired = true })
		} else if recheck != nil {
			sel.AddFuture(recheck, func(workflow.Future) { fired = true })
		}
		sel.Select(ctx)
		if fired && in.AtSWV {
			if err := workflow.ExecuteActivity(actx, acts.SWVAVGAnswered, ref).Get(ctx, &done); err != nil {
				return "", err
			}
		}
		if done {
			if err := step(AVGStepDone, nil); err != nil {
				return "", err
			}
			if in.AtSWV {
				var schoolLicence string
				if err := workflow.ExecuteActivity(actx, acts.CarryOutSWVAVG, ref).Get(ctx, &schoolLicence); err != nil {
					return "", err
				}
				if schoolLicence != "" {
					sending := 0
					goSendOutbox(ctx, schoolLicence, &sending)
					if err := workflow.Await(ctx, func() bool { return sending == 0 }); err != nil {
						return "", err
					}
				}
			}
			if overdue {
				return "answered-late", nil
			}
			return "answered", nil
		}
		if fired && !overdue {
			overdue = true
			if err := step(AVGStepOverdue, &due); err != nil {
				return "", err
			}
		}
		if in.AtSWV {
			recheck = workflow.NewTimer(ctx, 24*time.Hour)
		}
	}
}
