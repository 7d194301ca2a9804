-- +goose Up
-- Where an objection to the SWV's decisions goes (Awb 3:45: the decision
-- says with whom and how): its postal address and e-mail address, set by
-- the SWV's admin and printed on every decision.
ALTER TABLE swv ADD COLUMN objection_address text NOT NULL DEFAULT '' CHECK (length(objection_address) <= 500),
    ADD COLUMN objection_email text NOT NULL DEFAULT '' CHECK (length(objection_email) <= 254);

-- +goose Down
ALTER TABLE swv DROP COLUMN objection_address, DROP COLUMN objection_email;
