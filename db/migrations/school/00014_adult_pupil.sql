-- +goose Up
-- guardians_granted_at: the pupil, of age (18, BW 1:233), lets the
-- guardians keep reading the plan in the portal (and keep their AVG
-- rights on it). Without it their access ends on the 18th birthday.
ALTER TABLE pupil ADD COLUMN guardians_granted_at timestamptz;

-- +goose Down
ALTER TABLE pupil DROP COLUMN guardians_granted_at;
