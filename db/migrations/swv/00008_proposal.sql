-- +goose Up
-- The chair's proposal the committee votes on: the term, and for a TLV
-- for SO or VSO its category (request.tlv_category, set by the proposal).
ALTER TABLE request ADD COLUMN proposed_start_on date, ADD COLUMN proposed_end_on date;

-- +goose Down
ALTER TABLE request DROP COLUMN proposed_start_on, DROP COLUMN proposed_end_on;
