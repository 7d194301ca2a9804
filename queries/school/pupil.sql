-- name: CreatePupil :one
INSERT INTO pupil (given_name, name_infix, family_name, birth_date, group_name, year_group, enrolled_on)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING *;

-- name: GetPupil :one
SELECT * FROM pupil WHERE id = $1;

-- name: ListPupils :many
SELECT p.*, ps.step, ps.waiting_for, ps.due_at
FROM pupil p
LEFT JOIN process_step ps ON ps.entity_kind = 'pupil' AND ps.entity_id = p.id
ORDER BY p.family_name, p.given_name, p.id;

-- name: CountPupils :one
SELECT count(*) FROM pupil;
