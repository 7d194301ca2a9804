-- +goose Up
-- The platform database is the directory: which samenwerkingsverbanden and
-- licences exist and which PostgreSQL database holds each licence's data.
-- It never holds pupil data.
CREATE TYPE licence_kind AS ENUM ('school', 'swv_school', 'swv');
CREATE TYPE school_type AS ENUM ('BAO', 'SBO', 'SO', 'VO', 'VSO', 'PrO');
CREATE TYPE licence_status AS ENUM ('creating', 'active');

CREATE TABLE swv (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code       text NOT NULL UNIQUE CHECK (code ~ '^[A-Z]{2}[0-9]{2,4}[A-Z]?$'),
    name       text NOT NULL CHECK (length(btrim(name)) > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE licence (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind        licence_kind NOT NULL,
    name        text NOT NULL CHECK (length(btrim(name)) > 0),
    swv_id      uuid NOT NULL REFERENCES swv (id),
    brin        text UNIQUE CHECK (brin ~ '^[0-9]{2}[A-Z]{2}$'),
    school_type school_type,
    db_server   text NOT NULL DEFAULT 'main',
    db_name     text NOT NULL UNIQUE CHECK (db_name ~ '^[a-z0-9_]{1,63}$'),
    status      licence_status NOT NULL DEFAULT 'creating',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    -- A school licence is a real school with a BRIN code and a type; the
    -- SWV's own licences have neither.
    CHECK ((kind = 'school') = (brin IS NOT NULL AND school_type IS NOT NULL))
);
CREATE UNIQUE INDEX licence_one_swv_per_swv ON licence (swv_id) WHERE kind = 'swv';

-- demo_seed has at most one row: its presence means `topdossier dev` has
-- seeded the demo data, so a second start does not seed it again.
CREATE TABLE demo_seed (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    seeded_at  timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE demo_seed;
DROP TABLE licence;
DROP TABLE swv;
DROP TYPE licence_status;
DROP TYPE school_type;
DROP TYPE licence_kind;
