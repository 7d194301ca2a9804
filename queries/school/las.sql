-- name: ListPupilsForImport :many
-- Every pupil as the import compares them.
SELECT id, las_key, eckid, given_name, name_infix, family_name, birth_date, group_name, year_group,
       (left_on IS NOT NULL)::boolean AS left_school, las_missing_since, (las_kept_at IS NOT NULL)::boolean AS kept
FROM pupil ORDER BY id;

-- name: CreateImportedPupil :one
INSERT INTO pupil (given_name, name_infix, family_name, birth_date, group_name, year_group, enrolled_on, las_key, eckid)
VALUES (@given_name, @name_infix, @family_name, @birth_date, @group_name, sqlc.narg(year_group), @enrolled_on, @las_key, @eckid)
RETURNING id;

-- name: UpdateImportedPupil :execrows
-- The LAS's values of a pupil; the pupil is back in the LAS.
UPDATE pupil SET given_name = @given_name, name_infix = @name_infix, family_name = @family_name, birth_date = @birth_date,
    group_name = @group_name, year_group = sqlc.narg(year_group), las_key = @las_key, eckid = @eckid,
    las_missing_since = NULL, las_kept_at = NULL, updated_at = now()
WHERE id = @id AND left_on IS NULL;

-- name: MarkPupilMissing :execrows
UPDATE pupil SET las_missing_since = @since, updated_at = now()
WHERE id = @id AND left_on IS NULL AND las_missing_since IS NULL AND las_kept_at IS NULL;

-- name: KeepMissingPupil :execrows
-- The school keeps a pupil the LAS no longer has.
UPDATE pupil SET las_kept_at = now(), las_missing_since = NULL, updated_at = now()
WHERE id = @id AND las_missing_since IS NOT NULL AND left_on IS NULL;

-- name: ListMissingPupils :many
SELECT id, given_name, name_infix, family_name, group_name, las_key, las_missing_since
FROM pupil WHERE las_missing_since IS NOT NULL AND left_on IS NULL
ORDER BY family_name, given_name, id;

-- name: RenamePupilsGroup :exec
-- A group the LAS renamed: its pupils move with it.
UPDATE pupil SET group_name = @new_name, updated_at = now() WHERE group_name = @old_name AND left_on IS NULL;

-- name: RenameStaffGroup :exec
-- ... and its teachers.
UPDATE staff_group AS a SET group_name = @new_name::text WHERE a.group_name = @old_name::text
  AND NOT EXISTS (SELECT 1 FROM staff_group b WHERE b.user_id = a.user_id AND b.group_name = @new_name::text);

-- name: ListLASGroups :many
SELECT * FROM las_group ORDER BY name, key;

-- name: DeleteLASGroups :exec
DELETE FROM las_group;

-- name: InsertLASGroup :exec
INSERT INTO las_group (key, name, composite, year_group) VALUES ($1, $2, $3, $4);

-- name: ListLASTeachers :many
SELECT * FROM las_teacher ORDER BY name, key;

-- name: DeleteLASTeachers :exec
DELETE FROM las_teacher;

-- name: InsertLASTeacher :exec
INSERT INTO las_teacher (key, eckid, name, email, groups, user_id) VALUES ($1, $2, $3, $4, $5, $6);

-- name: LinkLASTeacher :execrows
UPDATE las_teacher SET user_id = sqlc.narg(user_id) WHERE key = @key;

-- name: ReplaceStaffGroups :exec
-- A linked teacher's groups become the LAS's.
WITH gone AS (DELETE FROM staff_group WHERE user_id = @user_id)
INSERT INTO staff_group (user_id, group_name) SELECT @user_id, unnest(@groups::text[]);

-- name: CreateLASImport :one
INSERT INTO las_import (source, status, file_sha256, content, preview, digest, message, created_by)
VALUES (@source, @status, @file_sha256, @content, @preview, @digest, @message, sqlc.narg(created_by))
RETURNING id, created_at;

-- name: GetLASImport :one
SELECT * FROM las_import WHERE id = $1;

-- name: LockLASImport :one
SELECT * FROM las_import WHERE id = $1 FOR UPDATE;

-- name: DecideLASImport :exec
UPDATE las_import SET status = @status, message = @message, decided_by = sqlc.narg(decided_by), decided_at = now(),
    content = CASE WHEN @status::text IN ('applied', 'discarded', 'refused', 'failed') THEN NULL ELSE content END
WHERE id = @id;

-- name: SetAsideOpenImports :exec
-- A newer file replaces the previews still open.
UPDATE las_import SET status = 'discarded', content = NULL, decided_at = now(), message = 'vervangen door een nieuwere import'
WHERE status IN ('preview', 'waiting') AND id <> @keep;

-- name: ListLASImports :many
SELECT id, source, status, file_sha256, digest, message, created_at, decided_at,
       (CASE WHEN jsonb_typeof(preview->'new') = 'array' THEN jsonb_array_length(preview->'new') ELSE 0 END)::int AS new_pupils,
       (CASE WHEN jsonb_typeof(preview->'changed') = 'array' THEN jsonb_array_length(preview->'changed') ELSE 0 END)::int AS changed_pupils,
       (CASE WHEN jsonb_typeof(preview->'gone') = 'array' THEN jsonb_array_length(preview->'gone') ELSE 0 END)::int AS gone_pupils,
       (CASE WHEN jsonb_typeof(preview->'skipped') = 'array' THEN jsonb_array_length(preview->'skipped') ELSE 0 END)::int AS skipped_pupils
FROM las_import ORDER BY created_at DESC, id LIMIT @max;

-- name: PurgeLASImports :execrows
DELETE FROM las_import WHERE created_at < @before AND status NOT IN ('preview', 'waiting');

-- name: GetLASSetting :one
SELECT * FROM las_setting WHERE id;

-- name: SetLASSetting :exec
UPDATE las_setting SET source = @source, url = @url, client_cert = @client_cert,
    client_key_sealed = CASE WHEN @keep_key::boolean THEN client_key_sealed ELSE sqlc.narg(client_key_sealed) END,
    max_leaving_percent = @max_leaving_percent, hour = @hour, updated_at = now()
WHERE id;

-- name: SetLOVSMapping :exec
UPDATE las_setting SET lovs_mapping = @mapping, updated_at = now() WHERE id;

-- name: UpsertLOVSResult :exec
INSERT INTO lovs_result (pupil_id, test, taken_on, score, level) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (pupil_id, test, taken_on) DO UPDATE SET score = excluded.score, level = excluded.level;

-- name: ListLOVSResults :many
SELECT test, taken_on, score, level FROM lovs_result WHERE pupil_id = $1 ORDER BY test, taken_on;

-- name: ListPupilKeys :many
-- The pupils a LOVS export can name, and whether they have an open
-- dossier (only then are their results kept).
SELECT p.id, p.las_key, EXISTS (SELECT 1 FROM dossier d WHERE d.pupil_id = p.id AND d.closed_at IS NULL)::boolean AS has_dossier
FROM pupil p WHERE p.las_key <> '' AND p.left_on IS NULL;

-- name: ListOpenConsentWorkflows :many
-- The consent rounds still open for a pupil, to tell them a new birth date.
SELECT r.dossier_id, r.action_part_number
FROM consent_round r JOIN dossier d ON d.id = r.dossier_id
WHERE d.pupil_id = $1 AND r.status = 'open';
