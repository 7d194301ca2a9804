package workflows

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
)

// TestLeavingWorkflow: a leaving planned ahead is carried out on its day,
// not before; a plan cancelled while it waits ends without leaving; a
// plan moved later while it waits waits for the new day.
func TestLeavingWorkflow(t *testing.T) {
	start := time.Date(2027, 6, 1, 9, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	for _, tc := range []struct {
		name   string
		plan   func(now time.Duration) *time.Duration // the planned day as an offset from start, as read at now
		want   string
		leftAt time.Duration // when LeavePlanned ran (offset); 0: never
	}{
		{"on its day", func(time.Duration) *time.Duration { d := 30 * day; return &d }, "left", 30 * day},
		{"today", func(time.Duration) *time.Duration { d := -9 * time.Hour; return &d }, "left", time.Nanosecond},
		{"cancelled while waiting", func(now time.Duration) *time.Duration {
			if now > 0 {
				return nil
			}
			d := 30 * day
			return &d
		}, "cancelled", 0},
		{"moved later while waiting", func(now time.Duration) *time.Duration {
			d := 30 * day
			if now > 0 {
				d = 45 * day
			}
			return &d
		}, "left", 45 * day},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			env := s.NewTestWorkflowEnvironment()
			env.SetStartTime(start)
			var leftAt time.Duration
			left := 0
			env.RegisterActivityWithOptions(func(_ context.Context, ref PupilRef) (*time.Time, error) {
				if ref.LicenceID != "l" || ref.PupilID != "p" {
					t.Errorf("read the plan of %+v", ref)
				}
				off := tc.plan(env.Now().Sub(start))
				if off == nil {
					return nil, nil
				}
				at := start.Add(*off)
				return &at, nil
			}, activity.RegisterOptions{Name: "PlannedLeaving"})
			env.RegisterActivityWithOptions(func(_ context.Context, in LeavingInput) error {
				left++
				leftAt = max(env.Now().Sub(start), time.Nanosecond)
				return nil
			}, activity.RegisterOptions{Name: "LeavePlanned"})
			env.ExecuteWorkflow(LeavingWorkflow, LeavingInput{LicenceID: "l", PupilID: "p", RequestID: "r"})
			var got string
			if err := env.GetWorkflowResult(&got); err != nil || got != tc.want {
				t.Fatalf("result %q (err %v), want %q", got, err, tc.want)
			}
			if tc.leftAt == 0 && left != 0 || tc.leftAt != 0 && (left != 1 || leftAt < tc.leftAt || leftAt > tc.leftAt+time.Minute) {
				t.Errorf("left %d times, at %v; want once at %v (or never)", left, leftAt, tc.leftAt)
			}
		})
	}
}
