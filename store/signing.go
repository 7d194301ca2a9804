package store

import (
	"context"

	"github.com/google/uuid"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/documents"
)

// StoreSigningIdentity seals the identity's key with the platform key and
// stores it as the SWV's signing identity.
func StoreSigningIdentity(ctx context.Context, q *platform.Queries, secretKey auth.Keys, swvID uuid.UUID, id *documents.SigningIdentity) error {
	certPEM, keyDER, err := documents.MarshalIdentity(id)
	if err != nil {
		return err
	}
	box, err := auth.NewSecretBox(secretKey, "signing-key")
	if err != nil {
		return err
	}
	sealed, err := box.Seal(string(keyDER))
	if err != nil {
		return err
	}
	return q.UpsertSigningIdentity(ctx, platform.UpsertSigningIdentityParams{SwvID: swvID, CertPem: string(certPEM),
		KeySealed: sealed, NotAfter: id.Certificate.NotAfter})
}
