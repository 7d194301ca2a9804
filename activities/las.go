package activities

import (
	"context"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"

	"github.com/topdossier/topdossier/workflows"
)

// LASRunner is what the nightly LAS update needs of the LAS service: the
// same code as an import confirmed on the page.
type LASRunner interface {
	RunScheduled(ctx context.Context, licenceID uuid.UUID) (workflows.LASImportResult, error)
	FailScheduled(ctx context.Context, licenceID uuid.UUID, reason string) error
}

// RunLASImport runs a school's nightly update: fetch, check, apply within
// the school's limits. A fetch that fails is retried by Temporal; its
// message is Dutch, for the admin's page when the retries run out.
func (a *Activities) RunLASImport(ctx context.Context, licenceID string) (workflows.LASImportResult, error) {
	id, err := parseID("licence", licenceID)
	if err != nil {
		return workflows.LASImportResult{}, err
	}
	if a.LAS == nil {
		return workflows.LASImportResult{}, temporal.NewNonRetryableApplicationError("las import not configured", errInvalidInput, nil)
	}
	r, err := a.LAS.RunScheduled(ctx, id)
	if err != nil {
		return r, temporal.NewApplicationError(err.Error(), "LASFetch")
	}
	return r, nil
}

// FailLASImport records a nightly update that could not fetch the export.
func (a *Activities) FailLASImport(ctx context.Context, licenceID, reason string) error {
	id, err := parseID("licence", licenceID)
	if err != nil {
		return err
	}
	if a.LAS == nil {
		return nil
	}
	return a.LAS.FailScheduled(ctx, id, reason)
}
