-- +goose Up
-- The registration of every OPP in the Register Onderwijsdeelnemers
-- (ROD): its begin date (the OPP established) and end date (the dossier
-- closed, the pupil left), which the school board passes on through its
-- LAS. Triggers keep the rows in step with the dossiers and pupils, so no
-- path that establishes, closes or ends an OPP can miss it; the school
-- marks what it passed on, and the list shows what is new, changed or
-- to be ended since.
ALTER TABLE pupil ADD COLUMN las_key text NOT NULL DEFAULT '' CHECK (length(las_key) <= 50);

CREATE TABLE rod_registration (
    dossier_id      uuid PRIMARY KEY REFERENCES dossier (id) ON DELETE CASCADE,
    pupil_id        uuid NOT NULL REFERENCES pupil (id) ON DELETE CASCADE,
    begin_on        date NOT NULL,
    end_on          date,
    end_reason      text CHECK (end_reason IN ('closed', 'left')),
    changed_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    passed_on_at    timestamptz,   -- when the school last passed it on
    passed_begin_on date,          -- what it passed on then
    passed_end_on   date
);
CREATE INDEX rod_registration_changed ON rod_registration (changed_at, dossier_id);

-- +goose StatementBegin
CREATE FUNCTION rod_sync(p_pupil uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rod_registration (dossier_id, pupil_id, begin_on, end_on, end_reason)
    SELECT d.id, d.pupil_id, d.opp_established_on,
           CASE WHEN d.closed_reason = 'left' THEN coalesce(p.left_on, (d.closed_at AT TIME ZONE 'Europe/Amsterdam')::date)
                WHEN d.closed_at IS NOT NULL THEN (d.closed_at AT TIME ZONE 'Europe/Amsterdam')::date
                ELSE p.left_on END,
           CASE WHEN d.closed_reason = 'left' OR (d.closed_at IS NULL AND p.left_on IS NOT NULL) THEN 'left'
                WHEN d.closed_at IS NOT NULL THEN 'closed' END
    FROM dossier d JOIN pupil p ON p.id = d.pupil_id
    WHERE d.pupil_id = p_pupil AND d.opp_established_on IS NOT NULL
    ON CONFLICT (dossier_id) DO UPDATE SET begin_on = EXCLUDED.begin_on, end_on = EXCLUDED.end_on,
        end_reason = EXCLUDED.end_reason, changed_at = clock_timestamp()
    WHERE (rod_registration.begin_on, rod_registration.end_on) IS DISTINCT FROM (EXCLUDED.begin_on, EXCLUDED.end_on);
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION rod_sync_dossier() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM rod_sync(NEW.pupil_id);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION rod_sync_pupil() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM rod_sync(NEW.id);
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER rod_dossier AFTER INSERT OR UPDATE OF opp_established_on, closed_at, closed_reason ON dossier
    FOR EACH ROW EXECUTE FUNCTION rod_sync_dossier();
CREATE TRIGGER rod_pupil AFTER UPDATE OF left_on ON pupil
    FOR EACH ROW EXECUTE FUNCTION rod_sync_pupil();

-- The OPPs established before: all new to the list.
SELECT rod_sync(id) FROM pupil;

-- +goose Down
DROP TRIGGER rod_pupil ON pupil;
DROP TRIGGER rod_dossier ON dossier;
DROP FUNCTION rod_sync_pupil();
DROP FUNCTION rod_sync_dossier();
DROP FUNCTION rod_sync(uuid);
DROP TABLE rod_registration;
ALTER TABLE pupil DROP COLUMN las_key;
