-- name: CreateAVGRequest :one
INSERT INTO avg_request (request_id, kind, party_key, body, due_at) VALUES ($1, $2, $3, $4, $5)
RETURNING *;

-- name: GetAVGRequest :one
SELECT * FROM avg_request WHERE id = $1;

-- name: ListAVGRequestsOf :many
-- A requester's requests about the SWV's requests (ids), newest first.
SELECT * FROM avg_request WHERE request_id = ANY(@request_ids::uuid[]) AND party_key = @party_key
ORDER BY created_at DESC;

-- name: ListAVGRequestsForSWV :many
-- The SWV's page: open ones first (earliest term first), then the rest
-- of the last year, newest first.
SELECT a.*, r.pupil_name, r.school_name, r.kind AS request_kind, r.submitted_at AS request_submitted_at,
       (r.restricted_at IS NOT NULL)::boolean AS restricted
FROM avg_request a JOIN request r ON r.id = a.request_id
WHERE a.status = 'open' OR a.decided_at > now() - interval '1 year'
ORDER BY (a.status = 'open') DESC, CASE WHEN a.status = 'open' THEN a.due_at END ASC, a.decided_at DESC
LIMIT 500;

-- name: CountOpenAVGRequests :one
SELECT count(*) AS open, count(*) FILTER (WHERE due_at < now()) AS overdue FROM avg_request WHERE status = 'open';

-- name: DecideAVGRequest :execrows
UPDATE avg_request SET status = $2, reason = $3, decided_by = $4, decided_at = now()
WHERE id = $1 AND status = 'open';

-- name: SetRequestRestricted :execrows
-- Restrict (a time) or lift (NULL) the use of a request's data.
UPDATE request SET restricted_at = sqlc.narg(restricted_at), updated_at = now()
WHERE id = sqlc.arg(id) AND (restricted_at IS NULL) = (sqlc.narg(restricted_at)::timestamptz IS NOT NULL);

-- name: RequestRestricted :one
SELECT (restricted_at IS NOT NULL)::boolean AS restricted FROM request WHERE id = $1;

-- name: DeleteAVGRequestSteps :exec
-- Retention: the process steps of a request's AVG requests go with it.
DELETE FROM process_step WHERE entity_kind = 'avg_request'
  AND entity_id IN (SELECT id FROM avg_request WHERE request_id = $1);
