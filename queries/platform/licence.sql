-- name: CreateLicence :one
INSERT INTO licence (kind, name, swv_id, brin, school_type, db_server, db_name)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING *;

-- name: ActivateLicence :exec
UPDATE licence SET status = 'active', updated_at = now() WHERE id = $1;

-- name: GetLicence :one
SELECT * FROM licence WHERE id = $1;

-- name: ListLicences :many
SELECT l.*, s.code AS swv_code, s.name AS swv_name
FROM licence l JOIN swv s ON s.id = l.swv_id
ORDER BY s.name, l.kind DESC, l.name;

-- name: ListActiveLicences :many
SELECT * FROM licence WHERE status = 'active' ORDER BY db_name;

-- name: DeleteLicence :exec
DELETE FROM licence WHERE id = $1;
