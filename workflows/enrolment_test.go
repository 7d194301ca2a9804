package workflows

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
)

// recorder stands in for the activities and remembers what they were asked.
type recorder struct {
	steps    []string
	confirms []string
}

func (r *recorder) RecordProcessStep(_ context.Context, in ProcessStep) error {
	r.steps = append(r.steps, in.Step)
	return nil
}

func (r *recorder) ConfirmEnrolment(_ context.Context, in ConfirmEnrolmentInput) error {
	r.confirms = append(r.confirms, in.RequestID)
	return nil
}

func newEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *recorder) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	rec := &recorder{}
	env.RegisterActivityWithOptions(rec.RecordProcessStep, activity.RegisterOptions{Name: "RecordProcessStep"})
	env.RegisterActivityWithOptions(rec.ConfirmEnrolment, activity.RegisterOptions{Name: "ConfirmEnrolment"})
	return env, rec
}

var input = EnrolmentInput{
	LicenceID:   "8f8c3c1e-0000-4000-8000-000000000001",
	PupilID:     "8f8c3c1e-0000-4000-8000-000000000002",
	CheckWithin: 14 * 24 * time.Hour,
}

func queryStatus(t *testing.T, env *testsuite.TestWorkflowEnvironment) EnrolmentStatus {
	t.Helper()
	v, err := env.QueryWorkflow(QueryEnrolmentStatus)
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	var st EnrolmentStatus
	if err := v.Get(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestEnrolmentDuplicateSignalHasOneEffect(t *testing.T) {
	env, rec := newEnv(t)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalConfirmEnrolment, ConfirmEnrolment{RequestID: "req-1"})
		env.SignalWorkflow(SignalConfirmEnrolment, ConfirmEnrolment{RequestID: "req-1"})
		env.SignalWorkflow(SignalConfirmEnrolment, ConfirmEnrolment{RequestID: "req-2"}) // already confirmed
	}, time.Hour)
	env.RegisterDelayedCallback(func() {
		st := queryStatus(t, env)
		if !st.Confirmed || st.Handled != 1 || st.Step != EnrolmentStepActive {
			t.Errorf("status %+v, want confirmed once and step %s", st, EnrolmentStepActive)
		}
		env.SignalWorkflow(SignalPupilLeft, PupilLeft{RequestID: "leave-1"})
	}, 2*time.Hour)
	env.ExecuteWorkflow(EnrolmentWorkflow, input)

	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("completed %v, err %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	if len(rec.confirms) != 1 || rec.confirms[0] != "req-1" {
		t.Errorf("confirm activity ran for %v, want once for req-1", rec.confirms)
	}
	want := []string{EnrolmentStepCheck, EnrolmentStepActive, EnrolmentStepLeft}
	if len(rec.steps) != len(want) {
		t.Fatalf("steps %v, want %v", rec.steps, want)
	}
	for i := range want {
		if rec.steps[i] != want[i] {
			t.Errorf("step %d: got %s, want %s", i, rec.steps[i], want[i])
		}
	}
}

func TestEnrolmentDeadlineMarksOverdue(t *testing.T) {
	env, rec := newEnv(t)
	env.RegisterDelayedCallback(func() {
		st := queryStatus(t, env)
		if st.Step != EnrolmentStepOverdue {
			t.Errorf("after 15 days step %s, want %s", st.Step, EnrolmentStepOverdue)
		}
		env.SignalWorkflow(SignalConfirmEnrolment, ConfirmEnrolment{RequestID: "late"})
	}, 15*24*time.Hour)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalPupilLeft, PupilLeft{RequestID: "leave"})
	}, 16*24*time.Hour)
	env.ExecuteWorkflow(EnrolmentWorkflow, input)

	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	want := []string{EnrolmentStepCheck, EnrolmentStepOverdue, EnrolmentStepActive, EnrolmentStepLeft}
	if len(rec.steps) != len(want) {
		t.Fatalf("steps %v, want %v", rec.steps, want)
	}
	for i := range want {
		if rec.steps[i] != want[i] {
			t.Errorf("step %d: got %s, want %s", i, rec.steps[i], want[i])
		}
	}
}

func TestEnrolmentConfirmBeforeDeadlineCancelsTimer(t *testing.T) {
	env, rec := newEnv(t)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalConfirmEnrolment, ConfirmEnrolment{RequestID: "vroeg"})
	}, 24*time.Hour)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalPupilLeft, PupilLeft{RequestID: "weg"})
	}, 30*24*time.Hour) // past the deadline: no overdue step may appear
	env.ExecuteWorkflow(EnrolmentWorkflow, input)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	for _, s := range rec.steps {
		if s == EnrolmentStepOverdue {
			t.Errorf("steps %v contain overdue after a confirmation in time", rec.steps)
		}
	}
}

