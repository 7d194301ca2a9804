package worker_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/activities"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/workflows"
)

// TestHousekeeping runs the housekeeping workflow on the real worker and
// database, and checks that the daily schedule is created once.
func TestHousekeeping(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	pool := e.platform.Pool
	var userID string
	if err := pool.QueryRow(ctx, "INSERT INTO app_user (kind, email, display_name) VALUES ('staff', 'oud@school.invalid', 'Oud') RETURNING id").Scan(&userID); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`INSERT INTO user_session (token_hash, user_id, expires_at, last_seen_at) VALUES
			('\x01', $1, now() + interval '1 hour', now()),                       -- in use
			('\x02', $1, now() + interval '1 hour', now() - interval '2 hours'),  -- idle
			('\x03', $1, now() - interval '1 minute', now())`, // past its end
		`INSERT INTO login_attempt (account_key, ip, success, at) SELECT sha256($1::text::bytea), '127.0.0.1', false, t
			FROM unnest(ARRAY[now(), now() - interval '40 days']) t`,
		`INSERT INTO activation (token_hash, user_id, expires_at) VALUES
			('\x01', $1, now() + interval '7 days'), ('\x02', $1, now() - interval '40 days')`,
	} {
		if _, err := pool.Exec(ctx, stmt, userID); err != nil {
			t.Fatal(err)
		}
	}
	// The school's logbook has two lines; its head gets anchored.
	err := e.platform.Tenants.With(ctx, e.licence, func(lp *pgxpool.Pool) error {
		for range 2 {
			if err := pgx.BeginFunc(ctx, lp, func(tx pgx.Tx) error {
				return logbook.Append(ctx, tx, logbook.Entry{ActorRole: "ib", Action: logbook.ActionView})
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	in := activities.HousekeepingInput{SessionIdle: 30 * time.Minute, KeepLoginAttempts: 30 * 24 * time.Hour}
	run, err := e.temporal.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "housekeeping/test", TaskQueue: workflows.TaskQueue},
		workflows.HousekeepingWorkflow, in)
	if err != nil {
		t.Fatal(err)
	}
	var got activities.HousekeepingResult
	if err := run.Get(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if want := (activities.HousekeepingResult{Sessions: 2, LoginAttempts: 1, Activations: 1, LogbooksAnchored: 1}); got != want {
		t.Errorf("removed %+v, want %+v", got, want)
	}
	var sessions, attempts, activations int
	if err := pool.QueryRow(ctx, "SELECT (SELECT count(*) FROM user_session), (SELECT count(*) FROM login_attempt), (SELECT count(*) FROM activation)").
		Scan(&sessions, &attempts, &activations); err != nil {
		t.Fatal(err)
	}
	if sessions != 1 || attempts != 1 || activations != 1 {
		t.Errorf("left %d sessions, %d attempts, %d activations; want 1 of each", sessions, attempts, activations)
	}
	var anchoredSeq int64
	if err := pool.QueryRow(ctx, "SELECT seq FROM logbook_anchor WHERE licence_id = $1", e.licence).Scan(&anchoredSeq); err != nil || anchoredSeq != 2 {
		t.Errorf("anchored row %d (err %v), want 2", anchoredSeq, err)
	}

	for range 2 { // every worker start ensures it; the second finds it
		if err := workflows.EnsureHousekeepingSchedule(ctx, e.temporal.Client, in); err != nil {
			t.Fatal(err)
		}
	}
	desc, err := e.temporal.Client.ScheduleClient().GetHandle(ctx, workflows.HousekeepingScheduleID).Describe(ctx)
	if err != nil {
		t.Fatalf("schedule: %v", err)
	}
	if iv := desc.Schedule.Spec.Intervals; len(iv) != 1 || iv[0].Every != 24*time.Hour {
		t.Errorf("schedule intervals %+v, want every 24h", iv)
	}
}
