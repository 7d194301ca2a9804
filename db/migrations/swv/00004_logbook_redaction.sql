-- +goose Up
-- Retention: when a pupil's data is deleted, the logbook lines about the
-- pupil lose what links them to the pupil (pupil, entity and request ids,
-- on whose behalf), are marked redacted, and stay in the chain: each row's
-- hash chains over its content_hash, which is kept, so the chain still
-- verifies. Nothing else of a row may change, and rows are never deleted.
ALTER TABLE logbook ADD COLUMN redacted_at timestamptz;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION logbook_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL
       AND NEW.seq = OLD.seq AND NEW.at = OLD.at AND NEW.actor_user_id IS NOT DISTINCT FROM OLD.actor_user_id
       AND NEW.actor_role = OLD.actor_role AND NEW.action = OLD.action AND NEW.entity = OLD.entity
       AND NEW.content_hash = OLD.content_hash AND NEW.prev_hash = OLD.prev_hash AND NEW.hash = OLD.hash
       AND NEW.pupil_id IS NULL AND NEW.on_behalf_of IS NULL AND NEW.entity_id = '' AND NEW.request_id = '' THEN
        RETURN NEW; -- a redaction
    END IF;
    RAISE EXCEPTION 'het logboek kan alleen worden aangevuld (%)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION logbook_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'het logboek kan alleen worden aangevuld (%)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
ALTER TABLE logbook DROP COLUMN redacted_at;