func TestEnrolmentRejectsIncompleteInput(t *testing.T) {
	env, _ := newEnv(t)
	env.ExecuteWorkflow(EnrolmentWorkflow, EnrolmentInput{LicenceID: input.LicenceID})
	if env.GetWorkflowError() == nil {
		t.Fatal("got no error for input without pupil, want one")
	}
}

func TestRequestLogForgetsOldest(t *testing.T) {
	var r requestLog
	for i := range maxRequestIDs + 10 {
		if r.seen(string(rune('a'+i%26)) + string(rune(i))) {
			t.Fatalf("fresh id %d reported as seen", i)
		}
	}
	if len(r.IDs) != maxRequestIDs {
		t.Errorf("kept %d ids, want %d", len(r.IDs), maxRequestIDs)
	}
	if !r.seen(r.IDs[len(r.IDs)-1]) {
		t.Error("latest id not reported as seen")
	}
}

// portalRecorder stands in for the pupil-portal activities.
type portalRecorder struct {
	shareAt time.Time
	adultAt time.Time // zero: the pupil left before (no timer)
	opened  []time.Time
	ofAge   []time.Time
	sends   int
	now     func() time.Time
}

func (r *portalRecorder) PupilShareAt(_ context.Context, in PupilShareAgeInput) (*time.Time, error) {
	switch {
	case in.ShareAge == 16:
		return &r.shareAt, nil
	case in.ShareAge == 18 && r.adultAt.IsZero():
		return nil, nil
	case in.ShareAge == 18:
		return &r.adultAt, nil
	}
	return nil, fmt.Errorf("share age %d, want 16 or 18", in.ShareAge)
}

func (r *portalRecorder) PupilOfAge(_ context.Context, _ PupilOfAgeInput) (bool, error) {
	r.ofAge = append(r.ofAge, r.now())
	return true, nil
}

func (r *portalRecorder) register(env *testsuite.TestWorkflowEnvironment) {
	env.RegisterActivityWithOptions(r.PupilShareAt, activity.RegisterOptions{Name: "PupilShareAt"})
	env.RegisterActivityWithOptions(r.OpenPupilPortal, activity.RegisterOptions{Name: "OpenPupilPortal"})
	env.RegisterActivityWithOptions(r.SendOutbox, activity.RegisterOptions{Name: "SendOutbox"})
	env.RegisterActivityWithOptions(r.PupilOfAge, activity.RegisterOptions{Name: "PupilOfAge"})
}

func (r *portalRecorder) OpenPupilPortal(_ context.Context, _ OpenPupilPortalInput) (bool, error) {
	r.opened = append(r.opened, r.now())
	return true, nil
}

func (r *portalRecorder) SendOutbox(_ context.Context, _ SendOutboxInput) (int, error) {
	r.sends++
	return 1, nil
}

// TestEnrolmentOpensPupilPortalOnBirthday: on the 16th birthday the
// workflow gives the pupil their own portal, once, with no staff action;
// a run without a share age (started before) has no such timer.
func TestEnrolmentOpensPupilPortalOnBirthday(t *testing.T) {
	env, _ := newEnv(t)
	start := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	env.SetStartTime(start)
	pr := &portalRecorder{shareAt: time.Date(2027, 3, 14, 0, 0, 0, 0, time.UTC), now: env.Now}
	pr.register(env)
	env.RegisterDelayedCallback(func() {
		if st := queryStatus(t, env); st.PortalOpened || len(pr.opened) != 0 {
			t.Errorf("portal opened before the birthday: %+v", st)
		}
	}, pr.shareAt.Sub(start)-time.Hour)
	env.RegisterDelayedCallback(func() {
		if st := queryStatus(t, env); !st.PortalOpened {
			t.Errorf("portal not opened on the birthday: %+v", st)
		}
		env.SignalWorkflow(SignalPupilLeft, PupilLeft{RequestID: "leave-1"})
	}, pr.shareAt.Sub(start)+time.Hour)
	in := input
	in.ShareAge = 16
	env.ExecuteWorkflow(EnrolmentWorkflow, in)

	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("completed %v, err %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	if len(pr.opened) != 1 || !pr.opened[0].Equal(pr.shareAt) {
		t.Errorf("portal opened at %v, want once at %v", pr.opened, pr.shareAt)
	}
	if pr.sends != 1 {
		t.Errorf("outbox sent %d times, want once after the invitation", pr.sends)
	}
}

