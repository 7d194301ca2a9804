package worker_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/internal/dossiertest"
	"github.com/topdossier/topdossier/internal/poll"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/worker"
	"github.com/topdossier/topdossier/workflows"
)

// dossierFixture writes a dossier with every section filled in.
func (e *env) dossierFixture(t *testing.T, pupil school.Pupil) school.Dossier {
	t.Helper()
	var d school.Dossier
	err := e.platform.Tenants.With(context.Background(), e.licence, func(pool *pgxpool.Pool) error {
		var err error
		d, err = dossiertest.Complete(context.Background(), school.New(pool), pupil.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (e *env) step(t *testing.T, workflowID string) school.ProcessStep {
	t.Helper()
	var step school.ProcessStep
	_ = e.platform.Tenants.With(context.Background(), e.licence, func(pool *pgxpool.Pool) error {
		var err error
		step, err = school.New(pool).GetProcessStep(context.Background(), workflowID)
		return err
	})
	return step
}

// advance reads the checklist as the server does and sends the update.
func (e *env) advance(t *testing.T, d school.Dossier, cycle int32, requestID string, from, to plan.Phase) workflows.DossierStatus {
	t.Helper()
	ctx := context.Background()
	var check plan.Checklist
	err := e.platform.Tenants.With(ctx, e.licence, func(pool *pgxpool.Pool) error {
		var err error
		check, err = store.ReadChecklist(ctx, school.New(pool), d.ID, cycle)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	handle, err := e.temporal.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.DossierWorkflowID(e.licence.String(), d.ID.String()), UpdateID: requestID,
		UpdateName: workflows.UpdateAdvanceDossier, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{workflows.AdvanceDossier{RequestID: requestID, From: from, To: to, Checklist: check}},
	})
	if err != nil {
		t.Fatalf("advance %s: %v", from, err)
	}
	var st workflows.DossierStatus
	if err := handle.Get(ctx, &st); err != nil {
		t.Fatalf("advance %s: %v", from, err)
	}
	return st
}

// TestDossierWorkflowOnRealServer runs a dossier through two cycles and
// closes it, with the real activities on PostgreSQL, then records the
// first run's history for the replay test.
func TestDossierWorkflowOnRealServer(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	d := e.dossierFixture(t, e.pupil(t, "Noë", "Çelik"))
	in := workflows.DossierInput{LicenceID: e.licence.String(), DossierID: d.ID.String(), PupilID: d.PupilID.String(),
		Cycle: 1, ExtraSupport: true, OpenedAt: time.Now(), Timers: workflows.DefaultDossierTimers()}
	run, err := workflows.StartDossier(ctx, e.temporal.Client, in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := workflows.StartDossier(ctx, e.temporal.Client, in)
	if err != nil || again.GetRunID() != run.GetRunID() {
		t.Fatalf("second start: run %v (err %v), want the running one", again, err)
	}
	wfID := run.GetID()
	poll.Must(t, 20*time.Second, "observe", func() bool { return e.step(t, wfID).Step == "observe" })

	for i, from := range []plan.Phase{plan.PhaseObserve, plan.PhaseUnderstand, plan.PhasePlan, plan.PhaseRealise} {
		st := e.advance(t, d, 1, "c1-"+string(from), from, "")
		if st.Phase != from.Next() || st.Transitions != i+1 {
			t.Fatalf("after %s: %+v", from, st)
		}
	}
	step := e.step(t, wfID)
	if step.Step != "evaluate" || step.DueAt == nil || step.DueAt.Before(time.Now().Add(364*24*time.Hour)) {
		t.Errorf("projection %+v, want evaluate with the yearly evaluation due", step)
	}
	e.advance(t, d, 1, "c1-next", plan.PhaseEvaluate, plan.PhaseObserve)

	// The first run continued as new into cycle 2.
	poll.Must(t, 20*time.Second, "cycle 2 in a new run", func() bool {
		desc, err := e.temporal.Client.DescribeWorkflow(ctx, wfID, "")
		if err != nil || desc.WorkflowExecution.RunID == run.GetRunID() {
			return false // the first run is still handing over
		}
		v, err := e.temporal.Client.QueryWorkflow(ctx, wfID, "", workflows.QueryDossierStatus)
		var st workflows.DossierStatus
		return err == nil && v.Get(&st) == nil && st.Cycle == 2 && st.OPPEstablishedAt != nil
	})
	// Cycle 2 starts from cycle 1's content, but waarnemen asks for new
	// observations.
	err = e.platform.Tenants.With(ctx, e.licence, func(pool *pgxpool.Pool) error {
		_, err := school.New(pool).AddGrowthEntry(ctx, school.AddGrowthEntryParams{DossierID: d.ID, Cycle: 2, Kind: "conversation",
			OccurredOn: time.Now(), Body: "Gesprek met ouders"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, from := range []plan.Phase{plan.PhaseObserve, plan.PhaseUnderstand} {
		st := e.advance(t, d, 2, "c2-"+string(from), from, "")
		if st.Cycle != 2 || st.Phase != from.Next() {
			t.Fatalf("cycle 2 after %s: %+v", from, st)
		}
	}

	// Replay the finished first run.
	firstRun := run.GetRunID()
	recordRun(t, e.temporal.Client, wfID, firstRun, "dossier_cycle_continue_as_new.json")

	var d2 school.Dossier
	err = e.platform.Tenants.With(ctx, e.licence, func(pool *pgxpool.Pool) error {
		var err error
		d2, err = school.New(pool).GetDossier(ctx, d.ID)
		return err
	})
	if err != nil || d2.Cycle != 2 || d2.OppEstablishedOn == nil {
		t.Errorf("dossier %+v (err %v), want cycle 2 with the OPP established", d2, err)
	}
}

// TestDossierTimerSurvivesWorkerRestart: the six-week term runs out while
// no worker runs; the next worker marks the dossier overdue.
func TestDossierTimerSurvivesWorkerRestart(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	d := e.dossierFixture(t, e.pupil(t, "Ïsa", "Jansen"))
	in := workflows.DossierInput{LicenceID: e.licence.String(), DossierID: d.ID.String(), PupilID: d.PupilID.String(),
		Cycle: 1, ExtraSupport: true, OpenedAt: time.Now(),
		Timers: workflows.DossierTimers{OPPWithin: 4 * time.Second, OPPReminder: 2 * time.Second, EvaluationEvery: time.Hour, EvaluationReminder: time.Minute}}
	run, err := workflows.StartDossier(ctx, e.temporal.Client, in)
	if err != nil {
		t.Fatal(err)
	}
	poll.Must(t, 20*time.Second, "observe", func() bool { return e.step(t, run.GetID()).Step == "observe" })
	e.stopWorker()
	// The reminder's timer fires in Temporal with no worker to act on it.
	poll.Must(t, 20*time.Second, "the timer to fire without a worker", func() bool { return e.timerFired(t, run.GetID()) })
	if got := e.step(t, run.GetID()).DeadlineState; got == "overdue" {
		t.Fatalf("overdue written without a worker")
	}
	w := worker.New(e.temporal.Client, worker.Deps{Tenants: e.platform.Tenants})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	poll.Must(t, 20*time.Second, "overdue after restart", func() bool { return e.step(t, run.GetID()).DeadlineState == "overdue" })
	desc, err := e.temporal.Client.DescribeWorkflow(ctx, run.GetID(), "")
	if err != nil || desc.Status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Errorf("workflow %v (err %v), want running", desc, err)
	}
}

// timerFired reports whether a timer of the workflow fired, as Temporal's
// history records it, whether or not a worker acted on it.
func (e *env) timerFired(t *testing.T, workflowID string) bool {
	t.Helper()
	it := e.temporal.Client.GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if ev.GetEventType() == enumspb.EVENT_TYPE_TIMER_FIRED {
			return true
		}
	}
	return false
}
