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

-- name: GetLetterhead :one
SELECT * FROM licence_letterhead WHERE licence_id = $1;

-- name: SetLetterhead :exec
-- The details always; the logo only when one is given (keep_logo keeps
-- the stored one, a NULL logo without keep_logo removes it).
INSERT INTO licence_letterhead (licence_id, logo, logo_type, details)
VALUES (@licence_id, sqlc.narg(logo), sqlc.narg(logo_type), @details)
ON CONFLICT (licence_id) DO UPDATE SET
    logo = CASE WHEN @keep_logo::boolean THEN licence_letterhead.logo ELSE EXCLUDED.logo END,
    logo_type = CASE WHEN @keep_logo::boolean THEN licence_letterhead.logo_type ELSE EXCLUDED.logo_type END,
    details = EXCLUDED.details, updated_at = now();

-- name: PayloadKeyFingerprint :one
SELECT fingerprint FROM payload_key WHERE id = 1;

-- name: SetPayloadKeyFingerprint :exec
INSERT INTO payload_key (id, fingerprint) VALUES (1, $1)
ON CONFLICT (id) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, set_at = now();

-- name: SearchSchoolLicences :many
-- Schools a transfer may go to: active school licences (and SWVs' own
-- school licences) other than the sender, by name or BRIN, those of the
-- sender's SWV first.
SELECT l.*, s.name AS swv_name, (l.swv_id = @swv_id)::bool AS same_swv
FROM licence l JOIN swv s ON s.id = l.swv_id
WHERE l.kind IN ('school', 'swv_school') AND l.status = 'active' AND l.id <> @not_id
  AND (@query::text = '' OR l.name ILIKE '%' || @query || '%' OR l.brin = upper(@query))
ORDER BY (l.swv_id = @swv_id) DESC, l.name
LIMIT 20;