// TestEnrolmentOlderPupilGetsPortalAtOnce: a pupil who enrols past 16
// gets the portal right away.
func TestEnrolmentOlderPupilGetsPortalAtOnce(t *testing.T) {
	env, _ := newEnv(t)
	start := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	env.SetStartTime(start)
	pr := &portalRecorder{shareAt: time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC), now: env.Now}
	pr.register(env)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalPupilLeft, PupilLeft{RequestID: "leave-1"})
	}, time.Hour)
	in := input
	in.ShareAge = 16
	env.ExecuteWorkflow(EnrolmentWorkflow, in)
	if env.GetWorkflowError() != nil {
		t.Fatal(env.GetWorkflowError())
	}
	if len(pr.opened) != 1 || !pr.opened[0].Equal(start) {
		t.Errorf("portal opened at %v, want once at the start %v", pr.opened, start)
	}
}

// TestEnrolmentPupilComesOfAge: on the 18th birthday the workflow tells
// the pupil (who decides now) and the guardians (whose access ends unless
// the pupil lets them read on), once, with no staff action, also when no
// consent round is open; the mails go out.
func TestEnrolmentPupilComesOfAge(t *testing.T) {
	env, _ := newEnv(t)
	start := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	env.SetStartTime(start)
	pr := &portalRecorder{shareAt: time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC), adultAt: time.Date(2027, 3, 14, 0, 0, 0, 0, time.UTC), now: env.Now}
	pr.register(env)
	env.RegisterDelayedCallback(func() {
		if st := queryStatus(t, env); st.OfAge || len(pr.ofAge) != 0 {
			t.Errorf("of age before the birthday: %+v", st)
		}
	}, pr.adultAt.Sub(start)-time.Hour)
	env.RegisterDelayedCallback(func() {
		if st := queryStatus(t, env); !st.OfAge {
			t.Errorf("not of age on the 18th birthday: %+v", st)
		}
		env.SignalWorkflow(SignalPupilLeft, PupilLeft{RequestID: "leave-1"})
	}, pr.adultAt.Sub(start)+time.Hour)
	in := input
	in.ShareAge = 16
	env.ExecuteWorkflow(EnrolmentWorkflow, in)
	if env.GetWorkflowError() != nil {
		t.Fatal(env.GetWorkflowError())
	}
	if len(pr.ofAge) != 1 || !pr.ofAge[0].Equal(pr.adultAt) {
		t.Errorf("told of age at %v, want once on %v", pr.ofAge, pr.adultAt)
	}
	if pr.sends != 2 {
		t.Errorf("outbox sent %d times, want after the portal invitation and after the 18th birthday", pr.sends)
	}
}

// TestEnrolmentBirthDateChangedMovesBirthdays: the LAS corrects the birth
// date before the 16th birthday; the portal opens on the new birthday,
// not the old, once; the same signal twice counts once.
func TestEnrolmentBirthDateChangedMovesBirthdays(t *testing.T) {
	env, _ := newEnv(t)
	start := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	env.SetStartTime(start)
	old := time.Date(2027, 3, 14, 0, 0, 0, 0, time.UTC)
	corrected := time.Date(2027, 5, 2, 0, 0, 0, 0, time.UTC)
	pr := &portalRecorder{shareAt: old, now: env.Now}
	pr.register(env)
	env.RegisterDelayedCallback(func() {
		pr.shareAt = corrected // what the activity reads from now on
		env.SignalWorkflow(SignalBirthDateChanged, BirthDateChanged{RequestID: "las:1"})
		env.SignalWorkflow(SignalBirthDateChanged, BirthDateChanged{RequestID: "las:1"})
	}, 24*time.Hour)
	env.RegisterDelayedCallback(func() {
		if len(pr.opened) != 0 {
			t.Errorf("portal opened on the old birthday: %v", pr.opened)
		}
	}, old.Sub(start)+time.Hour)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalPupilLeft, PupilLeft{RequestID: "leave-1"})
	}, corrected.Sub(start)+time.Hour)
	in := input
	in.ShareAge = 16
	env.ExecuteWorkflow(EnrolmentWorkflow, in)
	if env.GetWorkflowError() != nil {
		t.Fatal(env.GetWorkflowError())
	}
	if len(pr.opened) != 1 || !pr.opened[0].Equal(corrected) {
		t.Errorf("portal opened at %v, want once at %v", pr.opened, corrected)
	}
}
