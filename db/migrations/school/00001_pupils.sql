-- +goose Up
-- A school licence database. Data minimisation: no BSN, only what the
-- school needs to support the pupil and reach the guardians.
CREATE TABLE pupil (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    given_name  text NOT NULL CHECK (length(btrim(given_name)) > 0),
    name_infix  text NOT NULL DEFAULT '',
    family_name text NOT NULL CHECK (length(btrim(family_name)) > 0),
    birth_date  date NOT NULL,
    group_name  text NOT NULL DEFAULT '',
    year_group  smallint CHECK (year_group BETWEEN 1 AND 8),
    enrolled_on date NOT NULL,
    left_on     date,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (birth_date < enrolled_on),
    CHECK (left_on IS NULL OR left_on >= enrolled_on)
);
CREATE INDEX pupil_family_name ON pupil (family_name, given_name);

CREATE TYPE guardian_relation AS ENUM (
    'mother', 'father', 'parent', 'legal_guardian', 'foster_parent', 'carer', 'other'
);

CREATE TABLE guardian (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    pupil_id           uuid NOT NULL REFERENCES pupil (id) ON DELETE CASCADE,
    given_name         text NOT NULL CHECK (length(btrim(given_name)) > 0),
    name_infix         text NOT NULL DEFAULT '',
    family_name        text NOT NULL CHECK (length(btrim(family_name)) > 0),
    email              text NOT NULL DEFAULT '',
    phone              text NOT NULL DEFAULT '',
    relation           guardian_relation NOT NULL,
    parental_authority boolean NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX guardian_pupil ON guardian (pupil_id);

-- process_step is the projection of running workflows: what each entity is
-- waiting for and until when. Only activities write it; seq orders the
-- writes of one workflow so a retried, older write never overwrites a newer.
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

-- enrolment_check records that the school checked a new enrolment
-- (guardians and parental authority complete).
CREATE TABLE enrolment_check (
    pupil_id     uuid PRIMARY KEY REFERENCES pupil (id) ON DELETE CASCADE,
    confirmed_at timestamptz NOT NULL,
    request_id   text NOT NULL
);

-- +goose Down
DROP TABLE enrolment_check;
DROP TABLE process_step;
DROP TABLE guardian;
DROP TYPE guardian_relation;
DROP TABLE pupil;
