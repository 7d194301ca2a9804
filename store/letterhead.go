package store

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/documents"
)

// Letterhead reads a licence's own logo and details for its documents;
// empty when it set none.
func Letterhead(ctx context.Context, q *platform.Queries, licenceID uuid.UUID) (documents.Letterhead, error) {
	row, err := q.GetLetterhead(ctx, licenceID)
	if errors.Is(err, pgx.ErrNoRows) {
		return documents.Letterhead{}, nil
	}
	if err != nil {
		return documents.Letterhead{}, err
	}
	lh := documents.Letterhead{Logo: row.Logo, Details: row.Details}
	if row.LogoType != nil {
		lh.LogoType = *row.LogoType
	}
	return lh, nil
}
