package dbtest

import (
	"context"
	"log/slog"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/tenants"
)

// Platform is a fresh platform database with a tenants manager on it and
// one SWV to hang licences on.
type Platform struct {
	Pool    *pgxpool.Pool
	Name    string
	Tenants *tenants.Manager
	SWV     platform.Swv
}

// NewPlatform makes a Platform; cfg.Servers defaults to the test server as
// "main". Licence databases made through it are dropped at cleanup.
func NewPlatform(t testing.TB, cfg tenants.Config) *Platform {
	t.Helper()
	pool, name := New(t, db.SchemaPlatform)
	if cfg.Servers == nil {
		cfg.Servers = map[string]string{"main": AdminURL()}
	}
	if cfg.AppRole == "" {
		cfg.AppRole = "topdossier_app"
	}
	tm, err := tenants.New(pool, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("tenants: %v", err)
	}
	t.Cleanup(tm.Close)
	swv, err := platform.New(pool).CreateSWV(context.Background(), platform.CreateSWVParams{Code: "PO2801", Name: "SWV Test"})
	if err != nil {
		t.Fatalf("create swv: %v", err)
	}
	return &Platform{Pool: pool, Name: name, Tenants: tm, SWV: swv}
}

// School creates a school licence with its database.
func (p *Platform) School(t testing.TB, name, brin string) platform.Licence {
	t.Helper()
	lic, err := p.Tenants.CreateLicence(context.Background(), tenants.NewLicence{
		Kind: platform.LicenceKindSchool, Name: name, SWVID: p.SWV.ID, BRIN: brin, SchoolType: platform.SchoolTypeBAO,
	})
	if err != nil {
		t.Fatalf("create licence %s: %v", name, err)
	}
	return lic
}
