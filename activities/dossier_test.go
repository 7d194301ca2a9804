package activities_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/activities"
	"github.com/topdossier/topdossier/db/dbtest"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/workflows"
)

// TestAdvanceAgainWritesItsStep: an advance whose workflow task was lost
// (Temporal away) is done again with the same request id and a newer seq.
// Meanwhile a projection from the state before the lost task may have
// landed ("observe", newer than the first attempt's step): the second
// attempt records nothing twice but still brings the projection to its
// step (make drill found dossiers left a phase behind).
func TestAdvanceAgainWritesItsStep(t *testing.T) {
	ctx := context.Background()
	p := dbtest.NewPlatform(t, tenants.Config{})
	lic := p.School(t, "Basisschool De Es", "77ES")
	acts := &activities.Activities{Tenants: p.Tenants}
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	var dossier school.Dossier
	var pupil school.Pupil
	err := p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		var err error
		if pupil, err = q.CreatePupil(ctx, school.CreatePupilParams{GivenName: "Mees", FamilyName: "Es",
			BirthDate: time.Date(2016, 3, 1, 0, 0, 0, 0, time.UTC), EnrolledOn: time.Date(2022, 8, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
			return err
		}
		if dossier, err = q.CreateDossier(ctx, school.CreateDossierParams{PupilID: pupil.ID, SupportLevel: school.SupportLevelExtraSchool,
			StartedOn: now}); err != nil {
			return err
		}
		_, err = q.AddGrowthEntry(ctx, school.AddGrowthEntryParams{DossierID: dossier.ID, Cycle: 1, Kind: "observation", OccurredOn: now, Body: "Telt op de vingers"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	wf := "dossier/" + lic.ID.String() + "/" + dossier.ID.String()
	step := func(phase plan.Phase, seq int32) workflows.ProcessStep {
		return workflows.ProcessStep{LicenceID: lic.ID.String(), WorkflowID: wf, EntityKind: "dossier", EntityID: dossier.ID.String(),
			Step: string(phase), WaitingFor: workflows.WaitingForSchool, Seq: seq}
	}
	advance := func(seq int32) {
		t.Helper()
		if err := acts.AdvanceDossierPhase(ctx, workflows.AdvanceDossierInput{LicenceID: lic.ID.String(), DossierID: dossier.ID.String(),
			PupilID: pupil.ID.String(), WorkflowID: wf, RequestID: "r1", UserID: uuid.NewString(), Role: "ib", Cycle: 1,
			From: plan.PhaseObserve, To: plan.PhaseUnderstand, At: now, Step: step(plan.PhaseUnderstand, seq)}); err != nil {
			t.Fatal(err)
		}
	}
	advance(2)
	if err := acts.RecordProcessStep(ctx, step(plan.PhaseObserve, 3)); err != nil {
		t.Fatal(err)
	}
	advance(4)
	var got string
	var transitions, lines int
	err = p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		if err := pool.QueryRow(ctx, "SELECT step FROM process_step WHERE workflow_id = $1", wf).Scan(&got); err != nil {
			return err
		}
		if err := pool.QueryRow(ctx, "SELECT count(*) FROM dossier_transition WHERE request_id = 'r1'").Scan(&transitions); err != nil {
			return err
		}
		return pool.QueryRow(ctx, "SELECT count(*) FROM logbook WHERE entity = 'dossier_phase' AND request_id = 'r1'").Scan(&lines)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got != string(plan.PhaseUnderstand) || transitions != 1 || lines != 1 {
		t.Errorf("after the advance again: projection %q, %d transitions, %d logbook lines; want understand, 1, 1", got, transitions, lines)
	}
}
