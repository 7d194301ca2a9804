-- name: CreateSWV :one
INSERT INTO swv (code, name) VALUES ($1, $2)
RETURNING *;

-- name: GetSWVByCode :one
SELECT * FROM swv WHERE code = $1;

-- name: ListSWVs :many
SELECT * FROM swv ORDER BY name;
