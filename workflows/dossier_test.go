package workflows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/plan"
)

// dossierRecorder stands in for the dossier activities.
type dossierRecorder struct {
	steps       []ProcessStep
	transitions []AdvanceDossierInput
	cycles      []int32
	closed      int
	// refuse makes the advance activity find these fields missing, as
	// when the content changed after the server read the checklist.
	refuse []string
}

func (r *dossierRecorder) RecordProcessStep(_ context.Context, in ProcessStep) error {
	r.steps = append(r.steps, in)
	return nil
}

func (r *dossierRecorder) AdvanceDossierPhase(_ context.Context, in AdvanceDossierInput) error {
	if len(r.refuse) > 0 {
		return temporal.NewNonRetryableApplicationError("dossier incomplete", fault.CodeDossierIncomplete, nil, r.refuse)
	}
	r.transitions = append(r.transitions, in)
	r.steps = append(r.steps, in.Step)
	return nil
}

func (r *dossierRecorder) StartDossierCycle(_ context.Context, in StartDossierCycleInput) error {
	r.cycles = append(r.cycles, in.ToCycle)
	return nil
}

func (r *dossierRecorder) CloseDossier(_ context.Context, _ CloseDossierInput) error {
	r.closed++
	return nil
}

// states lists the deadline states the projection went through, without
// repeats.
func (r *dossierRecorder) states() []string {
	var out []string
	for _, s := range r.steps {
		if len(out) == 0 || out[len(out)-1] != s.DeadlineState {
			out = append(out, s.DeadlineState)
		}
	}
	return out
}

func newDossierEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *dossierRecorder) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	rec := &dossierRecorder{}
	env.RegisterActivityWithOptions(rec.RecordProcessStep, activity.RegisterOptions{Name: "RecordProcessStep"})
	env.RegisterActivityWithOptions(rec.AdvanceDossierPhase, activity.RegisterOptions{Name: "AdvanceDossierPhase"})
	env.RegisterActivityWithOptions(rec.StartDossierCycle, activity.RegisterOptions{Name: "StartDossierCycle"})
	env.RegisterActivityWithOptions(rec.CloseDossier, activity.RegisterOptions{Name: "CloseDossier"})
	env.RegisterWorkflowWithOptions(DossierWorkflow, workflow.RegisterOptions{Name: "DossierWorkflow"})
	return env, rec
}

func dossierInput(env *testsuite.TestWorkflowEnvironment) DossierInput {
	return DossierInput{
		LicenceID: "8f8c3c1e-0000-4000-8000-000000000001", DossierID: "8f8c3c1e-0000-4000-8000-000000000003",
		PupilID: "8f8c3c1e-0000-4000-8000-000000000002", Cycle: 1, ExtraSupport: true,
		OpenedAt: env.Now(), Timers: DefaultDossierTimers(),
	}
}

// complete is a checklist with every phase filled in.
var complete = plan.Checklist{
	Cycle: 1, GrowthEntries: 2, Promoting: true, Hindering: true, EducationalNeeds: true, SupportNeeds: true,
	Destination: true, Rationale: true, Goals: 1, GoalsComplete: true, Support: true, ActionPartVersion: 1,
	Consent: plan.ConsentGiven, ResultsComplete: true, MeetingOn: true, Participants: true, Summary: true,
}

