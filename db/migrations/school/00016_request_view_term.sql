-- +goose Up
-- inzage_since: when the guardians (and the pupil from 16) got inzage in
-- this round. For an arrangement or a TLV their view is asked, not their
-- agreement: after the term (REQUEST_VIEW_WITHIN) the school may submit
-- without a view.
ALTER TABLE swv_request ADD COLUMN inzage_since timestamptz NOT NULL DEFAULT now();
-- recorded_by: a staff member recorded an answer the party gave on paper
-- or in a meeting (as with consent answers).
ALTER TABLE swv_request_party ADD COLUMN recorded_by uuid;

-- +goose Down
ALTER TABLE swv_request_party DROP COLUMN recorded_by;
ALTER TABLE swv_request DROP COLUMN inzage_since;
