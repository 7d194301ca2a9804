-- name: ListSchoolsOfSWV :many
SELECT l.id, l.name, l.kind, l.brin, l.school_type, sc.consultant_user_id, u.display_name AS consultant_name
FROM licence l
LEFT JOIN school_consultant sc ON sc.school_licence_id = l.id
LEFT JOIN app_user u ON u.id = sc.consultant_user_id
WHERE l.swv_id = $1 AND l.kind <> 'swv' AND l.status = 'active'
ORDER BY l.name;

-- name: AssignConsultant :exec
INSERT INTO school_consultant (school_licence_id, consultant_user_id) VALUES ($1, $2)
ON CONFLICT (school_licence_id) DO UPDATE SET consultant_user_id = EXCLUDED.consultant_user_id, assigned_at = now();

-- name: UnassignConsultant :exec
DELETE FROM school_consultant WHERE school_licence_id = $1;

-- name: SchoolsOfConsultant :many
SELECT l.id, l.name FROM school_consultant sc JOIN licence l ON l.id = sc.school_licence_id
WHERE sc.consultant_user_id = $1 AND l.swv_id = $2 AND l.status = 'active'
ORDER BY l.name;

-- name: GetSchoolConsultant :one
SELECT consultant_user_id FROM school_consultant WHERE school_licence_id = $1;
