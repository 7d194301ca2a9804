-- +goose Up
-- Consent on a handelingsdeel version: one round per frozen version, run
-- by a ConsentWorkflow. Parties are the guardians with parental
-- authority, and the pupil as the ages in the SWV's policy are reached.
CREATE TABLE consent_round (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dossier_id         uuid NOT NULL REFERENCES dossier (id) ON DELETE CASCADE,
    action_part_number integer NOT NULL,
    status             text NOT NULL DEFAULT 'open'
                       CHECK (status IN ('open', 'consented', 'refused', 'superseded')),
    started_at         timestamptz NOT NULL DEFAULT now(),
    deadline_at        timestamptz NOT NULL,
    escalated_at       timestamptz,
    closed_at          timestamptz,
    UNIQUE (dossier_id, action_part_number),
    FOREIGN KEY (dossier_id, action_part_number) REFERENCES action_part_version (dossier_id, number) ON DELETE CASCADE
);

-- consent_party: who is asked. decides: their answer decides on the
-- handelingsdeel; shares: their toestemming is needed to share the
-- dossier (the pupil from 16). A party re-routed away keeps its row with
-- removed_at, so the history stays readable.
CREATE TABLE consent_party (
    round_id    uuid NOT NULL REFERENCES consent_round (id) ON DELETE CASCADE,
    party_key   text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('guardian', 'pupil')),
    guardian_id uuid REFERENCES guardian (id) ON DELETE SET NULL,
    decides     boolean NOT NULL,
    shares      boolean NOT NULL,
    added_at    timestamptz NOT NULL DEFAULT now(),
    removed_at  timestamptz,
    PRIMARY KEY (round_id, party_key)
);

-- consent_response: every answer, once per request id. A question
-- reopens the conversation without deciding.
CREATE TABLE consent_response (
    request_id  text PRIMARY KEY,
    round_id    uuid NOT NULL REFERENCES consent_round (id) ON DELETE CASCADE,
    party_key   text NOT NULL,
    answer      text NOT NULL CHECK (answer IN ('agree', 'disagree', 'question')),
    remark      text NOT NULL DEFAULT '' CHECK (length(remark) <= 5000),
    channel     text NOT NULL CHECK (channel IN ('portal', 'school')),
    recorded_by uuid,
    at          timestamptz NOT NULL DEFAULT now(),
    CHECK (answer <> 'disagree' OR length(btrim(remark)) > 0)
);
CREATE INDEX consent_response_round ON consent_response (round_id, at);

-- mail_outbox: mails waiting to be sent, written in the transaction of
-- what caused them; the dedupe key makes a retried activity write once.
CREATE TABLE mail_outbox (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dedupe_key text NOT NULL UNIQUE,
    to_address text NOT NULL,
    subject    text NOT NULL,
    body       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz,
    attempts   integer NOT NULL DEFAULT 0
);
CREATE INDEX mail_outbox_unsent ON mail_outbox (created_at) WHERE sent_at IS NULL;

-- +goose Down
DROP TABLE mail_outbox;
DROP TABLE consent_response;
DROP TABLE consent_party;
DROP TABLE consent_round;
