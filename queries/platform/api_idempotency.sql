-- name: ClaimIdempotencyKey :one
-- Claims a key for a first call; an existing row (a retry, or a call
-- still running) comes back instead, with claimed false.
WITH ins AS (
    INSERT INTO api_idempotency (principal_id, key, fingerprint)
    VALUES ($1, $2, $3)
    ON CONFLICT (principal_id, key) DO NOTHING
    RETURNING principal_id, key, fingerprint, status, location, content_type, response, true AS claimed
)
SELECT principal_id, key, fingerprint, status, location, content_type, response, claimed FROM ins
UNION ALL
SELECT principal_id, key, fingerprint, status, location, content_type, response, false AS claimed
FROM api_idempotency WHERE principal_id = $1 AND key = $2 AND NOT EXISTS (SELECT 1 FROM ins);

-- name: FinishIdempotencyKey :exec
UPDATE api_idempotency SET status = $3, location = $4, content_type = $5, response = $6
WHERE principal_id = $1 AND key = $2;

-- name: ReleaseIdempotencyKey :exec
DELETE FROM api_idempotency WHERE principal_id = $1 AND key = $2 AND status IS NULL;

-- name: PurgeIdempotencyKeys :execrows
DELETE FROM api_idempotency WHERE created_at < $1;