func dossierStatus(t *testing.T, env *testsuite.TestWorkflowEnvironment) DossierStatus {
	t.Helper()
	v, err := env.QueryWorkflow(QueryDossierStatus)
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	var st DossierStatus
	if err := v.Get(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// outcome is how one advance update ended.
type outcome struct {
	rejected, failed error
	done             bool
}

// updates sends advance updates from delayed callbacks and keeps how each
// ended; the test environment delivers them after the callback returns.
type updates struct {
	env *testsuite.TestWorkflowEnvironment
	got map[string]*outcome
}

func newUpdates(env *testsuite.TestWorkflowEnvironment) *updates {
	return &updates{env: env, got: map[string]*outcome{}}
}

// send schedules the update with request id id at virtual time at.
func (u *updates) send(at time.Duration, id string, req AdvanceDossier) {
	req.RequestID = id
	o := &outcome{}
	u.got[id] = o
	u.env.RegisterDelayedCallback(func() {
		u.env.UpdateWorkflow(UpdateAdvanceDossier, id, &testsuite.TestUpdateCallback{
			OnAccept:   func() {},
			OnReject:   func(err error) { o.rejected, o.done = err, true },
			OnComplete: func(_ any, err error) { o.failed, o.done = err, true },
		}, req)
	}, at)
}

func errType(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Type()
	}
	return ""
}

func week(n int) time.Duration { return time.Duration(n) * 7 * 24 * time.Hour }

func TestDossierOPPReminderThenOverdue(t *testing.T) {
	env, rec := newDossierEnv(t)
	var atThree, atFive, atSeven DossierStatus
	env.RegisterDelayedCallback(func() { atThree = dossierStatus(t, env) }, week(3))
	env.RegisterDelayedCallback(func() { atFive = dossierStatus(t, env) }, week(5))
	env.RegisterDelayedCallback(func() {
		atSeven = dossierStatus(t, env)
		env.CancelWorkflow()
	}, week(7))
	in := dossierInput(env)
	env.ExecuteWorkflow(DossierWorkflow, in)

	if atThree.Deadline == nil || atThree.Deadline.Kind != DeadlineOPP || atThree.Deadline.State != DeadlineStateNone {
		t.Errorf("week 3: deadline %+v, want opp without reminder", atThree.Deadline)
	}
	if atFive.Deadline == nil || atFive.Deadline.State != DeadlineStateReminder {
		t.Errorf("week 5: deadline %+v, want reminder", atFive.Deadline)
	}
	if atSeven.Deadline == nil || atSeven.Deadline.State != DeadlineStateOverdue || !atSeven.Deadline.DueAt.Equal(in.OpenedAt.Add(week(6))) {
		t.Errorf("week 7: deadline %+v, want overdue, due %v", atSeven.Deadline, in.OpenedAt.Add(week(6)))
	}
	if got, want := rec.states(), []string{"", DeadlineStateReminder, DeadlineStateOverdue}; !slices.Equal(got, want) {
		t.Errorf("projection states %q, want %q", got, want)
	}
	if last := rec.steps[len(rec.steps)-1]; last.Step != string(plan.PhaseObserve) || last.DueAt == nil {
		t.Errorf("projection %+v, want observe with a due date", last)
	}
}

func TestDossierLightSupportHasNoOPPDeadline(t *testing.T) {
	env, rec := newDossierEnv(t)
	var st DossierStatus
	env.RegisterDelayedCallback(func() {
		st = dossierStatus(t, env)
		env.CancelWorkflow()
	}, week(10))
	in := dossierInput(env)
	in.ExtraSupport = false
	env.ExecuteWorkflow(DossierWorkflow, in)
	if st.Deadline != nil {
		t.Errorf("deadline %+v, want none for lichte ondersteuning", st.Deadline)
	}
	if len(rec.steps) != 1 {
		t.Errorf("%d projection writes, want 1", len(rec.steps))
	}
}

// TestDossierSupportRaised: a dossier for lichte ondersteuning has no OPP
// term until the school raises the level; then the six weeks run from the
// new start.
func TestDossierSupportRaised(t *testing.T) {
	env, rec := newDossierEnv(t)
	in := dossierInput(env)
	in.ExtraSupport = false
	var before, after DossierStatus
	env.RegisterDelayedCallback(func() {
		before = dossierStatus(t, env)
		env.SignalWorkflow(SignalDossierSupportChanged, SupportChanged{RequestID: "s1", ExtraSupport: true, OpenedAt: env.Now()})
	}, week(1))
	env.RegisterDelayedCallback(func() {
		after = dossierStatus(t, env)
		env.CancelWorkflow()
	}, week(8))
	env.ExecuteWorkflow(DossierWorkflow, in)
	if before.Deadline != nil {
		t.Errorf("light support: deadline %+v, want none", before.Deadline)
	}
	if after.Deadline == nil || after.Deadline.State != DeadlineStateOverdue || !after.Deadline.DueAt.Equal(in.OpenedAt.Add(week(7))) {
		t.Errorf("after raising: deadline %+v, want overdue, due six weeks after week 1", after.Deadline)
	}
	if got, want := rec.states(), []string{"", DeadlineStateReminder, DeadlineStateOverdue}; !slices.Equal(got, want) {
		t.Errorf("projection states %q, want %q", got, want)
	}
}

// TestDossierWaitsForGuardians: while an offered handelingsdeel awaits the
// parents, the dossier waits for them; their answer hands it back.
func TestDossierWaitsForGuardians(t *testing.T) {
	env, rec := newDossierEnv(t)
	in := dossierInput(env)
	in.Phase = plan.PhasePlan
	var offered, answered DossierStatus
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalDossierConsent, ConsentChanged{RequestID: "c1", Version: 1, Status: plan.ConsentPending})
	}, time.Hour)
	env.RegisterDelayedCallback(func() {
		offered = dossierStatus(t, env)
		env.SignalWorkflow(SignalDossierConsent, ConsentChanged{RequestID: "c2", Version: 1, Status: plan.ConsentGiven})
	}, 2*time.Hour)
	env.RegisterDelayedCallback(func() {
		answered = dossierStatus(t, env)
		env.CancelWorkflow()
	}, 3*time.Hour)
	env.ExecuteWorkflow(DossierWorkflow, in)
	if offered.WaitingFor != WaitingForGuardians || answered.WaitingFor != WaitingForSchool {
		t.Errorf("waiting for %q after the offer and %q after the answer; want guardians, then school", offered.WaitingFor, answered.WaitingFor)
	}
	var waits []string
	for _, s := range rec.steps {
		waits = append(waits, s.WaitingFor)
	}
	if want := []string{WaitingForSchool, WaitingForGuardians, WaitingForSchool}; !slices.Equal(waits, want) {
		t.Errorf("projection waited for %q, want %q", waits, want)
	}
}

