-- +goose Up
-- The disciplines of the experts a TLV's advice comes from (WPO art. 18a
-- lid 11): orthopedagoog or psycholoog for one of the two, the other
-- from this list or another discipline written out.
ALTER TYPE expert_profession ADD VALUE IF NOT EXISTS 'kinderpsychiater';
ALTER TYPE expert_profession ADD VALUE IF NOT EXISTS 'maatschappelijk_werker';
ALTER TYPE expert_profession ADD VALUE IF NOT EXISTS 'arts';
ALTER TABLE membership ADD COLUMN profession_other text CHECK (length(profession_other) <= 100);

-- +goose Down
ALTER TABLE membership DROP COLUMN profession_other;
