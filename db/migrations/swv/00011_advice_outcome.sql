-- +goose Up
-- The expert's conclusion with the advice: positief, negatief or anders
-- (the text says how). NULL for advices given before it was asked.
ALTER TABLE expert_advice ADD COLUMN outcome text CHECK (outcome IN ('positief', 'negatief', 'anders'));

-- +goose Down
ALTER TABLE expert_advice DROP COLUMN outcome;
