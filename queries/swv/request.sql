-- name: CreateRequest :one
-- A repeated submit of the same school request returns the first.
INSERT INTO request (school_licence_id, school_request_id, school_name, kind, tlv_type, tlv_category,
    pupil_name, pupil_birth_date, question)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (school_licence_id, school_request_id) DO UPDATE SET school_name = EXCLUDED.school_name
RETURNING *;

-- name: GetRequest :one
SELECT * FROM request WHERE id = $1;

-- name: SetRequestStatus :exec
UPDATE request SET status = $2, closed_reason = $3, updated_at = now() WHERE id = $1;

-- name: SetRequestMeeting :exec
UPDATE request SET meeting_id = $2, updated_at = now() WHERE id = $1;

-- name: SetRequestSubmission :exec
UPDATE request SET submission = greatest(submission, $2), updated_at = now() WHERE id = $1;

-- name: PutRequestInput :exec
INSERT INTO request_input (input_key, request_id, body, actor_name) VALUES ($1, $2, $3, $4)
ON CONFLICT (input_key) DO UPDATE SET body = EXCLUDED.body, actor_name = EXCLUDED.actor_name;

-- name: TakeRequestInput :one
-- The input of a step, or empty when there was none (or it was taken).
SELECT coalesce((SELECT body FROM request_input WHERE input_key = @key::text), '')::text AS body,
       coalesce((SELECT actor_name FROM request_input WHERE input_key = @key::text), '')::text AS actor_name;

-- name: DeleteRequestInput :exec
DELETE FROM request_input WHERE input_key = $1;

