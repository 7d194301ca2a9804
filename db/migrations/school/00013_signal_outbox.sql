-- +goose Up
-- signal_outbox: a signal to a process, written in the transaction of the
-- change it reports (a dossier's support level, a school's answer to an
-- AVG request). It is sent right after the commit; one that could not be
-- sent then is sent by the deliver schedule. Payloads hold ids, dates and
-- states, no personal data.
CREATE TABLE signal_outbox (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workflow_id text NOT NULL,
    signal      text NOT NULL,
    payload     jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz,
    attempts    integer NOT NULL DEFAULT 0
);
CREATE INDEX signal_outbox_unsent ON signal_outbox (created_at) WHERE sent_at IS NULL;

-- +goose Down
DROP TABLE signal_outbox;
