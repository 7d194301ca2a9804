-- +goose Up
-- request_action: a consultant's action on a request, with a due date.
CREATE TABLE request_action (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    request_id    uuid NOT NULL REFERENCES request (id) ON DELETE CASCADE,
    consultant_id uuid NOT NULL,
    title         text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 300),
    due_on        date NOT NULL,
    done_at       timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX request_action_open ON request_action (consultant_id, due_on) WHERE done_at IS NULL;
CREATE INDEX request_action_request ON request_action (request_id, created_at);

-- The dashboards' lists: open requests per school, the intake queue,
-- notes per author, meetings per person.
CREATE INDEX request_open ON request (school_licence_id, submitted_at) WHERE status <> 'afgesloten';
CREATE INDEX request_status ON request (status, submitted_at);
CREATE INDEX request_event_actor ON request_event (actor_id, at) WHERE kind = 'note';
CREATE INDEX committee_meeting_members ON committee_meeting USING gin (member_ids);
CREATE INDEX committee_meeting_chair ON committee_meeting (chair_id, meets_on);

-- +goose Down
DROP INDEX committee_meeting_chair;
DROP INDEX committee_meeting_members;
DROP INDEX request_event_actor;
DROP INDEX request_status;
DROP INDEX request_open;
DROP TABLE request_action;
