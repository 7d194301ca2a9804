-- +goose Up
-- leaving_on: a leaving date the school planned ahead (the last day of
-- the school year, a move). On that day the LeavingWorkflow records the
-- leaving as if it were typed then: left_on is set, the processes stop,
-- the retention terms start. NULL: nothing planned (or it was cancelled).
ALTER TABLE pupil ADD COLUMN leaving_on date;

-- +goose Down
ALTER TABLE pupil DROP COLUMN leaving_on;
