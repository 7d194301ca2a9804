-- +goose Up
-- Requests a school submits to its SWV, and what the SWV does with them.
-- The school's data arrives as a snapshot of what was shared: the SWV
-- never reads a school database.
CREATE TABLE request (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school_licence_id uuid NOT NULL,
    school_request_id uuid NOT NULL,      -- the school's own id: a repeated submit is one request
    school_name       text NOT NULL CHECK (length(btrim(school_name)) > 0),
    kind              text NOT NULL CHECK (kind IN ('arrangement', 'tlv', 'advice', 'contact', 'mdo', 'mdo_t', 'ot')),
    tlv_type          text CHECK (tlv_type IN ('sbo', 'so', 'vso')),
    tlv_category      text CHECK (tlv_category IN ('laag', 'midden', 'hoog')),
    pupil_name        text NOT NULL CHECK (length(btrim(pupil_name)) > 0),
    pupil_birth_date  date NOT NULL,
    question          text NOT NULL CHECK (length(question) <= 5000),
    status            text NOT NULL DEFAULT 'submitted',
    submission        integer NOT NULL DEFAULT 1,
    consultant_id     uuid,
    meeting_id        uuid,
    submitted_at      timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    closed_reason     text NOT NULL DEFAULT '',
    UNIQUE (school_licence_id, school_request_id),
    CHECK ((kind = 'tlv') = (tlv_type IS NOT NULL)),
    CHECK (tlv_category IS NULL OR tlv_type IN ('so', 'vso'))
);
CREATE INDEX request_school ON request (school_licence_id, submitted_at);
CREATE INDEX request_consultant ON request (consultant_id, status);
CREATE INDEX request_meeting ON request (meeting_id);

-- request_snapshot: per submission, exactly the fields the school shared.
CREATE TABLE request_snapshot (
    request_id uuid NOT NULL REFERENCES request (id) ON DELETE CASCADE,
    submission integer NOT NULL,
    content    jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (request_id, submission)
);

-- request_attachment: the attachments the guardians agreed to share.
CREATE TABLE request_attachment (
    id           uuid NOT NULL DEFAULT gen_random_uuid(), -- the school's attachment id
    request_id   uuid NOT NULL REFERENCES request (id) ON DELETE CASCADE,
    submission   integer NOT NULL,
    file_name    text NOT NULL,
    content_type text NOT NULL,
    data         bytea NOT NULL,
    PRIMARY KEY (request_id, submission, id)
);

-- request_event: what happened, for the school (visibility 'school':
-- intake outcome, questions, decision) or only inside the SWV
-- ('internal': consultant notes).
CREATE TABLE request_event (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    request_id uuid NOT NULL REFERENCES request (id) ON DELETE CASCADE,
    kind       text NOT NULL,
    visibility text NOT NULL CHECK (visibility IN ('school', 'internal')),
    body       text NOT NULL DEFAULT '' CHECK (length(body) <= 5000),
    actor_id   uuid,
    due_at     timestamptz,
    event_key  text NOT NULL UNIQUE, -- workflow + step: a retried activity writes once
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX request_event_request ON request_event (request_id, at);

-- request_input: a text a person typed for a step (what is missing, an
-- advice, a vote's motivation), written under the step's request id
-- before the workflow is asked; the workflow's activity moves it to where
-- it belongs. Workflows never carry these texts.
CREATE TABLE request_input (
    input_key  text PRIMARY KEY,
    request_id uuid NOT NULL REFERENCES request (id) ON DELETE CASCADE,
    body       text NOT NULL DEFAULT '' CHECK (length(body) <= 5000),
    actor_name text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Committee meetings and their agenda.
CREATE TABLE committee_meeting (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    meets_on   date NOT NULL,
    title      text NOT NULL CHECK (length(btrim(title)) > 0),
    chair_id   uuid NOT NULL,
    member_ids uuid[] NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX committee_meeting_date ON committee_meeting (meets_on);

-- expert_advice: for a TLV, two experts, one an orthopedagoog or
-- psycholoog, neither linked to the applying school.
CREATE TABLE expert_advice (
    request_id    uuid NOT NULL REFERENCES request (id) ON DELETE CASCADE,
    expert_id     uuid NOT NULL,
    expert_name   text NOT NULL,
    profession    text NOT NULL CHECK (profession IN ('orthopedagoog', 'psycholoog', 'other')),
    advice        text NOT NULL CHECK (length(btrim(advice)) > 0 AND length(advice) <= 5000),
    signed_off_at timestamptz NOT NULL,
    PRIMARY KEY (request_id, expert_id)
);

-- decision_vote: one vote per committee member per request.
CREATE TABLE decision_vote (
    request_id uuid NOT NULL REFERENCES request (id) ON DELETE CASCADE,
    member_id  uuid NOT NULL,
    chair      boolean NOT NULL,
    approve    boolean NOT NULL,
    motivation text NOT NULL CHECK (length(btrim(motivation)) > 0 AND length(motivation) <= 5000),
    at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (request_id, member_id)
);

-- decision: the committee's outcome; a granted TLV or arrangement gets a
-- numbered document, signed by the SWV's authorised signer.
CREATE TABLE decision (
    request_id  uuid PRIMARY KEY REFERENCES request (id) ON DELETE CASCADE,
    approved    boolean NOT NULL,
    motivation  text NOT NULL,
    decided_on  date NOT NULL,
    start_on    date,
    end_on      date,
    number      text UNIQUE,
    pdf         bytea,
    signed_pdf  bytea,
    signed_by   uuid,
    signed_at   timestamptz,
    CHECK (signed_pdf IS NULL OR number IS NOT NULL)
);
CREATE INDEX decision_end ON decision (end_on) WHERE approved;

-- document_counter numbers the documents per kind and year: TLV-2026-0001.
CREATE TABLE document_counter (
    kind text NOT NULL,
    year integer NOT NULL,
    last integer NOT NULL,
    PRIMARY KEY (kind, year)
);

-- logbook: the SWV's own append-only, hash-chained logbook, the same
-- table as in a school database (the same queries write it).
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
DROP TABLE document_counter;
DROP TABLE decision;
DROP TABLE decision_vote;
DROP TABLE expert_advice;
DROP TABLE committee_meeting;
DROP TABLE request_input;
DROP TABLE request_event;
DROP TABLE request_attachment;
DROP TABLE request_snapshot;
DROP TABLE request;
