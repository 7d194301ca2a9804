-- +goose Up
-- An SWV licence database: requests, decisions and TLVs arrive in later
-- migrations. process_step is the same projection as in school databases.
CREATE TABLE process_step (
    workflow_id text PRIMARY KEY,
    entity_kind text NOT NULL,
    entity_id   uuid NOT NULL,
    step        text NOT NULL,
    waiting_for text NOT NULL DEFAULT '',
    due_at      timestamptz,
    seq         integer NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX process_step_entity ON process_step (entity_kind, entity_id);
CREATE INDEX process_step_due ON process_step (due_at) WHERE due_at IS NOT NULL;

-- +goose Down
DROP TABLE process_step;
