-- name: AddStaffGroup :exec
INSERT INTO staff_group (user_id, group_name) VALUES ($1, $2) ON CONFLICT DO NOTHING;

-- name: ListStaffGroups :many
SELECT group_name FROM staff_group WHERE user_id = $1 ORDER BY group_name;

-- name: ListPupilsInGroups :many
SELECT p.*, ps.step, ps.waiting_for, ps.due_at
FROM pupil p
LEFT JOIN process_step ps ON ps.entity_kind = 'pupil' AND ps.entity_id = p.id
WHERE p.group_name = ANY(@groups::text[])
ORDER BY p.family_name, p.given_name, p.id;

-- name: ListAllStaffGroups :many
SELECT user_id, group_name FROM staff_group ORDER BY user_id, group_name;

-- name: DeleteStaffGroups :exec
DELETE FROM staff_group WHERE user_id = $1;

-- name: ListPupilsPage :many
-- A page of the pupils for the API, in the order they were enrolled here
-- (a stable order for a LAS to sync), after the cursor; a teacher's only
-- of their groups.
SELECT p.*, ps.step, ps.waiting_for, ps.due_at
FROM pupil p
LEFT JOIN process_step ps ON ps.entity_kind = 'pupil' AND ps.entity_id = p.id
WHERE (@all_groups::boolean OR p.group_name = ANY(@groups::text[]))
  AND (p.created_at, p.id) > (@after_at::timestamptz, @after_id::uuid)
ORDER BY p.created_at, p.id
LIMIT @lim;
