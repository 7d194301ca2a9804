-- +goose Up
-- retention_event: what the retention of a pupil's data went through
-- (started, held until a date with a reason code, cancelled, deleted).
CREATE TABLE retention_event (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind        text NOT NULL CHECK (kind IN ('dossier', 'enrolment', 'tlv')),
    entity_id   uuid NOT NULL,
    what        text NOT NULL,
    due_at      timestamptz,
    until       timestamptz,
    reason      text NOT NULL DEFAULT '',
    actor_id    uuid,
    event_key   text NOT NULL UNIQUE,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX retention_event_entity ON retention_event (entity_id, at);

-- deletion_record: one row per deletion: kind, rule, date and anonymous
-- counts. Never a name, a birth date or an id of what was deleted.
CREATE TABLE deletion_record (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind       text NOT NULL,
    rule       text NOT NULL,
    deleted_on date NOT NULL,
    counts     jsonb NOT NULL DEFAULT '{}',
    event_key  text NOT NULL UNIQUE
);

-- +goose Down
DROP TABLE deletion_record;
DROP TABLE retention_event;
