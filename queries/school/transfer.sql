-- name: CreateTransferOut :one
INSERT INTO transfer_out (dossier_id, pupil_id, to_licence_id, to_name, package, report_pdf, created_by, consent_due_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING *;

-- name: GetTransferOut :one
SELECT * FROM transfer_out WHERE id = $1;

-- name: SetTransferReport :execrows
UPDATE transfer_out SET report_pdf = $2 WHERE id = $1 AND status = 'consent';

-- name: OpenTransferOfPupil :one
SELECT * FROM transfer_out WHERE pupil_id = $1 AND status IN ('consent', 'offered');

-- name: GetTransferOutForUpdate :one
SELECT * FROM transfer_out WHERE id = $1 FOR UPDATE;

-- name: ListTransfersOfPupil :many
SELECT * FROM transfer_out WHERE pupil_id = $1 ORDER BY created_at DESC;

-- name: ListTransfersOut :many
-- The school's transfers, open ones first, with the pupil's name for
-- staff of the school.
SELECT t.id, t.pupil_id, t.to_licence_id, t.to_name, t.status, t.reason, t.created_at, t.consent_due_at, t.offered_at, t.decided_at,
       p.given_name, p.name_infix, p.family_name,
       (SELECT count(*) FROM transfer_party tp WHERE tp.transfer_id = t.id AND tp.answer IS NULL)::int AS unanswered
FROM transfer_out t JOIN pupil p ON p.id = t.pupil_id
ORDER BY (t.status IN ('consent', 'offered')) DESC, t.created_at DESC
LIMIT 500;

-- name: SetTransferOutStatus :execrows
-- Moves a transfer on from an open status; a retry after the move finds
-- it moved and changes nothing.
UPDATE transfer_out SET status = @status, reason = @reason,
    offered_at = CASE WHEN @status = 'offered' THEN now() ELSE offered_at END,
    decided_at = CASE WHEN @status <> 'offered' THEN now() ELSE decided_at END
WHERE id = @id AND status = ANY(@from_statuses::text[]);

-- name: UpsertTransferParty :exec
INSERT INTO transfer_party (transfer_id, party_key, kind, guardian_id) VALUES ($1, $2, $3, $4)
ON CONFLICT (transfer_id, party_key) DO NOTHING;

-- name: ListTransferParties :many
SELECT tp.*, coalesce(g.given_name || ' ' || g.family_name, '')::text AS name, coalesce(g.email, '')::text AS email
FROM transfer_party tp LEFT JOIN guardian g ON g.id = tp.guardian_id
WHERE tp.transfer_id = $1 ORDER BY tp.party_key;

-- name: AnswerTransfer :execrows
UPDATE transfer_party tp SET answer = $3, remark = $4, answered_at = now(), recorded_by = sqlc.narg(recorded_by)
FROM transfer_out t
WHERE tp.transfer_id = $1 AND tp.party_key = $2 AND t.id = tp.transfer_id AND t.status = 'consent';

-- name: SetTransferShare :exec
INSERT INTO transfer_share (transfer_id, attachment_id, party_key, share) VALUES ($1, $2, $3, $4)
ON CONFLICT (transfer_id, attachment_id, party_key) DO UPDATE SET share = EXCLUDED.share;

-- name: ListTransferShares :many
SELECT * FROM transfer_share WHERE transfer_id = $1;

-- name: ListAllSections :many
SELECT * FROM dossier_section WHERE dossier_id = $1 ORDER BY cycle, section;

-- name: ListActionPartVersions :many
SELECT v.*, r.id AS round_id, r.status AS round_status, r.closed_at AS round_closed_at
FROM action_part_version v LEFT JOIN consent_round r ON r.dossier_id = v.dossier_id AND r.action_part_number = v.number
WHERE v.dossier_id = $1 ORDER BY v.number;

-- name: ListConsentResponsesOfDossier :many
SELECT cr.*, r.action_part_number FROM consent_response cr JOIN consent_round r ON r.id = cr.round_id
WHERE r.dossier_id = $1 ORDER BY cr.at, cr.request_id;

-- name: CreateTransferIn :execrows
INSERT INTO transfer_in (id, from_licence_id, from_name, pupil_name, birth_date, offer)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (id) DO NOTHING;

-- name: GetTransferIn :one
SELECT * FROM transfer_in WHERE id = $1;

-- name: GetTransferInForUpdate :one
SELECT * FROM transfer_in WHERE id = $1 FOR UPDATE;

-- name: ListTransfersIn :many
SELECT * FROM transfer_in ORDER BY (status = 'offered') DESC, offered_at DESC LIMIT 500;

-- name: AcceptTransferIn :execrows
UPDATE transfer_in SET status = 'accepted', decided_at = now(), decided_by = $2, pupil_id = $3, dossier_id = $4
WHERE id = $1 AND status = 'offered';

-- name: CloseTransferIn :execrows
-- Declined or withdrawn: who it was about is wiped; the row stays for the
-- overview.
UPDATE transfer_in SET status = @status, reason = @reason, decided_at = now(), decided_by = sqlc.narg(decided_by),
    pupil_name = '', birth_date = NULL, offer = '{}'
WHERE id = @id AND status = 'offered';

-- name: AddDossierHistory :exec
INSERT INTO dossier_history (dossier_id, transfer_id, from_name, package) VALUES ($1, $2, $3, $4)
ON CONFLICT (dossier_id, transfer_id) DO NOTHING;

-- name: ListDossierHistory :many
SELECT * FROM dossier_history WHERE dossier_id = $1 ORDER BY received_at;

-- name: AddTransferredAttachment :exec
INSERT INTO attachment (id, dossier_id, file_name, content_type, size_bytes, sha256, content, from_school)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (id) DO NOTHING;

-- name: FindPupilByNameAndBirth :many
-- A pupil the receiving school has already (typed in or from the LAS),
-- by name and birth date, without an open dossier.
SELECT p.* FROM pupil p
WHERE lower(p.given_name) = lower(@given_name) AND lower(p.family_name) = lower(@family_name) AND p.birth_date = @birth_date
  AND p.left_on IS NULL
  AND NOT EXISTS (SELECT 1 FROM dossier d WHERE d.pupil_id = p.id AND d.closed_at IS NULL);

-- name: SetTransferInReason :execrows
-- The receiving school's reason to decline, written before the decision
-- goes to the process (which carries no free text).
UPDATE transfer_in SET reason = $2 WHERE id = $1 AND status = 'offered';
