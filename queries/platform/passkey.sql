-- name: AddPasskey :exec
INSERT INTO passkey (credential_id, user_id, name, credential) VALUES ($1, $2, $3, $4);

-- name: ListPasskeysForUser :many
SELECT * FROM passkey WHERE user_id = $1 ORDER BY created_at;

-- name: UsePasskey :exec
UPDATE passkey SET credential = $2, last_used_at = now() WHERE credential_id = $1;

-- name: DeletePasskey :execrows
DELETE FROM passkey WHERE credential_id = $1 AND user_id = $2;
