-- +goose Up
-- The parents' view (zienswijze) on the onderwijskundig rapport, given in
-- the portal before the report goes to the next school (WPO art. 42).
ALTER TABLE dossier ADD COLUMN parents_report_view text NOT NULL DEFAULT '' CHECK (length(parents_report_view) <= 5000);
ALTER TABLE dossier ADD COLUMN parents_report_view_at timestamptz;

-- +goose Down
ALTER TABLE dossier DROP COLUMN parents_report_view_at;
ALTER TABLE dossier DROP COLUMN parents_report_view;
