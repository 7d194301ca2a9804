-- +goose Up
-- From 16 the pupil has a portal account of their own: the school keeps
-- the pupil's own e-mail address for the invitation.
ALTER TABLE pupil ADD COLUMN email text NOT NULL DEFAULT ''
    CHECK (email = '' OR (email = lower(email) AND email LIKE '%_@_%'));

-- school_setting: one row of choices the school makes for its portal.
-- view_without_authority: a guardian without parental authority may read
-- the plan in the portal (never asked to consent).
CREATE TABLE school_setting (
    id                     boolean PRIMARY KEY DEFAULT true CHECK (id),
    view_without_authority boolean NOT NULL DEFAULT false,
    updated_at             timestamptz NOT NULL DEFAULT now()
);
INSERT INTO school_setting DEFAULT VALUES;

-- +goose Down
DROP TABLE school_setting;
ALTER TABLE pupil DROP COLUMN email;
