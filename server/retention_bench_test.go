package server

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/internal/dossiertest"
	"github.com/topdossier/topdossier/internal/latency"
	"github.com/topdossier/topdossier/workflows"
)

// BenchmarkRetentionNight: BENCH_PUPILS (default 10,000) pupils with a
// dossier each left more than two years ago; their retention runs start
// at once and all expire in the same night. Reported: the start rate,
// the time until every dossier is deleted (goal: 10,000 within 15
// minutes), and the p99 of pupil pages that 5 users load (pausing ~1 s)
// meanwhile.
//
//	go test -run '^$' -bench RetentionNight -benchtime 1x -timeout 60m ./server
func BenchmarkRetentionNight(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("BENCH_PUPILS")); err == nil && v > 0 {
		n = v
	}
	h := newHarness(b)
	ctx := context.Background()
	var pupils []uuid.UUID
	err := h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
		var err error
		if pupils, err = dossiertest.Seed(ctx, pool, n); err != nil {
			return err
		}
		_, err = pool.Exec(ctx, `UPDATE pupil SET left_on = current_date - 800`)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	ids := make(chan uuid.UUID)
	for range 8 {
		wg.Go(func() {
			for id := range ids {
				if _, err := workflows.StartRetention(ctx, h.srv.temporal, workflows.RetentionInput{LicenceID: h.school.ID.String(),
					Kind: workflows.RetentionDossier, EntityID: id.String(), Term: 2 * 365 * 24 * time.Hour}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	// Meanwhile, people use the school's pages.
	stop := make(chan struct{})
	var pages latency.Set
	var users sync.WaitGroup
	for range 5 {
		users.Go(func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(rand.N(2 * time.Second)):
				}
				t0 := time.Now()
				p := pupils[rand.IntN(len(pupils))]
				if resp, _ := h.do(b, "GET", fmt.Sprintf("/licenties/%s/leerlingen/%s", h.school.ID, p), "", ""); resp.StatusCode != 200 {
					b.Errorf("pupil page: %d", resp.StatusCode)
					return
				}
				pages.Add(time.Since(t0))
			}
		})
	}
	for _, id := range pupils {
		ids <- id
	}
	close(ids)
	wg.Wait()
	startRate := float64(n) / time.Since(start).Seconds()
	err = h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
		for {
			var left int
			if err := pool.QueryRow(ctx, `SELECT count(*) FROM dossier`).Scan(&left); err != nil {
				return err
			}
			if left == 0 {
				return nil
			}
			if time.Since(start) > 45*time.Minute {
				return fmt.Errorf("%d dossiers left after 45 minutes", left)
			}
			time.Sleep(time.Second)
		}
	})
	deleted := time.Since(start)
	close(stop)
	users.Wait()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(startRate, "starts/s")
	b.ReportMetric(deleted.Seconds(), "s-until-all-deleted")
	b.ReportMetric(latency.Ms(pages.Pct(0.5)), "page-p50-ms")
	b.ReportMetric(latency.Ms(pages.Pct(0.99)), "page-p99-ms")
}
