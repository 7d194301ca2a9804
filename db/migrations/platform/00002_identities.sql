-- +goose Up
-- One identity per person: staff, guardians and pupils, even when they
-- work for several licences or have children at two schools.
CREATE TYPE user_kind AS ENUM ('staff', 'guardian', 'pupil');
CREATE TYPE staff_role AS ENUM (
    'platform_admin', 'swv_admin', 'consultant', 'committee_member', 'expert',
    'school_admin', 'ib', 'teacher'
);
CREATE TYPE expert_profession AS ENUM ('orthopedagoog', 'psycholoog', 'other');

CREATE TABLE app_user (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind          user_kind NOT NULL,
    email         text NOT NULL UNIQUE CHECK (email = lower(email) AND email LIKE '%_@_%'),
    display_name  text NOT NULL CHECK (length(btrim(display_name)) > 0),
    password_hash text,
    disabled_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- membership ties a staff user to a licence with a role; the platform
-- admin's membership has no licence.
CREATE TABLE membership (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    licence_id uuid REFERENCES licence (id) ON DELETE CASCADE,
    role       staff_role NOT NULL,
    profession expert_profession,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'platform_admin') = (licence_id IS NULL)),
    CHECK ((role = 'expert') = (profession IS NOT NULL))
);
CREATE UNIQUE INDEX membership_unique ON membership (user_id, coalesce(licence_id, '00000000-0000-0000-0000-000000000000'::uuid), role);
CREATE INDEX membership_licence ON membership (licence_id);

-- pupil_link ties a guardian or pupil account to a pupil record in a
-- school database.
CREATE TABLE pupil_link (
    user_id    uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    licence_id uuid NOT NULL REFERENCES licence (id) ON DELETE CASCADE,
    pupil_id   uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, licence_id, pupil_id)
);

-- user_session: the cookie holds a random token; only its sha256 is stored.
CREATE TABLE user_session (
    token_hash   bytea PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    reauth_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_session_user ON user_session (user_id);
CREATE INDEX user_session_expires ON user_session (expires_at);

-- login_attempt feeds the rate limits. account_key is sha256 of the
-- lower-cased e-mail address typed, so unknown addresses are limited too
-- without being stored.
CREATE TABLE login_attempt (
    id          bigserial PRIMARY KEY,
    account_key bytea NOT NULL,
    ip          inet NOT NULL,
    success     boolean NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempt_account ON login_attempt (account_key, at);
CREATE INDEX login_attempt_ip ON login_attempt (ip, at);

-- +goose Down
DROP TABLE login_attempt;
DROP TABLE user_session;
DROP TABLE pupil_link;
DROP TABLE membership;
DROP TABLE app_user;
DROP TYPE expert_profession;
DROP TYPE staff_role;
DROP TYPE user_kind;
