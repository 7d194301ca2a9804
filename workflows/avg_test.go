package workflows

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
)

func TestAVGRequestTerm(t *testing.T) {
	day := 24 * time.Hour
	for _, tc := range []struct {
		name      string
		answerAt  time.Duration
		want      string
		wantSteps []string
	}{
		{"in time", 5 * day, "answered", []string{AVGStepOpen, AVGStepDone}},
		{"late", 40 * day, "answered-late", []string{AVGStepOpen, AVGStepOverdue, AVGStepDone}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, rec := newEnv(t)
			env.SetStartTime(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
			overdue := func() bool {
				for _, s := range rec.steps {
					if s == AVGStepOverdue {
						return true
					}
				}
				return false
			}
			env.RegisterDelayedCallback(func() {
				if overdue() {
					t.Error("overdue before the month passed")
				}
			}, 29*day)
			if tc.answerAt > 31*day {
				env.RegisterDelayedCallback(func() {
					if !overdue() {
						t.Error("not overdue after the month")
					}
				}, 31*day)
			}
			env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalAVGDecided, nil) }, tc.answerAt)
			env.ExecuteWorkflow(AVGRequestWorkflow, AVGRequestInput{LicenceID: "l", PupilID: "p", RequestID: "r", RespondWithin: 30 * day})
			var got string
			if err := env.GetWorkflowResult(&got); err != nil || got != tc.want {
				t.Fatalf("result %q (err %v), want %q", got, err, tc.want)
			}
			if len(rec.steps) != len(tc.wantSteps) {
				t.Errorf("steps %v, want %v", rec.steps, tc.wantSteps)
			}
			for i := range tc.wantSteps {
				if i < len(rec.steps) && rec.steps[i] != tc.wantSteps[i] {
					t.Errorf("steps %v, want %v", rec.steps, tc.wantSteps)
				}
			}
		})
	}
}

// TestAVGRequestAtSWV: a request made to the SWV. The SWV's answer is
// written before the signal; a signal that never came costs no false
// "overdue": at the end of the term, and daily after, the workflow reads
// the answer itself. Once answered it is carried out (mail, erasure) and
// the school's outbox sent.
func TestAVGRequestAtSWV(t *testing.T) {
	day := 24 * time.Hour
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name       string
		signalAt   time.Duration // 0: never signalled
		answeredAt time.Duration // when the answer is in the database
		want       string
		wantSteps  []string
		wantChecks int
	}{
		{"signalled in time", 5 * day, 5 * day, "answered", []string{AVGStepOpen, AVGStepDone}, 0},
		{"signal lost, answered in time", 0, 5 * day, "answered", []string{AVGStepOpen, AVGStepDone}, 1},
		{"signal lost, answered late", 0, 32*day + time.Hour, "answered-late", []string{AVGStepOpen, AVGStepOverdue, AVGStepDone}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, rec := newEnv(t)
			env.SetStartTime(start)
			checks, carried, sent := 0, 0, ""
			env.RegisterActivityWithOptions(func(_ context.Context, ref SWVAVGRef) (bool, error) {
				checks++
				return env.Now().Sub(start) >= tc.answeredAt, nil
			}, activity.RegisterOptions{Name: "SWVAVGAnswered"})
			env.RegisterActivityWithOptions(func(_ context.Context, ref SWVAVGRef) (string, error) {
				if ref.SWVLicenceID != "swv" || ref.AVGRequestID != "r" {
					t.Errorf("carried out %+v", ref)
				}
				carried++
				return "school", nil
			}, activity.RegisterOptions{Name: "CarryOutSWVAVG"})
			env.RegisterActivityWithOptions(func(_ context.Context, in SendOutboxInput) (int, error) {
				sent = in.LicenceID
				return 1, nil
			}, activity.RegisterOptions{Name: "SendOutbox"})
			if tc.signalAt > 0 {
				env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalAVGDecided, nil) }, tc.signalAt)
			}
			env.ExecuteWorkflow(AVGRequestWorkflow, AVGRequestInput{LicenceID: "swv", RequestID: "r", RespondWithin: 30 * day, AtSWV: true})
			var got string
			if err := env.GetWorkflowResult(&got); err != nil || got != tc.want {
				t.Fatalf("result %q (err %v), want %q", got, err, tc.want)
			}
			if fmt.Sprint(rec.steps) != fmt.Sprint(tc.wantSteps) {
				t.Errorf("steps %v, want %v", rec.steps, tc.wantSteps)
			}
			if checks != tc.wantChecks || carried != 1 || sent != "school" {
				t.Errorf("%d checks (want %d), carried out %d times (want 1), outbox sent %q (want school)", checks, tc.wantChecks, carried, sent)
			}
		})
	}
	t.Run("input", func(t *testing.T) {
		env, _ := newEnv(t)
		env.ExecuteWorkflow(AVGRequestWorkflow, AVGRequestInput{LicenceID: "swv", PupilID: "p", RequestID: "r", RespondWithin: day, AtSWV: true})
		if err := env.GetWorkflowError(); err == nil {
			t.Error("a request at the SWV with a pupil id (the SWV knows none) was accepted")
		}
	})
}
