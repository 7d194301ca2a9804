-- +goose Up
-- licence_letterhead: a school's or SWV's own logo and details (address,
-- phone, website) printed at the top of its OPPs, consent statements and
-- decisions. The logo is a PNG or JPEG the licence's admin uploads
-- (checked and limited in size by the service).
CREATE TABLE licence_letterhead (
    licence_id uuid PRIMARY KEY REFERENCES licence (id) ON DELETE CASCADE,
    logo       bytea CHECK (logo IS NULL OR octet_length(logo) <= 524288),
    logo_type  text CHECK (logo_type IN ('png', 'jpeg')),
    details    text NOT NULL DEFAULT '' CHECK (length(details) <= 500),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((logo IS NULL) = (logo_type IS NULL))
);

-- +goose Down
DROP TABLE licence_letterhead;
