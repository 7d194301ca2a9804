package workflows

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/topdossier/topdossier/fault"
)

// The transfer's signals, updates and query.
const (
	// SignalTransferAnswered: a party answered (the answer is in the
	// sending school's database; the workflow reads where consent stands).
	SignalTransferAnswered = "transfer-answered"
	// UpdateTransferDecide: the receiving school accepts or declines.
	UpdateTransferDecide = "transfer-decide"
	// UpdateTransferWithdraw: the sending school withdraws the transfer.
	UpdateTransferWithdraw = "transfer-withdraw"
	QueryTransferStatus    = "transfer-status"
)

// The steps of a transfer, as transfer_out.status has them.
const (
	TransferStepConsent   = "consent"   // waiting for the parents (or the pupil)
	TransferStepOffered   = "offered"   // waiting for the receiving school
	TransferStepAccepted  = "accepted"  // the plan is at the receiving school
	TransferStepDeclined  = "declined"  // the receiving school declined, with a reason
	TransferStepRefused   = "refused"   // a party did not agree
	TransferStepExpired   = "expired"   // nobody agreed within the term
	TransferStepWithdrawn = "withdrawn" // the sending school withdrew it
)

// TransferInput names a transfer (ids and a date only; the plan goes from
// database to database inside the activities).
type TransferInput struct {
	FromLicenceID, TransferID, DossierID, PupilID, ToLicenceID string
	// ConsentDueAt: without every party's agreement by then, the transfer
	// lapses (consent is never assumed).
	ConsentDueAt time.Time
}

// TransferWorkflowID is the business key of a transfer.
func TransferWorkflowID(fromLicenceID, transferID string) string {
	return fmt.Sprintf("transfer/%s/%s", fromLicenceID, transferID)
}

// TransferAction is a withdrawal or a decision, with who acts. A
// decline's reason is written to the receiving school's database first
// (ReasonGiven); the process carries no free text.
type TransferAction struct {
	RequestID, ActorID, ActorRole string
	Accept                        bool
	ReasonGiven                   bool
}

// TransferStatus is where a transfer stands.
type TransferStatus struct {
	Step string
	// ToPupilID and ToDossierID: the pupil and dossier at the receiving
	// school, once accepted.
	ToPupilID, ToDossierID string
}

// TransferConsent is where the parties' answers stand.
type TransferConsent struct {
	Agreed, Refused bool
}

// TransferStepInput moves a transfer on in one database or both.
type TransferStepInput struct {
	TransferInput
	Step string
	// ActorID, ActorRole, RequestID: who acted, for the logbooks.
	ActorID, ActorRole, RequestID string
}

// TransferAccepted is the new pupil and dossier at the receiving school.
type TransferAccepted struct {
	PupilID, DossierID string
}

type transfer struct {
	in     TransferInput
	status TransferStatus
	seen   requestLog
	busy   bool
	// answered counts the answers signalled and not yet read.
	answered int
	// offering: the offer is being written. The receiving school may see
	// it before the activity returns; a decision sent then waits for it.
	offering bool
}

// TransferWorkflow carries a pupil's plan to another school on the
// platform: it waits for every party's agreement (guardians with
// authority, the pupil from 16, the pupil alone from 18) until the term
// ends, offers the transfer to the receiving school (who is coming and
// what would come, not the plan), and on the receiving school's
// acceptance copies the plan into its database as the start of its own
// dossier, after which the sending school's dossier closes and its
// retention starts. A refusal, a lapse, a decline (with its reason) or a
// withdrawal ends it with the plan where it was. Every step is written to
// the logbook of each school it concerns.
func TransferWorkflow(ctx workflow.Context, in TransferInput) (TransferStatus, error) {
	t := &transfer{in: in, status: TransferStatus{Step: TransferStepConsent}}
	if in.FromLicenceID == "" || in.TransferID == "" || in.DossierID == "" || in.PupilID == "" || in.ToLicenceID == "" {
		return t.status, temporal.NewNonRetryableApplicationError("transfer workflow: incomplete input", "InvalidInput", nil)
	}
	return t.run(ctx)
}

func (t *transfer) run(ctx workflow.Context) (TransferStatus, error) {
	if err := workflow.SetQueryHandler(ctx, QueryTransferStatus, func() (TransferStatus, error) { return t.status, nil }); err != nil {
		return t.status, err
	}
	answers := workflow.GetSignalChannel(ctx, SignalTransferAnswered)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var ignored any
			answers.Receive(ctx, &ignored)
			t.answered++
		}
	})
	for name, handle := range map[string]func(workflow.Context, TransferAction) (TransferStatus, error){
		UpdateTransferWithdraw: t.withdraw, UpdateTransferDecide: t.decide,
	} {
		name := name
		if err := workflow.SetUpdateHandlerWithOptions(ctx, name, handle, workflow.UpdateHandlerOptions{
			Validator: func(ctx workflow.Context, a TransferAction) error { return t.validate(name, a) },
		}); err != nil {
			return t.status, err
		}
	}
	actx := activityOptions(ctx)
	var acts *Activities

	// Consent: read where the answers stand at every answer, until all
	// agreed, one refused, the term ended or the school withdrew.
	for t.status.Step == TransferStepConsent {
		timerCtx, cancel := workflow.WithCancel(ctx)
		timer := workflow.NewTimer(timerCtx, max(t.in.ConsentDueAt.Sub(workflow.Now(ctx)), 0))
		if err := workflow.Await(ctx, func() bool {
			return t.answered > 0 || t.status.Step != TransferStepConsent || timer.IsReady()
		}); err != nil {
			cancel()
			return t.status, err
		}
		cancel()
		if err := workflow.Await(ctx, func() bool { return !t.busy }); err != nil {
			return t.status, err
		}
		if t.status.Step != TransferStepConsent {
			break // withdrawn meanwhile
		}
		t.busy = true
		t.answered = 0
		var consent TransferConsent
		if err := workflow.ExecuteActivity(actx, acts.TransferConsentState, t.in).Get(ctx, &consent); err != nil {
			return t.status, err
		}
		next := ""
		switch {
		case consent.Refused:
			next = TransferStepRefused
		case consent.Agreed:
			next = TransferStepOffered
		case !workflow.Now(ctx).Before(t.in.ConsentDueAt):
			next = TransferStepExpired
		}
		if next == TransferStepOffered {
			t.offering = true
			if err := workflow.ExecuteActivity(actx, acts.OfferTransfer, TransferStepInput{TransferInput: t.in, Step: next}).Get(ctx, nil); err != nil {
				return t.status, err
			}
			t.offering = false
		} else if next != "" {
			if err := workflow.ExecuteActivity(actx, acts.CloseTransfer, TransferStepInput{TransferInput: t.in, Step: next}).Get(ctx, nil); err != nil {
				return t.status, err
			}
		}
		if next != "" {
			t.status.Step = next
		}
		t.busy = false
	}
	// Offered: the receiving school decides, or the sending school
	// withdraws (both are updates).
	if err := workflow.Await(ctx, func() bool { return t.status.Step != TransferStepOffered && !t.busy }); err != nil {
		return t.status, err
	}
	// Let the last update's answer go out before the run ends.
	err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	return t.status, err
}

