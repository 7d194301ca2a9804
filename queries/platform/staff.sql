-- name: ListStaffForLicence :many
SELECT m.id AS membership_id, m.role, m.profession, m.profession_other, u.id AS user_id, u.display_name, u.email,
       (u.password_hash IS NOT NULL) AS activated
FROM membership m JOIN app_user u ON u.id = m.user_id
WHERE m.licence_id = $1
ORDER BY u.display_name, m.role;

-- name: DeleteMembership :one
DELETE FROM membership WHERE id = $1 AND licence_id = $2
RETURNING user_id;

-- name: CreateActivation :exec
INSERT INTO activation (token_hash, user_id, expires_at) VALUES ($1, $2, $3);

-- name: GetActivation :one
SELECT a.user_id, u.email, u.display_name
FROM activation a JOIN app_user u ON u.id = a.user_id
WHERE a.token_hash = $1 AND a.used_at IS NULL AND a.expires_at > now();

-- name: UseActivation :execrows
UPDATE activation SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now();

-- name: SetPassword :exec
UPDATE app_user SET password_hash = $2, updated_at = now() WHERE id = $1;

-- name: CountMembershipsElsewhere :one
SELECT count(*) FROM membership WHERE user_id = $1 AND (licence_id IS NULL OR licence_id <> $2);

-- name: ResetCredentials :exec
-- The password and the authenticator stop working; an activation link
-- sets new ones.
UPDATE app_user SET password_hash = NULL, totp_secret_sealed = NULL, totp_confirmed_at = NULL, totp_last_step = 0,
    updated_at = now()
WHERE id = $1;

-- name: DeleteUserSessions :exec
DELETE FROM user_session WHERE user_id = $1;

-- name: ListStaffToRemind :many
-- Active staff of a licence who are among user_ids or hold role: the
-- people a school reminder goes to.
SELECT DISTINCT u.id, u.email, (u.id = ANY(@user_ids::uuid[]))::boolean AS participant
FROM app_user u JOIN membership m ON m.user_id = u.id
WHERE m.licence_id = @licence_id AND u.disabled_at IS NULL AND u.kind = 'staff'
  AND (u.id = ANY(@user_ids::uuid[]) OR m.role = @role::staff_role)
ORDER BY u.email;
