package worker_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/workflows"
)

// TestDeliverPending: what a write left in the signal outbox (Temporal
// was away at the commit) reaches its process on the next deliver run;
// a signal for a process that ended counts as delivered; a signal its
// writer is sending right now is left to the writer; a school whose
// outbox holds mail from before is named for the send.
func TestDeliverPending(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	lic := e.licence.String()
	req := uuid.NewString()
	if err := workflows.StartAVGRequest(ctx, e.temporal.Client, workflows.AVGRequestInput{LicenceID: lic, PupilID: uuid.NewString(),
		RequestID: req, RespondWithin: 24 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	waiting := workflows.AVGRequestWorkflowID(lic, req)
	ended := workflows.AVGRequestWorkflowID(lic, uuid.NewString())
	fresh := workflows.AVGRequestWorkflowID(lic, uuid.NewString())
	err := e.platform.Tenants.With(ctx, e.licence, func(pool *pgxpool.Pool) error {
		_, err := pool.Exec(ctx, `INSERT INTO signal_outbox (workflow_id, signal, payload, created_at) VALUES
			($1, 'decided', 'null', now() - interval '10 minutes'),
			($2, 'decided', 'null', now() - interval '10 minutes'),
			($3, 'decided', 'null', now())`, waiting, ended, fresh)
		if err != nil {
			return err
		}
		_, err = pool.Exec(ctx, `INSERT INTO mail_outbox (dedupe_key, to_address, subject, body, created_at) VALUES
			('waiting', 'ouder@thuis.invalid', 's', 'b', now() - interval '10 minutes')`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	run, err := e.temporal.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "deliver/test", TaskQueue: workflows.TaskQueue},
		workflows.DeliverWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	var got workflows.DeliverResult
	if err := run.Get(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if got.Signals != 2 || !slices.Equal(got.MailWaiting, []string{lic}) || got.LicencesFailed != 0 {
		t.Errorf("delivered %+v, want 2 signals and the school's waiting mail", got)
	}
	// The AVG request's process heard the school's answer and ended.
	var outcome string
	if err := e.temporal.Client.GetWorkflow(ctx, waiting, "").Get(ctx, &outcome); err != nil || outcome != "answered" {
		t.Errorf("avg request process ended %q (err %v), want answered", outcome, err)
	}
	sent := map[string]bool{}
	err = e.platform.Tenants.With(ctx, e.licence, func(pool *pgxpool.Pool) error {
		rows, err := pool.Query(ctx, "SELECT workflow_id, sent_at IS NOT NULL FROM signal_outbox")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var s bool
			if err := rows.Scan(&id, &s); err != nil {
				return err
			}
			sent[id] = s
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if !sent[waiting] || !sent[ended] || sent[fresh] {
		t.Errorf("sent: waiting %v, ended %v, fresh %v; want the two from before, not the writer's own", sent[waiting], sent[ended], sent[fresh])
	}
	// Every worker start ensures the schedule; a second start finds it.
	for range 2 {
		if err := workflows.EnsureDeliverSchedule(ctx, e.temporal.Client); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.temporal.Client.ScheduleClient().GetHandle(ctx, workflows.DeliverScheduleID).Describe(ctx); err != nil {
		t.Errorf("deliver schedule: %v", err)
	}
}
