package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/dbtest"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/internal/dossiertest"
	"github.com/topdossier/topdossier/service"
	"github.com/topdossier/topdossier/workflows"
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

// TestSupportChangeSignalKeptWithTheChange: a changed support level and
// the signal that tells the dossier's process are written in one
// transaction. With Temporal away the change is saved and the signal
// waits in the outbox, unsent, for the deliver schedule (worker's
// TestDeliverPending); an edit that changes neither level nor start date
// writes no signal.
func TestSupportChangeSignalKeptWithTheChange(t *testing.T) {
	ctx := context.Background()
	p := dbtest.NewPlatform(t, tenants.Config{})
	lic := p.School(t, "Basisschool De Wilg", "77WI")
	away, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	svc := service.NewDossiers(p.Tenants, away, slog.New(slog.DiscardHandler), service.Config{Location: time.UTC})
	actor := service.Actor{UserID: uuid.New(), Name: "IB'er", Role: auth.RoleIB}
	var d school.Dossier
	err = p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
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
	type row struct {
		Signal  string
		Payload workflows.SupportChanged
		Sent    bool
	}
	outbox := func() []row {
		t.Helper()
		var out []row
		err := p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
			rows, err := pool.Query(ctx, "SELECT workflow_id, signal, payload, sent_at IS NOT NULL FROM signal_outbox ORDER BY created_at")
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var r row
				var wid string
				var raw []byte
				if err := rows.Scan(&wid, &r.Signal, &raw, &r.Sent); err != nil {
					return err
				}
				if wid != workflows.DossierWorkflowID(lic.ID.String(), d.ID.String()) {
					t.Errorf("signal for %s, want the dossier's process", wid)
				}
				if err := json.Unmarshal(raw, &r.Payload); err != nil {
					return err
				}
				out = append(out, r)
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	start := d.StartedOn.Format(time.DateOnly)
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	saved, err := svc.SaveHeader(sctx, actor, lic.ID, d, service.HeaderInput{Version: d.Version,
		DossierInput: service.DossierInput{SupportLevel: string(school.SupportLevelLight), Reason: "Gaat beter", StartedOn: start}})
	if err != nil {
		t.Fatalf("save with Temporal away: %v", err)
	}
	if saved.SupportLevel != school.SupportLevelLight {
		t.Errorf("support level %s, want light", saved.SupportLevel)
	}
	got := outbox()
	if len(got) != 1 || got[0].Signal != workflows.SignalDossierSupportChanged || got[0].Sent || got[0].Payload.ExtraSupport ||
		got[0].Payload.RequestID != fmt.Sprintf("header:%s:%d", d.ID, saved.Version) {
		t.Fatalf("outbox %+v, want one unsent support-changed signal: no extra support, keyed by the new version", got)
	}
	// Only the reason changes: the process has nothing to hear.
	if _, err := svc.SaveHeader(sctx, actor, lic.ID, saved, service.HeaderInput{Version: saved.Version,
		DossierInput: service.DossierInput{SupportLevel: string(school.SupportLevelLight), Reason: "Gaat veel beter", StartedOn: start}}); err != nil {
		t.Fatal(err)
	}
	if n := len(outbox()); n != 1 {
		t.Errorf("%d signals after an edit of the reason only, want still 1", n)
	}
}

// TestNoNewDossierWhileRestricted: opening a plan for a pupil whose
// data's use is restricted (AVG art. 18) is refused where it is written,
// and nothing is written.
func TestNoNewDossierWhileRestricted(t *testing.T) {
	ctx := context.Background()
	p := dbtest.NewPlatform(t, tenants.Config{})
	lic := p.School(t, "Basisschool De Wilg", "77WI")
	svc := service.NewDossiers(p.Tenants, nil, slog.New(slog.DiscardHandler), service.Config{Location: time.UTC})
	actor := service.Actor{UserID: uuid.New(), Name: "IB'er", Role: auth.RoleIB}
	var pupil school.Pupil
	err := p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		var err error
		pupil, err = q.CreatePupil(ctx, school.CreatePupilParams{GivenName: "Fleur", FamilyName: "Smit",
			BirthDate: time.Date(2016, 5, 1, 0, 0, 0, 0, time.UTC), EnrolledOn: time.Date(2022, 8, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return err
		}
		return dossiertest.Restrict(ctx, q, pupil.ID, true)
	})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = svc.Create(ctx, actor, lic.ID, pupil.ID, service.DossierInput{SupportLevel: string(school.SupportLevelExtraSchool),
		Reason: "Rekenen", StartedOn: time.Now().Format(time.DateOnly)})
	if !errors.Is(err, fault.ErrRestricted) {
		t.Errorf("create while restricted: %v, want fault.ErrRestricted", err)
	}
	var n int
	err = p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(ctx, "SELECT count(*) FROM dossier WHERE pupil_id = $1", pupil.ID).Scan(&n)
	})
	if err != nil || n != 0 {
		t.Errorf("%d dossiers (err %v), want none", n, err)
	}
}
