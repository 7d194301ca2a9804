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

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/internal/dossiertest"
	"github.com/topdossier/topdossier/internal/latency"
)

// BenchmarkSWVDashboards40k loads the consultant's, the committee's and
// the SWV admin's dashboards with 20 users at once, in an SWV database of
// 150 schools and 40,000 requests (goal p99 ≤ 100 ms).
//
//	go test -run '^$' -bench SWVDashboards40k -benchtime 2000x ./server
func BenchmarkSWVDashboards40k(b *testing.B) {
	h := newHarness(b)
	ctx := context.Background()
	lic, consultant, chair := benchSWV(b, h)
	// The consultant has ten of the schools.
	_, err := h.platform.Pool.Exec(ctx, `
		INSERT INTO school_consultant (school_licence_id, consultant_user_id)
		SELECT id, $1 FROM licence WHERE db_name LIKE 'bench_school_%' ORDER BY name LIMIT 10`, consultant)
	if err != nil {
		b.Fatal(err)
	}
	err = h.platform.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		return seedRequests(ctx, h, pool, 40000, consultant, chair)
	})
	if err != nil {
		b.Fatal(err)
	}

	users := 20 // BENCH_USERS changes it, BENCH_THINK adds a pause per user
	if n, err := strconv.Atoi(os.Getenv("BENCH_USERS")); err == nil && n > 0 {
		users = n
	}
	think, _ := time.ParseDuration(os.Getenv("BENCH_THINK"))
	paths := []string{"/consulent", "/commissie", "/overzicht"}
	emails := []string{"consulent@bench.invalid", "voorzitter@bench.invalid", "beheer@bench.invalid"}
	cookies := make([][]string, users)
	for u := range users {
		for _, e := range emails {
			cookies[u] = append(cookies[u], h.login(b, e))
		}
	}
	// Warm up: every user opens every dashboard once (connections, plans).
	for u := range users {
		for k, p := range paths {
			if resp, _ := h.doAs(b, cookies[u][k], "GET", "/licenties/"+lic.ID.String()+p, "", ""); resp.StatusCode != 200 {
				b.Fatalf("%s: %d", p, resp.StatusCode)
			}
		}
	}
	var all latency.Set
	per := make([]latency.Set, len(paths))
	var wg sync.WaitGroup
	work := make(chan int)
	errs := make(chan error, users)
	b.ResetTimer()
	for u := range users {
		wg.Go(func() {
			if think > 0 {
				time.Sleep(rand.N(2 * think)) // users arrive one by one
			}
			for range work {
				k := rand.IntN(len(paths))
				start := time.Now()
				resp, out := h.doAs(b, cookies[u][k], "GET", "/licenties/"+lic.ID.String()+paths[k], "", "")
				d := time.Since(start)
				if resp.StatusCode != 200 || len(out) < 500 {
					errs <- fmt.Errorf("%s: %d", paths[k], resp.StatusCode)
					return
				}
				all.Add(d)
				per[k].Add(d)
				if think > 0 {
					time.Sleep(rand.N(2 * think))
				}
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
	b.ReportMetric(latency.Ms(all.Pct(0.95)), "p95-ms")
	b.ReportMetric(latency.Ms(all.Pct(0.99)), "p99-ms")
	for k, p := range []string{"consultant", "committee", "admin"} {
		b.ReportMetric(latency.Ms(per[k].Pct(0.99)), p+"-p99-ms")
	}
}

// benchSWV is an SWV licence with a consultant, a chair and an admin
// (beheer@bench.invalid), and 150 schools in the directory (BAO, SBO and
// SO) whose databases are never opened.
func benchSWV(b *testing.B, h *harness) (platform.Licence, uuid.UUID, uuid.UUID) {
	b.Helper()
	ctx := context.Background()
	lic, err := h.platform.Tenants.CreateLicence(ctx, tenants.NewLicence{Kind: platform.LicenceKindSwv, Name: "SWV Bench", SWVID: h.platform.SWV.ID})
	if err != nil {
		b.Fatal(err)
	}
	consultant := h.user(b, "consulent@bench.invalid", "staff", member{auth.RoleConsultant, &lic.ID})
	chair := h.user(b, "voorzitter@bench.invalid", "staff", member{auth.RoleCommitteeMember, &lic.ID})
	h.user(b, "beheer@bench.invalid", "staff", member{auth.RoleSWVAdmin, &lic.ID})
	_, err = h.platform.Pool.Exec(ctx, `
		INSERT INTO licence (kind, name, swv_id, brin, school_type, db_name, status)
		SELECT 'school', 'School ' || i, $1, lpad((i % 100)::text, 2, '0') || chr(65 + i / 100) || 'Z',
		       (ARRAY['BAO','BAO','BAO','SBO','SO'])[1 + i % 5]::school_type, 'bench_school_' || i, 'active'
		FROM generate_series(1, 150) i`, h.platform.SWV.ID)
	if err != nil {
		b.Fatal(err)
	}
	return lic, consultant, chair
}

// seedRequests fills an SWV database with n requests from the directory's
// bench schools over three years: nine in ten closed, the rest spread
// over the steps (those on the agenda over the next six meetings), with
// decisions, advices, meetings, actions and notes.
func seedRequests(ctx context.Context, h *harness, pool *pgxpool.Pool, n int, consultant, chair uuid.UUID) error {
	rows, err := h.platform.Pool.Query(ctx, `SELECT id, name FROM licence WHERE db_name LIKE 'bench_school_%' ORDER BY name`)
	if err != nil {
		return err
	}
	var ids []uuid.UUID
	var names []string
	for rows.Next() {
		var id uuid.UUID
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		ids, names = append(ids, id), append(names, name)
	}
	rows.Close()
	if _, err := pool.Exec(ctx, `CREATE TEMP TABLE bench_school (n int, id uuid, name text)`); err != nil {
		return err
	}
	for i := range ids {
		if _, err := pool.Exec(ctx, `INSERT INTO bench_school VALUES ($1, $2, $3)`, i, ids[i], names[i]); err != nil {
			return err
		}
	}
	stmts := []string{
		`INSERT INTO committee_meeting (meets_on, title, chair_id, member_ids)
		 SELECT current_date - 300 + 14 * k, 'CvT ' || k, '` + chair.String() + `', ARRAY[gen_random_uuid()]
		 FROM generate_series(1, $1 / 1000) k`,
		`INSERT INTO request (school_licence_id, school_request_id, school_name, kind, tlv_type, pupil_name, pupil_birth_date,
		   question, status, consultant_id, submitted_at, meeting_id)
		 SELECT s.id, gen_random_uuid(), s.name, k.kind, CASE WHEN k.kind = 'tlv' THEN 'so' END, 'Leerling ' || i,
		   date '2012-01-01' + (i % 3000), 'Vraag van de school ' || i,
		   st.status, CASE WHEN s.n < 10 THEN '` + consultant.String() + `'::uuid END,
		   now() - ((i % 1095) || ' days')::interval,
		   CASE WHEN st.status = 'geagendeerd' THEN (SELECT id FROM committee_meeting WHERE meets_on >= current_date ORDER BY meets_on LIMIT 1 OFFSET i % 6) END
		 FROM generate_series(1, 40000) i
		 JOIN bench_school s ON s.n = i % 150
		 CROSS JOIN LATERAL (SELECT (ARRAY['arrangement','tlv','advice','contact','mdo','ot'])[1 + i % 6] AS kind) k
		 CROSS JOIN LATERAL (SELECT CASE WHEN i % 10 < 9 THEN 'afgesloten'
		   ELSE (ARRAY['intake','onvolledig','bij_consulent','geagendeerd','ondertekenen','bezwaartermijn','loopt'])[1 + i % 7] END AS status) st`,
		`INSERT INTO decision (request_id, approved, motivation, decided_on, start_on, end_on, number)
		 SELECT id, true, 'Toegekend', submitted_at::date + 30, submitted_at::date + 30, submitted_at::date + 30 + 730,
		   'TLV-' || extract(year FROM submitted_at) || '-' || row_number() OVER (ORDER BY submitted_at)
		 FROM request WHERE kind = 'tlv' AND status IN ('afgesloten', 'loopt', 'bezwaartermijn')`,
		`INSERT INTO expert_advice (request_id, expert_id, expert_name, profession, advice, signed_off_at)
		 SELECT id, gen_random_uuid(), 'Deskundige', 'orthopedagoog', 'Advies', now() FROM request WHERE kind = 'tlv'`,
		`INSERT INTO process_step (workflow_id, entity_kind, entity_id, step, waiting_for, due_at, seq)
		 SELECT 'request/bench/' || id, 'request', id, status, '', CASE WHEN status IN ('onvolledig', 'bezwaartermijn') THEN submitted_at + interval '28 days' END, 1
		 FROM request WHERE status <> 'afgesloten'`,
		`INSERT INTO request_action (request_id, consultant_id, title, due_on)
		 SELECT id, consultant_id, 'Actie bij ' || pupil_name, current_date + (random() * 60)::int
		 FROM request WHERE consultant_id IS NOT NULL AND status <> 'afgesloten'`,
		`INSERT INTO request_event (request_id, kind, visibility, body, actor_id, event_key, at)
		 SELECT id, 'note', 'internal', 'Notitie over ' || pupil_name, consultant_id, 'bench-note:' || id, submitted_at + interval '1 day'
		 FROM request WHERE consultant_id IS NOT NULL`,
		`ANALYZE`,
	}
	return dossiertest.RunSeed(ctx, pool, n, stmts)
}
