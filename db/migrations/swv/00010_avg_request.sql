-- +goose Up
-- avg_request: a guardian's or the pupil's request under the AVG about
-- what the SWV holds on one request: correction (art. 16), erasure (17),
-- restriction (18), objection (21). The SWV answers within a month (art.
-- 12(3)); the workflow keeps the term. party_key is the requester's key
-- at the school (guardian:<id> or pupil): the SWV holds no address; the
-- answer is mailed through the school's outbox by the workflow.
CREATE TABLE avg_request (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    request_id  uuid NOT NULL REFERENCES request (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('correction', 'erasure', 'restriction', 'objection')),
    party_key   text NOT NULL,
    body        text NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 5000),
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected')),
    reason      text NOT NULL DEFAULT '' CHECK (length(reason) <= 5000),
    due_at      timestamptz NOT NULL,
    decided_by  uuid,
    decided_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'rejected' OR length(btrim(reason)) > 0)
);
CREATE INDEX avg_request_request ON avg_request (request_id, created_at DESC);
CREATE INDEX avg_request_open ON avg_request (due_at) WHERE status = 'open';

-- An honoured restriction (or objection) stops the SWV's use of the
-- request: it is kept and read, not worked on, until lifted.
ALTER TABLE request ADD COLUMN restricted_at timestamptz;

-- +goose Down
ALTER TABLE request DROP COLUMN restricted_at;
DROP TABLE avg_request;
