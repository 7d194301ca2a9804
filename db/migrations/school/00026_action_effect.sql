-- +goose Up
-- action_effect: what a change sent through the API with an
-- Idempotency-Key made (the action id derived from the key), written in
-- the same transaction. A retry after a crash — the answer was never
-- stored — finds it and answers with it instead of making a second pupil
-- or note (found by make drill).
CREATE TABLE action_effect (
    action_id  text PRIMARY KEY CHECK (length(action_id) BETWEEN 1 AND 100),
    entity     text NOT NULL,
    entity_id  uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX action_effect_created ON action_effect (created_at);

-- +goose Down
DROP TABLE action_effect;
