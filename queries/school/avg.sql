-- name: CreateAVGRequest :one
INSERT INTO avg_request (pupil_id, kind, party_key, body, due_at) VALUES ($1, $2, $3, $4, $5)
RETURNING *;

-- name: ListAVGRequests :many
SELECT * FROM avg_request WHERE pupil_id = $1 ORDER BY created_at DESC;

-- name: DecideAVGRequest :execrows
UPDATE avg_request SET status = $3, reason = $4, decided_by = $5, decided_at = now()
WHERE id = $1 AND pupil_id = $2 AND status = 'open';

-- name: GetAVGRequest :one
SELECT * FROM avg_request WHERE id = $1;

-- name: SetPupilRestricted :execrows
-- Restrict (a time) or lift (NULL) the use of a pupil's data.
UPDATE pupil SET restricted_at = sqlc.narg(restricted_at), updated_at = now()
WHERE id = sqlc.arg(id) AND (restricted_at IS NULL) = (sqlc.narg(restricted_at)::timestamptz IS NOT NULL);

-- name: PupilRestricted :one
SELECT (restricted_at IS NOT NULL)::boolean AS restricted FROM pupil WHERE id = $1;
