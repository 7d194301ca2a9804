-- name: AskExpert :execrows
INSERT INTO request_expert (request_id, expert_id, asked_by) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING;

-- name: ListRequestExperts :many
SELECT * FROM request_expert WHERE request_id = $1 ORDER BY asked_at, expert_id;

-- name: ExpertAsked :one
SELECT EXISTS (SELECT 1 FROM request_expert WHERE request_id = $1 AND expert_id = $2)::boolean;

-- name: RequestsOfExpert :many
-- What an expert may read: the requests they were asked about or advised on.
SELECT e.request_id FROM request_expert e WHERE e.expert_id = @expert
UNION
SELECT a.request_id FROM expert_advice a WHERE a.expert_id = @expert;

-- name: RequestsOfCommitteeMember :many
-- What a committee member may read: the requests on the agenda of a
-- meeting they chair or sit in, past ones included.
SELECT r.id FROM request r JOIN committee_meeting m ON m.id = r.meeting_id
WHERE m.chair_id = @member_id OR m.member_ids @> ARRAY[@member_id::uuid];
