package tenants_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db/dbtest"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
)

// BenchmarkTouch200Licences creates 200 licence databases, then touches
// each once (open its pool, run one query) and reports the heap growth,
// the open pools and the server connections to licence databases
// afterwards: `go test -run '^$' -bench Touch200 -benchtime 1x ./db/tenants`.
func BenchmarkTouch200Licences(b *testing.B) {
	const licences = 200
	ctx := context.Background()
	p := dbtest.NewPlatform(b, tenants.Config{})
	ids := make([]uuid.UUID, 0, licences)
	start := time.Now()
	for i := range licences {
		lic, err := p.Tenants.CreateLicence(ctx, tenants.NewLicence{Kind: platform.LicenceKindSwvSchool,
			Name: fmt.Sprintf("Licentie %d", i), SWVID: p.SWV.ID})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, lic.ID)
	}
	b.Logf("created %d licence databases in %s (%.0f ms each)", licences, time.Since(start).Round(time.Second),
		float64(time.Since(start).Milliseconds())/licences)

	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		touchStart := time.Now()
		for _, id := range ids {
			err := p.Tenants.With(ctx, id, func(pool *pgxpool.Pool) error {
				_, err := school.New(pool).CountPupils(ctx)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(time.Since(touchStart).Microseconds())/licences/1000, "ms/touch")
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20), "heap-growth-MB")
		b.ReportMetric(float64(after.HeapAlloc)/(1<<20), "heap-MB")
		b.ReportMetric(float64(p.Tenants.OpenPools()), "pools")
		b.ReportMetric(float64(backends(b, p.Name)), "conns")
	}
}
