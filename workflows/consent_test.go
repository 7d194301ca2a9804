package workflows

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"

	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/plan"
)

// consentFake stands in for the consent activities: a pupil born on
// birth with the guardians given, and what the workflow asked.
type consentFake struct {
	birth     time.Time
	guardians []plan.Guardian
	ages      law.ConsentAges
	invites   []string // kind:key
	answers   []string // request ids stored
	outcome   string
	escalated []int
	steps     []ProcessStep
	rerouted  int
	sends     int
}

func (f *consentFake) SendOutbox(context.Context, SendOutboxInput) (int, error) {
	f.sends++
	return 0, nil
}

func (f *consentFake) OpenConsentRound(_ context.Context, in OpenConsentRoundInput) (ConsentRoundInfo, error) {
	info := ConsentRoundInfo{RoundID: uuid.NewString(), Parties: plan.ConsentPartiesAt(f.birth, in.At, f.guardians, in.Ages)}
	if t := f.birth.AddDate(in.Ages.Share, 0, 0); t.After(in.At) {
		info.SharesAt = &t
	}
	if t := f.birth.AddDate(in.Ages.Decide, 0, 0); t.After(in.At) {
		info.DecidesAt = &t
	}
	return info, nil
}

func (f *consentFake) RerouteConsentRound(_ context.Context, in RerouteConsentInput) (ConsentReroute, error) {
	f.rerouted++
	parties := plan.ConsentPartiesAt(f.birth, in.At, f.guardians, in.Ages)
	r := ConsentReroute{Parties: parties}
	for _, p := range parties {
		if p.Kind == "pupil" {
			r.Invite = append(r.Invite, p.Key)
		}
	}
	return r, nil
}

func (f *consentFake) InviteConsentParties(_ context.Context, in InviteConsentInput) (int, error) {
	for _, k := range in.Keys {
		f.invites = append(f.invites, in.Kind+":"+k)
	}
	return len(in.Keys), nil
}

func (f *consentFake) RecordConsentAnswer(_ context.Context, in RecordConsentAnswerInput) error {
	f.answers = append(f.answers, in.Answer.RequestID)
	return nil
}

func (f *consentFake) CloseConsentRound(_ context.Context, in CloseConsentRoundInput) error {
	f.outcome = in.Outcome
	return nil
}

func (f *consentFake) EscalateConsentRound(_ context.Context, in EscalateConsentInput) error {
	f.escalated = append(f.escalated, in.Week)
	return nil
}

func (f *consentFake) RecordProcessStep(_ context.Context, in ProcessStep) error {
	f.steps = append(f.steps, in)
	return nil
}

var (
	motherID = uuid.MustParse("8f8c3c1e-0000-4000-8000-0000000000a1")
	fatherID = uuid.MustParse("8f8c3c1e-0000-4000-8000-0000000000a2")
	mother   = plan.GuardianPartyKey(motherID)
	father   = plan.GuardianPartyKey(fatherID)
)

// newConsentEnv runs a round for a pupil who is age years and ahead days
// short of a birthday, with two guardians with authority.
func newConsentEnv(t *testing.T, age, ahead int) (*testsuite.TestWorkflowEnvironment, *consentFake, ConsentInput) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	f := &consentFake{ages: law.Ages(), guardians: []plan.Guardian{
		{ID: motherID, ParentalAuthority: true}, {ID: fatherID, ParentalAuthority: true},
		{ID: uuid.New(), ParentalAuthority: false},
	}}
	f.birth = env.Now().AddDate(-age, 0, ahead)
	for name, fn := range map[string]any{
		"OpenConsentRound": f.OpenConsentRound, "RerouteConsentRound": f.RerouteConsentRound,
		"InviteConsentParties": f.InviteConsentParties, "RecordConsentAnswer": f.RecordConsentAnswer,
		"CloseConsentRound": f.CloseConsentRound, "EscalateConsentRound": f.EscalateConsentRound,
		"RecordProcessStep": f.RecordProcessStep, "SendOutbox": f.SendOutbox,
	} {
		env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name})
	}
	env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, mock.Anything, mock.Anything, mock.Anything).Return(nil)
	in := ConsentInput{LicenceID: "8f8c3c1e-0000-4000-8000-000000000001", DossierID: "8f8c3c1e-0000-4000-8000-000000000003",
		PupilID: "8f8c3c1e-0000-4000-8000-000000000002", Version: 1, Timers: DefaultConsentTimers(),
		Ages: law.Ages(), Policy: PolicyAny}
	return env, f, in
}

