-- name: CreateUser :one
INSERT INTO app_user (kind, email, display_name, password_hash)
VALUES (@kind, lower(@email), @display_name, @password_hash)
RETURNING *;

-- name: GetUser :one
SELECT * FROM app_user WHERE id = $1;

-- name: GetUserByEmail :one
SELECT * FROM app_user WHERE email = lower(@email);

-- name: CreateMembership :one
INSERT INTO membership (user_id, licence_id, role, profession, profession_other)
VALUES ($1, $2, $3, $4, sqlc.narg(profession_other))
RETURNING *;

-- name: ListMembershipsForUser :many
-- A licence being removed (closing) gives nobody access.
SELECT m.*, l.name AS licence_name, l.kind AS licence_kind
FROM membership m LEFT JOIN licence l ON l.id = m.licence_id
WHERE m.user_id = $1 AND (l.id IS NULL OR l.status = 'active')
ORDER BY l.name NULLS FIRST, m.role;

-- name: CreatePupilLink :exec
INSERT INTO pupil_link (user_id, licence_id, pupil_id) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING;

-- name: ListPupilLinksForUser :many
SELECT p.* FROM pupil_link p JOIN licence l ON l.id = p.licence_id AND l.status = 'active'
WHERE p.user_id = $1 ORDER BY p.licence_id, p.pupil_id;

-- name: ListUserNames :many
SELECT id, display_name FROM app_user WHERE id = ANY(@ids::uuid[]);

-- name: LinkGuardian :exec
INSERT INTO pupil_link (user_id, licence_id, pupil_id, guardian_id) VALUES ($1, $2, $3, $4)
ON CONFLICT (user_id, licence_id, pupil_id) DO UPDATE SET guardian_id = EXCLUDED.guardian_id;

-- name: GetPupilLink :one
SELECT p.* FROM pupil_link p JOIN licence l ON l.id = p.licence_id AND l.status = 'active'
WHERE p.user_id = $1 AND p.licence_id = $2 AND p.pupil_id = $3;

-- name: DeletePupilLinks :exec
-- Retention: accounts no longer link to a deleted pupil.
DELETE FROM pupil_link WHERE licence_id = $1 AND pupil_id = $2;

-- name: OrganisationNamesOfUser :many
-- The names of the licences a person works at or has a child at, and of
-- their SWVs: words a password must not be made of.
SELECT DISTINCT n::text FROM (
    SELECT l.name AS n FROM membership m JOIN licence l ON l.id = m.licence_id WHERE m.user_id = $1
    UNION SELECT s.name FROM membership m JOIN licence l ON l.id = m.licence_id JOIN swv s ON s.id = l.swv_id WHERE m.user_id = $1
    UNION SELECT l.name FROM pupil_link p JOIN licence l ON l.id = p.licence_id WHERE p.user_id = $1
    UNION SELECT s.name FROM pupil_link p JOIN licence l ON l.id = p.licence_id JOIN swv s ON s.id = l.swv_id WHERE p.user_id = $1
) names;
