-- +goose Up
-- logbook_anchor: the head of each licence's logbook chain, copied daily
-- out of the licence database, so cutting rows off the end of a logbook
-- (which the chain alone cannot show) is caught by verify.
CREATE TABLE logbook_anchor (
    licence_id  uuid NOT NULL REFERENCES licence (id) ON DELETE CASCADE,
    seq         bigint NOT NULL,
    hash        bytea NOT NULL,
    anchored_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (licence_id, seq)
);

-- +goose Down
DROP TABLE logbook_anchor;