// answers sends respond updates from delayed callbacks.
type answers struct {
	env *testsuite.TestWorkflowEnvironment
	got map[string]*outcome
}

func (a *answers) send(at time.Duration, id, party, answer, remark string) {
	a.sendVia(at, id, party, answer, remark, "portal")
}

// sendAs records an answer through channel (school: given on paper).
func (a *answers) sendAs(at time.Duration, id, party, answer, channel string) {
	a.sendVia(at, id, party, answer, "", channel)
}

func (a *answers) sendVia(at time.Duration, id, party, answer, remark, channel string) {
	o := &outcome{}
	a.got[id] = o
	a.env.RegisterDelayedCallback(func() {
		a.env.UpdateWorkflow(UpdateConsentRespond, id, &testsuite.TestUpdateCallback{
			OnAccept:   func() {},
			OnReject:   func(err error) { o.rejected, o.done = err, true },
			OnComplete: func(_ any, err error) { o.failed, o.done = err, true },
		}, plan.ConsentAnswer{RequestID: id, PartyKey: party, Answer: answer, Remark: remark, Channel: channel})
	}, at)
}

func day(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

func consentResult(t *testing.T, env *testsuite.TestWorkflowEnvironment) ConsentStatus {
	t.Helper()
	if !env.IsWorkflowCompleted() {
		t.Fatal("round did not end")
	}
	var st ConsentStatus
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestConsentReminderDeadlineEscalation: nobody answers; a reminder on day
// 7, the school's list on day 14, weekly reminders to the school after
// that; an answer on day 23 still decides.
func TestConsentReminderDeadlineEscalation(t *testing.T) {
	env, f, in := newConsentEnv(t, 10, 100)
	a := &answers{env: env, got: map[string]*outcome{}}
	a.send(day(22), "portal-late", mother, plan.AnswerAgree, "")
	a.sendAs(day(23), "late", mother, plan.AnswerAgree, "school")
	env.ExecuteWorkflow(ConsentWorkflow, in)
	st := consentResult(t, env)
	if errType(a.got["portal-late"].rejected) != fault.CodeConsentLate {
		t.Errorf("portal answer after the deadline: %+v, want %s", a.got["portal-late"], fault.CodeConsentLate)
	}

	if want := []string{"invitation:" + mother, "invitation:" + father, "reminder:" + mother, "reminder:" + father}; !slices.Equal(f.invites, want) {
		t.Errorf("mails %q, want %q", f.invites, want)
	}
	if f.sends != 2 {
		t.Errorf("outbox sent %d times, want after the invitations and after the reminders", f.sends)
	}
	if !slices.Equal(f.escalated, []int{0, 1}) || !st.Escalated {
		t.Errorf("escalations %v (status %v), want at day 14 and day 21", f.escalated, st.Escalated)
	}
	overdue := false
	for _, s := range f.steps {
		overdue = overdue || (s.Step == "instemming_te_laat" && s.DeadlineState == DeadlineStateOverdue && s.WaitingFor == "school")
	}
	if !overdue {
		t.Errorf("projection never showed the round overdue at the school: %+v", f.steps)
	}
	// One agreement after the deadline decides (the other guardian did not object).
	if st.Outcome != plan.RoundConsented || f.outcome != plan.RoundConsented {
		t.Errorf("outcome %q (stored %q), want consented", st.Outcome, f.outcome)
	}
}

// TestConsentOneRefusesWhileAnotherConsents: one guardian agrees, the
// other refuses before the deadline: geen instemming.
func TestConsentOneRefusesWhileAnotherConsents(t *testing.T) {
	env, f, in := newConsentEnv(t, 10, 100)
	a := &answers{env: env, got: map[string]*outcome{}}
	a.send(day(1), "m1", mother, plan.AnswerAgree, "")
	a.send(day(2), "f0", father, plan.AnswerDisagree, "") // no remark: refused
	a.send(day(3), "f1", father, plan.AnswerDisagree, "We willen eerst praten over de verlengde instructie.")
	env.ExecuteWorkflow(ConsentWorkflow, in)
	st := consentResult(t, env)
	if errType(a.got["f0"].rejected) != fault.CodeConsentNoRemark {
		t.Errorf("niet akkoord without remark: %+v, want %s", a.got["f0"], fault.CodeConsentNoRemark)
	}
	if st.Outcome != plan.RoundRefused || f.outcome != plan.RoundRefused {
		t.Errorf("outcome %q, want refused", st.Outcome)
	}
	if !slices.Equal(f.answers, []string{"m1", "f1"}) {
		t.Errorf("answers stored %v, want m1 and f1", f.answers)
	}
	for _, ans := range st.Answers {
		if ans.Remark != "" {
			t.Errorf("status carries a remark: %+v", ans)
		}
	}
}

// TestConsentBothAgreeDecidesAtOnce, and a double click records once.
func TestConsentBothAgreeDecidesAtOnce(t *testing.T) {
	env, f, in := newConsentEnv(t, 10, 100)
	a := &answers{env: env, got: map[string]*outcome{}}
	a.send(day(1), "m1", mother, plan.AnswerAgree, "")
	a.send(day(1)+time.Minute, "m1", mother, plan.AnswerAgree, "")
	a.send(day(2), "q", father, plan.AnswerQuestion, "Hoe vaak is de instructietafel?")
	a.send(day(3), "f1", father, plan.AnswerAgree, "")
	a.send(day(4), "late", father, plan.AnswerDisagree, "Toch niet")
	a.send(day(1)+2*time.Minute, "stranger", "guardian:"+uuid.NewString(), plan.AnswerAgree, "")
	env.ExecuteWorkflow(ConsentWorkflow, in)
	st := consentResult(t, env)
	if st.Outcome != plan.RoundConsented || st.Reminders != 0 {
		t.Errorf("status %+v, want consented on day 3 without reminders", st)
	}
	if !slices.Equal(f.answers, []string{"m1", "q", "f1"}) {
		t.Errorf("answers stored %v, want m1 once, the question and f1", f.answers)
	}
	if errType(a.got["stranger"].rejected) != fault.CodeConsentNoParty {
		t.Errorf("a stranger's answer: %+v, want %s", a.got["stranger"], fault.CodeConsentNoParty)
	}
	if got := a.got["late"]; got.done && got.rejected == nil && got.failed == nil {
		t.Errorf("an answer after the outcome was accepted")
	}
}

// TestConsentPupilTurns16: during an open round the pupil joins for
// sharing; the guardians still decide.
func TestConsentPupilTurns16(t *testing.T) {
	env, f, in := newConsentEnv(t, 16, 3) // 16 in three days
	a := &answers{env: env, got: map[string]*outcome{}}
	a.send(day(5), "m1", mother, plan.AnswerAgree, "")
	a.send(day(5)+time.Hour, "f1", father, plan.AnswerAgree, "")
	env.ExecuteWorkflow(ConsentWorkflow, in)
	st := consentResult(t, env)
	if f.rerouted != 1 || !slices.Contains(f.invites, "invitation:"+plan.PupilPartyKey) {
		t.Errorf("rerouted %d times, mails %q; want the pupil invited on the 16th birthday", f.rerouted, f.invites)
	}
	pupil, ok := partyOf(st.Parties, plan.PupilPartyKey)
	if !ok || pupil.Decides || !pupil.Shares {
		t.Errorf("pupil party %+v, want sharing only", pupil)
	}
	if st.Outcome != plan.RoundConsented {
		t.Errorf("outcome %q, want the guardians' consent", st.Outcome)
	}
}

// TestConsentPupilTurns18: the pupil replaces the guardians; a guardian's
// earlier agreement no longer counts and a later one is refused.
func TestConsentPupilTurns18(t *testing.T) {
	env, f, in := newConsentEnv(t, 18, 3) // 18 in three days
	a := &answers{env: env, got: map[string]*outcome{}}
	a.send(day(1), "m1", mother, plan.AnswerAgree, "")
	a.send(day(4), "f1", father, plan.AnswerAgree, "")
	a.send(day(5), "p1", plan.PupilPartyKey, plan.AnswerAgree, "")
	env.ExecuteWorkflow(ConsentWorkflow, in)
	st := consentResult(t, env)
	if errType(a.got["f1"].rejected) != fault.CodeConsentNoParty {
		t.Errorf("guardian after the 18th birthday: %+v, want %s", a.got["f1"], fault.CodeConsentNoParty)
	}
	if len(st.Parties) != 1 || st.Parties[0].Key != plan.PupilPartyKey || !st.Parties[0].Decides {
		t.Errorf("parties %+v, want the pupil alone, deciding", st.Parties)
	}
	if st.Outcome != plan.RoundConsented || len(st.Answers) != 1 {
		t.Errorf("status %+v, want consented by the pupil alone", st)
	}
	if f.rerouted != 1 {
		t.Errorf("rerouted %d times, want once", f.rerouted)
	}
}

// TestConsentSuperseded: a newer version ends the open round without an
// outcome on the version.
func TestConsentSuperseded(t *testing.T) {
	env, f, in := newConsentEnv(t, 10, 100)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalConsentSupersede, int32(1)) }, day(1)) // not newer
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalConsentSupersede, int32(2)) }, day(2))
	env.ExecuteWorkflow(ConsentWorkflow, in)
	st := consentResult(t, env)
	if st.Outcome != plan.RoundSuperseded || f.outcome != plan.RoundSuperseded {
		t.Errorf("outcome %q (stored %q), want superseded", st.Outcome, f.outcome)
	}
}

