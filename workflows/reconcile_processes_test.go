package workflows

import (
	"context"
	"errors"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
)

// TestReconcileProcessesWorkflow: every school licence is reconciled; one
// that fails does not stop the others, and the totals add up.
func TestReconcileProcessesWorkflow(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterActivityWithOptions(func(context.Context) ([]string, error) { return []string{"a", "b", "c"}, nil },
		activity.RegisterOptions{Name: "ReconcileLicences"})
	seen := map[string]int{}
	env.RegisterActivityWithOptions(func(_ context.Context, l string) (ProcessReconcileReport, error) {
		seen[l]++
		if l == "b" {
			return ProcessReconcileReport{}, temporal.NewNonRetryableApplicationError("down", "test", errors.New("down"))
		}
		return ProcessReconcileReport{LicenceID: l, WorkflowsChecked: 4, ProjectionsRepaired: []string{"x"},
			WorkflowsWithoutEntity: []string{"y", "z"}, DossiersWithoutWorkflow: []string{"d"}}, nil
	}, activity.RegisterOptions{Name: "ReconcileLicence"})
	env.ExecuteWorkflow(ReconcileProcessesWorkflow)
	var got ProcessReconcileTotals
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	want := ProcessReconcileTotals{Licences: 2, WorkflowsChecked: 8, DossiersWithoutWorkflow: 2, WorkflowsWithoutEntity: 4, ProjectionsRepaired: 2}
	if got != want || seen["a"] != 1 || seen["c"] != 1 || seen["b"] != 1 {
		t.Errorf("totals %+v (calls %v), want %+v", got, seen, want)
	}
}