func TestDossierRefusedAdvanceNamesMissingFields(t *testing.T) {
	env, rec := newDossierEnv(t)
	u := newUpdates(env)
	u.send(time.Hour, "r1", AdvanceDossier{From: plan.PhaseObserve, Checklist: plan.Checklist{Cycle: 1}})
	var st DossierStatus
	env.RegisterDelayedCallback(func() {
		st = dossierStatus(t, env)
		env.CancelWorkflow()
	}, 2*time.Hour)
	env.ExecuteWorkflow(DossierWorkflow, dossierInput(env))

	o := u.got["r1"]
	var appErr *temporal.ApplicationError
	if !errors.As(o.rejected, &appErr) || appErr.Type() != fault.CodeDossierIncomplete {
		t.Fatalf("rejected with %v (failed %v), want %s", o.rejected, o.failed, fault.CodeDossierIncomplete)
	}
	var missing []string
	if err := appErr.Details(&missing); err != nil || !slices.Equal(missing, []string{plan.MissingGrowthEntry}) {
		t.Errorf("missing %v (%v), want [%s]", missing, err, plan.MissingGrowthEntry)
	}
	if st.Phase != plan.PhaseObserve || len(rec.transitions) != 0 {
		t.Errorf("phase %s after %d transitions, want observe and none", st.Phase, len(rec.transitions))
	}
}

