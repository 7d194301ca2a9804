-- name: CreateSession :exec
INSERT INTO user_session (token_hash, user_id, expires_at) VALUES ($1, $2, $3);

-- name: GetSession :one
SELECT s.token_hash, s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.reauth_at, s.mfa_at,
       u.kind AS user_kind, u.display_name, u.email, u.disabled_at, u.password_hash,
       u.totp_secret_sealed, u.totp_confirmed_at, u.totp_last_step
FROM user_session s JOIN app_user u ON u.id = s.user_id
WHERE s.token_hash = $1;

-- name: TouchSession :exec
UPDATE user_session SET last_seen_at = now() WHERE token_hash = $1;

-- name: DeleteSession :exec
DELETE FROM user_session WHERE token_hash = $1;

-- name: DeleteExpiredSessions :execrows
DELETE FROM user_session WHERE expires_at < now() OR last_seen_at < $1;

-- name: RecordLoginAttempt :exec
INSERT INTO login_attempt (account_key, ip, success) VALUES ($1, $2, $3);

-- name: CountFailedLoginsForAccount :one
SELECT count(*) FROM login_attempt WHERE account_key = $1 AND NOT success AND at > $2;

-- name: CountFailedLoginsFromIP :one
SELECT count(*) FROM login_attempt WHERE ip = $1 AND NOT success AND at > $2;

-- name: DeleteOldLoginAttempts :execrows
DELETE FROM login_attempt WHERE at < $1;

-- name: DeleteOldActivations :execrows
DELETE FROM activation WHERE expires_at < $1 OR used_at < $1;

-- name: DeleteUnlinkedPortalAccounts :execrows
-- Portal accounts (guardians, pupils) that no longer link to any pupil:
-- the data they were for was deleted. Staff accounts are never touched.
DELETE FROM app_user u
WHERE u.kind IN ('guardian', 'pupil') AND u.created_at < @created_before
  AND NOT EXISTS (SELECT 1 FROM pupil_link l WHERE l.user_id = u.id);
