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