// TestDossierActivityRefusal: the checklist the server read said complete,
// but the content changed before the transaction; the update fails with the
// activity's codes and the phase stays.
func TestDossierActivityRefusal(t *testing.T) {
	env, rec := newDossierEnv(t)
	rec.refuse = []string{plan.MissingGrowthEntry}
	u := newUpdates(env)
	u.send(time.Hour, "r1", AdvanceDossier{From: plan.PhaseObserve, Checklist: complete})
	var st DossierStatus
	env.RegisterDelayedCallback(func() {
		st = dossierStatus(t, env)
		env.CancelWorkflow()
	}, 2*time.Hour)
	env.ExecuteWorkflow(DossierWorkflow, dossierInput(env))

	var appErr *temporal.ApplicationError
	o := u.got["r1"]
	if !errors.As(o.failed, &appErr) || appErr.Type() != fault.CodeDossierIncomplete {
		t.Fatalf("update ended %+v, want failed with %s", o, fault.CodeDossierIncomplete)
	}
	var missing []string
	if err := appErr.Details(&missing); err != nil || !slices.Equal(missing, rec.refuse) {
		t.Errorf("details %v (%v), want %v", missing, err, rec.refuse)
	}
	if st.Phase != plan.PhaseObserve || st.Transitions != 0 {
		t.Errorf("status %+v, want observe without transitions", st)
	}
}

func TestDossierDuplicateAdvanceHasOneTransition(t *testing.T) {
	env, rec := newDossierEnv(t)
	u := newUpdates(env)
	req := AdvanceDossier{From: plan.PhaseObserve, Checklist: complete}
	u.send(time.Hour, "same-request", req)
	u.send(time.Hour+time.Minute, "same-request", req)
	// A second person who saw the same phase is told it moved on.
	u.send(time.Hour+2*time.Minute, "other-request", req)
	var st DossierStatus
	env.RegisterDelayedCallback(func() {
		st = dossierStatus(t, env)
		env.CancelWorkflow()
	}, 2*time.Hour)
	env.ExecuteWorkflow(DossierWorkflow, dossierInput(env))

	if o := u.got["same-request"]; !o.done || o.rejected != nil || o.failed != nil {
		t.Errorf("repeated request: %+v, want accepted", o)
	}
	if o := u.got["other-request"]; errType(o.rejected) != fault.CodeDossierPhaseMoved {
		t.Errorf("second person: %+v, want %s", o, fault.CodeDossierPhaseMoved)
	}
	if len(rec.transitions) != 1 || st.Transitions != 1 || st.Phase != plan.PhaseUnderstand {
		t.Fatalf("%d transitions recorded, %d counted, phase %s; want 1, 1, understand", len(rec.transitions), st.Transitions, st.Phase)
	}
	if got := rec.transitions[0]; got.From != plan.PhaseObserve || got.To != plan.PhaseUnderstand || got.Step.Step != "understand" {
		t.Errorf("transition %+v, want observe → understand", got)
	}
}

