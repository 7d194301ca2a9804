package dbtest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/topdossier/topdossier/db"
)

// TestDropLikeCutShortLicenceNames: a platform name of 27 bytes or more
// is cut short in its licence databases' names (63 bytes at most), and
// DropLike still drops them, but not another platform's.
func TestDropLikeCutShortLicenceNames(t *testing.T) {
	ctx := context.Background()
	platform := "tdlong_" + randomHex(t, 10) // 27 bytes
	other := "tdlong_" + randomHex(t, 10)
	lic := db.LicenceDatabaseName(platform, uuid.New())
	if len(lic) != 63 || strings.HasPrefix(lic, platform+"_") {
		t.Fatalf("licence database %q: want 63 bytes, its platform's name cut short", lic)
	}
	otherLic := db.LicenceDatabaseName(other, uuid.New())
	admin := connect(t, AdminURL())
	defer admin.Close(ctx)
	t.Cleanup(func() { DropLike(t, other); DropLike(t, platform) })
	for _, name := range []string{platform, lic, other, otherLic} {
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident(name)); err != nil {
			t.Fatal(err)
		}
	}

	DropLike(t, platform)

	rows, err := admin.Query(ctx, `SELECT datname FROM pg_database WHERE starts_with(datname, 'tdlong_')`)
	if err != nil {
		t.Fatal(err)
	}
	left, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{platform, lic} {
		if slices.Contains(left, name) {
			t.Errorf("%s was not dropped", name)
		}
	}
	for _, name := range []string{other, otherLic} {
		if !slices.Contains(left, name) {
			t.Errorf("%s, another platform's, was dropped", name)
		}
	}
}
