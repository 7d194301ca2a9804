-- +goose Up
-- payload_key: the fingerprint (not the key) of the key that seals this
-- platform's secrets and Temporal payloads. `make run` compares it at
-- start: a new key on a database sealed with another would fail later
-- with "message authentication failed".
CREATE TABLE payload_key (
    id          integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    fingerprint text NOT NULL,
    set_at      timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE payload_key;
