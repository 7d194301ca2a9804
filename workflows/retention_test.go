package workflows

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/topdossier/topdossier/fault"
)

// retentionRecorder stands in for the retention activities.
type retentionRecorder struct {
	env     *testsuite.TestWorkflowEnvironment
	due     time.Time
	events  []string
	expired []time.Time
	terms   map[string]time.Duration // kind → the term its run was given
}

func (r *retentionRecorder) RetentionDue(_ context.Context, ref RetentionRef) (time.Time, error) {
	if r.terms == nil {
		r.terms = map[string]time.Duration{}
	}
	r.terms[ref.Kind] = ref.Term
	return r.due, nil
}

func (r *retentionRecorder) RecordRetention(_ context.Context, ev RetentionEvent) error {
	r.events = append(r.events, ev.What)
	return nil
}

func (r *retentionRecorder) ExpireRetention(_ context.Context, _ RetentionRef) error {
	r.expired = append(r.expired, r.env.Now())
	return nil
}

var retentionStart = time.Date(2026, 7, 15, 9, 0, 0, 0, time.UTC)

func newRetentionEnv(t *testing.T, term time.Duration) (*testsuite.TestWorkflowEnvironment, *retentionRecorder) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(retentionStart)
	rec := &retentionRecorder{env: env, due: retentionStart.Add(term)}
	env.RegisterActivityWithOptions(rec.RetentionDue, activity.RegisterOptions{Name: "RetentionDue"})
	env.RegisterActivityWithOptions(rec.RecordRetention, activity.RegisterOptions{Name: "RecordRetention"})
	env.RegisterActivityWithOptions(rec.ExpireRetention, activity.RegisterOptions{Name: "ExpireRetention"})
	return env, rec
}

func retentionIn(kind string, term time.Duration) RetentionInput {
	return RetentionInput{LicenceID: "8f8c3c1e-0000-4000-8000-0000000000b1", Kind: kind, EntityID: "8f8c3c1e-0000-4000-8000-0000000000b2", Term: term,
		Rev: RetentionRev}
}

func retentionUpdate(env *testsuite.TestWorkflowEnvironment, res map[string]error, key string, after time.Duration, name string, a RetentionAction) {
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(name, a.RequestID, &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { res[key] = err },
			OnAccept:   func() {},
			OnComplete: func(_ any, err error) { res[key] = err },
		}, a)
	}, after)
}

const year = 365 * 24 * time.Hour

// TestRetentionRevisions: a run started before the workflow had
// revisions (Rev 0) asks GetVersion for each change and takes the path
// its history recorded — here the one from before both changes: its
// first steps as activities, the deletion on the run's own task queue. A run
// of this revision asks nothing (no marker, no TemporalChangeVersion
// upsert to Temporal's visibility store) and takes both changes.
func TestRetentionRevisions(t *testing.T) {
	for _, rev := range []int{0, RetentionRev} {
		t.Run(fmt.Sprint("rev=", rev), func(t *testing.T) {
			env, rec := newRetentionEnv(t, 2*year)
			asked := map[string]int{}
			for _, change := range []string{"retention-local-begin", "retention-expiry-queue"} {
				env.OnGetVersion(change, workflow.DefaultVersion, 1).Return(func(string, workflow.Version, workflow.Version) workflow.Version {
					asked[change]++
					return workflow.DefaultVersion
				})
			}
			var activities, locals []string
			queue := map[string]string{}
			env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
				activities = append(activities, info.ActivityType.Name)
				queue[info.ActivityType.Name] = info.TaskQueue
			})
			env.SetOnLocalActivityStartedListener(func(info *activity.Info, _ context.Context, _ []any) {
				locals = append(locals, info.ActivityType.Name)
			})
			in := retentionIn(RetentionDossier, 2*year)
			in.Rev = rev
			env.ExecuteWorkflow(RetentionWorkflow, in)
			var st RetentionStatus
			if err := env.GetWorkflowResult(&st); err != nil || st.State != RetentionDeleted || len(rec.expired) != 1 {
				t.Fatalf("status %+v, err %v, %d deletions", st, err, len(rec.expired))
			}
			if rev == 0 {
				if asked["retention-local-begin"] != 1 || asked["retention-expiry-queue"] != 1 {
					t.Errorf("a run of before asked GetVersion %v, want each change once", asked)
				}
				if len(locals) != 0 || queue["RetentionDue"] == "" || queue["ExpireRetention"] == "" || queue["ExpireRetention"] == RetentionExpiryQueue {
					t.Errorf("a run of before: local %v, activities %v on %v; want its first steps as activities and the deletion on the run's own queue",
						locals, activities, queue)
				}
				return
			}
			if len(asked) != 0 {
				t.Errorf("a run of revision %d asked GetVersion %v: each is a visibility write", rev, asked)
			}
			if strings.Join(locals, ",") != "RetentionDue,RecordRetention" || queue["ExpireRetention"] != RetentionExpiryQueue {
				t.Errorf("a run of revision %d: local %v, deletion on %q; want its first steps local and the deletion on %s",
					rev, locals, queue["ExpireRetention"], RetentionExpiryQueue)
			}
		})
	}
}

