package activities

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/workflows"
)

// ConfirmEnrolment stores the enrolment check once; a retry or a second
// request changes nothing.
func (a *Activities) ConfirmEnrolment(ctx context.Context, in workflows.ConfirmEnrolmentInput) error {
	licenceID, pupilID, err := parseIDs(in.LicenceID, in.PupilID)
	if err != nil {
		return err
	}
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		_, err := school.New(pool).ConfirmEnrolment(ctx, school.ConfirmEnrolmentParams{
			PupilID:     pupilID,
			ConfirmedAt: in.ConfirmedAt,
			RequestID:   in.RequestID,
		})
		return err
	})
	return wrap("confirm enrolment", err)
}
