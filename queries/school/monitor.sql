-- The school's monitor: counts only, over its own database.

-- name: MonitorDossiersByLevelAndPhase :many
-- Open dossiers by support level and the phase their process is in.
SELECT d.support_level::text AS level, coalesce(ps.step, '')::text AS phase, count(*)::int AS n
FROM dossier d
LEFT JOIN process_step ps ON ps.entity_kind = 'dossier' AND ps.entity_id = d.id
WHERE d.closed_at IS NULL
GROUP BY 1, 2;

-- name: MonitorDeadlines :many
-- Open dossiers by the legal deadline they run against (the OPP within
-- six weeks, else the yearly evaluation) and where it stands.
SELECT (d.opp_established_on IS NULL)::bool AS opp, coalesce(ps.deadline_state, '')::text AS state, count(*)::int AS n
FROM dossier d
JOIN process_step ps ON ps.entity_kind = 'dossier' AND ps.entity_id = d.id
WHERE d.closed_at IS NULL AND ps.due_at IS NOT NULL
GROUP BY 1, 2;

-- name: MonitorConsentRounds :many
-- Consent rounds started in the period, by how they ended.
SELECT status, count(*)::int AS n FROM consent_round
WHERE started_at >= @from_at AND started_at < @to_at
GROUP BY status;

-- name: MonitorRequests :many
-- Requests to the SWV made in the period, by kind and where they stand.
SELECT kind, status, count(*)::int AS n FROM swv_request
WHERE created_at >= @from_at AND created_at < @to_at
GROUP BY kind, status;

-- name: MonitorTransitions :many
-- Every phase change up to the end of the period, in order per dossier,
-- with when the dossier was opened: the time each phase took.
SELECT t.dossier_id, d.created_at AS opened_at, t.from_phase, t.to_phase, t.at
FROM dossier_transition t JOIN dossier d ON d.id = t.dossier_id
WHERE t.at < @to_at
ORDER BY t.dossier_id, t.at;

-- name: MonitorPublication :one
-- What the school publishes to its SWV each night: counts only. The
-- bounds are the days one, three and six months ago.
SELECT
    (SELECT count(*) FROM pupil WHERE left_on IS NULL)::int AS pupils,
    (SELECT count(*) FROM dossier WHERE closed_at IS NULL AND support_level = 'light')::int AS dossiers_light,
    (SELECT count(*) FROM dossier WHERE closed_at IS NULL AND support_level = 'extra_school')::int AS dossiers_school,
    (SELECT count(*) FROM dossier WHERE closed_at IS NULL AND support_level = 'extra_facility')::int AS dossiers_facility,
    (SELECT count(*) FROM pupil p WHERE p.left_on IS NULL AND p.without_education_since > sqlc.arg(month1)::date)::int AS without_lt_1m,
    (SELECT count(*) FROM pupil p WHERE p.left_on IS NULL AND p.without_education_since <= sqlc.arg(month1)::date
        AND p.without_education_since > sqlc.arg(month3)::date)::int AS without_1m_3m,
    (SELECT count(*) FROM pupil p WHERE p.left_on IS NULL AND p.without_education_since <= sqlc.arg(month3)::date
        AND p.without_education_since > sqlc.arg(month6)::date)::int AS without_3m_6m,
    (SELECT count(*) FROM pupil p WHERE p.left_on IS NULL AND p.without_education_since <= sqlc.arg(month6)::date)::int AS without_ge_6m,
    (SELECT count(*) FROM pupil p WHERE p.left_on IS NULL AND p.without_education_since IS NULL)::int AS without_unknown,
    (SELECT count(*) FROM transfer_out t WHERE t.status = 'accepted' AND t.decided_at >= sqlc.arg(year_from)::timestamptz)::int AS found_place;
