-- +goose Up
-- Pupils, groups and teachers from the school's leerlingadministratie
-- (LAS), by EDEXML import. A pupil is matched by eckid, else by the LAS
-- key (las_key, 00019), never by name. A pupil the LAS no longer has is
-- not deleted: las_missing_since marks them until the school confirms the
-- leaving or keeps them (las_kept_at).
ALTER TABLE pupil ADD COLUMN eckid text NOT NULL DEFAULT '' CHECK (length(eckid) <= 256);
ALTER TABLE pupil ADD COLUMN las_missing_since date;
ALTER TABLE pupil ADD COLUMN las_kept_at timestamptz;
-- EDEXML allows a pupil known by roepnaam only.
ALTER TABLE pupil DROP CONSTRAINT pupil_family_name_check;
CREATE INDEX pupil_las_key ON pupil (las_key) WHERE las_key <> '';
CREATE INDEX pupil_eckid ON pupil (eckid) WHERE eckid <> '';

-- The groups and teachers of the last applied import, by the LAS's keys:
-- a renamed group keeps its key, a teacher keeps the account linked.
CREATE TABLE las_group (
    key        text PRIMARY KEY,
    name       text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 20),
    composite  boolean NOT NULL DEFAULT false,
    year_group text NOT NULL DEFAULT ''
);

CREATE TABLE las_teacher (
    key     text PRIMARY KEY,
    eckid   text NOT NULL DEFAULT '',
    name    text NOT NULL DEFAULT '',
    email   text NOT NULL DEFAULT '',
    groups  text[] NOT NULL DEFAULT '{}',
    user_id uuid -- the teacher's account on this licence; NULL until linked
);

-- One import: a file uploaded, posted, run from the command line or
-- fetched by the nightly schedule; its preview, and what became of it.
-- The file itself is kept only until it is applied or set aside.
CREATE TABLE las_import (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    source      text NOT NULL CHECK (source IN ('upload', 'api', 'cli', 'schedule')),
    status      text NOT NULL CHECK (status IN ('preview', 'waiting', 'applied', 'discarded', 'refused', 'failed')),
    file_sha256 text NOT NULL DEFAULT '',
    content     bytea,
    preview     jsonb,
    digest      text NOT NULL DEFAULT '',
    message     text NOT NULL DEFAULT '',
    created_by  uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    decided_by  uuid,
    decided_at  timestamptz
);
CREATE INDEX las_import_created ON las_import (created_at DESC, id);

-- The nightly update: where the export comes from and the limit above
-- which it waits for the admin.
CREATE TABLE las_setting (
    id                  boolean PRIMARY KEY DEFAULT true CHECK (id),
    source              text NOT NULL DEFAULT 'none' CHECK (source IN ('none', 'folder', 'https')),
    url                 text NOT NULL DEFAULT '',
    client_cert         text NOT NULL DEFAULT '',
    client_key_sealed   bytea,
    max_leaving_percent integer NOT NULL DEFAULT 10 CHECK (max_leaving_percent BETWEEN 0 AND 100),
    hour                integer NOT NULL DEFAULT 2 CHECK (hour BETWEEN 0 AND 23),
    lovs_mapping        jsonb,
    updated_at          timestamptz NOT NULL DEFAULT now()
);
INSERT INTO las_setting DEFAULT VALUES;

-- Test results of the pupil-tracking system (LOVS), per pupil, test and
-- date, for the growth document.
CREATE TABLE lovs_result (
    pupil_id uuid NOT NULL REFERENCES pupil (id) ON DELETE CASCADE,
    test     text NOT NULL CHECK (length(btrim(test)) BETWEEN 1 AND 60),
    taken_on date NOT NULL,
    score    text NOT NULL DEFAULT '' CHECK (length(score) <= 20),
    level    text NOT NULL DEFAULT '' CHECK (level IN ('', 'I', 'II', 'III', 'IV', 'V', 'A', 'B', 'C', 'D', 'E')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (pupil_id, test, taken_on)
);

-- +goose Down
DROP TABLE lovs_result;
DROP TABLE las_setting;
DROP TABLE las_import;
DROP TABLE las_teacher;
DROP TABLE las_group;
DROP INDEX pupil_eckid;
DROP INDEX pupil_las_key;
ALTER TABLE pupil ADD CONSTRAINT pupil_family_name_check CHECK (length(btrim(family_name)) > 0);
ALTER TABLE pupil DROP COLUMN las_kept_at;
ALTER TABLE pupil DROP COLUMN las_missing_since;
ALTER TABLE pupil DROP COLUMN eckid;
