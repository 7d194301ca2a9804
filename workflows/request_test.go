package workflows

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/law"
)

// requestRecorder stands in for the request activities.
type requestRecorder struct {
	env      *testsuite.TestWorkflowEnvironment
	steps    []string
	records  []string
	at       map[string]time.Time // when each step or record first happened
	issued   int
	notified int
	decided  RequestRecord // the decision as recorded
}

func (r *requestRecorder) mark(name string) {
	if _, ok := r.at[name]; !ok {
		r.at[name] = r.env.Now()
	}
}

func (r *requestRecorder) RecordRequestStep(_ context.Context, in RequestStep) error {
	r.steps = append(r.steps, in.Step)
	r.mark("step:" + in.Step)
	return nil
}

func (r *requestRecorder) RecordRequest(_ context.Context, in RequestRecord) error {
	r.records = append(r.records, in.Kind)
	r.mark("record:" + in.Kind)
	if in.Kind == "decision" {
		r.decided = in
	}
	return nil
}

func (r *requestRecorder) IssueDecision(_ context.Context, _ IssueDecisionInput) (string, error) {
	r.issued++
	return "TLV-2026-0001", nil
}

func (r *requestRecorder) NotifyDecision(_ context.Context, _ NotifyDecisionInput) (string, error) {
	r.mark("notified")
	r.notified++
	return "", nil
}

func (r *requestRecorder) DecisionMadeKnown(_ context.Context, in MadeKnownInput) (ObjectionTerm, error) {
	r.mark("made_known")
	last, ends := law.ObjectionTerm(in.At, in.Window)
	return ObjectionTerm{LastDay: last, EndsAt: ends}, nil
}

func newRequestEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *requestRecorder) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC))
	rec := &requestRecorder{env: env, at: map[string]time.Time{}}
	env.RegisterActivityWithOptions(rec.RecordRequestStep, activity.RegisterOptions{Name: "RecordRequestStep"})
	env.RegisterActivityWithOptions(rec.RecordRequest, activity.RegisterOptions{Name: "RecordRequest"})
	env.RegisterActivityWithOptions(rec.IssueDecision, activity.RegisterOptions{Name: "IssueDecision"})
	env.RegisterActivityWithOptions(rec.NotifyDecision, activity.RegisterOptions{Name: "NotifyDecision"})
	env.RegisterActivityWithOptions(rec.DecisionMadeKnown, activity.RegisterOptions{Name: "DecisionMadeKnown"})
	return env, rec
}

func requestInput(kind string) RequestInput {
	return RequestInput{SWVLicenceID: "8f8c3c1e-0000-4000-8000-0000000000a1", RequestID: "8f8c3c1e-0000-4000-8000-0000000000a2",
		Kind: kind, Timers: DefaultRequestTimers()}
}

// updateOutcome is what an update answered.
type updateOutcome struct {
	status RequestStatus
	err    error
}

// send sends an update at a moment and records its updateOutcome under key.
func send(env *testsuite.TestWorkflowEnvironment, results map[string]updateOutcome, key string, after time.Duration, name string, a RequestAction) {
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(name, a.RequestID, &testsuite.TestUpdateCallback{
			OnReject: func(err error) { results[key] = updateOutcome{err: err} },
			OnAccept: func() {},
			OnComplete: func(v any, err error) {
				st, _ := v.(RequestStatus)
				results[key] = updateOutcome{status: st, err: err}
			},
		}, a)
	}, after)
}

var (
	term0 = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	term1 = time.Date(2029, 7, 31, 0, 0, 0, 0, time.UTC)
)

