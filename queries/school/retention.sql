-- name: AddRetentionEvent :exec
INSERT INTO retention_event (kind, entity_id, what, due_at, until, reason, actor_id, event_key)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (event_key) DO NOTHING;

-- name: DeletionRecorded :one
SELECT EXISTS (SELECT 1 FROM deletion_record WHERE event_key = $1);

-- name: AddDeletionRecord :exec
INSERT INTO deletion_record (kind, rule, deleted_on, counts, event_key) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (event_key) DO NOTHING;

-- name: CountPupilData :one
SELECT (SELECT count(*) FROM dossier x WHERE x.pupil_id = @pupil::uuid)::int AS dossiers,
       (SELECT count(*) FROM attachment a JOIN dossier d ON d.id = a.dossier_id WHERE d.pupil_id = @pupil::uuid)::int AS attachments,
       (SELECT count(*) FROM consent_round r JOIN dossier d ON d.id = r.dossier_id WHERE d.pupil_id = @pupil::uuid)::int AS consent_rounds,
       (SELECT count(*) FROM swv_request s JOIN dossier d ON d.id = s.dossier_id WHERE d.pupil_id = @pupil::uuid)::int AS swv_requests,
       (SELECT count(*) FROM guardian g WHERE g.pupil_id = @pupil::uuid)::int AS guardians,
       (SELECT count(*) FROM avg_request v WHERE v.pupil_id = @pupil::uuid)::int AS avg_requests;

-- name: DeleteDossiersOfPupil :exec
DELETE FROM dossier WHERE pupil_id = $1;

-- name: DeletePupil :exec
DELETE FROM pupil WHERE id = $1;

-- name: DeleteProcessStepsOf :exec
DELETE FROM process_step WHERE entity_id = ANY(@ids::uuid[]);

-- name: DeleteRetentionEventsOf :exec
DELETE FROM retention_event WHERE entity_id = $1;

-- name: DossierIDsOfPupil :many
SELECT id FROM dossier WHERE pupil_id = $1;

-- name: PupilsPastTerm :many
-- Pupils who left before @left_before and are still here: their dossier
-- (or the record's fields beyond the minimal ones) or the record itself
-- outlived a term (the reconciliation's list).
-- When the record is due, its deletion takes the dossiers with it.
SELECT id, coalesce(p.left_on >= @enrolment_before::date AND
         ((SELECT count(*) FROM dossier d WHERE d.pupil_id = p.id) > 0 OR p.minimised_at IS NULL), false)::boolean AS dossier_due,
       (p.left_on < @enrolment_before::date) AS record_due
FROM pupil p
WHERE p.left_on IS NOT NULL AND p.left_on < @left_before::date
  AND (p.left_on < @enrolment_before::date OR p.minimised_at IS NULL OR EXISTS (SELECT 1 FROM dossier d WHERE d.pupil_id = p.id))
LIMIT 10000;

-- name: MinimisePupil :exec
-- When the dossier goes, the record keeps only what the enrolment
-- administration needs until its own term: names, birth date, dates.
UPDATE pupil SET email = '', group_name = '', year_group = NULL, minimised_at = now(), updated_at = now()
WHERE id = $1 AND minimised_at IS NULL;

-- name: DeleteGuardiansOfPupil :exec
DELETE FROM guardian WHERE pupil_id = $1;

-- name: DeleteAVGRequestsOfPupil :many
DELETE FROM avg_request WHERE pupil_id = $1 RETURNING id;

-- name: DeletionCounts :many
-- Anonymous counts for the archive: what was deleted, per year and kind.
SELECT kind, extract(year FROM deleted_on)::int AS year, count(*)::int AS deleted
FROM deletion_record GROUP BY kind, year ORDER BY year DESC, kind;

-- name: DeleteMailsAboutPupil :execrows
-- Mails in the outbox whose links name the pupil (a consent question, an
-- inzage): they go with the dossier, sent or not.
DELETE FROM mail_outbox WHERE body LIKE '%' || @pupil_id::text || '%';
