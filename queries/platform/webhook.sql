-- name: CreateWebhook :one
INSERT INTO webhook (licence_id, url, secret_sealed, created_by) VALUES ($1, $2, $3, $4) RETURNING *;

-- name: ListWebhooks :many
SELECT * FROM webhook WHERE licence_id = $1 AND removed_at IS NULL ORDER BY created_at;

-- name: RemoveWebhook :execrows
UPDATE webhook SET removed_at = now() WHERE id = $1 AND licence_id = $2 AND removed_at IS NULL;

-- name: EnqueueWebhookDeliveries :many
-- One delivery per active webhook of the licence; an event already
-- enqueued (a retried emit) adds nothing.
INSERT INTO webhook_delivery (webhook_id, event_key, event, payload)
SELECT w.id, @event_key, @event, @payload FROM webhook w
WHERE w.licence_id = @licence_id AND w.removed_at IS NULL
ON CONFLICT (webhook_id, event_key) DO NOTHING
RETURNING id;

-- name: GetWebhookDelivery :one
SELECT d.*, w.url, w.secret_sealed, w.licence_id, w.removed_at AS webhook_removed_at
FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id WHERE d.id = $1;

-- name: RecordWebhookAttempt :exec
UPDATE webhook_delivery SET attempts = attempts + 1, last_status = $2, last_error = $3,
    status = CASE WHEN @delivered::boolean THEN 'delivered' ELSE status END,
    finished_at = CASE WHEN @delivered::boolean THEN now() ELSE finished_at END
WHERE id = $1;

-- name: FailWebhookDelivery :exec
UPDATE webhook_delivery SET status = 'failed', finished_at = now() WHERE id = $1 AND status = 'pending';

-- name: ListWebhookDeliveries :many
SELECT d.id, d.webhook_id, d.event, d.status, d.attempts, d.last_status, d.last_error, d.created_at, d.finished_at
FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id
WHERE w.licence_id = $1 ORDER BY d.created_at DESC LIMIT 100;

-- name: PendingWebhookDeliveries :many
SELECT id FROM webhook_delivery WHERE status = 'pending' AND created_at < $1 ORDER BY created_at LIMIT 500;