// TestRequestTLVFromIntakeToEnd: intake, consultant, agenda, two experts
// (a linked one refused, two outside orthopedagogy and psychology refused), the committee's quorum
// (a late vote refused), signing, the six-week objection window, the
// re-application reminder on 15 April and the end on 31 July.
func TestRequestTLVFromIntakeToEnd(t *testing.T) {
	env, rec := newRequestEnv(t)
	res := map[string]updateOutcome{}
	h := time.Hour
	send(env, res, "intake", 1*h, UpdateRequestIntake, RequestAction{RequestID: "i1", ActorID: "admin", Accept: true})
	send(env, res, "vote-early", 2*h, UpdateRequestVote, RequestAction{RequestID: "v0", ActorID: "chair", Chair: true, Approve: true, StartOn: term0, EndOn: term1})
	send(env, res, "schedule", 3*h, UpdateRequestSchedule, RequestAction{RequestID: "s1", ActorID: "consulent", MeetingID: "m1"})
	send(env, res, "linked", 4*h, UpdateRequestAdvice, RequestAction{RequestID: "a0", ActorID: "e0", Profession: "psycholoog", LinkedToSchool: true})
	send(env, res, "advice1", 5*h, UpdateRequestAdvice, RequestAction{RequestID: "a1", ActorID: "e1", Profession: "other"})
	send(env, res, "other2", 6*h, UpdateRequestAdvice, RequestAction{RequestID: "a2", ActorID: "e2", Profession: "kinderpsychiater"})
	send(env, res, "twice", 7*h, UpdateRequestAdvice, RequestAction{RequestID: "a3", ActorID: "e1", Profession: "orthopedagoog"})
	send(env, res, "advice2", 8*h, UpdateRequestAdvice, RequestAction{RequestID: "a4", ActorID: "e3", Profession: "orthopedagoog"})
	send(env, res, "no-term", 9*h, UpdateRequestVote, RequestAction{RequestID: "v1", ActorID: "member1", Member: true, Approve: true})
	send(env, res, "member", 10*h, UpdateRequestVote, RequestAction{RequestID: "v2", ActorID: "member1", Member: true, Approve: true, StartOn: term0, EndOn: term1})
	send(env, res, "member-again", 11*h, UpdateRequestVote, RequestAction{RequestID: "v2", ActorID: "member1", Member: true, Approve: true, StartOn: term0, EndOn: term1})
	send(env, res, "chair", 12*h, UpdateRequestVote, RequestAction{RequestID: "v3", ActorID: "chair", Chair: true, Approve: true, StartOn: term0, EndOn: term1})
	send(env, res, "late", 13*h, UpdateRequestVote, RequestAction{RequestID: "v4", ActorID: "member2", Member: true, Approve: false})
	send(env, res, "sign", 14*h, UpdateRequestSign, RequestAction{RequestID: "g1", ActorID: "director"})
	send(env, res, "sign-again", 15*h, UpdateRequestSign, RequestAction{RequestID: "g2", ActorID: "director"})
	env.ExecuteWorkflow(RequestWorkflow, requestInput(RequestKindTLV))

	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("completed %v, err %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	wantRefused := map[string]string{"vote-early": fault.CodeRequestStep, "linked": fault.CodeExpertLinked, "other2": fault.CodeExpertProfession,
		"twice": fault.CodeExpertTwice, "no-term": fault.CodeNoProposal, "late": fault.CodeRequestStep, "sign-again": fault.CodeRequestStep}
	for key, want := range wantRefused {
		if got := errType(res[key].err); got != want {
			t.Errorf("%s: refused with %q (%v), want %q", key, got, res[key].err, want)
		}
	}
	for _, key := range []string{"intake", "schedule", "advice1", "advice2", "member", "member-again", "chair", "sign"} {
		if res[key].err != nil {
			t.Errorf("%s: %v", key, res[key].err)
		}
	}
	if st := res["chair"].status; !st.Decided || !st.Approved || st.Step != RequestStepSigning || len(st.Votes) != 2 {
		t.Errorf("after the chair's vote: %+v, want decided, approved, waiting for the signer, two votes", st)
	}
	if rec.issued != 1 || rec.notified != 1 || res["sign"].status.Number != "TLV-2026-0001" {
		t.Errorf("document issued %d times, number %q", rec.issued, res["sign"].status.Number)
	}
	// The objection term runs from the day after the bekendmaking (the
	// mail after signing, 23:00 UTC on 1 September: 2 September in the
	// Netherlands), not from the vote: the last day is 14 October, and
	// the window closes at its end.
	signed := res["sign"].status
	if want := time.Date(2026, 10, 14, 0, 0, 0, 0, time.UTC); !signed.ObjectionUntil.Equal(want) || signed.DueAt == nil ||
		!signed.DueAt.Equal(time.Date(2026, 10, 15, 0, 0, 0, 0, law.Netherlands())) {
		t.Errorf("objection until %s, window closes %v; want the last day 14 October and the close at its end", signed.ObjectionUntil, signed.DueAt)
	}
	var st RequestStatus
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if st.Reason != CloseEnded || st.Reminders != 1 {
		t.Errorf("end: %+v, want closed at the end date after one re-application reminder", st)
	}
	if got, want := rec.at["step:"+RequestStepRunning], time.Date(2026, 10, 15, 0, 0, 0, 0, law.Netherlands()); !got.Equal(want) {
		t.Errorf("running from %v, want from the end of the objection term's last day (%v)", got, want)
	}
	if got := rec.at["record:herinnering_heraanvraag"]; !got.Equal(time.Date(2029, 4, 15, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("re-application reminder on %v, want 15 April 2029", got)
	}
	if got := rec.at["step:"+RequestStepClosed]; !got.Equal(term1) {
		t.Errorf("closed on %v, want the end date %v", got, term1)
	}
	if n := countOf(rec.records, "vote"); n != 2 {
		t.Errorf("%d votes recorded, want 2 (a repeated request id is one vote)", n)
	}
}

func countOf(xs []string, x string) int {
	n := 0
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}

// TestRequestIncompleteExpires: returned as incomplete, the school is
// reminded after two weeks and the request closes at four.
func TestRequestIncompleteExpires(t *testing.T) {
	env, rec := newRequestEnv(t)
	res := map[string]updateOutcome{}
	send(env, res, "intake", time.Hour, UpdateRequestIntake, RequestAction{RequestID: "i1", ActorID: "admin"})
	env.ExecuteWorkflow(RequestWorkflow, requestInput(RequestKindArrangement))
	var st RequestStatus
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	returned := rec.at["step:"+RequestStepIncomplete]
	if st.Reason != CloseExpired || st.Reminders != 1 {
		t.Errorf("status %+v, want expired after one reminder", st)
	}
	if got := rec.at["record:herinnering_onvolledig"].Sub(returned); got != 14*24*time.Hour {
		t.Errorf("reminder %v after the return, want 14 days", got)
	}
	if got := rec.at["step:"+RequestStepClosed].Sub(returned); got != 28*24*time.Hour {
		t.Errorf("closed %v after the return, want 28 days", got)
	}
}

// TestRequestResubmittedContinues: the school completes the request in
// time; the same workflow goes back to intake, is accepted, and the
// consultant handles an advice request.
func TestRequestResubmittedContinues(t *testing.T) {
	env, rec := newRequestEnv(t)
	res := map[string]updateOutcome{}
	day := 24 * time.Hour
	send(env, res, "intake", time.Hour, UpdateRequestIntake, RequestAction{RequestID: "i1", ActorID: "admin"})
	send(env, res, "resubmit", 20*day, UpdateRequestResubmit, RequestAction{RequestID: "r1", ActorID: "ib"})
	send(env, res, "intake2", 21*day, UpdateRequestIntake, RequestAction{RequestID: "i2", ActorID: "admin", Accept: true})
	send(env, res, "vote", 22*day, UpdateRequestVote, RequestAction{RequestID: "v1", ActorID: "chair", Chair: true})
	send(env, res, "handled", 23*day, UpdateRequestHandled, RequestAction{RequestID: "h1", ActorID: "consulent"})
	env.ExecuteWorkflow(RequestWorkflow, requestInput(RequestKindAdvice))
	var st RequestStatus
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if st.Reason != CloseHandled || st.Submission != 2 || st.Reminders != 1 {
		t.Errorf("status %+v, want handled, second submission, the one reminder of day 14", st)
	}
	if errType(res["vote"].err) != fault.CodeRequestStep {
		t.Errorf("a vote on an advice request: %v, want refused", res["vote"].err)
	}
	want := []string{RequestStepIntake, RequestStepIncomplete, RequestStepIntake, RequestStepConsultant, RequestStepClosed}
	if !slices.Equal(rec.steps, want) {
		t.Errorf("steps %v, want %v", rec.steps, want)
	}
}

// TestRequestRejectedAndObjection: a rejected arrangement has its
// signed decision (a refusal is a decision too, Awb 3:45/3:46) and its
// objection window, which starts when it is sent; an objection reminds
// the SWV after two weeks to ask the advice committee; an upheld decision
// closes as rejected.
func TestRequestRejectedAndObjection(t *testing.T) {
	env, rec := newRequestEnv(t)
	res := map[string]updateOutcome{}
	h, day := time.Hour, 24*time.Hour
	send(env, res, "intake", 1*h, UpdateRequestIntake, RequestAction{RequestID: "i1", ActorID: "admin", Accept: true})
	send(env, res, "schedule", 2*h, UpdateRequestSchedule, RequestAction{RequestID: "s1", ActorID: "consulent", MeetingID: "m1"})
	send(env, res, "chair", 3*h, UpdateRequestVote, RequestAction{RequestID: "v1", ActorID: "chair", Chair: true})
	send(env, res, "member", 4*h, UpdateRequestVote, RequestAction{RequestID: "v2", ActorID: "member1", Member: true, Approve: true, StartOn: term0, EndOn: term1})
	send(env, res, "sign", 5*h, UpdateRequestSign, RequestAction{RequestID: "g1", ActorID: "director"})
	send(env, res, "object", 10*day, UpdateRequestObject, RequestAction{RequestID: "o1", ActorID: "admin"})
	send(env, res, "stands", 30*day, UpdateRequestObjectionDecided, RequestAction{RequestID: "d1", ActorID: "admin", Accept: true})
	env.ExecuteWorkflow(RequestWorkflow, requestInput(RequestKindArrangement))
	var st RequestStatus
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if !st.Decided || st.Approved || st.Reason != CloseRejected {
		t.Errorf("status %+v, want rejected (a tie: the chair's vote decides) and closed as rejected", st)
	}
	if res["sign"].err != nil || rec.issued != 1 || rec.notified != 1 {
		t.Errorf("signing the refusal: %v, issued %d, notified %d; want one signed document, sent once", res["sign"].err, rec.issued, rec.notified)
	}
	if rec.at["notified"].Before(rec.at["step:"+RequestStepSigning]) {
		t.Errorf("the refusal was sent before it was signed")
	}
	if got := rec.at["record:herinnering_bezwaaradvies"].Sub(rec.at["record:objection"]); got != 14*day {
		t.Errorf("advice committee reminder %v after the objection, want 14 days", got)
	}
}

// TestRequestArrangementEvaluated: a granted arrangement reaches its end
// date and asks school and consultant to evaluate the result.
func TestRequestArrangementEvaluated(t *testing.T) {
	env, rec := newRequestEnv(t)
	res := map[string]updateOutcome{}
	h := time.Hour
	end := time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)
	send(env, res, "intake", 1*h, UpdateRequestIntake, RequestAction{RequestID: "i1", ActorID: "admin", Accept: true})
	send(env, res, "schedule", 2*h, UpdateRequestSchedule, RequestAction{RequestID: "s1", ActorID: "consulent", MeetingID: "m1"})
	send(env, res, "chair", 3*h, UpdateRequestVote, RequestAction{RequestID: "v1", ActorID: "chair", Chair: true, Approve: true, StartOn: term0, EndOn: end})
	send(env, res, "member", 4*h, UpdateRequestVote, RequestAction{RequestID: "v2", ActorID: "member1", Member: true, Approve: true, StartOn: term0, EndOn: end})
	send(env, res, "sign", 5*h, UpdateRequestSign, RequestAction{RequestID: "g1", ActorID: "director"})
	send(env, res, "bad-result", end.Sub(time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC))+h, UpdateRequestEvaluate, RequestAction{RequestID: "e0", ActorID: "ib", Result: "goed"})
	send(env, res, "evaluate", end.Sub(time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC))+2*h, UpdateRequestEvaluate, RequestAction{RequestID: "e1", ActorID: "ib", Result: "deels"})
	env.ExecuteWorkflow(RequestWorkflow, requestInput(RequestKindArrangement))
	var st RequestStatus
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if st.Reason != CloseEnded || errType(res["bad-result"].err) != fault.CodeRequestInvalid {
		t.Errorf("status %+v, bad result %v", st, res["bad-result"].err)
	}
	if got := rec.at["step:"+RequestStepEvaluation]; !got.Equal(end) {
		t.Errorf("evaluation asked on %v, want the end date %v", got, end)
	}
}

