-- name: RefreshMonitor :exec
SELECT refresh_monitor();

-- name: UpsertSchoolFigures :exec
INSERT INTO school_figures (school_licence_id, day, school_name, school_type, kind, pupils, dossiers_light, dossiers_school,
    dossiers_facility, without_lt_1m, without_1m_3m, without_3m_6m, without_ge_6m, without_unknown, found_place)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
ON CONFLICT (school_licence_id, day) DO UPDATE SET school_name = EXCLUDED.school_name, school_type = EXCLUDED.school_type,
    pupils = EXCLUDED.pupils, dossiers_light = EXCLUDED.dossiers_light, dossiers_school = EXCLUDED.dossiers_school,
    dossiers_facility = EXCLUDED.dossiers_facility, without_lt_1m = EXCLUDED.without_lt_1m, without_1m_3m = EXCLUDED.without_1m_3m,
    without_3m_6m = EXCLUDED.without_3m_6m, without_ge_6m = EXCLUDED.without_ge_6m, without_unknown = EXCLUDED.without_unknown,
    found_place = EXCLUDED.found_place, published_at = now();

-- name: LatestSchoolFigures :many
-- Each school's latest published figures.
SELECT DISTINCT ON (school_licence_id) * FROM school_figures
ORDER BY school_licence_id, day DESC;

-- name: MonitorRequestsByKind :many
-- Requests submitted in the period, by kind and outcome, for the schools
-- asked (all when none are named).
SELECT kind, outcome, count(*)::int AS n FROM monitor_request
WHERE submitted_on >= @from_on AND submitted_on < @to_on
  AND (cardinality(@schools::uuid[]) = 0 OR school_licence_id = ANY(@schools::uuid[]))
GROUP BY kind, outcome;

-- name: MonitorRequestsByMonth :many
SELECT to_char(submitted_on, 'YYYY-MM')::text AS month, kind, count(*)::int AS n FROM monitor_request
WHERE submitted_on >= @from_on AND submitted_on < @to_on
  AND (cardinality(@schools::uuid[]) = 0 OR school_licence_id = ANY(@schools::uuid[]))
GROUP BY 1, 2;

-- name: MonitorLeadTimes :many
-- Days from submission to decision (median and 90th percentile) and per
-- step, for decided requests of the period, by kind.
SELECT kind, count(*)::int AS n,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY decided_on - (submitted_at AT TIME ZONE 'Europe/Amsterdam')::date)::float8 AS median,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY decided_on - (submitted_at AT TIME ZONE 'Europe/Amsterdam')::date)::float8 AS p90,
    coalesce(avg(extract(epoch FROM intake_at - submitted_at) / 86400), 0)::float8 AS intake_days,
    coalesce(avg(extract(epoch FROM schedule_at - intake_at) / 86400), 0)::float8 AS consultant_days,
    coalesce(avg(extract(epoch FROM advice_at - schedule_at) / 86400), 0)::float8 AS advice_days,
    coalesce(avg(extract(epoch FROM decision_at - coalesce(advice_at, schedule_at)) / 86400), 0)::float8 AS decision_days,
    coalesce(avg(extract(epoch FROM signed_at - decision_at) / 86400), 0)::float8 AS signing_days
FROM monitor_request
WHERE decided_on IS NOT NULL AND submitted_on >= @from_on AND submitted_on < @to_on
  AND (cardinality(@schools::uuid[]) = 0 OR school_licence_id = ANY(@schools::uuid[]))
GROUP BY kind;

-- name: MonitorTLVs :many
-- Granted TLVs of the period by type and category, and those that end
-- within the coming months (ending_before).
SELECT tlv_type, tlv_category, count(*)::int AS n,
    count(*) FILTER (WHERE end_on >= @today AND end_on < @ending_before)::int AS ending
FROM monitor_request
WHERE kind = 'tlv' AND outcome = 'granted' AND submitted_on >= @from_on AND submitted_on < @to_on
  AND (cardinality(@schools::uuid[]) = 0 OR school_licence_id = ANY(@schools::uuid[]))
