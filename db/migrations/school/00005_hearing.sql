-- +goose Up
-- Hoorrecht: the pupil's view on the plan, recorded before the
-- handelingsdeel goes out for consent, as one more section of a cycle.
ALTER TABLE dossier_section DROP CONSTRAINT dossier_section_section_check;
ALTER TABLE dossier_section ADD CONSTRAINT dossier_section_section_check
    CHECK (section IN ('understand', 'perspective', 'action_part', 'realise', 'evaluation', 'hearing'));
INSERT INTO dossier_section (dossier_id, cycle, section)
SELECT DISTINCT dossier_id, cycle, 'hearing' FROM dossier_section
ON CONFLICT (dossier_id, cycle, section) DO NOTHING;

-- +goose Down
DELETE FROM dossier_section WHERE section = 'hearing';
ALTER TABLE dossier_section DROP CONSTRAINT dossier_section_section_check;
ALTER TABLE dossier_section ADD CONSTRAINT dossier_section_section_check
    CHECK (section IN ('understand', 'perspective', 'action_part', 'realise', 'evaluation'));
