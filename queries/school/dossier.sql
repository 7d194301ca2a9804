-- name: CreateDossier :one
INSERT INTO dossier (pupil_id, support_level, reason, started_on)
VALUES ($1, $2, $3, $4)
RETURNING *;

-- name: GetDossier :one
SELECT * FROM dossier WHERE id = $1;

-- name: GetDossierForUpdate :one
SELECT * FROM dossier WHERE id = $1 FOR UPDATE;

-- name: CurrentDossierOfPupil :one
-- The open dossier of a pupil, or else the one closed last.
SELECT * FROM dossier WHERE pupil_id = $1
ORDER BY closed_at IS NULL DESC, created_at DESC
LIMIT 1;

-- name: UpdateDossierHeader :one
UPDATE dossier SET support_level = $2, reason = $3, started_on = $4, version = version + 1, updated_at = now()
WHERE id = $1 AND version = $5 AND closed_at IS NULL
RETURNING *;

-- name: SetDossierCycle :exec
UPDATE dossier SET cycle = $2, updated_at = now() WHERE id = $1 AND cycle < $2;

-- name: SetOPPEstablished :exec
UPDATE dossier SET opp_established_on = $2, updated_at = now()
WHERE id = $1 AND opp_established_on IS NULL;

-- name: CloseDossier :exec
-- Closed, with the phase its process stood in (its step, read before the
-- step itself moves on) and why.
UPDATE dossier SET closed_at = $2, closed_reason = sqlc.arg(reason)::text, updated_at = now(),
    closed_in = (SELECT ps.step FROM process_step ps WHERE ps.entity_kind = 'dossier' AND ps.entity_id = dossier.id
                 AND ps.step IN ('observe', 'understand', 'plan', 'realise', 'evaluate') LIMIT 1)
WHERE id = $1 AND closed_at IS NULL;

-- name: CreateSection :exec
INSERT INTO dossier_section (dossier_id, cycle, section, content)
VALUES ($1, $2, $3, $4)
ON CONFLICT (dossier_id, cycle, section) DO NOTHING;

-- name: GetSection :one
SELECT * FROM dossier_section WHERE dossier_id = $1 AND cycle = $2 AND section = $3;

-- name: ListSections :many
SELECT * FROM dossier_section WHERE dossier_id = $1 AND cycle = $2 ORDER BY section;

-- name: SaveSection :one
-- Saves only over the version the editor started from; no row means
-- somebody else saved in between.
UPDATE dossier_section SET content = $4, version = version + 1, updated_at = now(), updated_by = $5
WHERE dossier_id = $1 AND cycle = $2 AND section = $3 AND version = $6
RETURNING *;

-- name: CopySectionsToCycle :exec
-- A next cycle starts from what the previous one ended with; the
-- realisation, the evaluation and the pupil's hearing start empty.
INSERT INTO dossier_section (dossier_id, cycle, section, content)
SELECT s.dossier_id, sqlc.arg(to_cycle)::integer, s.section,
       CASE WHEN s.section IN ('realise', 'evaluation', 'hearing') THEN '{}'::jsonb ELSE s.content END
FROM dossier_section s
WHERE s.dossier_id = sqlc.arg(dossier_id) AND s.cycle = sqlc.arg(from_cycle)::integer
ON CONFLICT (dossier_id, cycle, section) DO NOTHING;

-- name: AddParticipant :one
INSERT INTO dossier_participant (dossier_id, kind, name, role, organisation, user_id, guardian_id)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING *;

-- name: ListParticipants :many
SELECT * FROM dossier_participant WHERE dossier_id = $1 ORDER BY kind DESC, created_at, id;

-- name: RemoveParticipant :execrows
DELETE FROM dossier_participant WHERE id = $1 AND dossier_id = $2;

-- name: AddGrowthEntry :one
INSERT INTO growth_entry (dossier_id, cycle, kind, occurred_on, body, author_user_id, author_name)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING *;

-- name: ListGrowthEntries :many
SELECT * FROM growth_entry WHERE dossier_id = $1 ORDER BY occurred_on DESC, created_at DESC, id;

-- name: CountGrowthEntries :one
SELECT count(*) FROM growth_entry WHERE dossier_id = $1 AND cycle = $2;

-- name: AddTestResult :one
INSERT INTO test_result (dossier_id, cycle, instrument, taken_on, score, level, author_user_id)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING *;

-- name: ListTestResults :many
SELECT * FROM test_result WHERE dossier_id = $1 ORDER BY taken_on DESC, created_at DESC, id;

-- name: LatestActionPartVersion :one
SELECT * FROM action_part_version WHERE dossier_id = $1 ORDER BY number DESC LIMIT 1;

-- name: GetActionPartVersion :one
SELECT * FROM action_part_version WHERE dossier_id = $1 AND number = $2;

