package server

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/internal/latency"
)

// BenchmarkSWVMonitor40k loads the SWV's monitor with 20 users at once,
// for an SWV of 150 schools with 40,000 requests (about 6,000 TLVs) and
// the schools' published figures, after the nightly refresh (goal: p99
// ≤ 200 ms on this machine). Each iteration is one page, all figures.
//
//	go test -run '^$' -bench SWVMonitor40k -benchtime 500x ./server
func BenchmarkSWVMonitor40k(b *testing.B) {
	h := newHarness(b)
	ctx := context.Background()
	lic, consultant, chair := benchSWV(b, h)
	err := h.platform.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		if err := seedRequests(ctx, h, pool, 40000, consultant, chair); err != nil {
			return err
		}
		// The schools' published figures, and the nightly refresh.
		if _, err := pool.Exec(ctx, `INSERT INTO school_figures (school_licence_id, day, school_name, school_type, kind, pupils,
			dossiers_light, dossiers_school, dossiers_facility)
			SELECT id, current_date, name, 'BAO', 'school', 200 + n, n % 20, n % 12, n % 3 FROM bench_school`); err != nil {
			return err
		}
		_, err := pool.Exec(ctx, `SELECT refresh_monitor(); ANALYZE monitor_request`)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	users := 20 // BENCH_USERS changes it
	if n, err := strconv.Atoi(os.Getenv("BENCH_USERS")); err == nil && n > 0 {
		users = n
	}
	cookies := make([]string, users)
	for u := range users {
		cookies[u] = h.login(b, "beheer@bench.invalid")
	}
	path := "/licenties/" + lic.ID.String() + "/swv-monitor"
	for u := range users {
		if resp, out := h.doAs(b, cookies[u], "GET", path, "", ""); resp.StatusCode != 200 || len(out) < 5000 {
			b.Fatalf("monitor: %d", resp.StatusCode)
		}
	}
	var all latency.Set
	var wg sync.WaitGroup
	work := make(chan int)
	errs := make(chan error, users)
	b.ResetTimer()
	for u := range users {
		wg.Go(func() {
			for range work {
				start := time.Now()
				resp, _ := h.doAs(b, cookies[u], "GET", path, "", "")
				if resp.StatusCode != 200 {
					errs <- fmt.Errorf("monitor: %d", resp.StatusCode)
					return
				}
				all.Add(time.Since(start))
			}
		})
	}
	for i := 0; i < b.N; i++ {
		select {
		case work <- i:
		case err := <-errs:
			b.Fatal(err)
		}
	}
	close(work)
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(latency.Ms(all.Pct(0.5)), "p50-ms")
	b.ReportMetric(latency.Ms(all.Pct(0.99)), "p99-ms")
}
