-- name: UpsertTransferNotice :exec
INSERT INTO transfer_notice (transfer_id, request_id, from_name, to_licence_id, to_name, same_swv, status, from_type, to_type)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (transfer_id, request_id) DO UPDATE SET status = EXCLUDED.status, updated_at = now();

-- name: ListTransferNotices :many
-- Transfers of pupils with a granted arrangement or TLV, newest first.
SELECT n.*, r.pupil_name, r.kind, r.tlv_type, r.tlv_category, r.school_licence_id, r.consultant_id, d.number, d.start_on, d.end_on
FROM transfer_notice n
JOIN request r ON r.id = n.request_id
JOIN decision d ON d.request_id = r.id AND d.approved
ORDER BY n.updated_at DESC
LIMIT 500;

-- name: UpdateTransferNoticeStatus :exec
UPDATE transfer_notice SET status = $2, updated_at = now() WHERE transfer_id = $1;
