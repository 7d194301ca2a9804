package worker_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/internal/poll"
	"github.com/topdossier/topdossier/worker"
	"github.com/topdossier/topdossier/workflows"
)

// TestRetentionTimersSurviveWorkerRestart: 1,000 pupils left today; their
// retention timers are set to end 75 seconds from now; the worker stops
// while they sleep and a new one starts after they are due. Every timer
// fires once: 1,000 deletion records, every run ended as deleted.
func TestRetentionTimersSurviveWorkerRestart(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const n = 1000
	ids := leftToday(t, e, n)
	now := time.Now().UTC()
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	term := now.Sub(midnight) + 75*time.Second
	runs := make([]client.WorkflowRun, 0, n)
	for _, id := range ids {
		run, err := workflows.StartRetention(ctx, e.temporal.Client, workflows.RetentionInput{LicenceID: e.licence.String(),
			Kind: workflows.RetentionDossier, EntityID: id.String(), Term: term})
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, run)
	}
	started := time.Since(now)
	// Every run has read its due date and is asleep; then the worker goes.
	eventuallyCount(t, e, `SELECT count(*) FROM retention_event WHERE what = 'started'`, n, 60*time.Second)
	if time.Since(now) > 70*time.Second {
		t.Fatalf("starting took %s: the timers would fire before the worker stops", time.Since(now))
	}
	e.stopWorker()
	if wait := time.Until(now.Add(80 * time.Second)); wait > 0 {
		time.Sleep(wait)
	}
	var records int
	_ = e.platform.Tenants.With(ctx, e.licence, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(ctx, `SELECT count(*) FROM deletion_record`).Scan(&records)
	})
	if records != 0 {
		t.Fatalf("%d deletions while no worker ran", records)
	}
	w := worker.New(e.temporal.Client, worker.Deps{Tenants: e.platform.Tenants})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sync.OnceFunc(w.Stop))
	restarted := time.Now()
	eventuallyCount(t, e, `SELECT count(*) FROM deletion_record WHERE kind = 'dossier'`, n, 3*time.Minute)
	t.Logf("started %d retention workflows in %s; after the restart all deleted in %s", n, started.Round(time.Millisecond),
		time.Since(restarted).Round(time.Millisecond))
	for _, run := range runs[:50] {
		var st workflows.RetentionStatus
		if err := run.Get(ctx, &st); err != nil || st.State != workflows.RetentionDeleted {
			t.Fatalf("run %s: %+v (err %v)", run.GetID(), st, err)
		}
	}
}

func eventuallyCount(t *testing.T, e *env, query string, want int, within time.Duration) {
	t.Helper()
	var got int
	done := poll.Until(within, func() bool {
		_ = e.platform.Tenants.With(context.Background(), e.licence, func(pool *pgxpool.Pool) error {
			return pool.QueryRow(context.Background(), query).Scan(&got)
		})
		if got > want {
			t.Fatalf("%s: %d, want %d", query, got, want)
		}
		return got == want
	})
	if !done {
		t.Fatalf("%s: %d after %s, want %d", query, got, within, want)
	}
}

// leftToday adds n pupils who left the school today.
func leftToday(tb testing.TB, e *env, n int) []uuid.UUID {
	tb.Helper()
	ctx := context.Background()
	var ids []uuid.UUID
	err := e.platform.Tenants.With(ctx, e.licence, func(pool *pgxpool.Pool) error {
		rows, err := pool.Query(ctx, `INSERT INTO pupil (given_name, family_name, birth_date, enrolled_on, left_on)
			SELECT 'Kind' || i, 'Vertrokken', date '2012-01-01', date '2018-08-20', current_date FROM generate_series(1, $1) i RETURNING id`, n)
		if err != nil {
			return err
		}
		ids, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return ids
}
