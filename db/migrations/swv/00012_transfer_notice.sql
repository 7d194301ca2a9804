-- +goose Up
-- transfer_notice: a pupil with an arrangement or a TLV of this SWV moves
-- to another school on the platform. The sending school's transfer
-- writes it once the parents agreed, and on every step after: the SWV
-- sees where the TLV's pupil goes and whether that school is in its own
-- region (the TLV stays valid) or another SWV's (a new TLV may be needed).
CREATE TABLE transfer_notice (
    transfer_id    uuid NOT NULL,
    request_id     uuid NOT NULL REFERENCES request (id) ON DELETE CASCADE,
    from_name      text NOT NULL,
    to_licence_id  uuid NOT NULL,
    to_name        text NOT NULL,
    -- The school types from and to (BAO, SBO, SO, VO, VSO; '' the SWV's
    -- own licence): the monitor's instroom, doorstroom and uitstroom.
    from_type      text NOT NULL DEFAULT '',
    to_type        text NOT NULL DEFAULT '',
    same_swv       boolean NOT NULL,
    status         text NOT NULL CHECK (status IN ('offered', 'accepted', 'declined', 'withdrawn')),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (transfer_id, request_id)
);
CREATE INDEX transfer_notice_updated ON transfer_notice (updated_at DESC);

-- +goose Down
DROP TABLE transfer_notice;
