package activities

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/swv"
	"github.com/topdossier/topdossier/workflows"
)

// RecordProcessStep writes where a workflow stands into the licence
// database, for pages and dashboards to list and sort with SQL.
func (a *Activities) RecordProcessStep(ctx context.Context, in workflows.ProcessStep) error {
	licenceID, entityID, err := parseIDs(in.LicenceID, in.EntityID)
	if err != nil {
		return err
	}
	lic, err := a.Tenants.Licence(ctx, licenceID)
	if err != nil {
		return wrap("record process step", err)
	}
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		if lic.Schema() == "swv" {
			return swv.New(pool).UpsertProcessStep(ctx, swv.UpsertProcessStepParams{
				WorkflowID: in.WorkflowID, EntityKind: in.EntityKind, EntityID: entityID,
				Step: in.Step, WaitingFor: in.WaitingFor, DueAt: in.DueAt, Seq: in.Seq,
			})
		}
		return upsertSchoolStep(ctx, school.New(pool), in, entityID)
	})
	return wrap("record process step", err)
}

func upsertSchoolStep(ctx context.Context, q *school.Queries, in workflows.ProcessStep, entityID uuid.UUID) error {
	err := q.UpsertProcessStep(ctx, school.UpsertProcessStepParams{
		WorkflowID: in.WorkflowID, EntityKind: in.EntityKind, EntityID: entityID,
		Step: in.Step, WaitingFor: in.WaitingFor, DueAt: in.DueAt, Seq: in.Seq, DeadlineState: in.DeadlineState,
	})
	if err != nil {
		return fmt.Errorf("upsert process step: %w", err)
	}
	return nil
}
