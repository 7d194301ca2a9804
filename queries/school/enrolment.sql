-- name: ConfirmEnrolment :execrows
INSERT INTO enrolment_check (pupil_id, confirmed_at, request_id)
VALUES ($1, $2, $3)
ON CONFLICT (pupil_id) DO NOTHING;

-- name: GetEnrolmentCheck :one
SELECT * FROM enrolment_check WHERE pupil_id = $1;

-- name: MarkPupilLeft :execrows
UPDATE pupil SET left_on = $2, updated_at = now() WHERE id = $1 AND left_on IS NULL;
