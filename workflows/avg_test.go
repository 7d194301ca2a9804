package workflows

import (
	"testing"
	"time"
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
