package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/activity"

	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/workflows"
)

// Housekeep removes expired sessions, old login attempts, used or expired
// activation links and portal accounts left without any pupil (older than
// KeepLoginAttempts) from the platform database, and sent mails
// (addresses of guardians, what was asked of them) from every school's
// outbox after KeepSentMail. Running it twice removes nothing more.
func (a *Activities) Housekeep(ctx context.Context, in workflows.HousekeepingInput) (workflows.HousekeepingResult, error) {
	q := platform.New(a.Tenants.Platform())
	now := time.Now()
	var r workflows.HousekeepingResult
	var err error
	if r.Sessions, err = q.DeleteExpiredSessions(ctx, now.Add(-in.SessionIdle)); err != nil {
		return r, fmt.Errorf("delete expired sessions: %w", err)
	}
	if r.LoginAttempts, err = q.DeleteOldLoginAttempts(ctx, now.Add(-in.KeepLoginAttempts)); err != nil {
		return r, fmt.Errorf("delete old login attempts: %w", err)
	}
	if r.Activations, err = q.DeleteOldActivations(ctx, now.Add(-in.KeepLoginAttempts)); err != nil {
		return r, fmt.Errorf("delete old activations: %w", err)
	}
	// A portal account whose pupils' data is all gone has nothing left to
	// show: its e-mail address, password and second factor go too.
	if r.PortalAccounts, err = q.DeleteUnlinkedPortalAccounts(ctx, now.Add(-in.KeepLoginAttempts)); err != nil {
		return r, fmt.Errorf("delete unlinked portal accounts: %w", err)
	}
	// Answers kept under an Idempotency-Key: a day at least.
	if r.IdempotencyKeys, err = q.PurgeIdempotencyKeys(ctx, now.Add(-24*time.Hour)); err != nil {
		return r, fmt.Errorf("delete old idempotency keys: %w", err)
	}
	if in.KeepSentMail <= 0 {
		return r, nil
	}
	licences, err := q.ListActiveLicences(ctx)
	if err != nil {
		return r, fmt.Errorf("list licences: %w", err)
	}
	for _, l := range licences {
		if l.Kind == platform.LicenceKindSwv {
			continue
		}
		err := a.Tenants.With(ctx, l.ID, func(pool *pgxpool.Pool) error {
			q := school.New(pool)
			n, err := q.DeleteSentMail(ctx, now.Add(-in.KeepSentMail))
			r.SentMails += n
			if err != nil {
				return err
			}
			if _, err = q.DeleteSentSignals(ctx, now.Add(-in.KeepSentMail)); err != nil {
				return err
			}
			// What API calls made, kept for their retries: a day does (the
			// Idempotency-Keys go after one); as long as sent mail is.
			_, err = q.PurgeActionEffects(ctx, now.Add(-in.KeepSentMail))
			return err
		})
		if err != nil {
			return r, fmt.Errorf("delete sent mail of %s: %w", l.ID, err)
		}
	}
	return r, nil
}

// AnchorLogbooks copies the head of every licence's logbook (schools and SWVs) into
// the platform database, so `logbook verify` can tell when rows were cut
// off the end. It returns how many licences were anchored.
func (a *Activities) AnchorLogbooks(ctx context.Context) (int, error) {
	q := platform.New(a.Tenants.Platform())
	licences, err := q.ListActiveLicences(ctx)
	if err != nil {
		return 0, fmt.Errorf("list licences: %w", err)
	}
	n := 0
	for _, l := range licences { // schools and SWVs: the same logbook table
		var head *logbook.Anchor
		err := a.Tenants.With(ctx, l.ID, func(pool *pgxpool.Pool) error {
			var err error
			head, err = logbook.Head(ctx, school.New(pool))
			return err
		})
		if err != nil {
			return n, fmt.Errorf("read logbook head of %s: %w", l.ID, err)
		}
		if head == nil {
			continue
		}
		if err := q.AddLogbookAnchor(ctx, platform.AddLogbookAnchorParams{LicenceID: l.ID, Seq: head.Seq, Hash: head.Hash}); err != nil {
			return n, fmt.Errorf("anchor logbook of %s: %w", l.ID, err)
		}
		n++
	}
	return n, nil
}

// DeliverPending sends, for every school, the signals left in its signal
// outbox longer than in.WaitedFor (their writers could not send them),
// and names the schools whose mail outbox holds mail that long, for the
// workflow to send. A school it cannot reach now is counted and logged,
// and waits for the next run; the others go on.
func (a *Activities) DeliverPending(ctx context.Context, in workflows.DeliverInput) (workflows.DeliverResult, error) {
	var r workflows.DeliverResult
	licences, err := platform.New(a.Tenants.Platform()).ListActiveLicences(ctx)
	if err != nil {
		return r, fmt.Errorf("list licences: %w", err)
	}
	before := time.Now().Add(-in.WaitedFor)
	for _, l := range licences {
		if l.Kind == platform.LicenceKindSwv {
			continue
		}
		err := a.Tenants.With(ctx, l.ID, func(pool *pgxpool.Pool) error {
			n, err := store.DeliverPendingSignals(ctx, a.Temporal, pool, before, 1000)
			r.Signals += n
			waiting, cerr := school.New(pool).CountUnsentMail(ctx, before)
			if waiting > 0 {
				r.MailWaiting = append(r.MailWaiting, l.ID.String())
			}
			return errors.Join(err, cerr)
		})
		if err != nil {
			r.LicencesFailed++
			activity.GetLogger(ctx).Warn("deliver: licence left for the next run", "licence", l.ID.String(), "err", err)
		}
	}
	// Webhook deliveries whose workflow never started (Temporal was away
	// right after the event) start now; one under way is joined.
	pending, err := platform.New(a.Tenants.Platform()).PendingWebhookDeliveries(ctx, time.Now().Add(-10*time.Minute))
	if err != nil {
		return r, fmt.Errorf("pending webhook deliveries: %w", err)
	}
	for _, id := range pending {
		if err := workflows.StartWebhookDelivery(ctx, a.Temporal, workflows.WebhookDeliveryInput{DeliveryID: id.String(),
			FirstRetry: a.Webhooks.FirstRetry}); err != nil {
			activity.GetLogger(ctx).Warn("deliver: webhook delivery left for the next run", "delivery", id.String(), "err", err)
			continue
		}
		r.Webhooks++
	}
	return r, nil
}
