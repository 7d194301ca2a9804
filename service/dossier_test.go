package service_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/dbtest"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/internal/dossiertest"
	"github.com/topdossier/topdossier/service"
)

// TestWritesRefusedWhileRestricted: the dossier's writes check the AVG
// restriction (art. 18) inside their own transaction, so a caller that
// skips the page's check (an API client, a future import) still cannot
// change the plan; nothing is written. After the restriction is lifted
// the same write goes through.
func TestWritesRefusedWhileRestricted(t *testing.T) {
	ctx := context.Background()
	p := dbtest.NewPlatform(t, tenants.Config{})
	lic := p.School(t, "Basisschool De Wilg", "77WI")
	svc := service.NewDossiers(p.Tenants, nil, slog.New(slog.DiscardHandler), service.Config{Location: time.UTC})
	actor := service.Actor{UserID: uuid.New(), Name: "IB'er", Role: auth.RoleIB}
	var d school.Dossier
	err := p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		pupil, err := q.CreatePupil(ctx, school.CreatePupilParams{GivenName: "Fleur", FamilyName: "Smit",
			BirthDate: time.Date(2016, 5, 1, 0, 0, 0, 0, time.UTC), EnrolledOn: time.Date(2022, 8, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return err
		}
		d, err = dossiertest.Complete(ctx, q, pupil.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	restrict := func(on bool) {
		t.Helper()
		err := p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
			return dossiertest.Restrict(ctx, school.New(pool), d.PupilID, on)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	entries := func() int {
		t.Helper()
		var n int
		err := p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
			return pool.QueryRow(ctx, "SELECT count(*) FROM growth_entry WHERE dossier_id = $1", d.ID).Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	note := service.GrowthInput{Kind: "observation", OccurredOn: time.Now().Format(time.DateOnly), Body: "Telt nu zonder vingers."}
	before := entries()

	restrict(true)
	if _, err := svc.AddGrowthEntry(ctx, actor, lic.ID, d, note); !errors.Is(err, fault.ErrRestricted) {
		t.Fatalf("growth note while restricted: got %v, want ErrRestricted", err)
	}
	if err := svc.AddParticipant(ctx, actor, lic.ID, d, service.ParticipantInput{Name: "J. Jansen", Organisation: "Jeugdzorg"}); !errors.Is(err, fault.ErrRestricted) {
		t.Errorf("participant while restricted: got %v, want ErrRestricted", err)
	}
	if got := entries(); got != before {
		t.Errorf("growth entries: got %d, want %d (nothing written)", got, before)
	}

	restrict(false)
	if _, err := svc.AddGrowthEntry(ctx, actor, lic.ID, d, note); err != nil {
		t.Fatalf("growth note after lifting: %v", err)
	}
	if got := entries(); got != before+1 {
		t.Errorf("growth entries: got %d, want %d", got, before+1)
	}
}
