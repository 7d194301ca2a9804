package worker_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/workflows"
)

// BenchmarkRetentionStarts: one school year of leavers across a large SWV,
// BENCH_LEAVERS (default 100,000) pupils who left today, each with a
// retention run that reads its end date, records "started" and sleeps for
// two years. Reported: the start rate (starts accepted by Temporal), the
// time until every run is asleep, and the memory of the worker (this
// process: Go heap in use, resident size) and of the Temporal dev server
// (resident size and its peak) once all sleep.
//
//	go test -run '^$' -bench RetentionStarts -benchtime 1x -timeout 120m ./worker
func BenchmarkRetentionStarts(b *testing.B) {
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("BENCH_LEAVERS")); err == nil && v > 0 {
		n = v
	}
	e := newEnv(b)
	ctx := context.Background()
	ids := leftToday(b, e, n)
	devServer := processListening(b, e.temporal.HostPort)
	b.ResetTimer()
	start := time.Now()
	work := make(chan uuid.UUID)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for id := range work {
				if _, err := workflows.StartRetention(ctx, e.temporal.Client, workflows.RetentionInput{LicenceID: e.licence.String(),
					Kind: workflows.RetentionDossier, EntityID: id.String(), Term: 2 * 365 * 24 * time.Hour}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	for i, id := range ids {
		work <- id
		if (i+1)%10000 == 0 {
			b.Logf("%d started after %s; dev server %s", i+1, time.Since(start).Round(time.Second), memOf(devServer))
		}
	}
	close(work)
	wg.Wait()
	startRate := float64(n) / time.Since(start).Seconds()
	for {
		var asleep int
		_ = e.platform.Tenants.With(ctx, e.licence, func(pool *pgxpool.Pool) error {
			return pool.QueryRow(ctx, `SELECT count(*) FROM retention_event WHERE what = 'started'`).Scan(&asleep)
		})
		if asleep >= n {
			break
		}
		if time.Since(start) > 100*time.Minute {
			b.Fatalf("%d of %d asleep after 100 minutes", asleep, n)
		}
		time.Sleep(time.Second)
	}
	asleep := time.Since(start)
	b.StopTimer()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	worker := memOf(os.Getpid())
	dev := memOf(devServer)
	b.Logf("worker: heap in use %d MiB, %s; dev server: %s", ms.HeapInuse>>20, worker, dev)
	b.ReportMetric(startRate, "starts/s")
	b.ReportMetric(asleep.Seconds(), "s-until-all-asleep")
	b.ReportMetric(float64(ms.HeapInuse>>20), "worker-heap-MiB")
	b.ReportMetric(float64(worker.rss>>10), "worker-rss-MiB")
	b.ReportMetric(float64(dev.rss>>10), "devserver-rss-MiB")
	b.ReportMetric(float64(dev.peak>>10), "devserver-peak-MiB")
}

// mem is a process's resident size and its peak, in KiB.
type mem struct{ rss, peak int64 }

func (m mem) String() string { return fmt.Sprintf("rss %d MiB (peak %d MiB)", m.rss>>10, m.peak>>10) }

func memOf(pid int) mem {
	var m mem
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return m
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, _ := strings.Cut(s.Text(), ":")
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			m.rss = kb
		case "VmHWM":
			m.peak = kb
		}
	}
	return m
}

// processListening finds the dev server's process by the port in its
// command line.
func processListening(tb testing.TB, hostPort string) int {
	_, port, _ := strings.Cut(hostPort, ":")
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, d := range dirs {
		cmd, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		args := strings.Split(string(cmd), "\x00")
		for i, a := range args {
			if a == "--port" && i+1 < len(args) && args[i+1] == port && strings.Contains(args[0], "temporal") {
				pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(d)))
				return pid
			}
		}
	}
	tb.Fatalf("no dev server process on port %s", port)
	return 0
}
