-- +goose Up
-- staff_group: the groups (klassen) a teacher or mentor teaches; a
-- teacher sees the pupils of these groups only.
CREATE TABLE staff_group (
    user_id    uuid NOT NULL,
    group_name text NOT NULL CHECK (length(btrim(group_name)) > 0),
    PRIMARY KEY (user_id, group_name)
);

-- logbook: who saw, changed, exported or shared what of a pupil, and
-- when; never the data itself. Append-only: the triggers below refuse
-- UPDATE, DELETE and TRUNCATE. Each row's hash chains over the previous
-- row's hash and this row's content_hash, so a later redaction of a row's
-- personal columns (retention) can keep content_hash and the chain.
CREATE TABLE logbook (
    seq           bigint PRIMARY KEY,
    at            timestamptz NOT NULL,
    actor_user_id uuid,
    actor_role    text NOT NULL,
    on_behalf_of  uuid,
    action        text NOT NULL,
    pupil_id      uuid,
    entity        text NOT NULL DEFAULT '',
    entity_id     text NOT NULL DEFAULT '',
    request_id    text NOT NULL DEFAULT '',
    content_hash  bytea NOT NULL,
    prev_hash     bytea NOT NULL,
    hash          bytea NOT NULL
);
CREATE INDEX logbook_pupil ON logbook (pupil_id, seq);

-- +goose StatementBegin
CREATE FUNCTION logbook_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'het logboek kan alleen worden aangevuld (%)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER logbook_no_update BEFORE UPDATE OR DELETE ON logbook
    FOR EACH ROW EXECUTE FUNCTION logbook_append_only();
CREATE TRIGGER logbook_no_truncate BEFORE TRUNCATE ON logbook
    FOR EACH STATEMENT EXECUTE FUNCTION logbook_append_only();

-- +goose Down
DROP TABLE logbook;
DROP FUNCTION logbook_append_only();
DROP TABLE staff_group;
