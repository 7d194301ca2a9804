package workflows

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"

	"github.com/topdossier/topdossier/fault"
)

// transferRec is the test's side of the transfer's activities: what the
// parties answered so far, and every step the activities were asked for.
type transferRec struct {
	consent TransferConsent
	steps   []string
}

func newTransferEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *transferRec, TransferInput) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	start := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	env.SetStartTime(start)
	rec := &transferRec{}
	env.RegisterActivityWithOptions(func(context.Context, TransferInput) (TransferConsent, error) { return rec.consent, nil },
		activity.RegisterOptions{Name: "TransferConsentState"})
	env.RegisterActivityWithOptions(func(_ context.Context, in TransferStepInput) error {
		rec.steps = append(rec.steps, "offer")
		return nil
	}, activity.RegisterOptions{Name: "OfferTransfer"})
	env.RegisterActivityWithOptions(func(_ context.Context, in TransferStepInput) error {
		rec.steps = append(rec.steps, "close:"+in.Step)
		return nil
	}, activity.RegisterOptions{Name: "CloseTransfer"})
	env.RegisterActivityWithOptions(func(_ context.Context, in TransferStepInput) (TransferAccepted, error) {
		rec.steps = append(rec.steps, "accept")
		return TransferAccepted{PupilID: "new-pupil", DossierID: "new-dossier"}, nil
	}, activity.RegisterOptions{Name: "AcceptTransfer"})
	env.RegisterActivityWithOptions(func(_ context.Context, in TransferStepInput) error {
		rec.steps = append(rec.steps, "complete")
		return nil
	}, activity.RegisterOptions{Name: "CompleteTransfer"})
	in := TransferInput{FromLicenceID: "from", TransferID: "t1", DossierID: "d", PupilID: "p", ToLicenceID: "to",
		ConsentDueAt: start.Add(28 * 24 * time.Hour)}
	return env, rec, in
}

// update sends a transfer update at virtual time at and records how it
// ended.
func transferUpdate(env *testsuite.TestWorkflowEnvironment, at time.Duration, name string, a TransferAction, out *outcome) {
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(name, a.RequestID, &testsuite.TestUpdateCallback{
			OnAccept:   func() {},
			OnReject:   func(err error) { out.rejected, out.done = err, true },
			OnComplete: func(_ any, err error) { out.failed, out.done = err, true },
		}, a)
	}, at)
}

// TestTransferAcceptedAfterConsent: the transfer waits for every party;
// only then is it offered; a decline without a reason is refused by the
// validator; the acceptance copies, then closes the sender.
func TestTransferAcceptedAfterConsent(t *testing.T) {
	env, rec, in := newTransferEnv(t)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalTransferAnswered, nil) }, time.Hour) // one of two agreed
	env.RegisterDelayedCallback(func() {
		rec.consent = TransferConsent{Agreed: true}
		env.SignalWorkflow(SignalTransferAnswered, nil)
	}, 2*time.Hour)
	var early, noReason, accept outcome
	transferUpdate(env, 90*time.Minute, UpdateTransferDecide, TransferAction{RequestID: "early", Accept: true}, &early)
	transferUpdate(env, 3*time.Hour, UpdateTransferDecide, TransferAction{RequestID: "no-reason"}, &noReason)
	transferUpdate(env, 4*time.Hour, UpdateTransferDecide, TransferAction{RequestID: "yes", Accept: true, ActorID: "u"}, &accept)
	env.ExecuteWorkflow(TransferWorkflow, in)
	var st TransferStatus
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if st.Step != TransferStepAccepted || st.ToPupilID != "new-pupil" {
		t.Errorf("status %+v, want accepted with the new pupil", st)
	}
	if errType(early.rejected) != fault.CodeTransferStep {
		t.Errorf("a decision before the parties agreed: %v, want %s", early.rejected, fault.CodeTransferStep)
	}
	if errType(noReason.rejected) != fault.CodeTransferNoReason {
		t.Errorf("a decline without a reason: %v, want %s", noReason.rejected, fault.CodeTransferNoReason)
	}
	if accept.rejected != nil || accept.failed != nil {
		t.Errorf("accept: rejected %v, failed %v", accept.rejected, accept.failed)
	}
	if want := []string{"offer", "accept", "complete"}; !slices.Equal(rec.steps, want) {
		t.Errorf("steps %v, want %v", rec.steps, want)
	}
}

// TestTransferEndsWithoutThePlan: a refusal, a lapsed term, a withdrawal
// and a decline each end the transfer with one closing step and nothing
// copied.
func TestTransferEndsWithoutThePlan(t *testing.T) {
	day := 24 * time.Hour
	for _, tc := range []struct {
		name  string
		setup func(env *testsuite.TestWorkflowEnvironment, rec *transferRec)
		want  []string
		step  string
	}{
		{"refused", func(env *testsuite.TestWorkflowEnvironment, rec *transferRec) {
			env.RegisterDelayedCallback(func() {
				rec.consent = TransferConsent{Refused: true}
				env.SignalWorkflow(SignalTransferAnswered, nil)
			}, day)
		}, []string{"close:refused"}, TransferStepRefused},
		{"lapsed", func(*testsuite.TestWorkflowEnvironment, *transferRec) {}, []string{"close:expired"}, TransferStepExpired},
		{"withdrawn while asking", func(env *testsuite.TestWorkflowEnvironment, rec *transferRec) {
			transferUpdate(env, day, UpdateTransferWithdraw, TransferAction{RequestID: "w"}, &outcome{})
		}, []string{"close:withdrawn"}, TransferStepWithdrawn},
		{"declined", func(env *testsuite.TestWorkflowEnvironment, rec *transferRec) {
			env.RegisterDelayedCallback(func() {
				rec.consent = TransferConsent{Agreed: true}
				env.SignalWorkflow(SignalTransferAnswered, nil)
			}, day)
			transferUpdate(env, 2*day, UpdateTransferDecide, TransferAction{RequestID: "no", ReasonGiven: true}, &outcome{})
		}, []string{"offer", "close:declined"}, TransferStepDeclined},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, rec, in := newTransferEnv(t)
			tc.setup(env, rec)
			env.ExecuteWorkflow(TransferWorkflow, in)
			var st TransferStatus
			if err := env.GetWorkflowResult(&st); err != nil {
				t.Fatal(err)
			}
			if st.Step != tc.step || !slices.Equal(rec.steps, tc.want) {
				t.Errorf("ended %s after %v, want %s after %v", st.Step, rec.steps, tc.step, tc.want)
			}
		})
	}
}

// TestTransferDecisionWhileOffering: the receiving school may see the
// offer before the offer's activity returns; a decision sent in that
// moment is taken (its handler waits for the offer), not refused. A
// decision before any offer is refused.
func TestTransferDecisionWhileOffering(t *testing.T) {
	a := TransferAction{RequestID: "quick", Accept: true}
	offering := &transfer{status: TransferStatus{Step: TransferStepConsent}, offering: true}
	if err := offering.validate(UpdateTransferDecide, a); err != nil {
		t.Errorf("a decision while the offer is written: %v", err)
	}
	asking := &transfer{status: TransferStatus{Step: TransferStepConsent}}
	if err := asking.validate(UpdateTransferDecide, a); errType(err) != fault.CodeTransferStep {
		t.Errorf("a decision before the offer: %v", err)
	}
}
