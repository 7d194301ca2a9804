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

-- name: CloseLicence :one
-- The first step of a removal: the licence is closed (nobody reaches it)
-- and the platform records who asked and when it will be purged.
WITH closed AS (
    UPDATE licence SET status = 'closing', updated_at = now() WHERE licence.id = @licence_id AND licence.status = 'active'
    RETURNING licence.id AS closed_id, licence.name AS closed_name, licence.kind AS closed_kind, licence.brin AS closed_brin
)
INSERT INTO licence_removal (licence_id, licence_name, licence_kind, brin, requested_by, purge_after)
SELECT closed_id, closed_name, closed_kind::text, closed_brin, sqlc.narg(requested_by)::uuid, @purge_after::timestamptz FROM closed
RETURNING *;

-- name: OpenLicenceRemoval :one
SELECT * FROM licence_removal WHERE licence_id = $1 AND restored_at IS NULL AND purged_at IS NULL;

-- name: GetLicenceRemoval :one
SELECT * FROM licence_removal WHERE id = $1;

-- name: RestoreLicence :execrows
-- Undo a removal within its grace period.
WITH restored AS (
    UPDATE licence_removal SET restored_at = now(), restored_by = sqlc.narg(restored_by)::uuid
    WHERE licence_removal.id = @removal_id AND licence_removal.restored_at IS NULL AND licence_removal.purged_at IS NULL
      AND licence_removal.purge_after > now()
    RETURNING licence_removal.licence_id AS restored_licence
)
UPDATE licence SET status = 'active', updated_at = now()
WHERE licence.id = (SELECT restored_licence FROM restored) AND licence.status = 'closing';

-- name: MarkLicencePurged :exec
UPDATE licence_removal SET purged_at = now(), workflows_terminated = $2 WHERE id = $1 AND purged_at IS NULL;

-- name: ListLicenceRemovals :many
SELECT * FROM licence_removal ORDER BY requested_at DESC LIMIT 50;

-- name: ListLicencesWithDatabase :many
-- Active licences and those being removed: both keep their database (and
-- its schema) until the removal purges it.
SELECT * FROM licence WHERE status IN ('active', 'closing') ORDER BY db_name;

-- name: RecordReconcileRun :exec
INSERT INTO reconcile_run (licence_id, workflows_checked, dossiers_without_workflow, workflows_without_entity, projections_repaired, details)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: LatestReconcileRuns :many
SELECT * FROM reconcile_run WHERE licence_id = $1 ORDER BY ran_at DESC LIMIT $2;
