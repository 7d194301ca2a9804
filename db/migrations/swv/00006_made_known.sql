-- +goose Up
-- made_known_at: when the decision was sent to the parents and the school
-- (its bekendmaking, Awb 3:41); the objection term starts the day after
-- (Awb 6:8). objection_until: the term's last day (Awb 6:7 with the
-- Algemene termijnenwet), shown on the pages. Decisions of before have
-- neither.
ALTER TABLE decision ADD COLUMN made_known_at timestamptz, ADD COLUMN objection_until date;

-- +goose Down
ALTER TABLE decision DROP COLUMN made_known_at, DROP COLUMN objection_until;
