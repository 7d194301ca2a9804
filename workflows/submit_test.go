package workflows

import (
	"context"
	"errors"
	"slices"
	"testing"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/topdossier/topdossier/fault"
)

// submitRecorder stands in for the submission's activities and the SWV's
// process it starts.
type submitRecorder struct {
	copied      CopiedRequest
	copyErr     error
	resubmitErr error
	calls       []string
	resubmitID  string
	started     []RequestInput
	marked      []MarkRequestSubmittedInput
}

func (r *submitRecorder) CopyRequestToSWV(_ context.Context, in CopyRequestInput) (CopiedRequest, error) {
	r.calls = append(r.calls, "copy")
	return r.copied, r.copyErr
}

func (r *submitRecorder) ResubmitRequest(_ context.Context, in ResubmitRequestInput) error {
	r.calls = append(r.calls, "resubmit")
	r.resubmitID = in.UpdateID
	return r.resubmitErr
}

func (r *submitRecorder) MarkRequestSubmitted(_ context.Context, in MarkRequestSubmittedInput) error {
	r.calls = append(r.calls, "mark")
	r.marked = append(r.marked, in)
	return nil
}

func runSubmit(t *testing.T, r *submitRecorder) (SubmitRequestResult, error) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterActivity(r)
	env.RegisterWorkflowWithOptions(func(ctx workflow.Context, in RequestInput) (RequestStatus, error) {
		r.started = append(r.started, in)
		return RequestStatus{}, nil
	}, workflow.RegisterOptions{Name: "RequestWorkflow"})
	env.ExecuteWorkflow(SubmitRequestWorkflow, SubmitRequestInput{SchoolLicenceID: "school", SchoolRequestID: "req-1", DossierID: "d",
		PupilID: "p", SWVLicenceID: "swv", Submission: 2, ActorID: "u", ActorRole: "ib", RequestID: "http-1",
		Request: RequestInput{Kind: RequestKindTLV, Timers: DefaultRequestTimers(), Quorum: 2}})
	if !env.IsWorkflowCompleted() {
		t.Fatal("submission did not complete")
	}
	var out SubmitRequestResult
	err := env.GetWorkflowError()
	if err == nil {
		err = env.GetWorkflowResult(&out)
	}
	return out, err
}

func TestSubmitRequestFirstSubmission(t *testing.T) {
	r := &submitRecorder{copied: CopiedRequest{SWVRequestID: "swv-req"}}
	out, err := runSubmit(t, r)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"copy", "mark"}; !slices.Equal(r.calls, want) {
		t.Errorf("calls: got %v, want %v", r.calls, want)
	}
	if len(r.started) != 1 || r.started[0].SWVLicenceID != "swv" || r.started[0].RequestID != "swv-req" || r.started[0].Kind != RequestKindTLV {
		t.Errorf("SWV process: got %+v, want one start for swv/swv-req", r.started)
	}
	if out.SWVRequestID != "swv-req" || out.Resubmitted {
		t.Errorf("got %+v, want swv-req, not resubmitted", out)
	}
	if m := r.marked[0]; m.SWVRequestID != "swv-req" || m.ActorID != "u" || m.RequestID != "http-1" {
		t.Errorf("marked: got %+v", m)
	}
}

func TestSubmitRequestResubmission(t *testing.T) {
	r := &submitRecorder{copied: CopiedRequest{SWVRequestID: "swv-req", Resubmit: true}}
	out, err := runSubmit(t, r)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"copy", "resubmit", "mark"}; !slices.Equal(r.calls, want) {
		t.Errorf("calls: got %v, want %v", r.calls, want)
	}
	if len(r.started) != 0 {
		t.Errorf("SWV process started again: %+v", r.started)
	}
	if r.resubmitID != "resubmit:req-1:2" || !out.Resubmitted {
		t.Errorf("got update id %q, resubmitted %v; want one id per round", r.resubmitID, out.Resubmitted)
	}
}

// A refusal leaves the school's request as it was: nothing is marked.
func TestSubmitRequestRefused(t *testing.T) {
	for _, c := range []struct {
		name string
		r    *submitRecorder
		code string
	}{
		{"resubmission refused", &submitRecorder{copied: CopiedRequest{SWVRequestID: "swv-req", Resubmit: true},
			resubmitErr: temporal.NewNonRetryableApplicationError("refused", fault.CodeRequestStep, nil)}, fault.CodeRequestStep},
		{"use restricted", &submitRecorder{copyErr: temporal.NewNonRetryableApplicationError("restricted", fault.CodeRestricted, nil)},
			fault.CodeRestricted},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := runSubmit(t, c.r)
			var appErr *temporal.ApplicationError
			if !errors.As(err, &appErr) || appErr.Type() != c.code {
				t.Fatalf("got %v, want a refusal %s", err, c.code)
			}
			if len(c.r.marked) != 0 || len(c.r.started) != 0 {
				t.Errorf("got marked %v, started %v; want nothing", c.r.marked, c.r.started)
			}
		})
	}
}
