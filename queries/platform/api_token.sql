-- name: CreateAPIToken :one
INSERT INTO api_token (licence_id, name, scope, token_hash, created_by)
VALUES ($1, $2, $3, $4, $5)
RETURNING id, licence_id, name, scope, created_at;

-- name: GetAPITokenByHash :one
-- The token with its licence's kind, in one round trip: every API call
-- starts here.
SELECT t.id, t.licence_id, t.name, t.scope, t.created_at, t.last_used_at, l.kind AS licence_kind
FROM api_token t JOIN licence l ON l.id = t.licence_id AND l.status = 'active'
WHERE t.token_hash = $1 AND t.revoked_at IS NULL;

-- name: TouchAPIToken :exec
UPDATE api_token SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');

-- name: ListAPITokens :many
SELECT id, licence_id, name, scope, created_at, last_used_at, revoked_at
FROM api_token WHERE licence_id = $1 ORDER BY revoked_at NULLS FIRST, created_at DESC;

-- name: RevokeAPIToken :execrows
UPDATE api_token SET revoked_at = now() WHERE id = $1 AND licence_id = $2 AND revoked_at IS NULL;
