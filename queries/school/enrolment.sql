-- name: ConfirmEnrolment :execrows
INSERT INTO enrolment_check (pupil_id, confirmed_at, request_id)
VALUES ($1, $2, $3)
ON CONFLICT (pupil_id) DO NOTHING;

-- name: GetEnrolmentCheck :one
SELECT * FROM enrolment_check WHERE pupil_id = $1;

-- name: MarkPupilLeft :execrows
UPDATE pupil SET left_on = $2, updated_at = now() WHERE id = $1 AND left_on IS NULL;

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
