-- +goose Up
-- For how many school years at most the SWV gives a TLV, per type: the
-- SWV sets the term in its ondersteuningsplan (WPO art. 18a lid 6, WEC
-- art. 34.8). Defaults: SBO two, SO and VSO four.
ALTER TABLE swv ADD COLUMN tlv_max_years_sbo integer NOT NULL DEFAULT 2 CHECK (tlv_max_years_sbo BETWEEN 1 AND 12),
    ADD COLUMN tlv_max_years_so integer NOT NULL DEFAULT 4 CHECK (tlv_max_years_so BETWEEN 1 AND 12),
    ADD COLUMN tlv_max_years_vso integer NOT NULL DEFAULT 4 CHECK (tlv_max_years_vso BETWEEN 1 AND 12);

-- +goose Down
ALTER TABLE swv DROP COLUMN tlv_max_years_sbo, DROP COLUMN tlv_max_years_so, DROP COLUMN tlv_max_years_vso;