// TestRequestWithdrawn: the school withdraws before the decision.
func TestRequestWithdrawn(t *testing.T) {
	env, _ := newRequestEnv(t)
	res := map[string]updateOutcome{}
	send(env, res, "intake", time.Hour, UpdateRequestIntake, RequestAction{RequestID: "i1", ActorID: "admin", Accept: true})
	send(env, res, "withdraw", 2*time.Hour, UpdateRequestWithdraw, RequestAction{RequestID: "w1", ActorID: "ib"})
	env.ExecuteWorkflow(RequestWorkflow, requestInput(RequestKindTLV))
	var st RequestStatus
	if err := env.GetWorkflowResult(&st); err != nil || st.Reason != CloseWithdrawn {
		t.Errorf("status %+v (err %v), want withdrawn", st, err)
	}
}

// TestRequestClosedStartsRetention: a closing request starts its own
// retention run (three years after the TLV ends or it closes), which
// outlives the request's workflow.
func TestRequestClosedStartsRetention(t *testing.T) {
	env, _ := newRequestEnv(t)
	var got RetentionInput
	env.RegisterWorkflowWithOptions(RetentionWorkflow, workflow.RegisterOptions{Name: "RetentionWorkflow"})
	env.OnWorkflow("RetentionWorkflow", mock.Anything, mock.Anything).Return(func(_ workflow.Context, in RetentionInput) (RetentionStatus, error) {
		got = in
		return RetentionStatus{State: RetentionWaiting}, nil
	})
	res := map[string]updateOutcome{}
	send(env, res, "withdraw", time.Hour, UpdateRequestWithdraw, RequestAction{RequestID: "w1", ActorID: "ib"})
	in := requestInput(RequestKindTLV)
	in.RetentionTerm = 3 * 365 * 24 * time.Hour
	env.ExecuteWorkflow(RequestWorkflow, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if got.Kind != RetentionRequest || got.EntityID != in.RequestID || got.LicenceID != in.SWVLicenceID || got.Term != in.RetentionTerm {
		t.Errorf("retention started with %+v", got)
	}
}

// TestVoteBeforeMeetingRefused: a committee decides in or after the
// meeting the request is on (issue 14, 4): a vote before the meeting's
// day is refused, the same vote on the day counts, and the decision date
// is the day the quorum is reached, not before the meeting.
func TestVoteBeforeMeetingRefused(t *testing.T) {
	env, _ := newRequestEnv(t)
	res := map[string]updateOutcome{}
	h := time.Hour
	meetingOn := env.Now().Add(48 * h)
	send(env, res, "intake", 1*h, UpdateRequestIntake, RequestAction{RequestID: "i1", ActorID: "admin", Accept: true})
	send(env, res, "schedule", 2*h, UpdateRequestSchedule, RequestAction{RequestID: "s1", ActorID: "consulent", MeetingID: "m1"})
	send(env, res, "early", 24*h, UpdateRequestVote, RequestAction{RequestID: "v0", ActorID: "chair", Chair: true, Approve: false, MeetingOn: meetingOn})
	send(env, res, "member", 49*h, UpdateRequestVote, RequestAction{RequestID: "v1", ActorID: "member1", Member: true, Approve: false, MeetingOn: meetingOn})
	send(env, res, "chair", 50*h, UpdateRequestVote, RequestAction{RequestID: "v2", ActorID: "chair", Chair: true, Approve: false, MeetingOn: meetingOn})
	env.ExecuteWorkflow(RequestWorkflow, requestInput(RequestKindArrangement))
	if got := errType(res["early"].err); got != fault.CodeBeforeMeeting {
		t.Errorf("vote a day before the meeting: refused with %q (%v), want %q", got, res["early"].err, fault.CodeBeforeMeeting)
	}
	for _, key := range []string{"intake", "schedule", "member", "chair"} {
		if res[key].err != nil {
			t.Errorf("%s: %v", key, res[key].err)
		}
	}
	st := res["chair"].status
	if !st.Decided || st.DecidedAt.Before(meetingOn) || len(st.Votes) != 2 {
		t.Errorf("after the chair's vote: %+v, want decided on or after the meeting (%s) with two votes", st, meetingOn)
	}
}

// TestRequestStaleCloses: a request nobody at the SWV acts on (here left
// with the consultant) closes a year after it last moved, so its
// retention term starts (AVG 5(1)(e)); a step taken in between starts
// the year again. A run without StaleAfter (of before) never expires so.
func TestRequestStaleCloses(t *testing.T) {
	env, rec := newRequestEnv(t)
	res := map[string]updateOutcome{}
	day := 24 * time.Hour
	send(env, res, "intake", 300*day, UpdateRequestIntake, RequestAction{RequestID: "i1", ActorID: "admin", Accept: true})
	env.ExecuteWorkflow(RequestWorkflow, requestInput(RequestKindTLV))
	var st RequestStatus
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if st.Step != RequestStepClosed || st.Reason != CloseStale || res["intake"].err != nil {
		t.Fatalf("status %+v (intake %v), want closed as stale", st, res["intake"].err)
	}
	if got, want := rec.at["step:"+RequestStepClosed].Sub(rec.at["step:"+RequestStepConsultant]), 365*day; got != want {
		t.Errorf("closed %v after the last step, want a year", got)
	}

	env2, _ := newRequestEnv(t)
	in := requestInput(RequestKindTLV)
	in.Timers.StaleAfter = 0
	env2.RegisterDelayedCallback(func() {
		v, err := env2.QueryWorkflow(QueryRequestStatus)
		var st RequestStatus
		if err == nil {
			err = v.Get(&st)
		}
		if err != nil || st.Step != RequestStepIntake {
			t.Errorf("a run of before after two years: %+v (err %v), want still in intake", st, err)
		}
		env2.CancelWorkflow()
	}, 2*365*day)
	env2.ExecuteWorkflow(RequestWorkflow, in)
}

// TestRequestVotesOnTheChairsProposal: the committee votes on one
// proposal of the term (issue 14, 4): only the chair makes it, an
// approving vote before it is refused, members vote without a term of
// their own, the decision carries the proposal's term, and once a vote
// is cast the proposal is locked.
func TestRequestVotesOnTheChairsProposal(t *testing.T) {
	env, rec := newRequestEnv(t)
	res := map[string]updateOutcome{}
	h := time.Hour
	send(env, res, "intake", 1*h, UpdateRequestIntake, RequestAction{RequestID: "i1", ActorID: "admin", Accept: true})
	send(env, res, "schedule", 2*h, UpdateRequestSchedule, RequestAction{RequestID: "s1", ActorID: "consulent", MeetingID: "m1"})
	send(env, res, "approve-early", 3*h, UpdateRequestVote, RequestAction{RequestID: "v0", ActorID: "member1", Member: true, Approve: true})
	send(env, res, "member-proposes", 4*h, UpdateRequestPropose, RequestAction{RequestID: "p0", ActorID: "member1", Member: true, StartOn: term0, EndOn: term1})
	send(env, res, "propose", 5*h, UpdateRequestPropose, RequestAction{RequestID: "p1", ActorID: "chair", Chair: true, StartOn: term0, EndOn: term1})
	send(env, res, "member", 6*h, UpdateRequestVote, RequestAction{RequestID: "v1", ActorID: "member1", Member: true, Approve: true})
	send(env, res, "repropose", 7*h, UpdateRequestPropose, RequestAction{RequestID: "p2", ActorID: "chair", Chair: true, StartOn: term0, EndOn: term1.AddDate(1, 0, 0)})
	send(env, res, "chair", 8*h, UpdateRequestVote, RequestAction{RequestID: "v2", ActorID: "chair", Chair: true, Approve: true})
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, 9*h)
	env.ExecuteWorkflow(RequestWorkflow, requestInput(RequestKindArrangement))
	for key, want := range map[string]string{"approve-early": fault.CodeNoProposal, "member-proposes": fault.CodeNotChair,
		"repropose": fault.CodeProposalLocked} {
		if got := errType(res[key].err); got != want {
			t.Errorf("%s: refused with %q (%v), want %q", key, got, res[key].err, want)
		}
	}
	for _, key := range []string{"intake", "schedule", "propose", "member", "chair"} {
		if res[key].err != nil {
			t.Errorf("%s: %v", key, res[key].err)
		}
	}
	if st := res["chair"].status; !st.Decided || !st.Approved || !st.Proposed {
		t.Errorf("after the chair's vote: %+v, want decided and approved on the proposal", st)
	}
	if !rec.decided.StartOn.Equal(term0) || !rec.decided.EndOn.Equal(term1) {
		t.Errorf("decision term %s to %s, want the proposal's %s to %s", rec.decided.StartOn, rec.decided.EndOn, term0, term1)
	}
}

