-- name: ListRODRegistrations :many
-- The registrations with what the school must still pass on first (new,
-- changed, to be ended), then the ones passed on; status says which.
SELECT r.dossier_id, r.pupil_id, p.las_key, p.pgn_sealed, p.given_name, p.name_infix, p.family_name, p.birth_date,
       r.begin_on, r.end_on, r.end_reason, r.changed_at, r.passed_on_at,
       (CASE WHEN r.passed_on_at IS NULL THEN 'new'
             WHEN r.end_on IS NOT NULL AND r.passed_end_on IS NULL THEN 'to_end'
             WHEN r.begin_on <> r.passed_begin_on OR r.end_on IS DISTINCT FROM r.passed_end_on THEN 'changed'
             ELSE 'passed_on' END)::text AS status
FROM rod_registration r JOIN pupil p ON p.id = r.pupil_id
WHERE (@pending_only::boolean = false OR r.passed_on_at IS NULL OR r.begin_on <> r.passed_begin_on
       OR r.end_on IS DISTINCT FROM r.passed_end_on)
ORDER BY (r.passed_on_at IS NOT NULL AND r.begin_on = r.passed_begin_on AND r.end_on IS NOT DISTINCT FROM r.passed_end_on),
         r.changed_at, r.dossier_id
LIMIT @lim;

-- name: ListRODRegistrationsSince :many
-- For a LAS: the registrations changed after a moment, oldest change
-- first, a page at a time after (after_at, after_id).
SELECT r.dossier_id, r.pupil_id, p.las_key, p.pgn_sealed, r.begin_on, r.end_on, r.end_reason, r.changed_at, r.passed_on_at,
       (CASE WHEN r.passed_on_at IS NULL THEN 'new'
             WHEN r.end_on IS NOT NULL AND r.passed_end_on IS NULL THEN 'to_end'
             WHEN r.begin_on <> r.passed_begin_on OR r.end_on IS DISTINCT FROM r.passed_end_on THEN 'changed'
             ELSE 'passed_on' END)::text AS status
FROM rod_registration r JOIN pupil p ON p.id = r.pupil_id
WHERE r.changed_at > @since::timestamptz AND (r.changed_at, r.dossier_id) > (@after_at::timestamptz, @after_id::uuid)
ORDER BY r.changed_at, r.dossier_id
LIMIT @lim;

-- name: MarkRODPassedOn :many
-- The school passed these on (a CSV for its LAS, or the LAS confirmed):
-- what they said then is kept; a row changed after shown_at stays open.
UPDATE rod_registration SET passed_on_at = now(), passed_begin_on = begin_on, passed_end_on = end_on
WHERE dossier_id = ANY(@dossier_ids::uuid[]) AND changed_at <= @shown_at::timestamptz
RETURNING dossier_id, pupil_id;

-- name: CountRODPending :one
SELECT count(*) FROM rod_registration
WHERE passed_on_at IS NULL OR begin_on <> passed_begin_on OR end_on IS DISTINCT FROM passed_end_on;

-- name: SetRODPGN :exec
UPDATE school_setting SET rod_pgn = $1, updated_at = now() WHERE id;

-- name: EraseAllPGN :execrows
UPDATE pupil SET pgn_sealed = NULL WHERE pgn_sealed IS NOT NULL;

-- name: SetPupilPGN :execrows
UPDATE pupil SET pgn_sealed = sqlc.narg(pgn_sealed) WHERE id = $1;
