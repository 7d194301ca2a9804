-- +goose Up
-- school_consultant: the SWV's consulent for each school of the SWV.
CREATE TABLE school_consultant (
    school_licence_id  uuid PRIMARY KEY REFERENCES licence (id) ON DELETE CASCADE,
    consultant_user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    assigned_at        timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE school_consultant;
