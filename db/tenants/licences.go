package tenants

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/fault"
)

// NewLicence is what it takes to create a licence.
type NewLicence struct {
	Kind       platform.LicenceKind
	Name       string
	SWVID      uuid.UUID
	BRIN       string              // schools only
	SchoolType platform.SchoolType // schools only
	// DBServer names the server for the new database; empty means the
	// configured default.
	DBServer string
}

var brinPattern = regexp.MustCompile(`^[0-9]{2}[A-Z]{2}$`)

// Validate checks a new licence before anything is written.
func (n NewLicence) Validate() error {
	problems := fault.FieldErrors{}
	if strings.TrimSpace(n.Name) == "" {
		problems["name"] = "Vul de naam in."
	}
	switch n.Kind {
	case platform.LicenceKindSchool:
		if !brinPattern.MatchString(n.BRIN) {
			problems["brin"] = "Een BRIN-code is twee cijfers en twee hoofdletters, bijvoorbeeld 12AB."
		}
		if !n.SchoolType.Valid() {
			problems["school_type"] = "Kies de schoolsoort."
		}
	case platform.LicenceKindSwvSchool, platform.LicenceKindSwv:
		if n.BRIN != "" {
			problems["brin"] = "Alleen een schoollicentie heeft een BRIN-code."
		}
		if n.SchoolType != "" {
			problems["school_type"] = "Alleen een schoollicentie heeft een schoolsoort."
		}
	default:
		problems["kind"] = "Kies de soort licentie."
	}
	if n.SWVID == uuid.Nil {
		problems["swv_id"] = "Kies het samenwerkingsverband."
	}
	if len(problems) > 0 {
		return problems
	}
	return nil
}

// CreateLicence registers a licence, creates its database, migrates it and
// only then marks the licence active. When any step fails it removes what
// it made, so no half-made licence stays behind.
func (m *Manager) CreateLicence(ctx context.Context, n NewLicence) (platform.Licence, error) {
	if err := n.Validate(); err != nil {
		return platform.Licence{}, err
	}
	if n.DBServer == "" {
		n.DBServer = m.cfg.DefaultServer
	}
	if _, ok := m.cfg.Servers[n.DBServer]; !ok {
		return platform.Licence{}, fault.FieldErrors{"db_server": "Deze databaseserver is niet ingesteld."}
	}
	q := platform.New(m.platform)
	id := uuid.New()
	params := platform.CreateLicenceParams{
		Kind:     n.Kind,
		Name:     strings.TrimSpace(n.Name),
		SwvID:    n.SWVID,
		DbServer: n.DBServer,
		DbName:   m.databaseName(id),
	}
	if n.Kind == platform.LicenceKindSchool {
		params.Brin = &n.BRIN
		params.SchoolType = &n.SchoolType
	}
	lic, err := q.CreateLicence(ctx, params)
	if err != nil {
		return platform.Licence{}, fmt.Errorf("register licence: %w", db.Classify(err))
	}
	if err := m.createDatabase(ctx, lic); err != nil {
		cleanupCtx := context.WithoutCancel(ctx)
		_ = m.dropDatabase(cleanupCtx, lic.DbServer, lic.DbName)
		_ = q.DeleteLicence(cleanupCtx, lic.ID)
		return platform.Licence{}, err
	}
	if err := q.ActivateLicence(ctx, lic.ID); err != nil {
		return platform.Licence{}, fmt.Errorf("activate licence %s: %w", lic.ID, err)
	}
	lic.Status = platform.LicenceStatusActive
	return lic, nil
}

// databaseName is licence id's database name, derived from the platform
// database's name (db.LicenceDatabaseName).
func (m *Manager) databaseName(id uuid.UUID) string {
	return db.LicenceDatabaseName(m.platform.Config().ConnConfig.Database, id)
}

func (m *Manager) createDatabase(ctx context.Context, lic platform.Licence) error {
	if err := m.adminExec(ctx, lic.DbServer, "CREATE DATABASE "+pgx.Identifier{lic.DbName}.Sanitize()); err != nil {
		return fmt.Errorf("create database for licence %s: %w", lic.ID, err)
	}
	return m.migrate(ctx, Licence{ID: lic.ID, Kind: lic.Kind, DBServer: lic.DbServer, DBName: lic.DbName})
}

