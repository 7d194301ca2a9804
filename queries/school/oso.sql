-- name: CreateOSOImport :one
INSERT INTO oso_import (digest, data, created_by) VALUES ($1, $2, $3) RETURNING id, digest, status, created_at;

-- name: GetOSOImportForUpdate :one
SELECT * FROM oso_import WHERE id = $1 FOR UPDATE;

-- name: GetOSOImport :one
SELECT * FROM oso_import WHERE id = $1;

-- name: DecideOSOImport :execrows
UPDATE oso_import SET status = @status, pupil_id = sqlc.narg(pupil_id), data = NULL, decided_at = now()
WHERE id = @id AND status = 'staged';
