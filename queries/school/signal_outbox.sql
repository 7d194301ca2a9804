-- name: EnqueueSignal :one
INSERT INTO signal_outbox (workflow_id, signal, payload)
VALUES ($1, $2, $3)
RETURNING id;

-- name: LockUnsentSignals :many
-- A process's unsent signals, oldest first, locked: whoever sends them
-- sends them all, in order, while another sender waits.
SELECT * FROM signal_outbox
WHERE workflow_id = $1 AND sent_at IS NULL
ORDER BY created_at, id
FOR UPDATE;

-- name: ListWorkflowsWithUnsentSignals :many
-- created_before leaves alone what its writer is sending right now.
SELECT DISTINCT workflow_id FROM signal_outbox
WHERE sent_at IS NULL AND created_at < @created_before::timestamptz
LIMIT $1;

-- name: MarkSignalSent :exec
UPDATE signal_outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = $1;

-- name: MarkSignalFailed :exec
UPDATE signal_outbox SET attempts = attempts + 1 WHERE id = $1;

-- name: CountUnsentMail :one
-- Mails waiting from before created_before: their writer's send did not
-- take them.
SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL AND created_at < @created_before::timestamptz;

-- name: DeleteSentSignals :execrows
-- Sent signals stay as long as sent mail, then go (housekeeping).
DELETE FROM signal_outbox WHERE sent_at < @sent_before::timestamptz;
