-- +goose Up
-- The SWV's monitor. monitor_request holds per request the facts the
-- monitor counts (no name, no birth date, no text), refreshed each night
-- by the monitor's schedule: the pages group it, never the live tables.
CREATE MATERIALIZED VIEW monitor_request AS
SELECT r.id AS request_id, r.school_licence_id, r.kind, coalesce(r.tlv_type, '') AS tlv_type,
       coalesce(r.tlv_category, '') AS tlv_category,
       (r.submitted_at AT TIME ZONE 'Europe/Amsterdam')::date AS submitted_on,
       CASE WHEN d.approved THEN 'granted'
            WHEN d.request_id IS NOT NULL THEN 'rejected'
            WHEN r.status = 'afgesloten' THEN coalesce(nullif(r.closed_reason, ''), 'closed')
            ELSE 'open' END AS outcome,
       d.decided_on, d.start_on, d.end_on,
       (SELECT min(e.at) FROM request_event e WHERE e.request_id = r.id AND e.kind = 'intake_accepted') AS intake_at,
       (SELECT min(e.at) FROM request_event e WHERE e.request_id = r.id AND e.kind = 'schedule') AS schedule_at,
       (SELECT max(e.at) FROM request_event e WHERE e.request_id = r.id AND e.kind = 'advice') AS advice_at,
       (SELECT min(e.at) FROM request_event e WHERE e.request_id = r.id AND e.kind = 'decision') AS decision_at,
       d.signed_at, r.submitted_at,
       EXISTS (SELECT 1 FROM request_event e WHERE e.request_id = r.id AND e.kind = 'objection') AS objected,
       EXISTS (SELECT 1 FROM revoked_decision v WHERE v.request_id = r.id) AS objection_upheld,
       (SELECT min(e.at) FROM request_event e WHERE e.request_id = r.id AND e.kind = 'objection_decided') AS objection_decided_at,
       (SELECT max(e.due_at) FROM request_event e WHERE e.request_id = r.id
           AND e.kind IN ('objection_decide_by', 'objection_extended')) AS objection_due_at,
       -- The result at the evaluation (the code only, never the text).
       (SELECT CASE WHEN split_part(e.body, ':', 1) IN ('behaald', 'deels', 'niet') THEN split_part(e.body, ':', 1) END
          FROM request_event e WHERE e.request_id = r.id AND e.kind = 'evaluation' ORDER BY e.at DESC LIMIT 1) AS evaluation_result
FROM request r LEFT JOIN decision d ON d.request_id = r.id;
CREATE UNIQUE INDEX monitor_request_id ON monitor_request (request_id);
CREATE INDEX monitor_request_submitted ON monitor_request (submitted_on);

-- Only the view's owner may refresh it; the application's role refreshes
-- it through this function, which can do nothing else.
-- +goose StatementBegin
CREATE FUNCTION refresh_monitor() RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    REFRESH MATERIALIZED VIEW CONCURRENTLY monitor_request;
END
$$;
-- +goose StatementEnd

-- school_figures: what each school licence of the SWV publishes each
-- night about itself, as counts (no SWV query reads a school database).
CREATE TABLE school_figures (
    school_licence_id uuid NOT NULL,
    day               date NOT NULL,
    school_name       text NOT NULL,
    school_type       text NOT NULL DEFAULT '',
    kind              text NOT NULL CHECK (kind IN ('school', 'swv_school')),
    pupils            integer NOT NULL,
    dossiers_light    integer NOT NULL DEFAULT 0,
    dossiers_school   integer NOT NULL DEFAULT 0,
    dossiers_facility integer NOT NULL DEFAULT 0,
    -- Pupils without education (the SWV's own school licence): by how
    -- long, and how many found a place this school year.
    without_lt_1m     integer NOT NULL DEFAULT 0,
    without_1m_3m     integer NOT NULL DEFAULT 0,
    without_3m_6m     integer NOT NULL DEFAULT 0,
    without_ge_6m     integer NOT NULL DEFAULT 0,
    without_unknown   integer NOT NULL DEFAULT 0,
    found_place       integer NOT NULL DEFAULT 0,
    published_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school_licence_id, day)
);
CREATE INDEX school_figures_day ON school_figures (day DESC);

-- +goose Down
DROP FUNCTION refresh_monitor();
DROP TABLE school_figures;
DROP MATERIALIZED VIEW monitor_request;
