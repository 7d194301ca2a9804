-- name: CreateConsentRound :one
-- One round per version; asking again returns the round made before.
INSERT INTO consent_round (dossier_id, action_part_number, deadline_at)
VALUES ($1, $2, $3)
ON CONFLICT (dossier_id, action_part_number) DO UPDATE SET dossier_id = EXCLUDED.dossier_id
RETURNING *;

-- name: SupersedeOlderRounds :many
UPDATE consent_round SET status = 'superseded', closed_at = now()
WHERE dossier_id = $1 AND action_part_number < $2 AND status = 'open'
RETURNING action_part_number;

-- name: GetConsentRound :one
SELECT * FROM consent_round WHERE id = $1;

-- name: UpsertConsentParty :exec
INSERT INTO consent_party (round_id, party_key, kind, guardian_id, decides, shares)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (round_id, party_key) DO UPDATE
SET decides = EXCLUDED.decides, shares = EXCLUDED.shares, removed_at = NULL;

-- name: RemoveConsentParty :exec
UPDATE consent_party SET removed_at = now() WHERE round_id = $1 AND party_key = $2 AND removed_at IS NULL;

-- name: ListConsentParties :many
-- The pupil is reached at their own address, the guardians at theirs.
SELECT p.*, COALESCE(g.email, pu.email, '')::text AS email, COALESCE(g.given_name, pu.given_name, '')::text AS given_name,
       COALESCE(concat_ws(' ', g.given_name, nullif(g.name_infix, ''), g.family_name), '')::text AS full_name
FROM consent_party p
LEFT JOIN guardian g ON g.id = p.guardian_id
LEFT JOIN consent_round r ON p.kind = 'pupil' AND r.id = p.round_id
LEFT JOIN dossier d ON d.id = r.dossier_id
LEFT JOIN pupil pu ON pu.id = d.pupil_id
WHERE p.round_id = $1
ORDER BY p.added_at, p.party_key;

-- name: InsertConsentResponse :execrows
INSERT INTO consent_response (request_id, round_id, party_key, answer, remark, channel, recorded_by)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (request_id) DO NOTHING;

-- name: ConsentResponseKept :one
-- Whether an answer with this id is in the round already (a retry).
SELECT EXISTS (SELECT 1 FROM consent_response WHERE request_id = $1 AND round_id = $2 AND party_key = $3);

-- name: ListConsentResponses :many
SELECT * FROM consent_response WHERE round_id = $1 ORDER BY at, request_id;

-- name: CloseConsentRound :execrows
UPDATE consent_round SET status = $2, closed_at = now() WHERE id = $1 AND status = 'open';

-- name: MarkConsentEscalated :exec
UPDATE consent_round SET escalated_at = $2 WHERE id = $1 AND escalated_at IS NULL;

-- name: SetActionPartConsent :exec
-- The outcome of a consent round, written by its workflow.
UPDATE action_part_version SET consent_status = $3, consent_recorded_at = now()
WHERE dossier_id = $1 AND number = $2 AND consent_status = 'pending';

-- name: EnqueueMail :exec
INSERT INTO mail_outbox (dedupe_key, to_address, subject, body)
VALUES ($1, $2, $3, $4)
ON CONFLICT (dedupe_key) DO NOTHING;

-- name: ListOutbox :many
SELECT * FROM mail_outbox ORDER BY created_at DESC, id LIMIT $1;

-- name: GetConsentRoundForVersion :one
SELECT * FROM consent_round WHERE dossier_id = $1 AND action_part_number = $2;

-- name: ListUnsentMail :many
SELECT * FROM mail_outbox WHERE sent_at IS NULL ORDER BY created_at, id LIMIT $1;

-- name: MarkMailSent :exec
UPDATE mail_outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = $1;

-- name: MarkMailFailed :exec
UPDATE mail_outbox SET attempts = attempts + 1 WHERE id = $1;

-- name: ListRoundStaffParticipants :many
-- The staff on the dossier of a round: whom the school's reminders reach.
SELECT p.user_id::uuid FROM consent_round r
JOIN dossier_participant p ON p.dossier_id = r.dossier_id
WHERE r.id = $1 AND p.kind = 'staff' AND p.user_id IS NOT NULL;

-- name: DeleteSentMail :execrows
-- Sent mails stay a month for "was it sent?", then go (housekeeping).
DELETE FROM mail_outbox WHERE sent_at < @sent_before::timestamptz;