GROUP BY 1, 2;

-- name: MonitorObjections :many
-- Objections against decisions of the period: upheld (the decision
-- revoked), not upheld (decided), or open.
SELECT CASE WHEN objection_upheld THEN 'upheld' WHEN objection_decided_at IS NOT NULL THEN 'dismissed' ELSE 'open' END::text AS outcome,
    kind, count(*)::int AS n
FROM monitor_request
WHERE objected AND submitted_on >= @from_on AND submitted_on < @to_on
  AND (cardinality(@schools::uuid[]) = 0 OR school_licence_id = ANY(@schools::uuid[]))
GROUP BY 1, 2;

-- name: MonitorObjectionTerms :many
-- Objections decided, or still open, on requests of the period: within
-- the term (Awb 7:10, postponed or not), late, or open.
SELECT CASE WHEN objection_decided_at IS NULL THEN 'open'
            WHEN objection_due_at IS NULL OR (objection_decided_at AT TIME ZONE 'Europe/Amsterdam')::date <= (objection_due_at AT TIME ZONE 'Europe/Amsterdam')::date THEN 'in_term'
            ELSE 'late' END::text AS term,
    kind, count(*)::int AS n
FROM monitor_request
WHERE objected AND submitted_on >= @from_on AND submitted_on < @to_on
  AND (cardinality(@schools::uuid[]) = 0 OR school_licence_id = ANY(@schools::uuid[]))
GROUP BY 1, 2;

-- name: MonitorArrangementResults :many
-- Granted arrangements on requests of the period by their result at the
-- evaluation ('' not evaluated yet).
SELECT coalesce(evaluation_result, '')::text AS result, count(*)::int AS n
FROM monitor_request
WHERE kind = 'arrangement' AND outcome IN ('granted', 'afgelopen') AND submitted_on >= @from_on AND submitted_on < @to_on
  AND (cardinality(@schools::uuid[]) = 0 OR school_licence_id = ANY(@schools::uuid[]))
GROUP BY 1;

-- name: MonitorTLVStarts :many
-- Granted TLVs that start in the period, by type: instroom in S(B)O/(V)SO.
SELECT tlv_type, count(*)::int AS n FROM monitor_request
WHERE kind = 'tlv' AND outcome IN ('granted', 'afgelopen') AND start_on >= @from_on AND start_on < @to_on
  AND (cardinality(@schools::uuid[]) = 0 OR school_licence_id = ANY(@schools::uuid[]))
GROUP BY 1;

-- name: MonitorFlows :many
-- Pupils with a TLV or arrangement whose plan moved to another school in
-- the period (accepted transfers), by the school types from and to.
SELECT n.from_type, n.to_type, count(DISTINCT n.transfer_id)::int AS n
FROM transfer_notice n JOIN request r ON r.id = n.request_id
WHERE n.status = 'accepted' AND n.updated_at >= @from_at AND n.updated_at < @to_at
  AND (cardinality(@schools::uuid[]) = 0 OR r.school_licence_id = ANY(@schools::uuid[]))
GROUP BY 1, 2;

-- name: MonitorTLVDurations :many
-- Granted TLVs of the period by type and how long they run.
SELECT tlv_type,
    CASE WHEN end_on IS NULL OR start_on IS NULL THEN 'unknown'
         WHEN end_on - start_on <= 366 THEN 'le_1y'
         WHEN end_on - start_on <= 731 THEN 'le_2y'
         ELSE 'gt_2y' END::text AS duration,
    count(*)::int AS n
FROM monitor_request
WHERE kind = 'tlv' AND outcome IN ('granted', 'afgelopen') AND submitted_on >= @from_on AND submitted_on < @to_on
  AND (cardinality(@schools::uuid[]) = 0 OR school_licence_id = ANY(@schools::uuid[]))
GROUP BY 1, 2;
