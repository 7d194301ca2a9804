-- name: CreateGuardian :one
INSERT INTO guardian (pupil_id, given_name, name_infix, family_name, email, phone, relation, parental_authority)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING *;

-- name: ListGuardians :many
SELECT * FROM guardian WHERE pupil_id = $1 ORDER BY created_at, id;

-- name: GetGuardian :one
SELECT * FROM guardian WHERE id = $1 AND pupil_id = $2;
