-- name: CreateSWV :one
INSERT INTO swv (code, name) VALUES ($1, $2)
RETURNING *;

-- name: GetSWVByCode :one
SELECT * FROM swv WHERE code = $1;

-- name: ListSWVs :many
SELECT * FROM swv ORDER BY name;

-- name: GetConsentRulesForLicence :one
SELECT r.* FROM swv_consent_rules r JOIN licence l ON l.swv_id = r.swv_id WHERE l.id = $1;

-- name: UpsertConsentRules :exec
INSERT INTO swv_consent_rules (swv_id, remind_after_days, deadline_days, school_reminder_days, share_age, decide_age, policy, updated_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (swv_id) DO UPDATE SET remind_after_days = EXCLUDED.remind_after_days, deadline_days = EXCLUDED.deadline_days,
    school_reminder_days = EXCLUDED.school_reminder_days, share_age = EXCLUDED.share_age, decide_age = EXCLUDED.decide_age,
    policy = EXCLUDED.policy, updated_by = EXCLUDED.updated_by, updated_at = now();

-- name: UpsertSigningIdentity :exec
INSERT INTO swv_signing_identity (swv_id, cert_pem, key_sealed, not_after) VALUES ($1, $2, $3, $4)
ON CONFLICT (swv_id) DO UPDATE SET cert_pem = EXCLUDED.cert_pem, key_sealed = EXCLUDED.key_sealed,
    not_after = EXCLUDED.not_after, created_at = now();

-- name: GetSigningIdentityForLicence :one
SELECT i.*, s.name AS swv_name, s.objection_address, s.objection_email FROM swv_signing_identity i
JOIN licence l ON l.swv_id = i.swv_id JOIN swv s ON s.id = i.swv_id
WHERE l.id = $1;

-- name: GetSWVLicenceOf :one
-- The SWV licence of the SWV a school licence belongs to.
SELECT s.* FROM licence s JOIN licence l ON l.swv_id = s.swv_id
WHERE l.id = $1 AND s.kind = 'swv' AND s.status = 'active'
ORDER BY s.created_at LIMIT 1;

-- name: IsLinkedToLicence :one
-- Whether a person has any role at a licence (an expert who works at the
-- applying school is linked to it).
SELECT EXISTS (SELECT 1 FROM membership WHERE user_id = $1 AND licence_id = $2);

-- name: GetSigningIdentity :one
SELECT * FROM swv_signing_identity WHERE swv_id = $1;

-- name: SetSWVObjectionAddress :exec
UPDATE swv SET objection_address = @objection_address, objection_email = @objection_email WHERE id = @id;

-- name: GetSWVOfLicence :one
SELECT s.* FROM swv s JOIN licence l ON l.swv_id = s.id WHERE l.id = $1;

-- name: SetSWVTLVMaxima :exec
UPDATE swv SET tlv_max_years_sbo = @sbo, tlv_max_years_so = @so, tlv_max_years_vso = @vso WHERE id = @id;
