-- name: ConfirmEnrolment :execrows
INSERT INTO enrolment_check (pupil_id, confirmed_at, request_id)
VALUES ($1, $2, $3)
ON CONFLICT (pupil_id) DO NOTHING;

-- name: GetEnrolmentCheck :one
SELECT * FROM enrolment_check WHERE pupil_id = $1;

-- name: MarkPupilLeft :execrows
UPDATE pupil SET left_on = $2, leaving_on = NULL, updated_at = now() WHERE id = $1 AND left_on IS NULL;

-- name: MarkPupilReturned :execrows
UPDATE pupil SET left_on = NULL, updated_at = now() WHERE id = $1 AND left_on IS NOT NULL;

-- name: ListLeftPupils :many
-- The archive: pupils who left, with the last retention step per kind.
SELECT p.id, p.given_name, p.name_infix, p.family_name, p.left_on,
       (SELECT e.due_at FROM retention_event e WHERE e.entity_id = p.id AND e.kind = 'dossier' ORDER BY e.at DESC LIMIT 1) AS dossier_due,
       (SELECT e.due_at FROM retention_event e WHERE e.entity_id = p.id AND e.kind = 'enrolment' ORDER BY e.at DESC LIMIT 1) AS enrolment_due,
       (SELECT e.until FROM retention_event e WHERE e.entity_id = p.id AND e.what = 'extended' ORDER BY e.at DESC LIMIT 1) AS held_until,
       coalesce((SELECT e.reason FROM retention_event e WHERE e.entity_id = p.id AND e.what = 'extended' ORDER BY e.at DESC LIMIT 1), '')::text AS hold_reason,
       EXISTS (SELECT 1 FROM dossier d WHERE d.pupil_id = p.id) AS has_dossier
FROM pupil p WHERE p.left_on IS NOT NULL
ORDER BY p.left_on DESC, p.family_name
LIMIT 500;

-- name: OpenDossiersOfPupil :many
-- What leaving must stop: the pupil's open dossier (at most one).
SELECT id FROM dossier WHERE pupil_id = $1 AND closed_at IS NULL;

-- name: OpenRoundsOfPupil :many
-- What leaving must stop: open consent rounds on the pupil's dossiers.
SELECT r.id, r.dossier_id, r.action_part_number FROM consent_round r JOIN dossier d ON d.id = r.dossier_id
WHERE d.pupil_id = $1 AND r.status = 'open';

-- name: ListClosedDossiersOfPupilsAtSchool :many
-- The archive: closed dossiers of pupils still at school; they stay
-- until the pupil leaves, then the two-year term runs.
SELECT d.id, d.pupil_id, d.closed_at, d.started_on, p.given_name, p.name_infix, p.family_name
FROM dossier d JOIN pupil p ON p.id = d.pupil_id
WHERE d.closed_at IS NOT NULL AND p.left_on IS NULL
ORDER BY d.closed_at DESC
LIMIT 500;

-- name: SetPupilLeaving :execrows
-- Plan (a date) or cancel (NULL) a leaving ahead, for a pupil still at
-- school.
UPDATE pupil SET leaving_on = sqlc.narg(leaving_on), updated_at = now()
WHERE id = sqlc.arg(id) AND left_on IS NULL;
