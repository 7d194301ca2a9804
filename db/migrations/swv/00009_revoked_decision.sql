-- +goose Up
-- revoked_decision: a decision revoked on objection (Awb 7:11), kept with
-- its signed document and its votes (as JSON) when the committee decides
-- the request anew. Deleted with the request.
CREATE TABLE revoked_decision (
    request_id     uuid NOT NULL REFERENCES request (id) ON DELETE CASCADE,
    approved       boolean NOT NULL,
    motivation     text NOT NULL,
    decided_on     date NOT NULL,
    start_on       date,
    end_on         date,
    number         text,
    signed_pdf     bytea,
    made_known_at  timestamptz,
    votes          jsonb NOT NULL DEFAULT '[]',
    revoked_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revoked_decision_request ON revoked_decision (request_id, revoked_at);

-- +goose Down
DROP TABLE revoked_decision;
