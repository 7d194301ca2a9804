package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/school"
)

// EnqueueSignal writes a signal to a process into the school's signal
// outbox, in the transaction of the change it reports: the change and the
// signal are kept or lost together. After the commit the writer calls
// DeliverSignals; what cannot be sent then, the deliver schedule sends.
// payload holds ids, dates and states only.
func EnqueueSignal(ctx context.Context, q *school.Queries, workflowID, signal string, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("encode signal %s: %w", signal, err)
	}
	if _, err := q.EnqueueSignal(ctx, school.EnqueueSignalParams{WorkflowID: workflowID, Signal: signal, Payload: body}); err != nil {
		return fmt.Errorf("enqueue signal %s: %w", signal, err)
	}
	return nil
}

// DeliverSignals sends the process's unsent signals, oldest first, and
// marks them sent. It holds their rows while it sends, so two senders
// never overtake each other: a process is told the last state last. A
// process that has ended has nothing to be told; its signals count as
// sent. At the first other error the rest wait for the next try, in
// order; it returns how many were sent.
func DeliverSignals(ctx context.Context, tc client.Client, pool *pgxpool.Pool, workflowID string) (int, error) {
	sent := 0
	var later error // the send that failed; the marks before it are committed
	err := db.InTx(ctx, pool, func(tx pgx.Tx) error {
		q := school.New(tx)
		rows, err := q.LockUnsentSignals(ctx, workflowID)
		if err != nil {
			return fmt.Errorf("lock unsent signals: %w", err)
		}
		for _, sig := range rows {
			err := tc.SignalWorkflow(ctx, sig.WorkflowID, "", sig.Signal, json.RawMessage(sig.Payload))
			var notFound *serviceerror.NotFound
			if err != nil && !errors.As(err, &notFound) {
				// Count the attempt and keep what was sent before it.
				if merr := q.MarkSignalFailed(ctx, sig.ID); merr != nil {
					return errors.Join(err, merr)
				}
				later = fmt.Errorf("signal %s: %w", sig.Signal, err)
				return nil
			}
			if err := q.MarkSignalSent(ctx, sig.ID); err != nil {
				return err
			}
			sent++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return sent, later
}

// DeliverPendingSignals sends the signals of every process that has some
// waiting from before (left to their writers until then), at most limit
// processes; it tries them all and returns how many signals went and the
// first error.
func DeliverPendingSignals(ctx context.Context, tc client.Client, pool *pgxpool.Pool, before time.Time, limit int32) (int, error) {
	ids, err := school.New(pool).ListWorkflowsWithUnsentSignals(ctx, school.ListWorkflowsWithUnsentSignalsParams{
		CreatedBefore: before, Limit: limit})
	if err != nil {
		return 0, fmt.Errorf("list unsent signals: %w", err)
	}
	total := 0
	var first error
	for _, id := range ids {
		n, err := DeliverSignals(ctx, tc, pool, id)
		total += n
		if err != nil && first == nil {
			first = err
		}
	}
	return total, first
}