// TestDossierYearlyEvaluationThenNextCycle walks a whole cycle: the OPP is
// established on entering realisation, which stops the six-week deadline
// and starts the yearly evaluation; a year later it is overdue; after the
// evaluation the next cycle continues as new with the content links.
func TestDossierYearlyEvaluationThenNextCycle(t *testing.T) {
	env, rec := newDossierEnv(t)
	in := dossierInput(env)
	var inRealise, beforeReminder, reminded, overdue DossierStatus
	u := newUpdates(env)
	step := func(at time.Duration, id string, from, to plan.Phase) {
		u.send(at, id, AdvanceDossier{From: from, To: to, Checklist: complete, UserID: "u1"})
	}
	step(week(5), "a1", plan.PhaseObserve, "")
	step(week(5)+time.Minute, "a2", plan.PhaseUnderstand, "")
	step(week(5)+2*time.Minute, "a3", plan.PhasePlan, "")
	env.RegisterDelayedCallback(func() { inRealise = dossierStatus(t, env) }, week(5)+time.Hour)
	year := 365 * 24 * time.Hour
	env.RegisterDelayedCallback(func() { beforeReminder = dossierStatus(t, env) }, week(5)+year-week(5))
	env.RegisterDelayedCallback(func() { reminded = dossierStatus(t, env) }, week(5)+year-week(3))
	env.RegisterDelayedCallback(func() { overdue = dossierStatus(t, env) }, week(5)+year+week(1))
	step(week(5)+year+week(1)+time.Minute, "a4", plan.PhaseRealise, "")
	step(week(5)+year+week(1)+2*time.Minute, "a5", plan.PhaseEvaluate, plan.PhaseObserve)
	env.ExecuteWorkflow(DossierWorkflow, in)
	for id, o := range u.got {
		if !o.done || o.rejected != nil || o.failed != nil {
			t.Errorf("advance %s: %+v", id, o)
		}
	}

	if inRealise.Phase != plan.PhaseRealise || inRealise.OPPEstablishedAt == nil ||
		inRealise.Deadline == nil || inRealise.Deadline.Kind != DeadlineEvaluation {
		t.Fatalf("after plan: %+v, want realise with an established OPP and the evaluation deadline", inRealise)
	}
	if want := inRealise.OPPEstablishedAt.Add(year); !inRealise.Deadline.DueAt.Equal(want) {
		t.Errorf("evaluation due %v, want %v", inRealise.Deadline.DueAt, want)
	}
	if beforeReminder.Deadline.State != DeadlineStateNone || reminded.Deadline.State != DeadlineStateReminder ||
		overdue.Deadline.State != DeadlineStateOverdue {
		t.Errorf("evaluation states %q, %q, %q; want none, reminder, overdue",
			beforeReminder.Deadline.State, reminded.Deadline.State, overdue.Deadline.State)
	}
	if got, want := rec.states(), []string{"", DeadlineStateReminder, DeadlineStateNone, DeadlineStateReminder, DeadlineStateOverdue, DeadlineStateNone}; !slices.Equal(got, want) {
		t.Errorf("projection states %q, want %q", got, want)
	}

	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("workflow ended with %v, want continue-as-new", err)
	}
	var next DossierInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if next.DossierID != in.DossierID || next.LicenceID != in.LicenceID || next.PupilID != in.PupilID ||
		next.Cycle != 2 || next.Phase != plan.PhaseObserve || next.OPPEstablishedAt == nil {
		t.Errorf("next cycle input %+v, want the same dossier in cycle 2 from observe with its OPP date", next)
	}
	if next.EvaluationDueAt == nil || !next.EvaluationDueAt.After(*overdue.EvaluationDueAt) {
		t.Errorf("next evaluation %v, want a year after this evaluation (was %v)", next.EvaluationDueAt, overdue.EvaluationDueAt)
	}
	if next.Seq <= rec.steps[len(rec.steps)-1].Seq-1 || !slices.Contains(next.Seen, "a5") {
		t.Errorf("next input carries seq %d and seen %v; want the last seq and the request ids", next.Seq, next.Seen)
	}
	if !slices.Equal(rec.cycles, []int32{2}) {
		t.Errorf("cycle activity for %v, want [2]", rec.cycles)
	}
}

func TestDossierClose(t *testing.T) {
	env, rec := newDossierEnv(t)
	in := dossierInput(env)
	in.Phase = plan.PhaseEvaluate
	in.Cycle = 1
	u := newUpdates(env)
	u.send(time.Hour, "c0", AdvanceDossier{From: plan.PhaseEvaluate, Checklist: complete})
	u.send(2*time.Hour, "c1", AdvanceDossier{From: plan.PhaseEvaluate, To: plan.PhaseClosed, Checklist: complete})
	env.ExecuteWorkflow(DossierWorkflow, in)
	if o := u.got["c0"]; errType(o.rejected) != fault.CodeDossierInvalidStep {
		t.Errorf("evaluate without a choice: %+v, want %s", o, fault.CodeDossierInvalidStep)
	}
	if o := u.got["c1"]; !o.done || o.rejected != nil || o.failed != nil {
		t.Errorf("close: %+v", o)
	}
	var st DossierStatus
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if st.Phase != plan.PhaseClosed || rec.closed != 1 || st.Deadline != nil {
		t.Errorf("status %+v, close ran %d times; want closed once, no deadline", st, rec.closed)
	}
}

