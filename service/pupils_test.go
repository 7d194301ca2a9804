package service_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/dbtest"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/service"
)

// TestOPPForEveryPupilInSpecialSchools: in SBO, SO and VSO every pupil
// needs an OPP (WPO art. 40a lid 1, WEC art. 41a lid 1): enrolling a
// pupil there opens the dossier at once, its six weeks from the
// enrolment date, recorded with who did it. In a regular school it does
// not.
func TestOPPForEveryPupilInSpecialSchools(t *testing.T) {
	ctx := context.Background()
	p := dbtest.NewPlatform(t, tenants.Config{})
	away, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	dossiers := service.NewDossiers(p.Tenants, away, slog.New(slog.DiscardHandler), service.Config{Location: time.UTC})
	pupils := service.NewPupils(p.Tenants, away, dossiers, service.PupilsConfig{Location: time.UTC, EnrolmentCheckWithin: time.Hour})
	actor := service.Actor{UserID: uuid.New(), Name: "IB'er", Role: auth.RoleIB}
	for i, c := range []struct {
		typ  platform.SchoolType
		want bool
	}{{platform.SchoolTypeSBO, true}, {platform.SchoolTypeSO, true}, {platform.SchoolTypeVSO, true}, {platform.SchoolTypeBAO, false}, {platform.SchoolTypeVO, false}} {
		t.Run(string(c.typ), func(t *testing.T) {
			lic, err := p.Tenants.CreateLicence(ctx, tenants.NewLicence{Kind: platform.LicenceKindSchool, Name: "School " + string(c.typ),
				SWVID: p.SWV.ID, BRIN: fmt.Sprintf("%02dXY", 10+i), SchoolType: c.typ})
			if err != nil {
				t.Fatal(err)
			}
			sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			pupil, _, err := pupils.Create(sctx, actor, lic.ID, service.PupilInput{GivenName: "Lot", FamilyName: "Speciaal",
				BirthDate: "2016-03-01", GroupName: "4", EnrolledOn: "2026-09-01",
				Guardians: []service.GuardianInput{{GivenName: "Els", FamilyName: "Speciaal", Email: "els@thuis.invalid", Relation: "mother",
					ParentalAuthority: true}}})
			if err != nil {
				t.Fatal(err)
			}
			err = p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
				q := school.New(pool)
				d, err := q.CurrentDossierOfPupil(ctx, pupil.ID)
				if !c.want {
					if err == nil {
						t.Errorf("a dossier was opened in a %s school", c.typ)
					}
					return nil
				}
				if err != nil {
					t.Errorf("no dossier at the enrolment in a %s school: %v", c.typ, err)
					return nil
				}
				if d.SupportLevel != school.SupportLevelExtraFacility || !d.StartedOn.Equal(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("dossier %s from %s, want extra support from the enrolment date", d.SupportLevel, d.StartedOn)
				}
				starts, err := q.ListDossierStarts(ctx, d.ID)
				if err != nil {
					return err
				}
				if len(starts) != 1 || starts[0].ByUserID == nil || *starts[0].ByUserID != actor.UserID {
					t.Errorf("starts %+v, want one recorded by the IB'er", starts)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestStartDateChangeNeedsReason: the six weeks for the OPP run from the
// start date, so changing it afterwards needs a reason; the change is
// kept with the previous date, who and why, and goes to the logbook.
func TestStartDateChangeNeedsReason(t *testing.T) {
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
		d, err = q.CreateDossier(ctx, school.CreateDossierParams{PupilID: pupil.ID, SupportLevel: school.SupportLevelExtraSchool,
			Reason: "Rekenen", StartedOn: time.Now().UTC().Truncate(24 * time.Hour)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	earlier := d.StartedOn.AddDate(0, 0, -14).Format(time.DateOnly)
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err = svc.SaveHeader(sctx, actor, lic.ID, d, service.HeaderInput{Version: d.Version,
		DossierInput: service.DossierInput{SupportLevel: string(d.SupportLevel), Reason: d.Reason, StartedOn: earlier}})
	var fields fault.FieldErrors
	if !errorsAs(err, &fields) || !strings.Contains(fields["start_change_reason"], "zes weken") {
		t.Fatalf("a new start date without a reason: %v, want a field error on the reason", err)
	}
	saved, err := svc.SaveHeader(sctx, actor, lic.ID, d, service.HeaderInput{Version: d.Version, StartChangeReason: "De extra ondersteuning begon al op 1 september.",
		DossierInput: service.DossierInput{SupportLevel: string(d.SupportLevel), Reason: d.Reason, StartedOn: earlier}})
	if err != nil {
		t.Fatal(err)
	}
	err = p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		starts, err := q.ListDossierStarts(ctx, d.ID)
		if err != nil {
			return err
		}
		if len(starts) != 1 || !starts[0].StartedOn.Equal(saved.StartedOn) || starts[0].PreviousOn == nil ||
			!starts[0].PreviousOn.Equal(d.StartedOn) || starts[0].Reason != "De extra ondersteuning begon al op 1 september." {
			t.Errorf("starts %+v, want the change with the previous date and the reason", starts)
		}
		var lines int
		if err := pool.QueryRow(ctx, "SELECT count(*) FROM logbook WHERE entity = 'dossier_start'").Scan(&lines); err != nil {
			return err
		}
		if lines != 1 {
			t.Errorf("%d logbook lines for the start change, want 1", lines)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
