package activities

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/swv"
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/workflows"
)

// MonitorLicences lists the active licences the nightly monitor visits,
// each school with the licence of its SWV.
func (a *Activities) MonitorLicences(ctx context.Context) ([]workflows.MonitorLicence, error) {
	q := platform.New(a.Tenants.Platform())
	lics, err := q.ListActiveLicences(ctx)
	if err != nil {
		return nil, wrap("list licences", err)
	}
	swvOf := map[string]string{} // SWV id → its licence
	for _, l := range lics {
		if l.Kind == platform.LicenceKindSwv {
			swvOf[l.SwvID.String()] = l.ID.String()
		}
	}
	out := make([]workflows.MonitorLicence, 0, len(lics))
	for _, l := range lics {
		out = append(out, workflows.MonitorLicence{LicenceID: l.ID.String(), SWVLicenceID: swvOf[l.SwvID.String()], Kind: string(l.Kind)})
	}
	return out, nil
}

// PublishSchoolFigures reads a school's counts in its own database and
// writes them, as counts, into its SWV's: pupils, open dossiers by
// support level, pupils without education by how long, and who found a
// place. Keyed by school and day: a retry writes the same row.
func (a *Activities) PublishSchoolFigures(ctx context.Context, in workflows.MonitorLicence) error {
	licenceID, err := parseID("licence", in.LicenceID)
	if err != nil {
		return err
	}
	swvLicenceID, err := parseID("SWV licence", in.SWVLicenceID)
	if err != nil {
		return err
	}
	lic, err := platform.New(a.Tenants.Platform()).GetLicence(ctx, licenceID)
	if err != nil {
		return wrap("read licence", err)
	}
	now := time.Now().In(law.Netherlands())
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	yearFrom := time.Date(now.Year(), time.August, 1, 0, 0, 0, 0, law.Netherlands())
	if now.Month() < time.August {
		yearFrom = yearFrom.AddDate(-1, 0, 0)
	}
	var f school.MonitorPublicationRow
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		f, err = school.New(pool).MonitorPublication(ctx, school.MonitorPublicationParams{Month1: today.AddDate(0, -1, 0),
			Month3: today.AddDate(0, -3, 0), Month6: today.AddDate(0, -6, 0), YearFrom: yearFrom})
		return err
	})
	if err != nil {
		return wrap("count the school's figures", err)
	}
	schoolType := ""
	if lic.SchoolType != nil {
		schoolType = string(*lic.SchoolType)
	}
	err = a.Tenants.With(ctx, swvLicenceID, func(pool *pgxpool.Pool) error {
		return swv.New(pool).UpsertSchoolFigures(ctx, swv.UpsertSchoolFiguresParams{SchoolLicenceID: licenceID, Day: today,
			SchoolName: lic.Name, SchoolType: schoolType, Kind: string(lic.Kind), Pupils: f.Pupils, DossiersLight: f.DossiersLight,
			DossiersSchool: f.DossiersSchool, DossiersFacility: f.DossiersFacility, WithoutLt1m: f.WithoutLt1m, Without1m3m: f.Without1m3m,
			Without3m6m: f.Without3m6m, WithoutGe6m: f.WithoutGe6m, WithoutUnknown: f.WithoutUnknown, FoundPlace: f.FoundPlace})
	})
	return wrap("publish the school's figures", err)
}

// RefreshSWVMonitor refreshes the SWV's monitor summary (the facts per
// request the pages count).
func (a *Activities) RefreshSWVMonitor(ctx context.Context, in workflows.MonitorLicence) error {
	licenceID, err := parseID("licence", in.LicenceID)
	if err != nil {
		return err
	}
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return swv.New(pool).RefreshMonitor(ctx)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	return wrap("refresh the monitor", err)
}