func (t *transfer) validate(name string, a TransferAction) error {
	if a.RequestID == "" {
		return temporal.NewApplicationError("request id missing", fault.CodeTransferStep)
	}
	if t.seen.has(a.RequestID) {
		return nil // a retry: the handler answers with the status
	}
	switch name {
	case UpdateTransferWithdraw:
		if t.status.Step != TransferStepConsent && t.status.Step != TransferStepOffered {
			return temporal.NewApplicationError("not open", fault.CodeTransferStep, t.status.Step)
		}
	case UpdateTransferDecide:
		if t.status.Step != TransferStepOffered && !t.offering {
			return temporal.NewApplicationError("not offered", fault.CodeTransferStep, t.status.Step)
		}
		if !a.Accept && !a.ReasonGiven {
			return temporal.NewApplicationError("decline without reason", fault.CodeTransferNoReason)
		}
	}
	return nil
}

// lock waits for the step under way and reports whether the action may
// go on (false: a retry of one handled before, or the step moved on).
func (t *transfer) lock(ctx workflow.Context, a TransferAction, steps ...string) (bool, error) {
	if err := workflow.Await(ctx, func() bool { return !t.busy }); err != nil {
		return false, err
	}
	if t.seen.seen(a.RequestID) {
		return false, nil
	}
	for _, s := range steps {
		if t.status.Step == s {
			t.busy = true
			return true, nil
		}
	}
	return false, temporal.NewApplicationError("moved on", fault.CodeTransferStep, t.status.Step)
}

func (t *transfer) withdraw(ctx workflow.Context, a TransferAction) (TransferStatus, error) {
	ok, err := t.lock(ctx, a, TransferStepConsent, TransferStepOffered)
	if !ok || err != nil {
		return t.status, err
	}
	defer func() { t.busy = false }()
	var acts *Activities
	err = workflow.ExecuteActivity(activityOptions(ctx), acts.CloseTransfer, TransferStepInput{TransferInput: t.in,
		Step: TransferStepWithdrawn, ActorID: a.ActorID, ActorRole: a.ActorRole, RequestID: a.RequestID}).Get(ctx, nil)
	if err != nil {
		return t.status, err
	}
	t.status.Step = TransferStepWithdrawn
	return t.status, nil
}

func (t *transfer) decide(ctx workflow.Context, a TransferAction) (TransferStatus, error) {
	ok, err := t.lock(ctx, a, TransferStepOffered)
	if !ok || err != nil {
		return t.status, err
	}
	defer func() { t.busy = false }()
	var acts *Activities
	actx := activityOptions(ctx)
	step := TransferStepInput{TransferInput: t.in, Step: TransferStepDeclined, ActorID: a.ActorID, ActorRole: a.ActorRole,
		RequestID: a.RequestID}
	if !a.Accept {
		if err := workflow.ExecuteActivity(actx, acts.CloseTransfer, step).Get(ctx, nil); err != nil {
			return t.status, err
		}
		t.status.Step = TransferStepDeclined
		return t.status, nil
	}
	// The copy is one transaction at the receiving school and keyed by
	// the transfer; the sending school closes only once it is there.
	step.Step = TransferStepAccepted
	var got TransferAccepted
	if err := workflow.ExecuteActivity(workflow.WithStartToCloseTimeout(actx, 2*time.Minute), acts.AcceptTransfer, step).Get(ctx, &got); err != nil {
		return t.status, err
	}
	t.status.ToPupilID, t.status.ToDossierID = got.PupilID, got.DossierID
	if err := workflow.ExecuteActivity(actx, acts.CompleteTransfer, step).Get(ctx, nil); err != nil {
		return t.status, err
	}
	t.status.Step = TransferStepAccepted
	return t.status, nil
}

// StartTransfer starts a transfer's workflow, idempotently.
func StartTransfer(ctx context.Context, c client.Client, in TransferInput) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       TransferWorkflowID(in.FromLicenceID, in.TransferID),
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			LicenceKey().ValueSet(in.FromLicenceID),
			KindKey().ValueSet("transfer"),
		),
	}, TransferWorkflow, in)
	if err != nil {
		return fmt.Errorf("start transfer workflow: %w", err)
	}
	return nil
}
