package worker_test

import (
	"cmp"
	"context"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/internal/poll"
	"github.com/topdossier/topdossier/workflows"
)

// TestRetentionHeldThenDeleted: on the real server a pupil who left today
// has a retention run ending in three seconds; a legal hold moves it two
// seconds later; the run deletes once the hold ends. Its history is
// replayed (and stored with RECORD_HISTORIES=1, as RETENTION_HISTORY or
// retention_held_deleted.json) so later versions of the workflow must
// replay it.
func TestRetentionHeldThenDeleted(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var pupil uuid.UUID
	err := e.platform.Tenants.With(ctx, e.licence, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(ctx, `INSERT INTO pupil (given_name, family_name, birth_date, enrolled_on, left_on)
			VALUES ('Kind', 'Vertrokken', date '2012-01-01', date '2018-08-20', current_date) RETURNING id`).Scan(&pupil)
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	term := now.Sub(midnight) + 3*time.Second
	run, err := workflows.StartRetention(ctx, e.temporal.Client, workflows.RetentionInput{LicenceID: e.licence.String(),
		Kind: workflows.RetentionDossier, EntityID: pupil.String(), Term: term})
	if err != nil {
		t.Fatal(err)
	}
	started := func() bool {
		var n int
		_ = e.platform.Tenants.With(ctx, e.licence, func(pool *pgxpool.Pool) error {
			return pool.QueryRow(ctx, `SELECT count(*) FROM retention_event WHERE what = 'started'`).Scan(&n)
		})
		return n == 1
	}
	poll.Must(t, 20*time.Second, "the run to start", started)
	handle, err := e.temporal.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: run.GetID(), UpdateID: "hold-1",
		UpdateName: workflows.UpdateRetentionExtend, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{workflows.RetentionAction{RequestID: "hold-1", ActorID: uuid.NewString(), Until: midnight.Add(term + 2*time.Second), Reason: "bezwaar"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := handle.Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	var st workflows.RetentionStatus
	if err := run.Get(ctx, &st); err != nil {
		t.Fatal(err)
	}
	if st.State != workflows.RetentionDeleted || st.Holds != 1 || st.DeletedAt.Before(midnight.Add(term+2*time.Second)) {
		t.Fatalf("status %+v, want deleted after the hold", st)
	}
	var records int
	_ = e.platform.Tenants.With(ctx, e.licence, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(ctx, `SELECT count(*) FROM deletion_record WHERE kind = 'dossier'`).Scan(&records)
	})
	if records != 1 {
		t.Errorf("%d deletion records, want 1", records)
	}
	recordHistory(t, e.temporal.Client, run.GetID(), cmp.Or(os.Getenv("RETENTION_HISTORY"), "retention_held_deleted.json"))
}
