-- +goose Up
-- swv_consent_rules: the consent rules an SWV sets for its schools. No
-- row: the platform's defaults (the law's ages, 7 and 14 days, "any").
CREATE TABLE swv_consent_rules (
    swv_id               uuid PRIMARY KEY REFERENCES swv (id) ON DELETE CASCADE,
    remind_after_days    integer NOT NULL CHECK (remind_after_days BETWEEN 1 AND 60),
    deadline_days        integer NOT NULL CHECK (deadline_days BETWEEN 2 AND 90),
    school_reminder_days integer NOT NULL CHECK (school_reminder_days BETWEEN 1 AND 30),
    share_age            integer NOT NULL CHECK (share_age BETWEEN 12 AND 18),
    decide_age           integer NOT NULL CHECK (decide_age BETWEEN 12 AND 18),
    policy               text NOT NULL CHECK (policy IN ('any', 'all')),
    updated_by           uuid REFERENCES app_user (id) ON DELETE SET NULL,
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (remind_after_days < deadline_days),
    CHECK (share_age <= decide_age)
);

-- +goose Down
DROP TABLE swv_consent_rules;
