package activities_test

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/activities"
	"github.com/topdossier/topdossier/config"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/dbtest"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/internal/dossiertest"
	"github.com/topdossier/topdossier/workflows"
)

// TestRetentionDeletesEverything: a pupil who left, with a complete
// dossier (consent, attachment, a request to the SWV) and logbook lines:
// the dossier term deletes the dossiers, the enrolment term the pupil;
// afterwards no row of any table of the school's schema mentions the
// pupil, the portal link is gone, two deletion records hold only counts,
// the logbook chain verifies, and a retry changes nothing.
func TestRetentionDeletesEverything(t *testing.T) {
	ctx := context.Background()
	p := dbtest.NewPlatform(t, tenants.Config{})
	lic := p.School(t, "Basisschool De Eik", "55EI")
	acts := &activities.Activities{Tenants: p.Tenants}
	left := time.Date(2024, 7, 12, 0, 0, 0, 0, time.UTC)
	var pupil school.Pupil
	var kept school.Pupil
	err := p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			var err error
			for _, pp := range []*school.Pupil{&pupil, &kept} {
				if *pp, err = q.CreatePupil(ctx, school.CreatePupilParams{GivenName: "Jip", FamilyName: "Weg", Email: "jip@leerling.invalid",
					BirthDate: time.Date(2012, 3, 3, 0, 0, 0, 0, time.UTC), EnrolledOn: time.Date(2016, 8, 20, 0, 0, 0, 0, time.UTC)}); err != nil {
					return err
				}
				if _, err := q.CreateGuardian(ctx, school.CreateGuardianParams{PupilID: pp.ID, GivenName: "Ouder", FamilyName: "Weg",
					Email: "ouder@thuis.invalid", Relation: school.GuardianRelationMother, ParentalAuthority: true}); err != nil {
					return err
				}
				d, err := dossiertest.Complete(ctx, q, pp.ID)
				if err != nil {
					return err
				}
				sum := sha256.Sum256([]byte("verslag"))
				if _, err := q.AddAttachment(ctx, school.AddAttachmentParams{DossierID: d.ID, FileName: "verslag.pdf", ContentType: "application/pdf",
					SizeBytes: 7, Sha256: sum[:], Content: []byte("verslag")}); err != nil {
					return err
				}
				if _, err := q.CreateSWVRequest(ctx, school.CreateSWVRequestParams{DossierID: d.ID, Kind: "advice", Question: "Vraag",
					Snapshot: []byte(`{"pupil_name":"Jip Weg"}`)}); err != nil {
					return err
				}
				if _, err := q.CreateAVGRequest(ctx, school.CreateAVGRequestParams{PupilID: pp.ID, Kind: "correction", PartyKey: "pupil",
					Body: "Mijn adres klopt niet.", DueAt: time.Now().Add(time.Hour)}); err != nil {
					return err
				}
				if err := logbook.Append(ctx, tx, logbook.Entry{ActorRole: "ib", Action: logbook.ActionView, PupilID: &pp.ID,
					Entity: "dossier", EntityID: pp.ID.String()}); err != nil {
					return err
				}
			}
			if _, err := tx.Exec(ctx, `UPDATE pupil SET left_on = $2 WHERE id = $1`, pupil.ID, left); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `INSERT INTO process_step (workflow_id, entity_kind, entity_id, step, seq) VALUES ('enrolment/x', 'pupil', $1, 'uitgeschreven', 1)`, pupil.ID)
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	user, err := platform.New(p.Pool).CreateUser(ctx, platform.CreateUserParams{Kind: platform.UserKindGuardian, Email: "ouder@thuis.invalid", DisplayName: "Ouder"})
	if err != nil {
		t.Fatal(err)
	}
	if err := platform.New(p.Pool).CreatePupilLink(ctx, platform.CreatePupilLinkParams{UserID: user.ID, LicenceID: lic.ID, PupilID: pupil.ID}); err != nil {
		t.Fatal(err)
	}

	ref := func(kind string, term time.Duration) workflows.RetentionRef {
		return workflows.RetentionRef{LicenceID: lic.ID.String(), Kind: kind, EntityID: pupil.ID.String(), Term: term}
	}
	due, err := acts.RetentionDue(ctx, ref(workflows.RetentionKindDossier, 2*365*24*time.Hour))
	if err != nil || !due.Equal(left.Add(2*365*24*time.Hour)) {
		t.Fatalf("due %v (err %v), want two years after leaving", due, err)
	}
	if _, err := acts.RetentionDue(ctx, workflows.RetentionRef{LicenceID: lic.ID.String(), Kind: "dossier", EntityID: kept.ID.String(), Term: time.Hour}); err == nil {
		t.Error("a pupil still at school has a retention end")
	}
	if err := acts.RecordRetention(ctx, workflows.RetentionEvent{RetentionRef: ref("dossier", 0), What: "started", DueAt: due}); err != nil {
		t.Fatal(err)
	}
	// Two years: the dossier goes, the record keeps its minimal fields.
	if err := acts.ExpireRetention(ctx, ref(workflows.RetentionKindDossier, 0)); err != nil {
		t.Fatalf("expire dossier: %v", err)
	}
	err = p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		var rec struct {
			given, email, group string
			birth               time.Time
			minimised           *time.Time
			guardians, avg      int
			otherGuardians      int
		}
		err := pool.QueryRow(ctx, `SELECT given_name, email, group_name, birth_date, minimised_at,
			(SELECT count(*) FROM guardian WHERE pupil_id = $1), (SELECT count(*) FROM avg_request WHERE pupil_id = $1),
			(SELECT count(*) FROM guardian WHERE pupil_id = $2) FROM pupil WHERE id = $1`, pupil.ID, kept.ID).
			Scan(&rec.given, &rec.email, &rec.group, &rec.birth, &rec.minimised, &rec.guardians, &rec.avg, &rec.otherGuardians)
		if err != nil {
			return err
		}
		if rec.given != "Jip" || rec.birth.IsZero() || rec.email != "" || rec.minimised == nil || rec.guardians != 0 || rec.avg != 0 {
			t.Errorf("record after two years: %+v; want name and birth date, no address, no guardians, no AVG requests", rec)
		}
		if rec.otherGuardians != 1 {
			t.Errorf("the other pupil has %d guardians, want 1", rec.otherGuardians)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := platform.New(p.Pool).GetPupilLink(ctx, platform.GetPupilLinkParams{UserID: user.ID, LicenceID: lic.ID, PupilID: pupil.ID}); err == nil {
		t.Error("the guardian's account still links to the pupil whose dossier is gone")
	}
	for _, kind := range []string{workflows.RetentionKindDossier, workflows.RetentionKindEnrolment, workflows.RetentionKindEnrolment} {
		if err := acts.ExpireRetention(ctx, ref(kind, 0)); err != nil {
			t.Fatalf("expire %s: %v", kind, err)
		}
	}

	err = p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		// Every row of every table, as text: none names the pupil.
		tables, err := pool.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)
		if err != nil {
			return err
		}
		var names []string
		for tables.Next() {
			var n string
			if err := tables.Scan(&n); err != nil {
				return err
			}
			names = append(names, n)
		}
		tables.Close()
		if len(names) < 20 {
			t.Errorf("only %d tables searched", len(names))
		}
		for _, n := range names {
			var hits int
			q := `SELECT count(*) FROM ` + pgx.Identifier{n}.Sanitize() + ` t WHERE t::text LIKE '%' || $1 || '%'`
			if err := pool.QueryRow(ctx, q, pupil.ID.String()).Scan(&hits); err != nil {
				return err
			}
			if hits != 0 {
				t.Errorf("table %s: %d rows still mention the pupil", n, hits)
			}
		}
		var records, keptRows int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM deletion_record WHERE counts ? 'Dossiers' OR counts ? 'dossiers'`).Scan(&records); err != nil {
			return err
		}
		if records != 2 {
			t.Errorf("%d deletion records, want 2 (dossier and enrolment, once each)", records)
		}
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM dossier WHERE pupil_id = $1`, kept.ID).Scan(&keptRows); err != nil || keptRows != 1 {
			t.Errorf("the other pupil's dossier: %d (err %v)", keptRows, err)
		}
		n, err := logbook.Verify(ctx, school.New(pool), nil)
		if err != nil || n < 5 {
			t.Errorf("logbook after deletion: %d rows, %v", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := platform.New(p.Pool).GetPupilLink(ctx, platform.GetPupilLinkParams{UserID: user.ID, LicenceID: lic.ID, PupilID: pupil.ID}); err == nil {
		t.Error("the guardian's account still links to the deleted pupil")
	}
}

// TestFindRetentionOverdue: the reconciliation finds a dossier past its
// two years, a record past two years still holding more than the minimal
// fields, and a record past its five (not also its dossier kind); nothing
// of a minimised record within five years, of a pupil who left last month
// or of one still at school.
func TestFindRetentionOverdue(t *testing.T) {
	ctx := context.Background()
	p := dbtest.NewPlatform(t, tenants.Config{})
	lic := p.School(t, "Basisschool De Wilg", "56WI")
	acts := &activities.Activities{Tenants: p.Tenants}
	now := time.Now().UTC()
	ids := map[string]string{}
	err := p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		for name, left := range map[string]*time.Time{"three-years": ptrTo(now.AddDate(-3, 0, 0)), "six-years": ptrTo(now.AddDate(-6, 0, 0)),
			"last-month": ptrTo(now.AddDate(0, -1, 0)), "at-school": nil, "minimised": ptrTo(now.AddDate(-3, 0, 0)),
			"not-minimised": ptrTo(now.AddDate(-3, 0, 0))} {
			pupil, err := q.CreatePupil(ctx, school.CreatePupilParams{GivenName: name, FamilyName: "X",
				BirthDate: time.Date(2005, 1, 1, 0, 0, 0, 0, time.UTC), EnrolledOn: time.Date(2010, 8, 1, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				return err
			}
			ids[name] = pupil.ID.String()
			if name == "minimised" {
				if err := q.MinimisePupil(ctx, pupil.ID); err != nil {
					return err
				}
			}
			if name != "six-years" && name != "minimised" && name != "not-minimised" {
				if _, err := dossiertest.Complete(ctx, q, pupil.ID); err != nil {
					return err
				}
			}
			if left != nil {
				if _, err := pool.Exec(ctx, `UPDATE pupil SET left_on = $2 WHERE id = $1`, pupil.ID, *left); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := acts.FindRetentionOverdue(ctx, workflows.ReconcileInput{Dossier: 2 * 365 * 24 * time.Hour, Enrolment: 5 * 365 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"dossier/" + ids["three-years"]: true, "enrolment/" + ids["six-years"]: true,
		"dossier/" + ids["not-minimised"]: true}
	if len(got) != len(want) {
		t.Fatalf("found %+v, want %v", got, want)
	}
	for _, o := range got {
		if !want[o.Kind+"/"+o.PupilID] || o.LicenceID != lic.ID.String() {
			t.Errorf("found %+v, want %v", o, want)
		}
	}
}

func ptrTo[T any](v T) *T { return &v }

// TestRecordRetentionForgottenPupil: when both terms were already past at
// the start, the enrolment's deletion can run before the dossier term's
// "started" line; that line must not bring the pupil's id back.
func TestRecordRetentionForgottenPupil(t *testing.T) {
	ctx := context.Background()
	p := dbtest.NewPlatform(t, tenants.Config{})
	lic := p.School(t, "Basisschool De Wilg", "77WI")
	acts := &activities.Activities{Tenants: p.Tenants}
	gone := uuid.New()
	err := acts.RecordRetention(ctx, workflows.RetentionEvent{RetentionRef: workflows.RetentionRef{LicenceID: lic.ID.String(),
		Kind: workflows.RetentionKindDossier, EntityID: gone.String()}, What: "started", DueAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	var events, lines int
	err = p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		if err := pool.QueryRow(ctx, "SELECT count(*) FROM retention_event WHERE entity_id = $1", gone).Scan(&events); err != nil {
			return err
		}
		return pool.QueryRow(ctx, "SELECT count(*) FROM logbook WHERE pupil_id = $1", gone).Scan(&lines)
	})
	if err != nil || events != 0 || lines != 0 {
		t.Errorf("got %d retention events and %d logbook lines (err %v), want none", events, lines, err)
	}
}

// TestRetentionDueExactDates: with the configured defaults (config.Load
// on an empty environment) a pupil who left on 29-11-2026 has the dossier
// deleted on 29-11-2028 (two calendar years across the leap day of 2028,
// not 28-11) and the record on 29-11-2031.
func TestRetentionDueExactDates(t *testing.T) {
	ctx := context.Background()
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	p := dbtest.NewPlatform(t, tenants.Config{})
	lic := p.School(t, "Basisschool De Wilg", "57WI")
	acts := &activities.Activities{Tenants: p.Tenants}
	var pupil school.Pupil
	err = p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		var err error
		pupil, err = school.New(pool).CreatePupil(ctx, school.CreatePupilParams{GivenName: "Fleur", FamilyName: "Smit",
			BirthDate: time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC), EnrolledOn: time.Date(2020, 8, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return err
		}
		_, err = pool.Exec(ctx, `UPDATE pupil SET left_on = '2026-11-29' WHERE id = $1`, pupil.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for kind, want := range map[string]time.Time{
		workflows.RetentionDossier:   time.Date(2028, 11, 29, 0, 0, 0, 0, time.UTC),
		workflows.RetentionEnrolment: time.Date(2031, 11, 29, 0, 0, 0, 0, time.UTC),
	} {
		term := cfg.RetentionDossier
		if kind == workflows.RetentionEnrolment {
			term = cfg.RetentionEnrolment
		}
		due, err := acts.RetentionDue(ctx, workflows.RetentionRef{LicenceID: lic.ID.String(), Kind: kind, EntityID: pupil.ID.String(), Term: term})
		if err != nil {
			t.Fatal(err)
		}
		if !due.Equal(want) {
			t.Errorf("%s deleted on %s, want %s", kind, due.Format(time.DateOnly), want.Format(time.DateOnly))
		}
	}
}