-- name: AddRequestEvent :exec
INSERT INTO request_event (request_id, kind, visibility, body, actor_id, due_at, event_key, at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (event_key) DO NOTHING;

-- name: ListRequestEvents :many
SELECT * FROM request_event WHERE request_id = $1 AND (visibility = 'school' OR @internal::boolean)
ORDER BY at, id;

-- name: AddExpertAdvice :exec
INSERT INTO expert_advice (request_id, expert_id, expert_name, profession, advice, signed_off_at, outcome)
VALUES ($1, $2, $3, $4, $5, $6, sqlc.narg(outcome))
ON CONFLICT (request_id, expert_id) DO NOTHING;

-- name: ListExpertAdvice :many
SELECT * FROM expert_advice WHERE request_id = $1 ORDER BY signed_off_at;

-- name: AddDecisionVote :exec
INSERT INTO decision_vote (request_id, member_id, chair, approve, motivation, at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (request_id, member_id) DO NOTHING;

-- name: GetDecisionVote :one
SELECT * FROM decision_vote WHERE request_id = $1 AND member_id = $2;

-- name: AddDecision :exec
INSERT INTO decision (request_id, approved, motivation, decided_on, start_on, end_on)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (request_id) DO NOTHING;

-- name: GetDecision :one
SELECT * FROM decision WHERE request_id = $1;

-- name: NextDocumentNumber :one
INSERT INTO document_counter (kind, year, last) VALUES ($1, $2, 1)
ON CONFLICT (kind, year) DO UPDATE SET last = document_counter.last + 1
RETURNING last;

-- name: StoreSignedDecision :exec
UPDATE decision SET number = $2, pdf = $3, signed_pdf = $4, signed_by = $5, signed_at = $6
WHERE request_id = $1 AND signed_pdf IS NULL;

-- name: RequestEventExists :one
SELECT EXISTS (SELECT 1 FROM request_event WHERE event_key = $1);

-- name: AddSnapshot :exec
INSERT INTO request_snapshot (request_id, submission, content) VALUES ($1, $2, $3)
ON CONFLICT (request_id, submission) DO NOTHING;

-- name: GetSnapshot :one
SELECT * FROM request_snapshot WHERE request_id = $1 ORDER BY submission DESC LIMIT 1;

-- name: AddRequestAttachment :exec
INSERT INTO request_attachment (id, request_id, submission, file_name, content_type, data)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (request_id, submission, id) DO NOTHING;

-- name: ListRequestAttachments :many
SELECT id, request_id, submission, file_name, content_type, length(data)::int AS size_bytes
FROM request_attachment WHERE request_id = $1 ORDER BY file_name;

-- name: NextSubmission :one
UPDATE request SET submission = submission + 1, updated_at = now() WHERE id = $1 RETURNING submission;

-- name: ListRequests :many
-- The requests, the intake queue and what waits longest first.
SELECT * FROM request WHERE (@status::text = '' OR status = @status)
ORDER BY status = 'intake' DESC, submitted_at LIMIT @lim;

-- name: ListDecisionVotes :many
SELECT * FROM decision_vote WHERE request_id = $1 ORDER BY at, member_id;

-- name: CreateMeeting :one
INSERT INTO committee_meeting (meets_on, title, chair_id, member_ids) VALUES ($1, $2, $3, $4)
RETURNING *;

-- name: GetMeeting :one
SELECT * FROM committee_meeting WHERE id = $1;

-- name: ListMeetings :many
SELECT * FROM committee_meeting WHERE meets_on >= @since::date ORDER BY meets_on, title;

-- name: ListAgenda :many
SELECT * FROM request WHERE meeting_id = $1 ORDER BY submitted_at;

-- name: GetRequestAttachment :one
-- The attachment of the request's latest submission that holds it.
SELECT * FROM request_attachment WHERE request_id = $1 AND id = $2 ORDER BY submission DESC LIMIT 1;

-- name: RequestRetentionStart :one
-- From when a request's term runs: a granted TLV's or arrangement's end
-- date, else when it closed.
SELECT coalesce(d.end_on::timestamptz, r.updated_at)::timestamptz AS since, r.status
FROM request r LEFT JOIN decision d ON d.request_id = r.id AND d.approved
WHERE r.id = $1;

-- name: DeleteRequest :exec
DELETE FROM request WHERE id = $1;

-- name: DeleteRequestSteps :exec
DELETE FROM process_step WHERE entity_id = $1;

-- name: RedactLogbookForEntity :execrows
-- Retention at the SWV: the lines about a request keep their place and
-- content hash and lose the request's id.
UPDATE logbook SET entity_id = '', request_id = '', on_behalf_of = NULL, pupil_id = NULL, redacted_at = @redacted_at
WHERE (entity_id = @id::text OR entity_id LIKE @id::text || ':%') AND redacted_at IS NULL;

-- name: AddSWVDeletionRecord :exec
INSERT INTO swv_deletion_record (kind, rule, deleted_on, counts, event_key) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (event_key) DO NOTHING;

-- name: SWVDeletionRecorded :one
SELECT EXISTS (SELECT 1 FROM swv_deletion_record WHERE event_key = $1);

-- name: RequestsPastTerm :many
-- Closed requests whose term ran out before @started_before (a granted
-- TLV's or arrangement's end, else when the request closed): the
-- reconciliation's list, as RequestRetentionStart counts.
SELECT r.id FROM request r LEFT JOIN decision d ON d.request_id = r.id AND d.approved
WHERE r.status = 'afgesloten' AND coalesce(d.end_on::timestamptz, r.updated_at) < @started_before::timestamptz
LIMIT 10000;

-- name: SetDecisionMadeKnown :one
-- The first bekendmaking counts: a retried activity keeps it and gets it
-- back.
UPDATE decision SET made_known_at = coalesce(made_known_at, @made_known_at::timestamptz),
    objection_until = coalesce(objection_until, @objection_until::date)
WHERE request_id = @request_id
RETURNING made_known_at::timestamptz;

-- name: SetRequestProposal :exec
UPDATE request SET proposed_start_on = @start_on::date, proposed_end_on = @end_on::date,
    tlv_category = CASE WHEN kind = 'tlv' THEN sqlc.narg(category) ELSE tlv_category END, updated_at = now()
WHERE id = @id;

-- name: ArchiveDecision :execrows
-- The objection was upheld: the decision with its votes is kept in
-- revoked_decision before the request is decided anew.
INSERT INTO revoked_decision (request_id, approved, motivation, decided_on, start_on, end_on, number, signed_pdf, made_known_at, votes)
SELECT d.request_id, d.approved, d.motivation, d.decided_on, d.start_on, d.end_on, d.number, d.signed_pdf, d.made_known_at,
       coalesce((SELECT jsonb_agg(jsonb_build_object('member_id', v.member_id, 'chair', v.chair, 'approve', v.approve,
                 'motivation', v.motivation, 'at', v.at)) FROM decision_vote v WHERE v.request_id = d.request_id), '[]'::jsonb)
FROM decision d WHERE d.request_id = $1;

-- name: DeleteDecisionVotes :exec
DELETE FROM decision_vote WHERE request_id = $1;

-- name: DeleteDecision :exec
DELETE FROM decision WHERE request_id = $1;

-- name: ClearRequestProposal :exec
UPDATE request SET proposed_start_on = NULL, proposed_end_on = NULL, updated_at = now() WHERE id = $1;

-- name: ListRevokedDecisions :many
SELECT * FROM revoked_decision WHERE request_id = $1 ORDER BY revoked_at;

-- name: SetRequestCategory :exec
UPDATE request SET tlv_category = @category, updated_at = now() WHERE id = @id AND kind = 'tlv';

-- name: ListRequestsPage :many
-- A page of the requests for the API, oldest submission first, after the
-- cursor (the last row of the page before: its submitted_at and id).
SELECT * FROM request
WHERE (@status::text = '' OR status = @status)
  AND (submitted_at, id) > (@after_at::timestamptz, @after_id::uuid)
ORDER BY submitted_at, id LIMIT @lim;