-- name: FreezeActionPart :one
-- Freezes the draft as the next version, unless that very draft version
-- was frozen already (a double click).
INSERT INTO action_part_version (dossier_id, number, cycle, content, draft_version, frozen_by)
SELECT s.dossier_id, COALESCE((SELECT max(v.number) FROM action_part_version v WHERE v.dossier_id = s.dossier_id), 0) + 1,
       s.cycle, s.content, s.version, sqlc.narg(frozen_by)::uuid
FROM dossier_section s
WHERE s.dossier_id = sqlc.arg(dossier_id) AND s.cycle = sqlc.arg(cycle)::integer AND s.section = 'action_part'
  AND NOT EXISTS (SELECT 1 FROM action_part_version v
                  WHERE v.dossier_id = s.dossier_id AND v.cycle = s.cycle AND v.draft_version = s.version)
RETURNING *;

-- name: InsertTransition :execrows
INSERT INTO dossier_transition (request_id, dossier_id, cycle, from_phase, to_phase, by_user_id)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (request_id) DO NOTHING;

-- name: ListTransitions :many
SELECT * FROM dossier_transition WHERE dossier_id = $1 ORDER BY at, request_id;

-- name: AddAttachment :one
INSERT INTO attachment (dossier_id, file_name, content_type, size_bytes, sha256, content, uploaded_by)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id, dossier_id, file_name, content_type, size_bytes, sha256, uploaded_by, uploaded_at;

-- name: ListAttachments :many
SELECT id, dossier_id, file_name, content_type, size_bytes, sha256, uploaded_by, uploaded_at, from_school
FROM attachment WHERE dossier_id = $1 ORDER BY uploaded_at DESC, id;

-- name: GetAttachment :one
SELECT * FROM attachment WHERE id = $1 AND dossier_id = $2;

-- name: ListDossiers :many
-- "Mijn leerlingen": pupils with a dossier, with where the process is.
-- Filters are optional; sorted on the next deadline.
SELECT d.id AS dossier_id, d.support_level, d.cycle, d.closed_at,
       p.id AS pupil_id, p.given_name, p.name_infix, p.family_name, p.group_name,
       ps.step, ps.waiting_for, ps.due_at, COALESCE(ps.deadline_state, '')::text AS deadline_state
FROM dossier d
JOIN pupil p ON p.id = d.pupil_id
LEFT JOIN process_step ps ON ps.entity_kind = 'dossier' AND ps.entity_id = d.id
WHERE d.closed_at IS NULL
  AND (sqlc.narg(phase)::text IS NULL OR ps.step = sqlc.narg(phase)::text)
  AND (sqlc.narg(support_level)::support_level IS NULL OR d.support_level = sqlc.narg(support_level)::support_level)
  AND (NOT sqlc.arg(overdue_only)::boolean OR ps.deadline_state = 'overdue')
  AND (sqlc.narg(groups)::text[] IS NULL OR p.group_name = ANY (sqlc.narg(groups)::text[]))
ORDER BY ps.due_at NULLS LAST, p.family_name, p.given_name, d.id
LIMIT sqlc.arg(max_rows);

-- name: CurrentDossierForWrite :one
-- CurrentDossierOfPupil with whether the use of the pupil's data is
-- restricted (AVG art. 18), in one round trip for every write.
SELECT sqlc.embed(d), (p.restricted_at IS NOT NULL)::boolean AS restricted
FROM dossier d JOIN pupil p ON p.id = d.pupil_id
WHERE d.pupil_id = $1
ORDER BY d.closed_at IS NULL DESC, d.created_at DESC
LIMIT 1;

-- name: SetOPPEstablishedOnConsent :exec
-- Consent on a handelingsdeel that came after the plan went into
-- realisation (an earlier version got geen instemming): the OPP is
-- vastgesteld now.
UPDATE dossier SET opp_established_on = $2, updated_at = now()
WHERE id = $1 AND opp_established_on IS NULL AND closed_at IS NULL
  AND EXISTS (SELECT 1 FROM dossier_transition t WHERE t.dossier_id = dossier.id AND t.to_phase = 'realise');

-- name: RecordDossierStart :one
INSERT INTO dossier_start (dossier_id, started_on, previous_on, reason, by_user_id)
VALUES ($1, $2, $3, $4, $5)
RETURNING id;

-- name: ListDossierStarts :many
SELECT * FROM dossier_start WHERE dossier_id = $1 ORDER BY at, id;

-- name: ListDossiersOfPupil :many
SELECT * FROM dossier WHERE pupil_id = $1 ORDER BY created_at;

-- name: SetParentsReportView :execrows
-- The parents' view on the onderwijskundig rapport of the open dossier.
UPDATE dossier SET parents_report_view = @view, parents_report_view_at = CASE WHEN @view::text = '' THEN NULL ELSE now() END
WHERE id = @id AND closed_at IS NULL;

-- name: GetGrowthEntry :one
SELECT * FROM growth_entry WHERE id = $1;
