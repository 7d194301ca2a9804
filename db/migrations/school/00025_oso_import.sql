-- +goose Up
-- oso_import: an OSO dossier received from outside the platform, kept
-- between its preview and the school's decision; applied, it becomes a
-- pupil with a dossier whose history is the file's plan, in one
-- transaction. The file is dropped once decided.
CREATE TABLE oso_import (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    digest      text NOT NULL,
    data        bytea,
    status      text NOT NULL DEFAULT 'staged' CHECK (status IN ('staged', 'applied', 'discarded')),
    pupil_id    uuid REFERENCES pupil (id) ON DELETE SET NULL,
    created_by  uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    decided_at  timestamptz
);
CREATE INDEX oso_import_created ON oso_import (created_at DESC);

-- +goose Down
DROP TABLE oso_import;