// TestTLVObjectionDecidedInTerm: an objection to a TLV decision is
// decided within twelve weeks from the end of the objection term (Awb
// 7:10 with the advice committee, Awb 7:13), after the Landelijke
// Bezwaaradviescommissie's advice: deciding before it is refused; the SWV
// is reminded two weeks before the term ends; it may postpone once, by
// six weeks, and not twice; when the term runs out the school is told.
func TestTLVObjectionDecidedInTerm(t *testing.T) {
	env, rec := newRequestEnv(t)
	res := map[string]updateOutcome{}
	h, day := time.Hour, 24*time.Hour
	send(env, res, "intake", 1*h, UpdateRequestIntake, RequestAction{RequestID: "i1", ActorID: "admin", Accept: true})
	send(env, res, "schedule", 2*h, UpdateRequestSchedule, RequestAction{RequestID: "s1", ActorID: "consulent", MeetingID: "m1"})
	send(env, res, "advice1", 3*h, UpdateRequestAdvice, RequestAction{RequestID: "a1", ActorID: "e1", Profession: "orthopedagoog"})
	send(env, res, "advice2", 4*h, UpdateRequestAdvice, RequestAction{RequestID: "a2", ActorID: "e2", Profession: "psycholoog"})
	send(env, res, "chair", 5*h, UpdateRequestVote, RequestAction{RequestID: "v1", ActorID: "chair", Chair: true})
	send(env, res, "member", 6*h, UpdateRequestVote, RequestAction{RequestID: "v2", ActorID: "member1", Member: true})
	send(env, res, "sign", 7*h, UpdateRequestSign, RequestAction{RequestID: "g1", ActorID: "director"})
	send(env, res, "object", 10*day, UpdateRequestObject, RequestAction{RequestID: "o1", ActorID: "admin"})
	send(env, res, "decide-early", 20*day, UpdateRequestObjectionDecided, RequestAction{RequestID: "d0", ActorID: "admin", Accept: true})
	send(env, res, "extend", 30*day, UpdateRequestExtendObjection, RequestAction{RequestID: "x1", ActorID: "admin"})
	send(env, res, "extend-again", 31*day, UpdateRequestExtendObjection, RequestAction{RequestID: "x2", ActorID: "admin"})
	var st RequestStatus
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryRequestStatus)
		if err == nil {
			err = v.Get(&st)
		}
		if err != nil {
			t.Error(err)
		}
		env.CancelWorkflow()
	}, 200*day)
	env.ExecuteWorkflow(RequestWorkflow, requestInput(RequestKindTLV))
	for key, want := range map[string]string{"decide-early": fault.CodeObjectionAdviceMissing, "extend-again": fault.CodeObjectionExtended} {
		if got := errType(res[key].err); got != want {
			t.Errorf("%s: refused with %q (%v), want %q", key, got, res[key].err, want)
		}
	}
	for _, key := range []string{"intake", "schedule", "advice1", "advice2", "chair", "member", "sign", "object", "extend"} {
		if res[key].err != nil {
			t.Errorf("%s: %v", key, res[key].err)
		}
	}
	// The objection term ended at the end of its last day; twelve weeks
	// on, plus six postponed.
	signedAt := rec.at["made_known"]
	_, ends := law.ObjectionTerm(signedAt, law.ObjectionWindow)
	if want := ends.Add(12*7*day + 6*7*day); !st.DecideBy.Equal(want) || !st.Extended {
		t.Errorf("decide by %s (extended %v), want %s: twelve weeks after the objection term, postponed once by six", st.DecideBy, st.Extended, want)
	}
	if got, want := rec.at["record:herinnering_beslistermijn_bezwaar"], st.DecideBy.Add(-14*day); !got.Equal(want) {
		t.Errorf("reminder at %s, want two weeks before the term ends (%s)", got, want)
	}
	if got := rec.at["record:beslistermijn_bezwaar_verstreken"]; !got.Equal(st.DecideBy) {
		t.Errorf("term ran out at %s, want %s", got, st.DecideBy)
	}
}

