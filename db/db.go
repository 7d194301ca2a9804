// Package db holds what every database of TOP dossier shares: the embedded
// goose migrations per schema, transactions and the sentinel errors that the
// layers above map to user-facing answers. The sqlc output lives in the
// sub-packages platform, school and swv.
package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/topdossier/topdossier/fault"
)

//go:embed migrations
var migrations embed.FS

// Schema names one of the three database schemas.
type Schema string

// The schemas: the platform directory, a school licence (also used by an
// SWV's own school licence) and an SWV licence.
const (
	SchemaPlatform Schema = "platform"
	SchemaSchool   Schema = "school"
	SchemaSWV      Schema = "swv"
)

// LicenceDatabasePrefix is how the name of every licence database of the
// platform database platformDB begins, so that several platforms (tests, a
// demo) can share a server: the platform's name, cut short where the whole
// name would not fit PostgreSQL's 63 bytes, then "_lic_".
func LicenceDatabasePrefix(platformDB string) string {
	const keep = 63 - len("_lic_") - 32 // 32: a UUID's hex digits
	if len(platformDB) > keep {
		platformDB = platformDB[:keep]
	}
	return strings.ToLower(platformDB) + "_lic_"
}

// LicenceDatabaseName is the name of licence id's database on the platform
// database platformDB.
func LicenceDatabaseName(platformDB string, id uuid.UUID) string {
	return LicenceDatabasePrefix(platformDB) + strings.ReplaceAll(id.String(), "-", "")
}

// Migrations returns the migration files of one schema.
func Migrations(schema Schema) (fs.FS, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(schema))
	if err != nil {
		return nil, fmt.Errorf("migrations of %s: %w", schema, err)
	}
	return sub, nil
}

// Migrate brings the database behind pool to the latest version of schema.
func Migrate(ctx context.Context, pool *pgxpool.Pool, schema Schema) error {
	fsys, err := Migrations(schema)
	if err != nil {
		return err
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	defer sqlDB.Close()
	return migrateSQL(ctx, sqlDB, fsys, schema)
}

func migrateSQL(ctx context.Context, sqlDB *sql.DB, fsys fs.FS, schema Schema) error {
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, fsys)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", schema, err)
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", schema, err)
	}
	return nil
}

// InTx runs fn in one transaction: committed when fn returns nil, rolled
// back otherwise, so a failed multi-statement write leaves nothing behind.
func InTx(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, pool, fn)
}

// Classify maps pgx and PostgreSQL errors onto fault.ErrNotFound and
// fault.ErrConflict,
// keeping the original error in the chain.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return errors.Join(fault.ErrNotFound, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" { // unique_violation
		return errors.Join(fault.ErrConflict, err)
	}
	return err
}

// Constraint names the constraint a PostgreSQL error violated, or "".
func Constraint(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.ConstraintName
	}
	return ""
}

// EnsureDatabase creates the database named in dsn when it does not exist
// yet, connecting to the server's "postgres" database to do so.
func EnsureDatabase(ctx context.Context, dsn string) error {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return fmt.Errorf("parse database URL: %w", err)
	}
	name := cfg.Database
	cfg.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL at %s:%d: %w", cfg.Host, cfg.Port, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("look up database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // created meanwhile
			return nil
		}
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}
