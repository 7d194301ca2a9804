package main

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/config"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/workflows"
)

// demoPupil is a fictional pupil of the demo data.
type demoPupil struct {
	given, infix, family, group string
	yearGroup                   int16
	birth                       string
	guardianGiven, guardianRel  string
}

// seedDemo fills an empty platform with one SWV, its licences and a few
// fictional pupils, once: a marker row makes a second start skip it.
func seedDemo(ctx context.Context, cfg config.Config, dbs *databases, tc client.Client) (string, error) {
	q := platform.New(dbs.platform)
	seeded, err := q.DemoSeeded(ctx)
	if err != nil {
		return "", err
	}
	if seeded {
		return "al aanwezig (niet opnieuw aangemaakt)", nil
	}
	swv, err := q.CreateSWV(ctx, platform.CreateSWVParams{Code: "PO2899", Name: "Samenwerkingsverband Passend Onderwijs Rivierenland (demo)"})
	if err != nil {
		return "", fmt.Errorf("create demo SWV: %w", err)
	}
	licences := []tenants.NewLicence{
		{Kind: platform.LicenceKindSchool, Name: "Basisschool De Regenboog", SWVID: swv.ID, BRIN: "99ZA", SchoolType: platform.SchoolTypeBAO},
		{Kind: platform.LicenceKindSchool, Name: "SBO De Brug", SWVID: swv.ID, BRIN: "99ZB", SchoolType: platform.SchoolTypeSBO},
		{Kind: platform.LicenceKindSwvSchool, Name: "Rivierenland thuiszitters en zorginstellingen", SWVID: swv.ID},
		{Kind: platform.LicenceKindSwv, Name: "SWV Rivierenland", SWVID: swv.ID},
	}
	pupils := map[int][]demoPupil{
		0: {
			{"Sanne", "de", "Vries", "5b", 5, "2017-04-12", "Marieke", "mother"},
			{"Mohammed", "", "El Amrani", "7a", 7, "2015-09-30", "Youssef", "father"},
			{"Daan", "van", "Dijk", "3", 3, "2019-01-22", "Els", "parent"},
		},
		1: {
			{"Noor", "", "Jansen", "bovenbouw", 6, "2016-06-05", "Karin", "foster_parent"},
		},
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	for i, n := range licences {
		lic, err := dbs.tenants.CreateLicence(ctx, n)
		if err != nil {
			return "", fmt.Errorf("create demo licence %q: %w", n.Name, err)
		}
		for _, p := range pupils[i] {
			if err := seedPupil(ctx, cfg, dbs, tc, lic.ID, p, today); err != nil {
				return "", err
			}
		}
	}
	if err := q.MarkDemoSeeded(ctx); err != nil {
		return "", err
	}
	return "aangemaakt: 1 samenwerkingsverband, 4 licenties, 4 leerlingen (fictief)", nil
}

func seedPupil(ctx context.Context, cfg config.Config, dbs *databases, tc client.Client, licenceID uuid.UUID, p demoPupil, today time.Time) error {
	birth, err := time.Parse("2006-01-02", p.birth)
	if err != nil {
		return err
	}
	var pupil school.Pupil
	err = dbs.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			yg := p.yearGroup
			if pupil, err = q.CreatePupil(ctx, school.CreatePupilParams{
				GivenName: p.given, NameInfix: p.infix, FamilyName: p.family, BirthDate: birth,
				GroupName: p.group, YearGroup: &yg, EnrolledOn: today.AddDate(0, 0, -3),
			}); err != nil {
				return err
			}
			_, err := q.CreateGuardian(ctx, school.CreateGuardianParams{
				PupilID: pupil.ID, GivenName: p.guardianGiven, NameInfix: p.infix, FamilyName: p.family,
				Email:    fmt.Sprintf("ouder.%s@voorbeeld.invalid", pupil.ID.String()[:8]),
				Relation: school.GuardianRelation(p.guardianRel), ParentalAuthority: true,
			})
			return err
		})
	})
	if err != nil {
		return fmt.Errorf("create demo pupil: %w", err)
	}
	_, err = workflows.StartEnrolment(ctx, tc, licenceID.String(), pupil.ID.String(), cfg.EnrolmentCheckWithin)
	return err
}