// TestTLVObjectionDecidedAfterAdvice: with the advice committee's advice
// recorded, the SWV decides on the objection; the decision stands and
// the request closes as rejected.
func TestTLVObjectionDecidedAfterAdvice(t *testing.T) {
	env, _ := newRequestEnv(t)
	res := map[string]updateOutcome{}
	h, day := time.Hour, 24*time.Hour
	send(env, res, "intake", 1*h, UpdateRequestIntake, RequestAction{RequestID: "i1", ActorID: "admin", Accept: true})
	send(env, res, "schedule", 2*h, UpdateRequestSchedule, RequestAction{RequestID: "s1", ActorID: "consulent", MeetingID: "m1"})
	send(env, res, "advice1", 3*h, UpdateRequestAdvice, RequestAction{RequestID: "a1", ActorID: "e1", Profession: "orthopedagoog"})
	send(env, res, "advice2", 4*h, UpdateRequestAdvice, RequestAction{RequestID: "a2", ActorID: "e2", Profession: "psycholoog"})
	send(env, res, "chair", 5*h, UpdateRequestVote, RequestAction{RequestID: "v1", ActorID: "chair", Chair: true})
	send(env, res, "member", 6*h, UpdateRequestVote, RequestAction{RequestID: "v2", ActorID: "member1", Member: true})
	send(env, res, "sign", 7*h, UpdateRequestSign, RequestAction{RequestID: "g1", ActorID: "director"})
	send(env, res, "object", 10*day, UpdateRequestObject, RequestAction{RequestID: "o1", ActorID: "admin"})
	send(env, res, "lbbo", 40*day, UpdateRequestObjectionAdvice, RequestAction{RequestID: "l1", ActorID: "admin"})
	send(env, res, "decide", 50*day, UpdateRequestObjectionDecided, RequestAction{RequestID: "d1", ActorID: "admin", Accept: true})
	env.ExecuteWorkflow(RequestWorkflow, requestInput(RequestKindTLV))
	var st RequestStatus
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	for key, o := range res {
		if o.err != nil {
			t.Errorf("%s: %v", key, o.err)
		}
	}
	if !st.ObjectionAdvice || st.Reason != CloseRejected {
		t.Errorf("status %+v, want the advice recorded and closed as rejected", st)
	}
}

