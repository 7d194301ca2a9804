-- +goose Up
-- avg_request: a guardian's or the pupil's request under the AVG:
-- correction (art. 16), erasure (17), restriction (18), objection (21).
-- The school answers within a month (art. 12(3)); the workflow keeps
-- the term and puts an unanswered request on the school's list.
CREATE TABLE avg_request (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    pupil_id    uuid NOT NULL REFERENCES pupil (id) ON DELETE CASCADE,
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
CREATE INDEX avg_request_pupil ON avg_request (pupil_id, created_at DESC);

-- +goose Down
DROP TABLE avg_request;
