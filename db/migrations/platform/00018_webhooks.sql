-- +goose Up
-- Webhooks: an admin of a licence registers an HTTPS address; events of
-- the licence (ids and codes only, never personal data) are posted to it,
-- signed with HMAC-SHA256 under a secret made here and shown once (kept
-- sealed with the server's secret key, as it is needed to sign).
CREATE TABLE webhook (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    licence_id    uuid NOT NULL REFERENCES licence (id) ON DELETE CASCADE,
    url           text NOT NULL CHECK (url LIKE 'https://%' AND length(url) <= 2000),
    secret_sealed bytea NOT NULL,
    created_by    uuid REFERENCES app_user (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    removed_at    timestamptz
);
CREATE INDEX webhook_licence ON webhook (licence_id) WHERE removed_at IS NULL;

-- One row per event per webhook: the delivery workflow's state.
CREATE TABLE webhook_delivery (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    webhook_id   uuid NOT NULL REFERENCES webhook (id) ON DELETE CASCADE,
    event_key    text NOT NULL,       -- what happened, once: a retried emit adds nothing
    event        text NOT NULL,
    payload      jsonb NOT NULL,      -- ids and codes only
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts     integer NOT NULL DEFAULT 0,
    last_status  integer,             -- the receiver's HTTP status, NULL when it did not answer
    last_error   text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    UNIQUE (webhook_id, event_key)
);
CREATE INDEX webhook_delivery_list ON webhook_delivery (webhook_id, created_at DESC);
CREATE INDEX webhook_delivery_pending ON webhook_delivery (created_at) WHERE status = 'pending';

-- +goose Down
DROP TABLE webhook_delivery;
DROP TABLE webhook;
