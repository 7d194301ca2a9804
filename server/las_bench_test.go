package server

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/las/lastest"
	"github.com/topdossier/topdossier/service"
)

// BenchmarkLASFirstImport is a school's first import: 1,500 pupils, 60
// groups and 80 teachers read, previewed and applied (every pupil
// created with its logbook line), and the 1,500 enrolment processes
// started.
func BenchmarkLASFirstImport(b *testing.B) {
	h := newHarness(b)
	data := lastest.Export("12AB", 1500, 60, 80, 0)
	ctx := context.Background()
	for b.Loop() {
		start := time.Now()
		imp, err := h.srv.las.Stage(ctx, service.Actor{Role: "system"}, h.school.ID, service.LASSourceCLI, data)
		if err != nil {
			b.Fatal(err)
		}
		staged := time.Since(start)
		if _, err := h.srv.las.Apply(ctx, service.Actor{Role: "system"}, h.school.ID, imp.ID, imp.Digest, nil); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(staged.Seconds(), "s-preview")
		b.ReportMetric(time.Since(start).Seconds(), "s-total")
	}
}

// BenchmarkLASNight is one night of 40 schools of 1,500 pupils each: each
// school's export in its drop folder with a night's changes (150 pupils
// in another group, 15 birth dates, 80 teachers moved), fetched, checked
// and applied by the nightly run (service.LAS.RunScheduled, what the
// schedule's activity calls), four schools at a time as the worker's
// activity slots would run them.
func BenchmarkLASNight(b *testing.B) {
	drop := b.TempDir()
	h := newHarness(b, func(c *Config) { c.LAS.DropDir = drop })
	ctx := context.Background()
	const schools = 40
	ids := []string{}
	for i := range schools {
		brin := fmt.Sprintf("%02dBN", 10+i)
		lic := h.school
		if i > 0 {
			lic = h.platform.School(b, fmt.Sprintf("School %d", i), brin)
		} else {
			brin = "12AB"
		}
		ids = append(ids, lic.ID.String())
		// The school as after its first import, written directly.
		err := h.platform.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
			_, err := pool.Exec(ctx, `
INSERT INTO pupil (given_name, name_infix, family_name, birth_date, group_name, year_group, enrolled_on, las_key, eckid)
SELECT 'Roep'||p, 'van', 'Achternaam'||p, make_date(2010+p%8, p%12+1, p%28+1), ((p%60)%8+1)::text || chr(97+(p%60)/8),
       (p%60)%8+1, '2020-08-17', 'L'||lpad(p::text, 5, '0'), 'https://id.school/LL_'||lpad(p::text, 32, '0')
FROM generate_series(0, 1499) p;
INSERT INTO las_group (key, name, composite, year_group)
SELECT 'G'||g, ((g%8)+1)::text || chr(97+g/8), false, ((g%8)+1)::text FROM generate_series(0, 59) g;
UPDATE las_setting SET source = 'folder';`)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		dir := filepath.Join(drop, lic.ID.String())
		if err := os.MkdirAll(dir, 0o750); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "export.xml"), lastest.Export(brin, 1500, 60, 80, 1), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		start := time.Now()
		var wg sync.WaitGroup
		sem := make(chan struct{}, 4)
		errs := make(chan error, schools)
		for _, id := range ids {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				r, err := h.srv.las.RunScheduled(ctx, uuid.MustParse(id))
				if err == nil && r.Status != "applied" {
					err = fmt.Errorf("%s: %s %s", id, r.Status, r.Message)
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(time.Since(start).Seconds(), "s-night")
		b.ReportMetric(time.Since(start).Seconds()/schools, "s-per-school")
	}
}
