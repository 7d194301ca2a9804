package dossiertest

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The seeds of the benchmarks: many pupils at once, in plain SQL.

// Seed fills a school database with n pupils, each with an open
// dossier in begrijpen: its sections, two observations and a projection.
func Seed(ctx context.Context, pool *pgxpool.Pool, n int) ([]uuid.UUID, error) {
	stmts := []string{
		`INSERT INTO pupil (given_name, family_name, birth_date, group_name, enrolled_on)
		 SELECT 'Kind' || i, 'Achternaam' || i, date '2015-01-01' + (i % 2000), (i % 8 + 1) || 'a', date '2022-08-22'
		 FROM generate_series(1, $1) i`,
		`INSERT INTO dossier (pupil_id, support_level, reason, started_on)
		 SELECT id, 'extra_school', 'Aanleiding van ' || given_name, date '2026-09-01' FROM pupil`,
		`INSERT INTO dossier_section (dossier_id, cycle, section, content)
		 SELECT d.id, 1, s.section, CASE s.section WHEN 'understand' THEN
		   '{"promoting":{"pupil":"Gemotiveerd en nieuwsgierig"},"hindering":{"teaching":"Lange instructies"},"educational_needs":"Korte instructie"}'::jsonb
		   ELSE '{}'::jsonb END
		 FROM dossier d CROSS JOIN (VALUES ('understand'), ('perspective'), ('action_part'), ('realise'), ('evaluation')) s(section)`,
		`INSERT INTO growth_entry (dossier_id, cycle, kind, occurred_on, body, author_name)
		 SELECT d.id, 1, 'observation', date '2026-10-01' + k, 'Observatie ' || k || ': werkt goed mee in de kleine groep, haakt af bij lange opdrachten.', 'IB'
		 FROM dossier d CROSS JOIN generate_series(1, 2) k`,
		`INSERT INTO process_step (workflow_id, entity_kind, entity_id, step, waiting_for, due_at, seq)
		 SELECT 'dossier/bench/' || d.id, 'dossier', d.id, 'understand', 'school', now() + interval '30 days', 1 FROM dossier d`,
		`ANALYZE`,
	}
	if err := RunSeed(ctx, pool, n, stmts); err != nil {
		return nil, err
	}
	rows, err := pool.Query(ctx, `SELECT id FROM pupil`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
}

// RunSeed runs seed statements in order; the first takes the number of
// pupils to make as $1.
func RunSeed(ctx context.Context, pool *pgxpool.Pool, n int, stmts []string) error {
	for i, s := range stmts {
		args := []any{}
		if i == 0 {
			args = append(args, n)
		}
		if _, err := pool.Exec(ctx, s, args...); err != nil {
			return fmt.Errorf("seed step %d: %w", i, err)
		}
	}
	return nil
}

// SeedPlans adds n pupils, each with a guardian with an address and an
// open dossier with every section of a complete plan (Content) and an
// observation; with consented, handelingsdeel version 1 is frozen and
// agreed to, as a plan that goes to the SWV has it. It returns the new
// pupils. No workflow runs for them: what a test does through the API
// starts what it needs.
func SeedPlans(ctx context.Context, pool *pgxpool.Pool, n int, consented bool) ([]uuid.UUID, error) {
	content, err := json.Marshal(Content(uuid.NewString()))
	if err != nil {
		return nil, err
	}
	batch := "Plan-" + uuid.NewString()[:8]
	mine := `(SELECT d.id FROM dossier d JOIN pupil p ON p.id = d.pupil_id WHERE p.family_name = '` + batch + `')`
	stmts := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO pupil (given_name, family_name, birth_date, group_name, enrolled_on)
		  SELECT 'Kind' || i, '` + batch + `', date '2015-01-01' + (i % 1500), '6', date '2022-08-22' FROM generate_series(1, $1) i`, []any{n}},
		{`INSERT INTO guardian (pupil_id, given_name, family_name, email, relation, parental_authority)
		  SELECT id, 'Ouder', family_name, 'ouder+' || id || '@voorbeeld.invalid', 'mother', true FROM pupil WHERE family_name = '` + batch + `'`, nil},
		{`INSERT INTO dossier (pupil_id, support_level, reason, started_on)
		  SELECT id, 'extra_school', 'Rekenen blijft achter', date '2026-09-01' FROM pupil WHERE family_name = '` + batch + `'`, nil},
		{`INSERT INTO dossier_section (dossier_id, cycle, section, content)
		  SELECT m.id, 1, s.key, s.value FROM ` + mine + ` m CROSS JOIN jsonb_each($1::jsonb) s`, []any{string(content)}},
		{`INSERT INTO growth_entry (dossier_id, cycle, kind, occurred_on, body, author_name)
		  SELECT m.id, 1, 'observation', date '2026-10-01', 'Telt op de vingers', 'IB' FROM ` + mine + ` m`, nil},
	}
	if consented {
		stmts = append(stmts, struct {
			sql  string
			args []any
		}{`INSERT INTO action_part_version (dossier_id, number, cycle, content, draft_version, consent_status)
		   SELECT s.dossier_id, 1, 1, s.content, s.version, 'given' FROM dossier_section s
		   WHERE s.section = 'action_part' AND s.dossier_id IN ` + mine, nil})
	}
	for i, s := range stmts {
		if _, err := pool.Exec(ctx, s.sql, s.args...); err != nil {
			return nil, fmt.Errorf("seed plans, step %d: %w", i, err)
		}
	}
	if _, err := pool.Exec(ctx, `ANALYZE`); err != nil {
		return nil, err
	}
	rows, err := pool.Query(ctx, `SELECT id FROM pupil WHERE family_name = $1`, batch)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
}
