-- +goose Up
-- A pupil who leaves: an open consent round stops ('withdrawn'); two
-- years later, when the dossier goes, the record keeps only what the
-- enrolment administration needs (names, birth date, enrolled and left
-- on) until its own term ends: minimised_at says when the rest went.
ALTER TABLE consent_round DROP CONSTRAINT consent_round_status_check;
ALTER TABLE consent_round ADD CONSTRAINT consent_round_status_check
    CHECK (status IN ('open', 'consented', 'refused', 'superseded', 'withdrawn'));
ALTER TABLE pupil ADD COLUMN minimised_at timestamptz;
CREATE INDEX dossier_closed ON dossier (closed_at DESC) WHERE closed_at IS NOT NULL;

-- +goose Down
DROP INDEX dossier_closed;
ALTER TABLE pupil DROP COLUMN minimised_at;
UPDATE consent_round SET status = 'superseded' WHERE status = 'withdrawn';
ALTER TABLE consent_round DROP CONSTRAINT consent_round_status_check;
ALTER TABLE consent_round ADD CONSTRAINT consent_round_status_check
    CHECK (status IN ('open', 'consented', 'refused', 'superseded'));