func partyOf(parties []plan.ConsentParty, key string) (plan.ConsentParty, bool) {
	for _, p := range parties {
		if p.Key == key {
			return p, true
		}
	}
	return plan.ConsentParty{}, false
}

func TestSendOutboxWorkflow(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	calls := 0
	env.RegisterActivityWithOptions(func(_ context.Context, in SendOutboxInput) (int, error) {
		calls++
		if in.LicenceID != "lic-1" {
			t.Errorf("licence %q", in.LicenceID)
		}
		return 3, nil
	}, activity.RegisterOptions{Name: "SendOutbox"})
	env.ExecuteWorkflow(SendOutboxWorkflow, "lic-1")
	var sent int
	if err := env.GetWorkflowResult(&sent); err != nil || sent != 3 || calls != 1 {
		t.Errorf("sent %d in %d calls (err %v), want 3 in one", sent, calls, err)
	}
}

// TestConsentWithdrawnWhenPupilLeaves: the pupil leaves while the round is
// open; it stops at once with outcome withdrawn: no reminder on day 7, no
// escalation on day 14, the dossier is not told of an outcome.
func TestConsentWithdrawnWhenPupilLeaves(t *testing.T) {
	env, f, in := newConsentEnv(t, 10, 100)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalConsentWithdraw, PupilLeft{RequestID: "leave"}) }, day(3))
	start := env.Now()
	env.ExecuteWorkflow(ConsentWorkflow, in)
	st := consentResult(t, env)
	if st.Outcome != plan.RoundWithdrawn || f.outcome != plan.RoundWithdrawn {
		t.Errorf("outcome %q (stored %q), want withdrawn", st.Outcome, f.outcome)
	}
	if st.Reminders != 0 || st.Escalated || len(f.escalated) != 0 {
		t.Errorf("reminders %d, escalated %v %v; want none after the pupil left", st.Reminders, st.Escalated, f.escalated)
	}
	if took := env.Now().Sub(start); took > day(3)+time.Hour {
		t.Errorf("the round ran %s, want it to end on day 3", took)
	}
}

