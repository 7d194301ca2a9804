package tenants_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/dbtest"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/internal/poll"
)

func newPupil(t *testing.T, ctx context.Context, p *dbtest.Platform, licenceID uuid.UUID, given string) school.Pupil {
	t.Helper()
	var pupil school.Pupil
	err := p.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		pupil, err = school.New(pool).CreatePupil(ctx, school.CreatePupilParams{
			GivenName: given, FamilyName: "Test", BirthDate: time.Date(2016, 3, 14, 0, 0, 0, 0, time.UTC),
			EnrolledOn: time.Date(2022, 8, 22, 0, 0, 0, 0, time.UTC),
		})
		return err
	})
	if err != nil {
		t.Fatalf("create pupil: %v", err)
	}
	return pupil
}

func TestLicencesAreIsolated(t *testing.T) {
	ctx := context.Background()
	p := dbtest.NewPlatform(t, tenants.Config{})
	a := p.School(t, "School A", "11AA")
	b := p.School(t, "School B", "22BB")
	if a.DbName == b.DbName {
		t.Fatalf("both licences use database %s", a.DbName)
	}
	pupil := newPupil(t, ctx, p, a.ID, "Alleen-in-A")

	err := p.Tenants.With(ctx, b.ID, func(pool *pgxpool.Pool) error {
		var current string
		if err := pool.QueryRow(ctx, "SELECT current_database()").Scan(&current); err != nil {
			return err
		}
		if current != b.DbName {
			t.Errorf("school B's pool is on %s, want %s", current, b.DbName)
		}
		_, err := school.New(pool).GetPupil(ctx, pupil.ID)
		if !errors.Is(err, pgx.ErrNoRows) {
			t.Errorf("school B reads school A's pupil: got err %v, want no rows", err)
		}
		n, err := school.New(pool).CountPupils(ctx)
		if n != 0 {
			t.Errorf("school B has %d pupils, want 0", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = p.Tenants.With(ctx, a.ID, func(pool *pgxpool.Pool) error {
		got, err := school.New(pool).GetPupil(ctx, pupil.ID)
		if err == nil && got.GivenName != "Alleen-in-A" {
			t.Errorf("got %q, want Alleen-in-A", got.GivenName)
		}
		return err
	})
	if err != nil {
		t.Fatalf("school A reads its own pupil: %v", err)
	}
}

func databaseExists(t *testing.T, name string) bool {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dbtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var exists bool
	if err := conn.QueryRow(context.Background(), "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	return exists
}

func TestCreateAndRemoveLicence(t *testing.T) {
	ctx := context.Background()
	p := dbtest.NewPlatform(t, tenants.Config{})
	lic := p.School(t, "School C", "33CC")
	if lic.Status != platform.LicenceStatusActive {
		t.Errorf("status %s, want active", lic.Status)
	}
	if !databaseExists(t, lic.DbName) {
		t.Fatalf("database %s does not exist after create", lic.DbName)
	}
	// Migrated: goose recorded the migrations and the school tables exist.
	err := p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		var version int64
		if err := pool.QueryRow(ctx, "SELECT max(version_id) FROM goose_db_version").Scan(&version); err != nil {
			return err
		}
		if version < 1 {
			t.Errorf("goose version %d, want >= 1", version)
		}
		_, err := school.New(pool).CountPupils(ctx)
		return err
	})
	if err != nil {
		t.Fatalf("new licence database is not migrated: %v", err)
	}

	if err := p.Tenants.RemoveLicence(ctx, lic.ID); err != nil {
		t.Fatalf("remove: %v", err)
	}
	if databaseExists(t, lic.DbName) {
		t.Errorf("database %s still exists after remove", lic.DbName)
	}
	if _, err := platform.New(p.Pool).GetLicence(ctx, lic.ID); !errors.Is(err, pgx.ErrNoRows) {
		t.Errorf("licence row after remove: got %v, want no rows", err)
	}
	err = p.Tenants.With(ctx, lic.ID, func(*pgxpool.Pool) error { return nil })
	if !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("With on removed licence: got %v, want ErrNotFound", err)
	}
}

func TestCreateLicenceInvalidLeavesNothing(t *testing.T) {
	ctx := context.Background()
	p := dbtest.NewPlatform(t, tenants.Config{})
	_, err := p.Tenants.CreateLicence(ctx, tenants.NewLicence{Kind: platform.LicenceKindSchool, Name: "Zonder BRIN", SWVID: p.SWV.ID, SchoolType: platform.SchoolTypeSO})
	var fields fault.FieldErrors
	if !errors.As(err, &fields) || fields["brin"] == "" {
		t.Fatalf("got %v, want a field error on brin", err)
	}
	_, err = p.Tenants.CreateLicence(ctx, tenants.NewLicence{Kind: platform.LicenceKindSchool, Name: "Elders", SWVID: p.SWV.ID,
		BRIN: "44DD", SchoolType: platform.SchoolTypeSO, DBServer: "nergens"})
	if !errors.As(err, &fields) || fields["db_server"] == "" {
		t.Fatalf("got %v, want a field error on db_server", err)
	}
	p.School(t, "Eerste", "55EE")
	_, err = p.Tenants.CreateLicence(ctx, tenants.NewLicence{Kind: platform.LicenceKindSchool, Name: "Dubbel", SWVID: p.SWV.ID,
		BRIN: "55EE", SchoolType: platform.SchoolTypeBAO})
	if !errors.Is(err, fault.ErrConflict) {
		t.Fatalf("duplicate BRIN: got %v, want ErrConflict", err)
	}
	rows, err := platform.New(p.Pool).ListLicences(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Errorf("%d licences registered, want 1 (failed creates leave nothing)", len(rows))
	}
}

// TestLicenceOnAnotherServer puts a licence database on a second
// configured server (the same PostgreSQL reached under another DSN) and
// checks that the licence is reached through that server's DSN.
func TestLicenceOnAnotherServer(t *testing.T) {
	ctx := context.Background()
	second := "postgres://postgres@localhost:5432/postgres?application_name=second_server"
	if v := dbtest.AdminURL(); v != "postgres://postgres@127.0.0.1:5432/postgres" {
		second = v + "&application_name=second_server"
	}
	p := dbtest.NewPlatform(t, tenants.Config{Servers: map[string]string{
		"main":   dbtest.AdminURL(),
		"second": second,
	}})
	lic, err := p.Tenants.CreateLicence(ctx, tenants.NewLicence{Kind: platform.LicenceKindSchool, Name: "Op server twee",
		SWVID: p.SWV.ID, BRIN: "66FF", SchoolType: platform.SchoolTypeVO, DBServer: "second"})
	if err != nil {
		t.Fatal(err)
	}
	if lic.DbServer != "second" {
		t.Errorf("db_server %q, want second", lic.DbServer)
	}
	err = p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		var app, current string
		if err := pool.QueryRow(ctx, "SELECT current_setting('application_name'), current_database()").Scan(&app, &current); err != nil {
			return err
		}
		if app != "second_server" || current != lic.DbName {
			t.Errorf("connected as %q to %q, want second_server to %q", app, current, lic.DbName)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPoolsAreBounded touches more licences than MaxOpenPools and checks
// that idle pools are closed rather than piling up connections.
func TestPoolsAreBounded(t *testing.T) {
	ctx := context.Background()
	p := dbtest.NewPlatform(t, tenants.Config{MaxOpenPools: 3})
	var ids []uuid.UUID
	for i := range 6 {
		ids = append(ids, p.School(t, fmt.Sprintf("School %d", i), fmt.Sprintf("%02dGG", 70+i)).ID)
	}
	for _, id := range ids {
		if err := p.Tenants.With(ctx, id, func(pool *pgxpool.Pool) error { return pool.Ping(ctx) }); err != nil {
			t.Fatal(err)
		}
	}
	if got := p.Tenants.OpenPools(); got > 3 {
		t.Errorf("%d pools open, want at most 3", got)
	}
	// Evicted pools close in the background: wait for their connections to end.
	n := 0
	if !poll.Until(10*time.Second, func() bool { n = backends(t, p.Name); return n <= 3 }) {
		t.Fatalf("%d connections to licence databases, want at most 3", n)
	}
	// A pool in use is never closed under its user.
	err := p.Tenants.With(ctx, ids[0], func(held *pgxpool.Pool) error {
		for _, id := range ids[1:] {
			if err := p.Tenants.With(ctx, id, func(pool *pgxpool.Pool) error { return pool.Ping(ctx) }); err != nil {
				return err
			}
		}
		return held.Ping(ctx)
	})
	if err != nil {
		t.Fatalf("pool closed while in use: %v", err)
	}
}

// backends counts the server connections to the licence databases of the
// test platform.
func backends(t testing.TB, platformName string) int {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dbtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	err = conn.QueryRow(context.Background(),
		"SELECT count(*) FROM pg_stat_activity WHERE starts_with(datname, $1 || '_lic_')", platformName).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestApplicationRoleCannotRewriteLogbook: the licence pools connect as
// the application role, which may add to the logbook but not change it.
func TestApplicationRoleCannotRewriteLogbook(t *testing.T) {
	ctx := context.Background()
	p := dbtest.NewPlatform(t, tenants.Config{})
	lic := p.School(t, "School Rol", "88HH")
	newPupil(t, ctx, p, lic.ID, "Rolvast")
	err := p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		var user string
		if err := pool.QueryRow(ctx, "SELECT current_user").Scan(&user); err != nil {
			return err
		}
		if user != "topdossier_app" {
			t.Errorf("licence pool connects as %q, want topdossier_app", user)
		}
		if err := db.InTx(ctx, pool, func(tx pgx.Tx) error {
			return logbook.Append(ctx, tx, logbook.Entry{ActorRole: "ib", Action: logbook.ActionView})
		}); err != nil {
			t.Errorf("append as the application: %v", err)
		}
		for _, stmt := range []string{"UPDATE logbook SET action = 'x'", "DELETE FROM logbook", "TRUNCATE logbook",
			"ALTER TABLE logbook DISABLE TRIGGER logbook_no_update", "DELETE FROM goose_db_version"} {
			_, err := pool.Exec(ctx, stmt)
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "42501" { // insufficient_privilege
				t.Errorf("%s as the application: got %v, want permission denied", stmt, err)
			}
		}
		_, err := pool.Exec(ctx, "UPDATE pupil SET group_name = '7' WHERE given_name = 'Rolvast'")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
