-- +goose Up
-- swv_signing_identity: the certificate chain (PEM) an SWV signs its TLVs
-- and arrangements with, and its private key sealed with the platform's
-- key (AES-GCM, purpose "signing-key"); never stored in the clear.
CREATE TABLE swv_signing_identity (
    swv_id      uuid PRIMARY KEY REFERENCES swv (id) ON DELETE CASCADE,
    cert_pem    text NOT NULL,
    key_sealed  bytea NOT NULL,
    not_after   timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE swv_signing_identity;
