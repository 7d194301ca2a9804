package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
)

// TestLASImportFetchFailsThenTells: a fetch that keeps failing is tried
// the number of times set, then recorded for the admin with its reason;
// nothing else runs.
func TestLASImportFetchFailsThenTells(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	tries, told := 0, ""
	env.RegisterActivityWithOptions(func(context.Context, string) (LASImportResult, error) {
		tries++
		return LASImportResult{}, temporal.NewApplicationError("de export is niet op te halen", "LASFetch")
	}, activity.RegisterOptions{Name: "RunLASImport"})
	env.RegisterActivityWithOptions(func(_ context.Context, _, reason string) error {
		told = reason
		return nil
	}, activity.RegisterOptions{Name: "FailLASImport"})
	env.ExecuteWorkflow(LASImportWorkflow, LASImportInput{LicenceID: "8f8c3c1e-0000-4000-8000-000000000001", Attempts: 3, RetryEvery: time.Minute})
	var r LASImportResult
	if err := env.GetWorkflowResult(&r); err != nil {
		t.Fatal(err)
	}
	if tries != 3 || told != "de export is niet op te halen" || r.Status != "failed" {
		t.Errorf("tries %d, told %q, result %+v", tries, told, r)
	}
}

// TestLASImportApplies: a run that succeeds returns what the activity did
// and tells nobody of a failure.
func TestLASImportApplies(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterActivityWithOptions(func(context.Context, string) (LASImportResult, error) {
		return LASImportResult{ImportID: "i", Status: "applied", Message: "1 gewijzigd"}, nil
	}, activity.RegisterOptions{Name: "RunLASImport"})
	env.RegisterActivityWithOptions(func(context.Context, string, string) error {
		return errors.New("must not be called")
	}, activity.RegisterOptions{Name: "FailLASImport"})
	env.ExecuteWorkflow(LASImportWorkflow, LASImportInput{LicenceID: "8f8c3c1e-0000-4000-8000-000000000001"})
	var r LASImportResult
	if err := env.GetWorkflowResult(&r); err != nil || r.Status != "applied" {
		t.Fatalf("%+v %v", r, err)
	}
}
