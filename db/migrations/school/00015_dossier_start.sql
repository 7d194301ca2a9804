-- +goose Up
-- dossier_start: when extra support started (or the pupil was placed in
-- SBO, SO or VSO), from which the six weeks for the OPP run: recorded
-- with who and when, and every later change with its reason. The last
-- row is dossier.started_on.
CREATE TABLE dossier_start (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dossier_id  uuid NOT NULL REFERENCES dossier (id) ON DELETE CASCADE,
    started_on  date NOT NULL,
    previous_on date,
    reason      text NOT NULL CHECK (length(reason) <= 1000),
    by_user_id  uuid,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dossier_start_dossier ON dossier_start (dossier_id, at);

-- +goose Down
DROP TABLE dossier_start;
