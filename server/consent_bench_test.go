package server

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/internal/dossiertest"
	"github.com/topdossier/topdossier/internal/poll"
)

// BenchmarkConsentRounds1000 freezes 1,000 handelingsdeel versions at once
// (the start of a school year) and starts their consent rounds from 32
// goroutines: rounds started per second, and the time until every
// invitation is in the outbox.
//
//	go test -run '^$' -bench ConsentRounds1000 -benchtime 1x ./server
func BenchmarkConsentRounds1000(b *testing.B) {
	h := newHarness(b)
	ctx := context.Background()
	const rounds = 1000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		var dossiers []school.Dossier
		err := h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
			return seedVersions(ctx, pool, rounds, &dossiers)
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		work := make(chan school.Dossier)
		errs := make(chan error, rounds)
		var wg sync.WaitGroup
		for range 32 {
			wg.Go(func() {
				for d := range work {
					if err := h.srv.dossiers.StartConsent(ctx, h.school.ID, d, 1); err != nil {
						errs <- err
					}
				}
			})
		}
		for _, d := range dossiers {
			work <- d
		}
		close(work)
		wg.Wait()
		started := time.Since(start)
		select {
		case err := <-errs:
			b.Fatal(err)
		default:
		}
		var mails int64
		invited := poll.Until(10*time.Minute, func() bool {
			err := h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
				return pool.QueryRow(ctx, `SELECT count(*) FROM mail_outbox`).Scan(&mails)
			})
			if err != nil {
				b.Fatal(err)
			}
			return mails >= int64(rounds*(i+1))
		})
		if !invited {
			b.Fatalf("only %d invitations in the outbox after 10 minutes", mails)
		}
		b.ReportMetric(rounds/started.Seconds(), "rounds-started/s")
		b.ReportMetric(time.Since(start).Seconds(), "s-until-all-invited")
	}
}

// seedVersions writes n pupils, each with a guardian with an address and a
// dossier whose handelingsdeel version 1 awaits consent.
func seedVersions(ctx context.Context, pool *pgxpool.Pool, n int, out *[]school.Dossier) error {
	batch := uuid.NewString()[:8]
	stmts := []string{
		`INSERT INTO pupil (given_name, family_name, birth_date, group_name, enrolled_on)
		 SELECT 'Kind' || i, 'Bench-` + batch + `', date '2015-01-01' + (i % 1500), '5', date '2022-08-22' FROM generate_series(1, $1) i`,
		`INSERT INTO guardian (pupil_id, given_name, family_name, email, relation, parental_authority)
		 SELECT id, 'Ouder', family_name, 'ouder+' || id || '@voorbeeld.invalid', 'parent', true FROM pupil WHERE family_name = 'Bench-` + batch + `'`,
		`INSERT INTO dossier (pupil_id, support_level, started_on)
		 SELECT id, 'extra_school', date '2026-09-01' FROM pupil WHERE family_name = 'Bench-` + batch + `'`,
		`INSERT INTO action_part_version (dossier_id, number, cycle, content, draft_version)
		 SELECT d.id, 1, 1, '{"goals":[]}', 1 FROM dossier d JOIN pupil p ON p.id = d.pupil_id WHERE p.family_name = 'Bench-` + batch + `'`,
	}
	if err := dossiertest.RunSeed(ctx, pool, n, stmts); err != nil {
		return err
	}
	rows, err := pool.Query(ctx, `SELECT d.id, d.pupil_id FROM dossier d JOIN pupil p ON p.id = d.pupil_id WHERE p.family_name = 'Bench-`+batch+`'`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var d school.Dossier
		if err := rows.Scan(&d.ID, &d.PupilID); err != nil {
			return err
		}
		*out = append(*out, d)
	}
	return rows.Err()
}
