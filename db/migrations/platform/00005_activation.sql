-- +goose Up
-- activation: a one-time link with which a new account chooses its
-- password. Only the token's sha256 is stored.
CREATE TABLE activation (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activation_user ON activation (user_id);

-- +goose Down
DROP TABLE activation;
