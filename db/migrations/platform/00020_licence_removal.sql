-- +goose Up
-- Issue 19, fix 4: removing a licence is a workflow. The licence is first
-- 'closing' (nobody reaches it, the worker still may, so it can be
-- restored as it was), then after the grace period its workflows are
-- terminated and its database dropped. licence_removal is the platform's
-- record of it and outlives the licence (no foreign key).
ALTER TYPE licence_status ADD VALUE IF NOT EXISTS 'closing';

CREATE TABLE licence_removal (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    licence_id           uuid NOT NULL,
    licence_name         text NOT NULL,
    licence_kind         text NOT NULL,
    brin                 text,
    requested_by         uuid REFERENCES app_user (id) ON DELETE SET NULL,
    requested_at         timestamptz NOT NULL DEFAULT now(),
    purge_after          timestamptz NOT NULL,
    restored_at          timestamptz,
    restored_by          uuid REFERENCES app_user (id) ON DELETE SET NULL,
    purged_at            timestamptz,
    workflows_terminated integer,
    CHECK (restored_at IS NULL OR purged_at IS NULL)
);
CREATE UNIQUE INDEX licence_removal_open ON licence_removal (licence_id) WHERE restored_at IS NULL AND purged_at IS NULL;

-- +goose Down
DROP TABLE licence_removal;
