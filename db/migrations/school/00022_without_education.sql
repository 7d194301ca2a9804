-- +goose Up
-- The SWV's own school licence holds pupils without a school
-- (thuiszitters, pupils in care): since when each is without education,
-- as recorded by the SWV, for its list (the thuiszitterspact counts from
-- that day; three months and more is long-term absence).
ALTER TABLE pupil ADD COLUMN without_education_since date;

-- +goose Down
ALTER TABLE pupil DROP COLUMN without_education_since;
