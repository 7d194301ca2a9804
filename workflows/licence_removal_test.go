package workflows

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
)

// TestLicenceRemovalWorkflow: the licence is purged (workflows terminated
// first, then the database) when the grace period is over, not before; a
// restore within it ends the removal without either step.
func TestLicenceRemovalWorkflow(t *testing.T) {
	start := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	grace := 30 * 24 * time.Hour
	for _, tc := range []struct {
		name      string
		restoreAt time.Duration // 0: never
		want      string
	}{
		{"grace period over", 0, "purged"},
		{"restored on day 29", 29 * 24 * time.Hour, "restored"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			env := s.NewTestWorkflowEnvironment()
			env.SetStartTime(start)
			var steps []string
			var terminatedAt time.Time
			env.RegisterActivityWithOptions(func(_ context.Context, in LicenceRemovalInput) (int, error) {
				steps = append(steps, "terminate")
				terminatedAt = env.Now()
				return 3, nil
			}, activity.RegisterOptions{Name: "TerminateLicenceWorkflows"})
			env.RegisterActivityWithOptions(func(_ context.Context, in PurgeLicenceInput) (string, error) {
				steps = append(steps, "purge")
				if in.Terminated != 3 || in.LicenceID != "l" || in.RemovalID != "r" {
					t.Errorf("purge input %+v", in)
				}
				return "purged", nil
			}, activity.RegisterOptions{Name: "PurgeLicence"})
			if tc.restoreAt > 0 {
				env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalRestoreLicence, nil) }, tc.restoreAt)
			}
			env.ExecuteWorkflow(LicenceRemovalWorkflow, LicenceRemovalInput{LicenceID: "l", RemovalID: "r", PurgeAfter: start.Add(grace)})
			var got string
			if err := env.GetWorkflowResult(&got); err != nil || got != tc.want {
				t.Fatalf("result %q (err %v), want %q", got, err, tc.want)
			}
			switch tc.want {
			case "purged":
				if len(steps) != 2 || steps[0] != "terminate" || steps[1] != "purge" {
					t.Errorf("steps %v, want terminate then purge", steps)
				}
				if terminatedAt.Before(start.Add(grace)) {
					t.Errorf("terminated at %v, before the grace period ended (%v)", terminatedAt, start.Add(grace))
				}
			default:
				if len(steps) != 0 {
					t.Errorf("a restored removal ran %v", steps)
				}
			}
		})
	}
}
