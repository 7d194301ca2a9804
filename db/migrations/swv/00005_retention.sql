-- +goose Up
-- swv_deletion_record: one row per deleted request: kind, rule, date and
-- anonymous counts, never an id of what was deleted (the key is a hash).
CREATE TABLE swv_deletion_record (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind       text NOT NULL,
    rule       text NOT NULL,
    deleted_on date NOT NULL,
    counts     jsonb NOT NULL DEFAULT '{}',
    event_key  text NOT NULL UNIQUE
);

-- +goose Down
DROP TABLE swv_deletion_record;
