package worker_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/client"

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
		// Portal accounts: one whose only child's data is gone (removed,
		// with its session), one still linked, one invited today.
		`INSERT INTO app_user (kind, email, display_name, created_at) VALUES
			('guardian', 'weg@thuis.invalid', 'Weg', now() - interval '40 days'),
			('guardian', 'blijft@thuis.invalid', 'Blijft', now() - interval '40 days'),
			('pupil', 'nieuw@leerling.invalid', 'Nieuw', now())`,
		`INSERT INTO user_session (token_hash, user_id, expires_at, last_seen_at)
			SELECT '\x09', id, now() + interval '1 hour', now() FROM app_user WHERE email = 'weg@thuis.invalid'`,
		`INSERT INTO pupil_link (user_id, licence_id, pupil_id)
			SELECT id, (SELECT id FROM licence LIMIT 1), gen_random_uuid() FROM app_user WHERE email = 'blijft@thuis.invalid'`,
		// Idempotency keys: one of two days ago (removed), one of an hour ago.
		`INSERT INTO api_idempotency (principal_id, key, fingerprint, status, created_at) VALUES
			(gen_random_uuid(), 'oud', '\x01', 201, now() - interval '2 days'),
			(gen_random_uuid(), 'vers', '\x01', 201, now() - interval '1 hour')`,
	} {
		var args []any
		if strings.Contains(stmt, "$1") {
			args = append(args, userID)
		}
		if _, err := pool.Exec(ctx, stmt, args...); err != nil {
			t.Fatal(err)
		}
	}
	// The school's logbook has two lines; its head gets anchored. Its
	// outbox has a mail sent 40 days ago (removed), one sent today and one
	// waiting since 40 days (both kept).
	err := e.platform.Tenants.With(ctx, e.licence, func(lp *pgxpool.Pool) error {
		if _, err := lp.Exec(ctx, `INSERT INTO mail_outbox (dedupe_key, to_address, subject, body, sent_at, created_at) VALUES
			('old', 'ouder@thuis.invalid', 's', 'b', now() - interval '40 days', now() - interval '40 days'),
			('new', 'ouder@thuis.invalid', 's', 'b', now(), now()),
			('waiting', 'ouder@thuis.invalid', 's', 'b', NULL, now() - interval '40 days')`); err != nil {
			return err
		}
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
	in := workflows.HousekeepingInput{SessionIdle: 30 * time.Minute, KeepLoginAttempts: 30 * 24 * time.Hour, KeepSentMail: 30 * 24 * time.Hour}
	run, err := e.temporal.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "housekeeping/test", TaskQueue: workflows.TaskQueue},
		workflows.HousekeepingWorkflow, in)
	if err != nil {
		t.Fatal(err)
	}
	var got workflows.HousekeepingResult
	if err := run.Get(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if want := (workflows.HousekeepingResult{Sessions: 2, LoginAttempts: 1, Activations: 1, SentMails: 1, PortalAccounts: 1,
		IdempotencyKeys: 1, LogbooksAnchored: 1}); got != want {
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
	var portal []string
	rows, err := pool.Query(ctx, "SELECT email FROM app_user WHERE kind <> 'staff' ORDER BY email")
	if err != nil {
		t.Fatal(err)
	}
	if portal, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil || strings.Join(portal, ",") != "blijft@thuis.invalid,nieuw@leerling.invalid" {
		t.Errorf("portal accounts left %v (err %v), want the linked one and today's", portal, err)
	}
	var anchoredSeq int64
	if err := pool.QueryRow(ctx, "SELECT seq FROM logbook_anchor WHERE licence_id = $1", e.licence).Scan(&anchoredSeq); err != nil || anchoredSeq != 2 {
		t.Errorf("anchored row %d (err %v), want 2", anchoredSeq, err)
	}

	var keys []string
	err = e.platform.Tenants.With(ctx, e.licence, func(lp *pgxpool.Pool) error {
		rows, err := lp.Query(ctx, `SELECT dedupe_key FROM mail_outbox ORDER BY dedupe_key`)
		if err != nil {
			return err
		}
		keys, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(keys, ",") != "new,waiting" {
		t.Errorf("outbox keeps %v, want the mail sent today and the one waiting", keys)
	}

	// Every worker start ensures it; the second finds it and brings its
	// input up to date.
	older := in
	older.KeepSentMail = 0
	for _, cfg := range []workflows.HousekeepingInput{older, in} {
		if err := workflows.EnsureHousekeepingSchedule(ctx, e.temporal.Client, cfg); err != nil {
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
	action, ok := desc.Schedule.Action.(*client.ScheduleWorkflowAction)
	if !ok || len(action.Args) != 1 {
		t.Fatalf("schedule action %+v", desc.Schedule.Action)
	}
	var scheduled workflows.HousekeepingInput
	payload, ok := action.Args[0].(*commonpb.Payload)
	if !ok {
		t.Fatalf("schedule argument %T", action.Args[0])
	}
	if err := e.temporal.Codec.DataConverter().FromPayload(payload, &scheduled); err != nil || scheduled != in {
		t.Errorf("schedule runs with %+v (err %v), want %+v", scheduled, err, in)
	}
}
