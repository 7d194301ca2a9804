-- +goose Up
-- A closed dossier says where and why it stopped: the HGW phase it was in
-- (closed_in) and the reason (closed_reason: 'left' when the pupil left
-- school, 'completed' when the school closed it after the evaluation).
ALTER TABLE dossier ADD COLUMN closed_in text CHECK (closed_in IN ('observe', 'understand', 'plan', 'realise', 'evaluate'));
ALTER TABLE dossier ADD COLUMN closed_reason text CHECK (closed_reason IN ('left', 'completed'));
-- Dossiers closed before: the phase their process step still shows.
UPDATE dossier d SET closed_in = ps.step
FROM process_step ps
WHERE d.closed_at IS NOT NULL AND ps.entity_kind = 'dossier' AND ps.entity_id = d.id
  AND ps.step IN ('observe', 'understand', 'plan', 'realise', 'evaluate');

-- +goose Down
ALTER TABLE dossier DROP COLUMN closed_reason;
ALTER TABLE dossier DROP COLUMN closed_in;
