-- name: SetRequestConsultant :exec
UPDATE request SET consultant_id = $2, updated_at = now() WHERE id = $1 AND consultant_id IS NULL;

-- name: AddRequestAction :one
INSERT INTO request_action (request_id, consultant_id, title, due_on) VALUES ($1, $2, $3, $4)
RETURNING *;

-- name: CompleteRequestAction :execrows
UPDATE request_action SET done_at = now() WHERE id = $1 AND request_id = $2 AND done_at IS NULL;

-- name: ListRequestActions :many
SELECT * FROM request_action WHERE request_id = $1 ORDER BY done_at NULLS FIRST, due_on;

-- name: ConsultantOpenRequests :many
-- Open requests of the consultant's schools or assigned to them, with
-- the step's due date.
SELECT r.id, r.school_name, r.pupil_name, r.kind, r.status, r.submitted_at, ps.due_at
FROM request r LEFT JOIN process_step ps ON ps.entity_kind = 'request' AND ps.entity_id = r.id
WHERE r.status <> 'afgesloten' AND (r.consultant_id = @me OR r.school_licence_id = ANY(@schools::uuid[]))
ORDER BY ps.due_at NULLS LAST, r.submitted_at
LIMIT 51;

-- name: ConsultantActionsDue :many
SELECT a.id, a.request_id, a.title, a.due_on, r.pupil_name, r.school_name
FROM request_action a JOIN request r ON r.id = a.request_id
WHERE a.consultant_id = $1 AND a.done_at IS NULL
ORDER BY a.due_on
LIMIT 51;

-- name: ConsultantNotes :many
SELECT e.request_id, e.body, e.at, r.pupil_name
FROM request_event e JOIN request r ON r.id = e.request_id
WHERE e.actor_id = $1 AND e.kind = 'note'
ORDER BY e.at DESC
LIMIT 20;

-- name: MeetingsOf :many
-- The meetings a committee member chairs or sits in, from a day on.
SELECT * FROM committee_meeting
WHERE meets_on >= @since::date AND (chair_id = @me OR member_ids @> ARRAY[@me::uuid])
ORDER BY meets_on
LIMIT 6;

-- name: AgendaItems :many
-- The items of meetings, with their advices and whether the member voted.
SELECT r.id, r.meeting_id, r.school_name, r.pupil_name, r.kind, r.status,
       (SELECT count(*) FROM expert_advice a WHERE a.request_id = r.id)::int AS advices,
       EXISTS (SELECT 1 FROM decision_vote v WHERE v.request_id = r.id AND v.member_id = @me) AS voted,
       d.approved AS decided_approved
FROM request r LEFT JOIN decision d ON d.request_id = r.id
WHERE r.meeting_id = ANY(@meetings::uuid[])
ORDER BY r.meeting_id, r.submitted_at;

-- name: IntakeQueue :many
SELECT id, school_name, pupil_name, kind, submitted_at, submission FROM request
WHERE status = 'intake' ORDER BY submitted_at LIMIT 51;

-- name: OverdueRequests :many
-- Requests whose step's date passed: incomplete ones waiting for the
-- school, objections waiting for the advice committee.
SELECT r.id, r.school_name, r.pupil_name, r.kind, r.status, ps.due_at
FROM process_step ps JOIN request r ON r.id = ps.entity_id
WHERE ps.entity_kind = 'request' AND ps.due_at < now() AND ps.step IN ('onvolledig', 'bezwaar_ingediend')
ORDER BY ps.due_at
LIMIT 51;

-- name: TLVsEndingSoon :many
SELECT r.id, r.school_name, r.pupil_name, d.number, d.end_on
FROM decision d JOIN request r ON r.id = d.request_id
WHERE d.approved AND r.kind = 'tlv' AND d.end_on BETWEEN @from_on::date AND @to_on::date
ORDER BY d.end_on
LIMIT 51;

-- name: CountOpenRequests :one
SELECT count(*) FROM request WHERE status <> 'afgesloten';

-- name: AdviceAskedOf :many
-- An expert's to-do list: the requests they were asked to advise on and
-- have not advised on yet, while advice can still be given, with the
-- meeting they are on (if planned).
SELECT r.id, r.school_name, r.pupil_name, r.kind, e.asked_at, m.meets_on
FROM request_expert e
JOIN request r ON r.id = e.request_id
LEFT JOIN committee_meeting m ON m.id = r.meeting_id
WHERE e.expert_id = @expert
  AND r.status IN ('bij_consulent', 'geagendeerd')
  AND NOT EXISTS (SELECT 1 FROM expert_advice a WHERE a.request_id = r.id AND a.expert_id = @expert)
ORDER BY m.meets_on NULLS LAST, e.asked_at
LIMIT 100;
