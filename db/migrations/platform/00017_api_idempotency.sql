-- +goose Up
-- Idempotency keys of the JSON API (Idempotency-Key header): the first
-- answer to a state change is kept for a day, so a retry with the same key
-- gets the same answer and changes nothing again. The answer is sealed
-- with the server's secret key: it may name a pupil, and this database is
-- the platform's, not the school's.
CREATE TABLE api_idempotency (
    principal_id uuid NOT NULL,          -- the token, or the person's account
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    fingerprint  bytea NOT NULL,         -- sha256 of method, path and body
    status       integer,                -- NULL while the first call runs
    location     text NOT NULL DEFAULT '',
    content_type text NOT NULL DEFAULT '',
    response     bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal_id, key)
);
CREATE INDEX api_idempotency_created ON api_idempotency (created_at);

-- +goose Down
DROP TABLE api_idempotency;
