-- +goose Up
-- A guardian's account is linked to the guardian's row in the school
-- database: that row is the party a consent round asks.
ALTER TABLE pupil_link ADD COLUMN guardian_id uuid;

-- +goose Down
ALTER TABLE pupil_link DROP COLUMN guardian_id;
