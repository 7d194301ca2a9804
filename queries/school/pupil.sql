-- name: CreatePupil :one
INSERT INTO pupil (given_name, name_infix, family_name, birth_date, group_name, year_group, enrolled_on, email, las_key)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, sqlc.arg(las_key))
RETURNING *;

-- name: LockPupil :one
-- Holds the pupil row until the transaction ends, so an expiry that
-- deletes the pupil waits for it (and then sees what it wrote).
SELECT id FROM pupil WHERE id = $1 FOR SHARE;

-- name: GetPupil :one
SELECT * FROM pupil WHERE id = $1;

-- name: ListPupils :many
SELECT p.*, ps.step, ps.waiting_for, ps.due_at
FROM pupil p
LEFT JOIN process_step ps ON ps.entity_kind = 'pupil' AND ps.entity_id = p.id
ORDER BY p.family_name, p.given_name, p.id;

-- name: CountPupils :one
SELECT count(*) FROM pupil;

-- name: SetPupilEmail :exec
UPDATE pupil SET email = $2, updated_at = now() WHERE id = $1;

-- name: GetSchoolSetting :one
SELECT * FROM school_setting WHERE id;

-- name: SetViewWithoutAuthority :exec
UPDATE school_setting SET view_without_authority = $1, updated_at = now() WHERE id;

-- name: SetGuardiansGranted :execrows
-- The adult pupil lets the guardians keep reading (granted) or ends it.
UPDATE pupil SET guardians_granted_at = CASE WHEN @granted::boolean THEN coalesce(guardians_granted_at, now()) END,
    updated_at = now()
WHERE id = @id AND (guardians_granted_at IS NOT NULL) <> @granted::boolean;

-- name: SetWithoutEducationSince :execrows
UPDATE pupil SET without_education_since = sqlc.narg(since), updated_at = now()
WHERE id = @id AND left_on IS NULL;

-- name: ListWithoutEducation :many
-- The pupils of the SWV's own school licence, longest without education
-- first; those without a recorded date last.
SELECT p.id, p.given_name, p.name_infix, p.family_name, p.birth_date, p.without_education_since,
       (SELECT d.id FROM dossier d WHERE d.pupil_id = p.id AND d.closed_at IS NULL LIMIT 1) AS dossier_id
FROM pupil p
WHERE p.left_on IS NULL
ORDER BY p.without_education_since NULLS LAST, p.family_name, p.given_name, p.id;

-- name: ActionEffect :one
SELECT entity_id FROM action_effect WHERE action_id = $1 AND entity = $2;

-- name: RecordActionEffect :exec
INSERT INTO action_effect (action_id, entity, entity_id) VALUES ($1, $2, $3);

-- name: PurgeActionEffects :execrows
DELETE FROM action_effect WHERE created_at < $1;
