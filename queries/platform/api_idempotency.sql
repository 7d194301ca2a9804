-- name: ClaimIdempotencyKey :one
-- Claims a key for a first call; an existing row (a retry, or a call
-- still running) comes back instead, with claimed false.
-- A claim still without an answer after two minutes is abandoned (its call
-- died with the server: requests end within one): a retry with the same
-- body takes it over, and the operation's own action id keeps it from
-- having a second effect.
WITH ins AS (
    INSERT INTO api_idempotency (principal_id, key, fingerprint)
    VALUES ($1, $2, $3)
    ON CONFLICT (principal_id, key) DO UPDATE SET created_at = now()
    WHERE api_idempotency.status IS NULL AND api_idempotency.fingerprint = EXCLUDED.fingerprint
      AND api_idempotency.created_at < now() - interval '2 minutes'
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