// migrate brings one licence database to the latest schema as the owner
// (the server's administrative user), then grants the application role
// what it may do: everything on content tables, but only SELECT and
// INSERT on the logbook, so not even a bug in the application can rewrite
// history.
func (m *Manager) migrate(ctx context.Context, lic Licence) error {
	cfg, err := m.poolConfig(lic.DBServer, lic.DBName)
	if err != nil {
		return err
	}
	cfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect to database of licence %s: %w", lic.ID, err)
	}
	defer pool.Close()
	if err := db.Migrate(ctx, pool, lic.Schema()); err != nil {
		return fmt.Errorf("migrate licence %s: %w", lic.ID, err)
	}
	if m.cfg.AppRole == "" {
		return nil
	}
	if err := m.ensureAppRole(ctx, lic.DBServer); err != nil {
		return err
	}
	role := pgx.Identifier{m.cfg.AppRole}.Sanitize()
	grants := []string{
		"GRANT CONNECT ON DATABASE " + pgx.Identifier{lic.DBName}.Sanitize() + " TO " + role,
		"GRANT USAGE ON SCHEMA public TO " + role,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + role,
		"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + role,
		"REVOKE INSERT, UPDATE, DELETE ON goose_db_version FROM " + role,
	}
	// Both schemas have an append-only logbook; its personal columns may
	// only be redacted (the trigger allows nothing else).
	grants = append(grants, "REVOKE UPDATE, DELETE, TRUNCATE ON logbook FROM "+role,
		"GRANT UPDATE (pupil_id, on_behalf_of, entity_id, request_id, redacted_at) ON logbook TO "+role)
	for _, g := range grants {
		if _, err := pool.Exec(ctx, g); err != nil {
			return fmt.Errorf("grant application role on licence %s: %w", lic.ID, err)
		}
	}
	return nil
}

// ensureAppRole creates the application's login role on a server when it
// does not exist yet.
func (m *Manager) ensureAppRole(ctx context.Context, server string) error {
	stmt := "CREATE ROLE " + pgx.Identifier{m.cfg.AppRole}.Sanitize() + " LOGIN"
	if m.cfg.AppPassword != "" {
		stmt += " PASSWORD '" + strings.ReplaceAll(m.cfg.AppPassword, "'", "''") + "'"
	}
	err := m.adminExec(ctx, server, "DO $$ BEGIN "+stmt+"; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
	if err != nil {
		return fmt.Errorf("create application role on server %q: %w", server, err)
	}
	return nil
}

func (m *Manager) dropDatabase(ctx context.Context, server, name string) error {
	return m.adminExec(ctx, server, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
}

// RemoveLicence drops a licence's database and then its directory entry.
func (m *Manager) RemoveLicence(ctx context.Context, licenceID uuid.UUID) error {
	q := platform.New(m.platform)
	lic, err := q.GetLicence(ctx, licenceID)
	if err != nil {
		return fmt.Errorf("remove licence %s: %w", licenceID, db.Classify(err))
	}
	m.forget(licenceID)
	if err := m.dropDatabase(ctx, lic.DbServer, lic.DbName); err != nil {
		return fmt.Errorf("drop database of licence %s: %w", licenceID, err)
	}
	if err := q.DeleteLicence(ctx, licenceID); err != nil {
		return fmt.Errorf("unregister licence %s: %w", licenceID, err)
	}
	return nil
}

// MigrateAll brings every licence database (active, or closing and still
// restorable) to the latest schema.
// The platform database is migrated by the caller first.
func (m *Manager) MigrateAll(ctx context.Context) (int, error) {
	rows, err := platform.New(m.platform).ListLicencesWithDatabase(ctx)
	if err != nil {
		return 0, fmt.Errorf("list licences: %w", err)
	}
	for i, row := range rows {
		lic := Licence{ID: row.ID, Kind: row.Kind, DBServer: row.DbServer, DBName: row.DbName}
		if err := m.migrate(ctx, lic); err != nil {
			return i, err
		}
	}
	return len(rows), nil
}
