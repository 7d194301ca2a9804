-- +goose Up
-- restricted_at: the school honoured a request to restrict the use of the
-- pupil's data (AVG art. 18). Until it is lifted the data is kept and
-- read, not changed or shared.
ALTER TABLE pupil ADD COLUMN restricted_at timestamptz;

-- +goose Down
ALTER TABLE pupil DROP COLUMN restricted_at;
