-- name: LockLogbook :exec
-- Serialises appends within the transaction, so concurrent writers cannot
-- fork the hash chain.
SELECT pg_advisory_xact_lock(7331001);

-- name: LastLogbookEntry :one
SELECT seq, hash FROM logbook ORDER BY seq DESC LIMIT 1;

-- name: InsertLogbookEntry :exec
INSERT INTO logbook (seq, at, actor_user_id, actor_role, on_behalf_of, action, pupil_id, entity, entity_id,
                     request_id, content_hash, prev_hash, hash)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13);

-- name: ListLogbookForPupil :many
SELECT * FROM logbook WHERE pupil_id = $1 ORDER BY seq DESC LIMIT 500;

-- name: ListLogbookAfter :many
SELECT * FROM logbook WHERE seq > $1 ORDER BY seq LIMIT $2;

-- name: GetLogbookEntry :one
SELECT * FROM logbook WHERE seq = $1;

-- name: RedactLogbookForPupil :execrows
-- Retention: the lines about a pupil keep their place and content hash
-- and lose what links them to the pupil.
UPDATE logbook SET pupil_id = NULL, on_behalf_of = NULL, entity_id = '', request_id = '', redacted_at = $2
WHERE pupil_id = $1 AND redacted_at IS NULL;