// TestDossierClosesWhenPupilLeaves: the pupil leaves while the dossier is
// in plannen with the OPP deadline running; the dossier closes from that
// phase at once (checklist not asked), the deadline goes from the
// projection, and a second signal changes nothing.
func TestDossierClosesWhenPupilLeaves(t *testing.T) {
	env, rec := newDossierEnv(t)
	in := dossierInput(env)
	in.Phase = plan.PhasePlan
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalDossierPupilLeft, PupilLeft{RequestID: "leave-1", UserID: "ib"})
		env.SignalWorkflow(SignalDossierPupilLeft, PupilLeft{RequestID: "leave-2", UserID: "ib"})
	}, week(2))
	env.ExecuteWorkflow(DossierWorkflow, in)
	var st DossierStatus
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if st.Phase != plan.PhaseClosed || st.Deadline != nil || st.Transitions != 1 {
		t.Fatalf("status %+v, want closed without a deadline after one transition", st)
	}
	if len(rec.transitions) != 1 {
		t.Fatalf("transitions %+v, want one", rec.transitions)
	}
	tr := rec.transitions[0]
	if tr.From != plan.PhasePlan || tr.To != plan.PhaseClosed || !tr.PupilLeft || tr.RequestID != "leave-1" || tr.UserID != "ib" {
		t.Errorf("transition %+v, want plan → closed because the pupil left, by ib", tr)
	}
	if last := rec.steps[len(rec.steps)-1]; last.Step != string(plan.PhaseClosed) || last.DueAt != nil || last.WaitingFor != "" {
		t.Errorf("last projection %+v, want closed, nobody waited for", last)
	}
	if rec.closed != 1 {
		t.Errorf("close ran %d times", rec.closed)
	}
}

// TestDossierNoConsentNoOPP: the OPP is vastgesteld only with consent on
// its handelingsdeel (WPO 40a lid 2, WEC 41a, WVO 17a). After geen
// instemming the plan goes into realisation (support continues) but no
// OPP date is set, the projection is not told to establish one, and the
// six-week term shows overdue with the reason. A later version the
// parents consent to establishes the OPP at that moment, and the yearly
// evaluation takes over.
func TestDossierNoConsentNoOPP(t *testing.T) {
	env, rec := newDossierEnv(t)
	in := dossierInput(env)
	refused := complete
	refused.Consent = plan.ConsentRefused
	var inRealise, afterTerm, afterConsent DossierStatus
	u := newUpdates(env)
	u.send(week(1), "a1", AdvanceDossier{From: plan.PhaseObserve, Checklist: refused, UserID: "u1"})
	u.send(week(1)+time.Minute, "a2", AdvanceDossier{From: plan.PhaseUnderstand, Checklist: refused, UserID: "u1"})
	u.send(week(1)+2*time.Minute, "a3", AdvanceDossier{From: plan.PhasePlan, Checklist: refused, UserID: "u1"})
	env.RegisterDelayedCallback(func() { inRealise = dossierStatus(t, env) }, week(1)+time.Hour)
	env.RegisterDelayedCallback(func() { afterTerm = dossierStatus(t, env) }, week(7))
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalDossierConsent, ConsentChanged{RequestID: "consent/2:given", Version: 2, Status: plan.ConsentGiven})
	}, week(8))
	env.RegisterDelayedCallback(func() { afterConsent = dossierStatus(t, env) }, week(8)+time.Hour)
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, week(9))
	env.ExecuteWorkflow(DossierWorkflow, in)
	for id, o := range u.got {
		if !o.done || o.rejected != nil || o.failed != nil {
			t.Errorf("advance %s: %+v", id, o)
		}
	}
	if inRealise.Phase != plan.PhaseRealise || inRealise.OPPEstablishedAt != nil {
		t.Errorf("after geen instemming: phase %s, OPP established %v; want realisation without an OPP", inRealise.Phase, inRealise.OPPEstablishedAt)
	}
	for _, tr := range rec.transitions {
		if tr.EstablishOPP {
			t.Errorf("transition %s → %s establishes the OPP without consent", tr.From, tr.To)
		}
	}
	if dl := afterTerm.Deadline; dl == nil || dl.Kind != DeadlineOPP || dl.State != DeadlineStateOverdue || dl.Reason != DeadlineNoConsent {
		t.Errorf("six weeks on: deadline %+v, want the OPP term overdue for geen instemming", dl)
	}
	if at := afterConsent.OPPEstablishedAt; at == nil || !at.Equal(in.OpenedAt.Add(week(8))) {
		t.Errorf("after the later consent: OPP established %v, want at the consent (week 8)", at)
	}
	if dl := afterConsent.Deadline; dl == nil || dl.Kind != DeadlineEvaluation {
		t.Errorf("after the later consent: deadline %+v, want the yearly evaluation", dl)
	}
}