// TestUpheldObjectionDecidedAnew: an upheld objection revokes the refusal
// and the committee decides the request anew (Awb 7:11): back on the
// agenda with no votes, a new proposal and votes, a new signed decision,
// and a new objection term.
func TestUpheldObjectionDecidedAnew(t *testing.T) {
	env, rec := newRequestEnv(t)
	res := map[string]updateOutcome{}
	h, day := time.Hour, 24*time.Hour
	send(env, res, "intake", 1*h, UpdateRequestIntake, RequestAction{RequestID: "i1", ActorID: "admin", Accept: true})
	send(env, res, "schedule", 2*h, UpdateRequestSchedule, RequestAction{RequestID: "s1", ActorID: "consulent", MeetingID: "m1"})
	send(env, res, "chair", 3*h, UpdateRequestVote, RequestAction{RequestID: "v1", ActorID: "chair", Chair: true})
	send(env, res, "member", 4*h, UpdateRequestVote, RequestAction{RequestID: "v2", ActorID: "member1", Member: true})
	send(env, res, "sign", 5*h, UpdateRequestSign, RequestAction{RequestID: "g1", ActorID: "director"})
	send(env, res, "object", 10*day, UpdateRequestObject, RequestAction{RequestID: "o1", ActorID: "admin"})
	send(env, res, "upheld", 30*day, UpdateRequestObjectionDecided, RequestAction{RequestID: "d1", ActorID: "admin", Accept: false})
	send(env, res, "propose", 31*day, UpdateRequestPropose, RequestAction{RequestID: "p1", ActorID: "chair", Chair: true, StartOn: term0, EndOn: term1})
	send(env, res, "chair2", 32*day, UpdateRequestVote, RequestAction{RequestID: "v3", ActorID: "chair", Chair: true, Approve: true})
	send(env, res, "member2", 32*day+h, UpdateRequestVote, RequestAction{RequestID: "v4", ActorID: "member1", Member: true, Approve: true})
	send(env, res, "sign2", 33*day, UpdateRequestSign, RequestAction{RequestID: "g2", ActorID: "director"})
	var after RequestStatus
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryRequestStatus)
		if err == nil {
			err = v.Get(&after)
		}
		if err != nil {
			t.Error(err)
		}
		env.CancelWorkflow()
	}, 34*day)
	env.ExecuteWorkflow(RequestWorkflow, requestInput(RequestKindArrangement))
	for key, o := range res {
		if o.err != nil {
			t.Errorf("%s: %v", key, o.err)
		}
	}
	if st := res["upheld"].status; st.Step != RequestStepScheduled || st.Decided || len(st.Votes) != 0 {
		t.Errorf("after the upheld objection: %+v, want back on the agenda without votes or decision", st)
	}
	if after.Step != RequestStepObjection || !after.Approved || rec.issued != 2 || rec.notified != 2 {
		t.Errorf("after the new decision: step %s, approved %v, %d documents, %d times sent; want the new grant signed, sent and in its objection term",
			after.Step, after.Approved, rec.issued, rec.notified)
	}
}
