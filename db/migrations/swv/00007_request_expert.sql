-- +goose Up
-- request_expert: the experts the SWV asked to advise on a request. An
-- expert reads a request only when asked (or after advising on it): need
-- to know (AVG art. 5(1)(c), 25).
CREATE TABLE request_expert (
    request_id uuid NOT NULL REFERENCES request (id) ON DELETE CASCADE,
    expert_id  uuid NOT NULL,
    asked_by   uuid,
    asked_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (request_id, expert_id)
);
CREATE INDEX request_expert_expert ON request_expert (expert_id);

-- +goose Down
DROP TABLE request_expert;