// TestRetentionTwoYears: a dossier is deleted exactly when its two-year
// term ends, once.
func TestRetentionTwoYears(t *testing.T) {
	env, rec := newRetentionEnv(t, 2*year)
	env.ExecuteWorkflow(RetentionWorkflow, retentionIn(RetentionDossier, 2*year))
	var st RetentionStatus
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if st.State != RetentionDeleted || len(rec.expired) != 1 || !rec.expired[0].Equal(rec.due) {
		t.Errorf("state %s, expired at %v, want deleted once at %v", st.State, rec.expired, rec.due)
	}
}

// TestRetentionFiveYearsWithHold: the enrolment's five years, held for an
// objection until half a year later; an earlier date or a hold without a
// reason is refused; deletion follows the hold.
func TestRetentionFiveYearsWithHold(t *testing.T) {
	env, rec := newRetentionEnv(t, 5*year)
	res := map[string]error{}
	until := rec.due.AddDate(0, 6, 0)
	retentionUpdate(env, res, "earlier", year, UpdateRetentionExtend, RetentionAction{RequestID: "h0", ActorID: "admin", Until: rec.due.AddDate(0, -1, 0), Reason: "bezwaar"})
	retentionUpdate(env, res, "no-reason", year, UpdateRetentionExtend, RetentionAction{RequestID: "h1", ActorID: "admin", Until: until})
	retentionUpdate(env, res, "hold", 4*year, UpdateRetentionExtend, RetentionAction{RequestID: "h2", ActorID: "admin", Until: until, Reason: "bezwaar"})
	retentionUpdate(env, res, "hold-again", 4*year+time.Hour, UpdateRetentionExtend, RetentionAction{RequestID: "h2", ActorID: "admin", Until: until, Reason: "bezwaar"})
	env.RegisterDelayedCallback(func() {
		if len(rec.expired) != 0 {
			t.Error("deleted at the original end despite the hold")
		}
	}, rec.due.Sub(retentionStart)+time.Hour)
	env.ExecuteWorkflow(RetentionWorkflow, retentionIn(RetentionEnrolment, 5*year))
	var st RetentionStatus
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"earlier", "no-reason"} {
		if errType(res[k]) != fault.CodeRetentionInvalid {
			t.Errorf("%s: %v, want refused", k, res[k])
		}
	}
	if res["hold"] != nil || res["hold-again"] != nil || st.Holds != 1 {
		t.Errorf("hold %v, again %v, holds %d; want one hold", res["hold"], res["hold-again"], st.Holds)
	}
	if len(rec.expired) != 1 || !rec.expired[0].Equal(until) {
		t.Errorf("expired at %v, want once at %v", rec.expired, until)
	}
}

// TestRetentionCancelledOnReturn: the pupil enrols again; nothing is
// deleted and a later hold is refused.
func TestRetentionCancelledOnReturn(t *testing.T) {
	env, rec := newRetentionEnv(t, 2*year)
	res := map[string]error{}
	retentionUpdate(env, res, "cancel", 200*24*time.Hour, UpdateRetentionCancel, RetentionAction{RequestID: "c1", ActorID: "ib"})
	env.ExecuteWorkflow(RetentionWorkflow, retentionIn(RetentionDossier, 2*year))
	var st RetentionStatus
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if st.State != RetentionCancelled || len(rec.expired) != 0 || res["cancel"] != nil {
		t.Errorf("state %s, expired %v, cancel %v; want cancelled, nothing deleted", st.State, rec.expired, res["cancel"])
	}
	if len(rec.events) != 2 || rec.events[0] != "started" || rec.events[1] != "cancelled" {
		t.Errorf("recorded %v", rec.events)
	}
}

