-- +goose Up
-- passkey: WebAuthn credentials (discoverable, user-verified), the way
-- guardians and pupils log in without a password. credential holds the
-- library's record: public key, flags, sign count.
CREATE TABLE passkey (
    credential_id bytea PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    name          text NOT NULL DEFAULT '',
    credential    jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz
);
CREATE INDEX passkey_user ON passkey (user_id);

-- +goose Down
DROP TABLE passkey;
