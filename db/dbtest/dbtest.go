// Package dbtest gives tests fresh, migrated PostgreSQL databases: each
// New copies a template database migrated once per schema version, and
// drops the copy when the test ends. No mocks: tests run against the real
// server at TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db"
)

// AdminURL is the DSN tests use to create and drop databases.
func AdminURL() string {
	if v := os.Getenv("TEST_DATABASE_URL"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/postgres"
}

// URLFor returns the DSN of database name on the test server.
func URLFor(t testing.TB, name string) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(AdminURL())
	if err != nil {
		t.Fatalf("parse TEST_DATABASE_URL: %v", err)
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, name)
}

// New returns a pool on a fresh database carrying schema, and its name.
// The database and, for the platform schema, every licence database made
// from it are dropped when the test ends.
func New(t testing.TB, schema db.Schema) (*pgxpool.Pool, string) {
	t.Helper()
	ctx := context.Background()
	tpl := template(t, schema)
	name := "tdtest_" + randomHex(t, 8)
	admin := connect(t, AdminURL())
	defer admin.Close(ctx)
	var err error
	for range 20 { // a concurrent copy of the same template briefly holds it
		if _, err = admin.Exec(ctx, "CREATE DATABASE "+ident(name)+" TEMPLATE "+ident(tpl)); err == nil || !strings.Contains(err.Error(), "being accessed") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("create test database: %v", err)
	}
	pool, err := pgxpool.New(ctx, URLFor(t, name))
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() {
		pool.Close()
		DropLike(t, name)
	})
	return pool, name
}

// DropLike drops the database name and every database whose name starts
// with name + "_" or with db.LicenceDatabasePrefix(name): the licence
// databases of a test platform, also when a long platform name was cut
// short in theirs.
func DropLike(t testing.TB, name string) {
	t.Helper()
	ctx := context.Background()
	admin := connect(t, AdminURL())
	defer admin.Close(ctx)
	rows, err := admin.Query(ctx, `SELECT datname FROM pg_database WHERE datname = $1 OR starts_with(datname, $1 || '_') OR starts_with(datname, $2)`,
		name, db.LicenceDatabasePrefix(name))
	if err != nil {
		t.Errorf("list test databases: %v", err)
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Errorf("list test databases: %v", err)
		return
	}
	for _, n := range names {
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident(n)+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", n, err)
		}
	}
}

// template returns the name of a database migrated to the current
// migrations of schema, creating it when this version has none yet. The
// name carries a hash of the migrations, so a changed migration gets a
// new template and a stale one is never used.
func template(t testing.TB, schema db.Schema) string {
	t.Helper()
	ctx := context.Background()
	fsys, err := db.Migrations(schema)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		h.Write([]byte(p))
		h.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("tdtpl_%s_%s", schema, hex.EncodeToString(h.Sum(nil))[:12])

	admin := connect(t, AdminURL())
	defer admin.Close(ctx)
	// Test packages run in parallel processes: one creates, the others wait.
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(hashtext($1))", name); err != nil {
		t.Fatalf("lock template: %v", err)
	}
	defer admin.Exec(ctx, "SELECT pg_advisory_unlock(hashtext($1))", name) //nolint:errcheck
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatalf("look up template: %v", err)
	}
	if exists {
		return name
	}
	tmp := name + "_building"
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident(tmp)+" WITH (FORCE)"); err != nil {
		t.Fatalf("drop stale template: %v", err)
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident(tmp)); err != nil {
		t.Fatalf("create template: %v", err)
	}
	pool, err := pgxpool.New(ctx, URLFor(t, tmp))
	if err != nil {
		t.Fatalf("open template: %v", err)
	}
	err = db.Migrate(ctx, pool, schema)
	pool.Close()
	if err != nil {
		t.Fatalf("migrate template: %v", err)
	}
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+ident(tmp)+" RENAME TO "+ident(name)); err != nil {
		t.Fatalf("publish template: %v", err)
	}
	return name
}

func connect(t testing.TB, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatalf("connect to test PostgreSQL (%s): %v", dsn, err)
	}
	return conn
}

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// Pool opens a pool on an existing test database, closed at cleanup.
func Pool(t testing.TB, name string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), URLFor(t, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}
