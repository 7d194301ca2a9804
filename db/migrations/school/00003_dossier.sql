-- +goose Up
-- The TOP dossier: one open plan per pupil that moves through the HGW
-- cycle. The DossierWorkflow holds the process (phase, deadlines); these
-- tables hold the content. Content of a cycle is keyed by (dossier, cycle)
-- so a next cycle starts from a copy and the earlier one stays readable.
CREATE TYPE support_level AS ENUM ('light', 'extra_school', 'extra_facility');

CREATE TABLE dossier (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    pupil_id           uuid NOT NULL REFERENCES pupil (id) ON DELETE CASCADE,
    support_level      support_level NOT NULL,
    reason             text NOT NULL DEFAULT '',
    started_on         date NOT NULL,
    cycle              integer NOT NULL DEFAULT 1 CHECK (cycle >= 1),
    opp_established_on date,
    -- version guards the header (level, reason) against a stale save.
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    closed_at          timestamptz
);
CREATE UNIQUE INDEX dossier_open_per_pupil ON dossier (pupil_id) WHERE closed_at IS NULL;
CREATE INDEX dossier_pupil ON dossier (pupil_id, created_at DESC);

-- dossier_section: the editable parts of one cycle, each a JSON document
-- with its own version for optimistic locking: begrijpen (understand),
-- ontwikkelingsperspectief (perspective), the handelingsdeel draft
-- (action_part), realiseren (realise) and the evaluation meeting.
CREATE TABLE dossier_section (
    dossier_id uuid NOT NULL REFERENCES dossier (id) ON DELETE CASCADE,
    cycle      integer NOT NULL,
    section    text NOT NULL CHECK (section IN ('understand', 'perspective', 'action_part', 'realise', 'evaluation')),
    content    jsonb NOT NULL DEFAULT '{}',
    version    integer NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by uuid,
    PRIMARY KEY (dossier_id, cycle, section)
);

-- dossier_participant: betrokkenen. Guardians and staff refer to their
-- own rows; the name is kept as it was when they joined the plan.
CREATE TABLE dossier_participant (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dossier_id   uuid NOT NULL REFERENCES dossier (id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('staff', 'guardian', 'external')),
    name         text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    role         text NOT NULL DEFAULT '' CHECK (length(role) <= 100),
    organisation text NOT NULL DEFAULT '' CHECK (length(organisation) <= 200),
    user_id      uuid,
    guardian_id  uuid REFERENCES guardian (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dossier_participant_dossier ON dossier_participant (dossier_id, created_at);

-- growth_entry: the groeidocument timeline of waarnemen.
CREATE TABLE growth_entry (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dossier_id     uuid NOT NULL REFERENCES dossier (id) ON DELETE CASCADE,
    cycle          integer NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('observation', 'tried', 'conversation')),
    occurred_on    date NOT NULL,
    body           text NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 5000),
    author_user_id uuid,
    author_name    text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX growth_entry_dossier ON growth_entry (dossier_id, occurred_on DESC, created_at DESC);

-- test_result: results typed in by hand for now (instrument, score, level).
CREATE TABLE test_result (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dossier_id     uuid NOT NULL REFERENCES dossier (id) ON DELETE CASCADE,
    cycle          integer NOT NULL,
    instrument     text NOT NULL CHECK (length(btrim(instrument)) BETWEEN 1 AND 200),
    taken_on       date NOT NULL,
    score          text NOT NULL CHECK (length(btrim(score)) BETWEEN 1 AND 50),
    level          text NOT NULL DEFAULT '' CHECK (length(level) <= 50),
    author_user_id uuid,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX test_result_dossier ON test_result (dossier_id, taken_on DESC);

-- action_part_version: a handelingsdeel frozen when it is offered for
-- consent. Editing the draft afterwards makes the next number. The
-- consent columns are set by a staff action until the consent workflow
-- takes them over.
CREATE TABLE action_part_version (
    dossier_id          uuid NOT NULL REFERENCES dossier (id) ON DELETE CASCADE,
    number              integer NOT NULL CHECK (number >= 1),
    cycle               integer NOT NULL,
    content             jsonb NOT NULL,
    draft_version       integer NOT NULL,
    frozen_at           timestamptz NOT NULL DEFAULT now(),
    frozen_by           uuid,
    consent_status      text NOT NULL DEFAULT 'pending' CHECK (consent_status IN ('pending', 'given', 'refused')),
    consent_recorded_at timestamptz,
    consent_recorded_by uuid,
    PRIMARY KEY (dossier_id, number)
);

-- dossier_transition: every phase change, once per request id, so the
-- workflow's activity can be retried without a second row.
CREATE TABLE dossier_transition (
    request_id text PRIMARY KEY,
    dossier_id uuid NOT NULL REFERENCES dossier (id) ON DELETE CASCADE,
    cycle      integer NOT NULL,
    from_phase text NOT NULL,
    to_phase   text NOT NULL,
    by_user_id uuid,
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dossier_transition_dossier ON dossier_transition (dossier_id, at);

-- attachment: files on a dossier, kept in the database (never under the
-- web root), so backups, transfers and retention treat them with the
-- dossier.
CREATE TABLE attachment (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dossier_id   uuid NOT NULL REFERENCES dossier (id) ON DELETE CASCADE,
    file_name    text NOT NULL CHECK (length(btrim(file_name)) BETWEEN 1 AND 200),
    content_type text NOT NULL,
    size_bytes   integer NOT NULL CHECK (size_bytes BETWEEN 1 AND 10485760),
    sha256       bytea NOT NULL,
    content      bytea NOT NULL,
    uploaded_by  uuid,
    uploaded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachment_dossier ON attachment (dossier_id, uploaded_at);

-- A deadline of a running process: '' none near, 'reminder' close,
-- 'overdue' passed. Dashboards filter on it without asking Temporal.
ALTER TABLE process_step ADD COLUMN deadline_state text NOT NULL DEFAULT ''
    CHECK (deadline_state IN ('', 'reminder', 'overdue'));

-- +goose Down
ALTER TABLE process_step DROP COLUMN deadline_state;
DROP TABLE attachment;
DROP TABLE dossier_transition;
DROP TABLE action_part_version;
DROP TABLE test_result;
DROP TABLE growth_entry;
DROP TABLE dossier_participant;
DROP TABLE dossier_section;
DROP TABLE dossier;
DROP TYPE support_level;
