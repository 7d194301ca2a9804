-- +goose Up
-- Second factor: a TOTP secret per account, encrypted by the application,
-- the last time step used (each code works once) and one-time recovery
-- codes. A session passes the second factor at mfa_at.
ALTER TABLE app_user
    ADD COLUMN totp_secret_sealed bytea,
    ADD COLUMN totp_confirmed_at  timestamptz,
    ADD COLUMN totp_last_step     bigint NOT NULL DEFAULT 0;

CREATE TABLE recovery_code (
    user_id   uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    code_hash bytea NOT NULL,
    used_at   timestamptz,
    PRIMARY KEY (user_id, code_hash)
);

ALTER TABLE user_session ADD COLUMN mfa_at timestamptz;

-- +goose Down
ALTER TABLE user_session DROP COLUMN mfa_at;
DROP TABLE recovery_code;
ALTER TABLE app_user DROP COLUMN totp_last_step, DROP COLUMN totp_confirmed_at, DROP COLUMN totp_secret_sealed;
