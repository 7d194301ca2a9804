-- +goose Up
-- Issue 19, drill 11: what the nightly reconciliation of a school's
-- database with Temporal found and repaired. Ids only, never names.
CREATE TABLE reconcile_run (
    id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    licence_id                uuid NOT NULL,
    ran_at                    timestamptz NOT NULL DEFAULT now(),
    workflows_checked         integer NOT NULL,
    dossiers_without_workflow integer NOT NULL,
    workflows_without_entity  integer NOT NULL,
    projections_repaired      integer NOT NULL,
    details                   jsonb NOT NULL
);
CREATE INDEX reconcile_run_licence ON reconcile_run (licence_id, ran_at DESC);

-- +goose Down
DROP TABLE reconcile_run;
