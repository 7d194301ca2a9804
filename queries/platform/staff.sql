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

-- name: LockLicenceSteward :one
-- The licence's admin state, locked for the transaction that may make an
-- admin: two platform admins cannot both make a "first" one.
INSERT INTO licence_steward (licence_id) VALUES ($1)
ON CONFLICT (licence_id) DO UPDATE SET licence_id = EXCLUDED.licence_id
RETURNING first_admin_at, contact_email;

-- name: CountActiveAdmins :one
-- Admins of the licence whose account is not disabled.
SELECT count(*) FROM membership m JOIN app_user u ON u.id = m.user_id
WHERE m.licence_id = $1 AND m.role IN ('school_admin', 'swv_admin') AND u.disabled_at IS NULL;

-- name: MarkFirstAdmin :exec
UPDATE licence_steward SET first_admin_at = coalesce(first_admin_at, now()) WHERE licence_id = $1;

-- name: SetLicenceContact :exec
UPDATE licence_steward SET contact_email = $2 WHERE licence_id = $1;

-- name: GetLicenceSteward :one
SELECT coalesce((SELECT s.first_admin_at IS NOT NULL FROM licence_steward s WHERE s.licence_id = @licence), false)::bool AS had_admin,
       coalesce((SELECT s.contact_email FROM licence_steward s WHERE s.licence_id = @licence), '')::text AS contact_email,
       (SELECT count(*) FROM membership m JOIN app_user u ON u.id = m.user_id
        WHERE m.licence_id = @licence AND m.role IN ('school_admin', 'swv_admin') AND u.disabled_at IS NULL) AS active_admins;

-- name: CreateBreakGlass :one
INSERT INTO licence_break_glass (licence_id, actor_id, admin_id, reason, notified)
VALUES ($1, $2, $3, $4, $5) RETURNING id;

-- name: ActivatedStaffAddresses :many
-- Where the licence's own people are told of a break-glass: every
-- activated, not disabled staff account of the licence.
SELECT DISTINCT u.email FROM membership m JOIN app_user u ON u.id = m.user_id
WHERE m.licence_id = $1 AND u.password_hash IS NOT NULL AND u.disabled_at IS NULL
ORDER BY u.email;