// TestConsentBirthDateChanged: the LAS corrects the birth date during a
// round: the pupil, 16 by the new date, is asked at once (not on the old
// birthday), once for the same signal sent twice.
func TestConsentBirthDateChanged(t *testing.T) {
	env, f, in := newConsentEnv(t, 15, 100)
	env.RegisterDelayedCallback(func() {
		f.birth = env.Now().AddDate(-16, 0, -10)
		env.SignalWorkflow(SignalBirthDateChanged, BirthDateChanged{RequestID: "las:1:p"})
		env.SignalWorkflow(SignalBirthDateChanged, BirthDateChanged{RequestID: "las:1:p"})
	}, time.Hour)
	env.RegisterDelayedCallback(func() {
		if f.rerouted != 1 || !slices.Contains(f.invites, "invitation:"+plan.PupilPartyKey) {
			t.Errorf("after the new birth date: rerouted %d, invites %v", f.rerouted, f.invites)
		}
		env.SignalWorkflow(SignalConsentWithdraw, nil)
	}, 2*time.Hour)
	env.ExecuteWorkflow(ConsentWorkflow, in)
	if env.GetWorkflowError() != nil {
		t.Fatal(env.GetWorkflowError())
	}
	if f.rerouted != 1 {
		t.Errorf("rerouted %d times, want once", f.rerouted)
	}
}