// TestReconcileStartsWhatWasLeft: the monthly reconciliation starts a
// retention run for each piece of data past its term, the school's and
// the SWV's, each with its own term; each deletes at once.
func TestReconcileStartsWhatWasLeft(t *testing.T) {
	env, rec := newRetentionEnv(t, 0)
	rec.due = retentionStart.Add(-time.Hour) // past its term
	env.RegisterWorkflowWithOptions(RetentionWorkflow, workflow.RegisterOptions{Name: "RetentionWorkflow"})
	env.RegisterActivityWithOptions(func(context.Context, ReconcileInput) ([]RetentionOverdue, error) {
		return []RetentionOverdue{
			{LicenceID: "8f8c3c1e-0000-4000-8000-0000000000b1", Kind: RetentionDossier, PupilID: "8f8c3c1e-0000-4000-8000-0000000000c1"},
			{LicenceID: "8f8c3c1e-0000-4000-8000-0000000000b1", Kind: RetentionEnrolment, PupilID: "8f8c3c1e-0000-4000-8000-0000000000c2"},
			{LicenceID: "8f8c3c1e-0000-4000-8000-0000000000b2", Kind: RetentionRequest, PupilID: "8f8c3c1e-0000-4000-8000-0000000000d1"},
		}, nil
	}, activity.RegisterOptions{Name: "FindRetentionOverdue"})
	env.ExecuteWorkflow(ReconcileRetentionWorkflow, ReconcileInput{Dossier: 2 * year, Enrolment: 5 * year, TLV: 3 * year})
	var res ReconcileResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Overdue != 3 || res.Started != 3 || len(rec.expired) != 3 {
		t.Errorf("result %+v, %d deletions; want three found, started and deleted", res, len(rec.expired))
	}
	want := map[string]time.Duration{RetentionDossier: 2 * year, RetentionEnrolment: 5 * year, RetentionRequest: 3 * year}
	if !maps.Equal(rec.terms, want) {
		t.Errorf("runs started with terms %v, want %v", rec.terms, want)
	}
}

// TestRetentionThreeYearsTLV: a request at the SWV is deleted exactly
// three years after its TLV ended.
func TestRetentionThreeYearsTLV(t *testing.T) {
	env, rec := newRetentionEnv(t, 3*year)
	env.ExecuteWorkflow(RetentionWorkflow, retentionIn(RetentionRequest, 3*year))
	var st RetentionStatus
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if st.State != RetentionDeleted || len(rec.expired) != 1 || !rec.expired[0].Equal(retentionStart.Add(3*year)) {
		t.Errorf("state %s, expired at %v, want deleted once three years on", st.State, rec.expired)
	}
}

// TestRetentionEraseOnRequest: half a year after leaving the school
// honours a request for erasure: the dossier is deleted that moment, once.
// Under a legal hold the same request is refused.
func TestRetentionEraseOnRequest(t *testing.T) {
	env, rec := newRetentionEnv(t, 2*year)
	res := map[string]error{}
	at := 180 * 24 * time.Hour
	retentionUpdate(env, res, "erase", at, UpdateRetentionErase, RetentionAction{RequestID: "avg:1", ActorID: "ib", Reason: "verzoek"})
	env.ExecuteWorkflow(RetentionWorkflow, retentionIn(RetentionDossier, 2*year))
	var st RetentionStatus
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if res["erase"] != nil || st.State != RetentionDeleted || len(rec.expired) != 1 || !rec.expired[0].Equal(retentionStart.Add(at)) {
		t.Errorf("erase %v, state %s, expired %v; want deleted once at %v", res["erase"], st.State, rec.expired, retentionStart.Add(at))
	}
	if len(rec.events) != 2 || rec.events[1] != "erased" {
		t.Errorf("recorded %v, want started then erased", rec.events)
	}

	env, rec = newRetentionEnv(t, 2*year)
	res = map[string]error{}
	retentionUpdate(env, res, "hold", 30*24*time.Hour, UpdateRetentionExtend, RetentionAction{RequestID: "h1", ActorID: "admin",
		Until: rec.due.AddDate(1, 0, 0), Reason: "geschil"})
	retentionUpdate(env, res, "erase", at, UpdateRetentionErase, RetentionAction{RequestID: "avg:2", ActorID: "ib", Reason: "verzoek"})
	env.ExecuteWorkflow(RetentionWorkflow, retentionIn(RetentionDossier, 2*year))
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if errType(res["erase"]) != fault.CodeRetentionHeld || len(rec.expired) != 1 || !rec.expired[0].Equal(rec.due.AddDate(1, 0, 0)) {
		t.Errorf("erase under a hold: %v, expired %v; want refused, deleted when the hold ends", res["erase"], rec.expired)
	}
}
