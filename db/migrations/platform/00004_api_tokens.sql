-- +goose Up
-- API tokens for integrations: made by a school admin, shown once, stored
-- as sha256, scoped to one licence and to reading or writing.
CREATE TYPE api_scope AS ENUM ('read', 'write');
CREATE TABLE api_token (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    licence_id   uuid NOT NULL REFERENCES licence (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    scope        api_scope NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    created_by   uuid REFERENCES app_user (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_token_licence ON api_token (licence_id);

-- +goose Down
DROP TABLE api_token;
DROP TYPE api_scope;
