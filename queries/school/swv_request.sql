-- name: CreateSWVRequest :one
INSERT INTO swv_request (dossier_id, kind, tlv_type, tlv_category, question, snapshot, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING *;

-- name: GetSWVRequest :one
SELECT * FROM swv_request WHERE id = $1 AND dossier_id = $2;

-- name: GetSWVRequestForUpdate :one
SELECT * FROM swv_request WHERE id = $1 AND dossier_id = $2 FOR UPDATE;

-- name: ListSWVRequests :many
SELECT * FROM swv_request WHERE dossier_id = $1 ORDER BY created_at DESC;

-- name: ReopenSWVRequest :exec
-- After a correction: a new snapshot, a new round, the answers again.
UPDATE swv_request SET snapshot = $2, round = round + 1, inzage_since = now() WHERE id = $1 AND status = 'inzage';

-- name: SubmitSWVRequest :exec
UPDATE swv_request SET status = 'submitted', submitted_at = coalesce(submitted_at, now()), swv_licence_id = $2, swv_request_id = $3
WHERE id = $1;

-- name: WithdrawSWVRequest :exec
UPDATE swv_request SET status = 'withdrawn' WHERE id = $1;

-- name: UpsertSWVRequestParty :exec
INSERT INTO swv_request_party (request_id, party_key, kind, guardian_id, round)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (request_id, party_key) DO UPDATE
SET round = EXCLUDED.round, answer = NULL, remark = '', view = '', answered_at = NULL, recorded_by = NULL;

-- name: DeleteOtherSWVRequestParties :exec
DELETE FROM swv_request_party WHERE request_id = $1 AND NOT (party_key = ANY(@keys::text[]));

-- name: ListSWVRequestParties :many
SELECT p.*, coalesce(g.given_name || ' ' || g.family_name, '')::text AS name, coalesce(g.email, '')::text AS email
FROM swv_request_party p LEFT JOIN guardian g ON g.id = p.guardian_id
WHERE p.request_id = $1 ORDER BY p.party_key;

-- name: AnswerSWVRequest :execrows
UPDATE swv_request_party SET answer = $3, remark = $4, view = $5, answered_at = now(), recorded_by = sqlc.narg(recorded_by)
WHERE request_id = $1 AND party_key = $2 AND round = $6;

-- name: SetAttachmentShare :exec
INSERT INTO swv_request_attachment (request_id, attachment_id, party_key, share) VALUES ($1, $2, $3, $4)
ON CONFLICT (request_id, attachment_id, party_key) DO UPDATE SET share = EXCLUDED.share;

-- name: ClearAttachmentShares :exec
DELETE FROM swv_request_attachment WHERE request_id = $1;

-- name: ListAttachmentShares :many
SELECT * FROM swv_request_attachment WHERE request_id = $1;

-- name: ReturnSWVRequest :exec
-- The SWV returned the request as incomplete: the school corrects it and
-- gives inzage again before it sends the completed request.
UPDATE swv_request SET snapshot = $2, round = round + 1, status = 'inzage', inzage_since = now() WHERE id = $1 AND status = 'submitted';

-- name: GetSWVRequestByID :one
SELECT r.*, d.pupil_id FROM swv_request r JOIN dossier d ON d.id = r.dossier_id WHERE r.id = $1;