// TestDossierConsentEstablishesOPP: with consent the move into
// realisation establishes the OPP and tells the projection so.
func TestDossierConsentEstablishesOPP(t *testing.T) {
	env, rec := newDossierEnv(t)
	u := newUpdates(env)
	for i, from := range []plan.Phase{plan.PhaseObserve, plan.PhaseUnderstand, plan.PhasePlan} {
		u.send(week(1)+time.Duration(i)*time.Minute, fmt.Sprintf("a%d", i), AdvanceDossier{From: from, Checklist: complete, UserID: "u1"})
	}
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, week(2))
	env.ExecuteWorkflow(DossierWorkflow, dossierInput(env))
	n := 0
	for _, tr := range rec.transitions {
		if tr.EstablishOPP {
			n++
			if tr.To != plan.PhaseRealise {
				t.Errorf("the OPP is established on the move to %s", tr.To)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d transitions establish the OPP, want the one into realisation", n)
	}
}

// TestDossierAdvanceWithTheStart: an advance that arrives with the start
// (in the first workflow task) waits for the start's projection, so the
// projection ends in the advanced phase with the highest seq. Before, the
// two ran side by side and the start's "observe" (seq 2) landed over the
// advance's "understand" (seq 1): found by make drill.
func TestDossierAdvanceWithTheStart(t *testing.T) {
	env, rec := newDossierEnv(t)
	u := newUpdates(env)
	u.send(0, "r1", AdvanceDossier{From: plan.PhaseObserve, Checklist: complete})
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, time.Hour)
	env.ExecuteWorkflow(DossierWorkflow, dossierInput(env))
	if o := u.got["r1"]; !o.done || o.rejected != nil || o.failed != nil {
		t.Fatalf("advance with the start: %+v", o)
	}
	var last ProcessStep
	for _, s := range rec.steps {
		if s.Seq > last.Seq {
			last = s
		}
	}
	if last.Step != string(plan.PhaseUnderstand) {
		t.Errorf("the projection with the highest seq is %q (seq %d), want understand; steps %+v", last.Step, last.Seq, rec.steps)
	}
}

// TestDossierConsentDuringAdvance: the parents' consent arrives while the
// IB'er's advance into realisation is under way (make drill found it: the
// consent round tells the dossier as the IB'er, who saw it consented,
// moves on). The projection the consent makes the loop write must not
// land over the advance's with the phase before it.
func TestDossierConsentDuringAdvance(t *testing.T) {
	env, rec := newDossierEnv(t)
	in := dossierInput(env)
	in.Phase, in.ConsentPending = plan.PhasePlan, true
	u := newUpdates(env)
	u.send(time.Minute, "r1", AdvanceDossier{From: plan.PhasePlan, Checklist: complete})
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalDossierConsent, ConsentChanged{RequestID: "c1", Status: plan.ConsentGiven})
	}, time.Minute)
	env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, time.Hour)
	env.ExecuteWorkflow(DossierWorkflow, in)
	if o := u.got["r1"]; !o.done || o.rejected != nil || o.failed != nil {
		t.Fatalf("advance: %+v", o)
	}
	var last ProcessStep
	for _, s := range rec.steps {
		if s.Seq > last.Seq {
			last = s
		}
	}
	if last.Step != string(plan.PhaseRealise) {
		t.Errorf("the projection with the highest seq is %q (seq %d), want realise; steps %+v", last.Step, last.Seq, rec.steps)
	}
}
