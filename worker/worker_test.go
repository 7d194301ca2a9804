package worker_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/db/dbtest"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/internal/poll"
	"github.com/topdossier/topdossier/temporalx"
	"github.com/topdossier/topdossier/temporalx/temporaltest"
	"github.com/topdossier/topdossier/worker"
	"github.com/topdossier/topdossier/workflows"
)

// env is a real Temporal dev server, a real platform with one school and a
// running worker.
type env struct {
	temporal *temporaltest.Server
	platform *dbtest.Platform
	licence  uuid.UUID
	// stopWorker stops the worker, as a deploy or a crash would; once.
	stopWorker func()
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ts := temporaltest.StartWithKey(t, replayKey)
	p := dbtest.NewPlatform(t, tenants.Config{})
	lic := p.School(t, "Basisschool Het Anker", "12AB")
	w := worker.New(ts.Client, worker.Deps{Tenants: p.Tenants})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	stop := sync.OnceFunc(w.Stop)
	t.Cleanup(stop)
	return &env{temporal: ts, platform: p, licence: lic.ID, stopWorker: stop}
}

func (e *env) pupil(t *testing.T, given, family string) school.Pupil {
	t.Helper()
	var p school.Pupil
	err := e.platform.Tenants.With(context.Background(), e.licence, func(pool *pgxpool.Pool) error {
		var err error
		p, err = school.New(pool).CreatePupil(context.Background(), school.CreatePupilParams{
			GivenName: given, FamilyName: family,
			BirthDate: time.Date(2016, 5, 1, 0, 0, 0, 0, time.UTC), EnrolledOn: time.Date(2022, 8, 22, 0, 0, 0, 0, time.UTC),
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// waitFor polls cond until it holds or 20 s pass.
func (e *env) status(t *testing.T, wfID string) workflows.EnrolmentStatus {
	t.Helper()
	v, err := e.temporal.Client.QueryWorkflow(context.Background(), wfID, "", workflows.QueryEnrolmentStatus)
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	var st workflows.EnrolmentStatus
	if err := v.Get(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestIdempotentStartAndDuplicateSignal(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	p := e.pupil(t, "Fleur", "Bakker")
	lic, pid := e.licence.String(), p.ID.String()

	run1, err := workflows.StartEnrolment(ctx, e.temporal.Client, workflows.EnrolmentInput{LicenceID: lic, PupilID: pid, CheckWithin: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	run2, err := workflows.StartEnrolment(ctx, e.temporal.Client, workflows.EnrolmentInput{LicenceID: lic, PupilID: pid, CheckWithin: time.Hour})
	if err != nil {
		t.Fatalf("second start: got %v, want the running workflow", err)
	}
	if run1.GetRunID() != run2.GetRunID() {
		t.Errorf("second start made run %s, want the running %s", run2.GetRunID(), run1.GetRunID())
	}
	wfID := workflows.EnrolmentWorkflowID(lic, pid)

	// The first step reaches the projection in the school database.
	var step school.ProcessStep
	poll.Must(t, 20*time.Second, "first process step", func() bool {
		_ = e.platform.Tenants.With(ctx, e.licence, func(pool *pgxpool.Pool) error {
			step, err = school.New(pool).GetProcessStep(ctx, wfID)
			return nil
		})
		return err == nil
	})
	if step.Step != workflows.EnrolmentStepCheck || step.WaitingFor != "school" || step.DueAt == nil {
		t.Errorf("process step %+v, want %s waiting for school with a due date", step, workflows.EnrolmentStepCheck)
	}

	for range 2 { // a double click: the same request id twice
		if err := e.temporal.Client.SignalWorkflow(ctx, wfID, "", workflows.SignalConfirmEnrolment,
			workflows.ConfirmEnrolment{RequestID: "dubbelklik"}); err != nil {
			t.Fatal(err)
		}
	}
	poll.Must(t, 20*time.Second, "confirmation", func() bool { return e.status(t, wfID).Confirmed })
	if st := e.status(t, wfID); st.Handled != 1 || st.Step != workflows.EnrolmentStepActive {
		t.Errorf("status %+v, want one handled signal and step %s", st, workflows.EnrolmentStepActive)
	}
	var check school.EnrolmentCheck
	err = e.platform.Tenants.With(ctx, e.licence, func(pool *pgxpool.Pool) error {
		check, err = school.New(pool).GetEnrolmentCheck(ctx, p.ID)
		if err != nil {
			return err
		}
		step, err = school.New(pool).GetProcessStep(ctx, wfID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if check.RequestID != "dubbelklik" {
		t.Errorf("enrolment check by request %q, want dubbelklik", check.RequestID)
	}
	if step.Step != workflows.EnrolmentStepActive || step.Seq != 2 {
		t.Errorf("process step %s seq %d, want %s seq 2", step.Step, step.Seq, workflows.EnrolmentStepActive)
	}

	// The search attributes carry codes only, and the current step.
	desc, err := e.temporal.Client.DescribeWorkflow(ctx, wfID, "")
	if err != nil {
		t.Fatal(err)
	}
	if desc.Status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Errorf("status %v, want running until the pupil leaves", desc.Status)
	}
	if got, _ := desc.TypedSearchAttributes.GetKeyword(workflows.StepKey()); got != workflows.EnrolmentStepActive {
		t.Errorf("search attribute %s = %q, want %s", workflows.SearchAttrStep, got, workflows.EnrolmentStepActive)
	}
	if got, _ := desc.TypedSearchAttributes.GetKeyword(workflows.LicenceKey()); got != lic {
		t.Errorf("search attribute %s = %q, want the licence id", workflows.SearchAttrLicence, got)
	}

	// The pupil leaves: the workflow ends, and its whole history replays.
	if err := e.temporal.Client.SignalWorkflow(ctx, wfID, "", workflows.SignalPupilLeft, workflows.PupilLeft{RequestID: "vertrek"}); err != nil {
		t.Fatal(err)
	}
	var result workflows.EnrolmentStatus
	if err := e.temporal.Client.GetWorkflow(ctx, wfID, "").Get(ctx, &result); err != nil {
		t.Fatal(err)
	}
	if result.Step != workflows.EnrolmentStepLeft || result.Handled != 2 {
		t.Errorf("result %+v, want step %s after two handled signals", result, workflows.EnrolmentStepLeft)
	}
	recordHistory(t, e.temporal.Client, wfID, "enrolment_confirmed_left.json")
}

func TestHistoryPayloadsAreEncrypted(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	p := e.pupil(t, "Zeldzamevoornaam", "Achternaamxyz")
	lic, pid := e.licence.String(), p.ID.String()
	if _, err := workflows.StartEnrolment(ctx, e.temporal.Client, workflows.EnrolmentInput{LicenceID: lic, PupilID: pid, CheckWithin: time.Hour}); err != nil {
		t.Fatal(err)
	}
	wfID := workflows.EnrolmentWorkflowID(lic, pid)
	if err := e.temporal.Client.SignalWorkflow(ctx, wfID, "", workflows.SignalConfirmEnrolment,
		workflows.ConfirmEnrolment{RequestID: "verzoek-42"}); err != nil {
		t.Fatal(err)
	}
	poll.Must(t, 20*time.Second, "confirmation", func() bool { return e.status(t, wfID).Confirmed })

	// A client without the key sees the history as the Temporal UI would.
	raw, err := client.Dial(client.Options{HostPort: e.temporal.HostPort})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	iter := raw.GetWorkflowHistory(ctx, wfID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var all bytes.Buffer
	events, encrypted := 0, 0
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		events++
		b, err := ev.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
		var payloads []*commonpb.Payload
		payloads = append(payloads, ev.GetWorkflowExecutionStartedEventAttributes().GetInput().GetPayloads()...)
		payloads = append(payloads, ev.GetActivityTaskScheduledEventAttributes().GetInput().GetPayloads()...)
		payloads = append(payloads, ev.GetActivityTaskCompletedEventAttributes().GetResult().GetPayloads()...)
		payloads = append(payloads, ev.GetWorkflowExecutionSignaledEventAttributes().GetInput().GetPayloads()...)
		for _, pl := range payloads {
			if string(pl.GetMetadata()["encoding"]) != temporalx.EncodingEncrypted {
				t.Errorf("%v carries a payload encoded %q, want %s", ev.GetEventType(), pl.GetMetadata()["encoding"], temporalx.EncodingEncrypted)
			}
			encrypted++
		}
		if a := ev.GetWorkflowExecutionStartedEventAttributes(); a != nil {
			// With the key, the input decodes to the ids again.
			dec, err := e.temporal.Codec.Decode(a.GetInput().GetPayloads())
			if err != nil || !bytes.Contains(dec[0].GetData(), []byte(pid)) {
				t.Errorf("decoded input (err %v) does not hold the pupil id", err)
			}
		}
	}
	if events < 5 {
		t.Fatalf("history has %d events, want the whole run", events)
	}
	// Start input, the signal, three activity inputs (two steps, one confirm).
	if encrypted < 5 {
		t.Errorf("%d encrypted payloads, want at least 5", encrypted)
	}
	// The workflow id holds the pupil's uuid by design (a business key, no
	// personal data); names and signal contents must not be readable.
	for _, secret := range []string{"Zeldzamevoornaam", "Achternaamxyz", "verzoek-42", "ConfirmedAt", "RequestID"} {
		if bytes.Contains(all.Bytes(), []byte(secret)) {
			t.Errorf("history contains %q readable", secret)
		}
	}
}
