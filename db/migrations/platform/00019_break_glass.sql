-- +goose Up
-- Issue 19, fix 2: the platform admin makes only a licence's first admin;
-- later admins are made by the licence's own admins. licence_steward
-- remembers that a licence has had an admin (so "first" stays first after
-- all admins are gone) and the licence's contact address.
CREATE TABLE licence_steward (
    licence_id     uuid PRIMARY KEY REFERENCES licence (id) ON DELETE CASCADE,
    first_admin_at timestamptz,
    contact_email  text CHECK (contact_email IS NULL OR (contact_email = lower(contact_email) AND contact_email LIKE '%_@_%'))
);
INSERT INTO licence_steward (licence_id, first_admin_at)
SELECT DISTINCT licence_id, now() FROM membership
WHERE licence_id IS NOT NULL AND role IN ('school_admin', 'swv_admin');

-- licence_break_glass: each time the platform admin made an admin for a
-- licence whose admins were all gone, with the reason given, who did it
-- and to whom the school was told. Kept with the platform, not the school,
-- so it survives the licence's database.
CREATE TABLE licence_break_glass (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    licence_id uuid NOT NULL,
    actor_id   uuid REFERENCES app_user (id) ON DELETE SET NULL,
    admin_id   uuid REFERENCES app_user (id) ON DELETE SET NULL,
    reason     text NOT NULL CHECK (length(btrim(reason)) >= 20 AND length(reason) <= 2000),
    notified   text[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX licence_break_glass_licence ON licence_break_glass (licence_id, created_at);

-- +goose Down
DROP TABLE licence_break_glass;
DROP TABLE licence_steward;
