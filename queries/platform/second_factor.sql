-- name: SetTOTPSecret :exec
UPDATE app_user SET totp_secret_sealed = $2, totp_confirmed_at = NULL, totp_last_step = 0, updated_at = now()
WHERE id = $1;

-- name: ConfirmTOTP :exec
UPDATE app_user SET totp_confirmed_at = now(), totp_last_step = $2, updated_at = now() WHERE id = $1;

-- name: UseTOTPStep :execrows
-- Records the time step of an accepted code; a second use of the same or
-- an older step changes no row and is refused.
UPDATE app_user SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2;

-- name: DeleteRecoveryCodes :exec
DELETE FROM recovery_code WHERE user_id = $1;

-- name: AddRecoveryCode :exec
INSERT INTO recovery_code (user_id, code_hash) VALUES ($1, $2);

-- name: UseRecoveryCode :execrows
UPDATE recovery_code SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL;

-- name: PassSecondFactor :exec
UPDATE user_session SET mfa_at = now(), reauth_at = now() WHERE token_hash = $1;

-- name: Reauthenticated :exec
UPDATE user_session SET reauth_at = now() WHERE token_hash = $1;
