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
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/internal/dossiertest"
	"github.com/topdossier/topdossier/internal/latency"
)

// noopWorkflow waits forever and answers an update at once: the floor
// against which an advance is compared. The update "noop-la" runs a local
// activity that does nothing, to show what the local activity costs.
func noopWorkflow(ctx workflow.Context) error {
	if err := workflow.SetUpdateHandler(ctx, "noop", func(_ workflow.Context, n int) (int, error) { return n, nil }); err != nil {
		return err
	}
	err := workflow.SetUpdateHandler(ctx, "noop-la", func(ctx workflow.Context, n int) (int, error) {
		lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{ScheduleToCloseTimeout: time.Minute})
		return n, workflow.ExecuteLocalActivity(lctx, noopActivity).Get(ctx, nil)
	})
	if err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return false })
}

func noopActivity(context.Context) error { return nil }

// BenchmarkAdvancePhase compares ending a phase through the HTTP API
// (checklist read, update with validator, local activity writing the
// transition, projection and logbook) with a bare update on a no-op
// workflow on the same dev server (goal: ratio ≤ 1.3).
//
//	go test -run '^$' -bench AdvancePhase -benchtime 200x ./server
func BenchmarkAdvancePhase(b *testing.B) {
	h := newHarness(b)
	ctx := context.Background()
	tc := h.srv.temporal
	w := sdkworker.New(tc, "bench-noop", sdkworker.Options{})
	w.RegisterWorkflowWithOptions(noopWorkflow, workflow.RegisterOptions{Name: "noop"})
	w.RegisterActivity(noopActivity)
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(w.Stop)
	noop, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "bench-noop-" + uuid.NewString(), TaskQueue: "bench-noop"}, "noop")
	if err != nil {
		b.Fatal(err)
	}

	phases := []string{"observe", "understand", "plan", "realise"}
	var pupil uuid.UUID
	newDossier := func() {
		err := h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
			q := school.New(pool)
			p, err := q.CreatePupil(ctx, school.CreatePupilParams{GivenName: "Bench", FamilyName: "Mark",
				BirthDate: time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC), EnrolledOn: time.Date(2022, 8, 1, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				return err
			}
			d, err := dossiertest.Complete(ctx, q, p.ID)
			if err != nil {
				return err
			}
			pupil = p.ID
			return h.srv.dossiers.Start(ctx, h.school.ID, d)
		})
		if err != nil {
			b.Fatal(err)
		}
		h.waitPhase(b, h.school.ID, h.dossierOf(b, h.school.ID, pupil), "observe")
	}
	var api, bare, bareLA latency.Set
	update := func(name string, i int, l *latency.Set) {
		start := time.Now()
		handle, err := tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: noop.GetID(), UpdateName: name,
			Args: []any{i}, WaitForStage: client.WorkflowUpdateStageCompleted})
		if err == nil {
			err = handle.Get(ctx, nil)
		}
		l.Add(time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; i < b.N; i++ {
		if i%len(phases) == 0 {
			b.StopTimer()
			newDossier()
			b.StartTimer()
		}
		body := fmt.Sprintf(`{"request_id":"%s","from":"%s"}`, uuid.NewString(), phases[i%len(phases)])
		start := time.Now()
		resp, out := h.do(b, "POST", fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier/advance", h.school.ID, pupil), "application/json", body)
		api.Add(time.Since(start))
		if resp.StatusCode != 200 {
			b.Fatalf("advance: %d %s", resp.StatusCode, out)
		}
		update("noop", i, &bare)
		update("noop-la", i, &bareLA)
	}
	b.ReportMetric(latency.Ms(api.Pct(0.5)), "api-p50-ms")
	b.ReportMetric(latency.Ms(api.Pct(0.99)), "api-p99-ms")
	b.ReportMetric(latency.Ms(bare.Pct(0.5)), "bare-p50-ms")
	b.ReportMetric(latency.Ms(bare.Pct(0.99)), "bare-p99-ms")
	b.ReportMetric(latency.Ms(bareLA.Pct(0.5)), "bare+la-p50-ms")
	b.ReportMetric(latency.Ms(api.Pct(0.5))/latency.Ms(bare.Pct(0.5)), "ratio-p50")
}

// BenchmarkDossierPage20k loads the dossier page of random pupils in a
// school database of 20,000 pupils with a dossier each, with 50 users at
// once (goal p99 ≤ 50 ms), next to the raw SQL of the same rows under the
// same load.
//
//	go test -run '^$' -bench DossierPage20k -benchtime 1000x ./server
//	BENCH_THINK=2s go test -run '^$' -bench DossierPage20k -benchtime 1000x ./server
func BenchmarkDossierPage20k(b *testing.B) {
	h := newHarness(b)
	ctx := context.Background()
	var pupils []uuid.UUID
	err := h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
		var err error
		pupils, err = dossiertest.Seed(ctx, pool, 20000)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	// BENCH_USERS changes the number of users; BENCH_THINK gives each
	// user a pause between pages (as in a meeting), instead of clicking
	// again at once.
	users := 50
	if n, err := strconv.Atoi(os.Getenv("BENCH_USERS")); err == nil && n > 0 {
		users = n
	}
	think, _ := time.ParseDuration(os.Getenv("BENCH_THINK"))
	cookies := make([]string, users)
	for i := range cookies {
		email := fmt.Sprintf("ib%d@linde.invalid", i)
		h.user(b, email, "staff", member{auth.RoleIB, &h.school.ID})
		cookies[i] = h.login(b, email)
	}
	run := func(fn func(user int, pupil uuid.UUID) error) *latency.Set {
		var l latency.Set
		var wg sync.WaitGroup
		work := make(chan uuid.UUID)
		errs := make(chan error, users)
		for u := range users {
			wg.Go(func() {
				if think > 0 {
					time.Sleep(rand.N(2 * think)) // users arrive one by one
				}
				for p := range work {
					start := time.Now()
					if err := fn(u, p); err != nil {
						errs <- err
						return
					}
					l.Add(time.Since(start))
					if think > 0 {
						time.Sleep(rand.N(2 * think)) // users do not click in step
					}
				}
			})
		}
		for i := 0; i < b.N; i++ {
			select {
			case work <- pupils[rand.IntN(len(pupils))]:
			case err := <-errs:
				b.Fatal(err)
			}
		}
		close(work)
		wg.Wait()
		select {
		case err := <-errs:
			b.Fatal(err)
		default:
		}
		return &l
	}
	b.ResetTimer()
	page := run(func(u int, p uuid.UUID) error {
		resp, out := h.doAs(b, cookies[u], "GET", fmt.Sprintf("/licenties/%s/leerlingen/%s/dossier", h.school.ID, p), "", "")
		if resp.StatusCode != 200 || len(out) < 1000 {
			return fmt.Errorf("page: %d", resp.StatusCode)
		}
		return nil
	})
	b.StopTimer()
	raw := run(func(_ int, p uuid.UUID) error {
		_, err := h.srv.dossiers.Load(ctx, h.school.ID, p)
		return err
	})
	b.ReportMetric(latency.Ms(page.Pct(0.5)), "page-p50-ms")
	b.ReportMetric(latency.Ms(page.Pct(0.99)), "page-p99-ms")
	b.ReportMetric(latency.Ms(raw.Pct(0.5)), "sql-p50-ms")
	b.ReportMetric(latency.Ms(raw.Pct(0.99)), "sql-p99-ms")
	b.ReportMetric(latency.Ms(page.Pct(0.5))/latency.Ms(raw.Pct(0.5)), "ratio-p50")
}
