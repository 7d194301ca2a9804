-- name: UpsertProcessStep :exec
-- Writes only when seq is newer than what is stored, so a retried or
-- late activity never moves the projection backwards.
INSERT INTO process_step (workflow_id, entity_kind, entity_id, step, waiting_for, due_at, seq, deadline_state)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (workflow_id) DO UPDATE
SET step = EXCLUDED.step, waiting_for = EXCLUDED.waiting_for, due_at = EXCLUDED.due_at,
    seq = EXCLUDED.seq, deadline_state = EXCLUDED.deadline_state, updated_at = now()
WHERE process_step.seq < EXCLUDED.seq;

-- name: GetProcessStep :one
SELECT * FROM process_step WHERE workflow_id = $1;

-- name: ListProcessSteps :many
SELECT * FROM process_step ORDER BY due_at NULLS LAST, workflow_id;

-- name: RepairProcessStep :exec
-- The reconciliation writes what the workflow itself says (its query)
-- after the database was restored to an earlier point: whatever seq is
-- stored, which it keeps (0 for a missing row), so the workflow's own next
-- write, with its higher seq, still lands.
INSERT INTO process_step (workflow_id, entity_kind, entity_id, step, waiting_for, due_at, seq, deadline_state)
VALUES ($1, $2, $3, $4, $5, $6, 0, $7)
ON CONFLICT (workflow_id) DO UPDATE
SET step = EXCLUDED.step, waiting_for = EXCLUDED.waiting_for, due_at = EXCLUDED.due_at,
    deadline_state = EXCLUDED.deadline_state, updated_at = now();

-- name: ListOpenDossierIDs :many
SELECT id FROM dossier WHERE closed_at IS NULL ORDER BY id;

-- name: DossierExists :one
SELECT EXISTS (SELECT 1 FROM dossier WHERE id = $1);

-- name: PupilExists :one
SELECT EXISTS (SELECT 1 FROM pupil WHERE id = $1);
