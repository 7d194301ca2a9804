-- +goose Up
-- A transfer (overdracht) of a pupil's plan to another school on the
-- platform. At the sending school: what goes (the package, frozen when
-- the parties are asked, so they agree to exactly that), who must agree
-- and per attachment whether it may go. The content crosses to the
-- receiving school's database only inside the transfer's activities.
CREATE TABLE transfer_out (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dossier_id     uuid NOT NULL REFERENCES dossier (id) ON DELETE CASCADE,
    pupil_id       uuid NOT NULL REFERENCES pupil (id) ON DELETE CASCADE,
    to_licence_id  uuid NOT NULL,
    to_name        text NOT NULL,
    package        jsonb NOT NULL,
    -- The onderwijskundig rapport as it goes, made again when the
    -- parents add their view while they are asked.
    report_pdf     bytea NOT NULL,
    status         text NOT NULL DEFAULT 'consent'
                   CHECK (status IN ('consent', 'offered', 'accepted', 'declined', 'refused', 'expired', 'withdrawn')),
    reason         text NOT NULL DEFAULT '' CHECK (length(reason) <= 5000),
    created_by     uuid,
    created_at     timestamptz NOT NULL DEFAULT now(),
    consent_due_at timestamptz NOT NULL,
    offered_at     timestamptz,
    decided_at     timestamptz
);
-- One open transfer per pupil.
CREATE UNIQUE INDEX transfer_out_open ON transfer_out (pupil_id) WHERE status IN ('consent', 'offered');
CREATE INDEX transfer_out_created ON transfer_out (created_at DESC);

CREATE TABLE transfer_party (
    transfer_id uuid NOT NULL REFERENCES transfer_out (id) ON DELETE CASCADE,
    party_key   text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('guardian', 'pupil')),
    guardian_id uuid REFERENCES guardian (id) ON DELETE SET NULL,
    answer      text CHECK (answer IN ('agree', 'refuse')),
    remark      text NOT NULL DEFAULT '' CHECK (length(remark) <= 5000),
    answered_at timestamptz,
    recorded_by uuid,
    PRIMARY KEY (transfer_id, party_key)
);

CREATE TABLE transfer_share (
    transfer_id   uuid NOT NULL REFERENCES transfer_out (id) ON DELETE CASCADE,
    attachment_id uuid NOT NULL REFERENCES attachment (id) ON DELETE CASCADE,
    party_key     text NOT NULL,
    share         boolean NOT NULL,
    PRIMARY KEY (transfer_id, attachment_id, party_key)
);

-- transfer_in: at the receiving school, a transfer offered to it. Until
-- it accepts it holds who is coming and what would come (names of the
-- parts and attachments), not the plan; a decline or a withdrawal wipes
-- the pupil's name and birth date.
CREATE TABLE transfer_in (
    id              uuid PRIMARY KEY, -- the sending school's transfer
    from_licence_id uuid NOT NULL,
    from_name       text NOT NULL,
    pupil_name      text NOT NULL DEFAULT '',
    birth_date      date,
    offer           jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'offered' CHECK (status IN ('offered', 'accepted', 'declined', 'withdrawn')),
    reason          text NOT NULL DEFAULT '' CHECK (length(reason) <= 5000),
    offered_at      timestamptz NOT NULL DEFAULT now(),
    decided_at      timestamptz,
    decided_by      uuid,
    pupil_id        uuid REFERENCES pupil (id) ON DELETE SET NULL,
    dossier_id      uuid REFERENCES dossier (id) ON DELETE SET NULL
);
CREATE INDEX transfer_in_offered ON transfer_in (offered_at DESC);

-- dossier_history: the plan as it came from the sending school, read-only,
-- marked with that school: the start of this school's own dossier.
CREATE TABLE dossier_history (
    dossier_id  uuid NOT NULL REFERENCES dossier (id) ON DELETE CASCADE,
    transfer_id uuid NOT NULL,
    from_name   text NOT NULL,
    package     jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dossier_id, transfer_id)
);

-- An attachment that came with a transfer names the school it came from.
ALTER TABLE attachment ADD COLUMN from_school text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE attachment DROP COLUMN from_school;
DROP TABLE dossier_history;
DROP TABLE transfer_in;
DROP TABLE transfer_share;
DROP TABLE transfer_party;
DROP TABLE transfer_out;
