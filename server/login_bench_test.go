package server

import (
	"context"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/topdossier/topdossier/auth"
)

// BenchmarkLogin20Concurrent measures the password step of logging in with
// the production argon2id parameters, 20 people at once:
// go test -run '^$' -bench Login20 -benchtime 10x ./server
func BenchmarkLogin20Concurrent(b *testing.B) {
	h := newHarness(b)
	hash, err := auth.HashPassword(testPassword, auth.DefaultArgon2)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := h.platform.Pool.Exec(context.Background(), "UPDATE app_user SET password_hash = $1", hash); err != nil {
		b.Fatal(err)
	}
	form := url.Values{"email": {"ib@linde.invalid"}, "password": {testPassword}}.Encode()
	var mu sync.Mutex
	var latencies []time.Duration
	for b.Loop() {
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				start := time.Now()
				resp, _ := h.doAs(b, "", "POST", "/inloggen", "application/x-www-form-urlencoded", form)
				d := time.Since(start)
				if resp.StatusCode != 303 {
					b.Errorf("login: %d", resp.StatusCode)
				}
				mu.Lock()
				latencies = append(latencies, d)
				mu.Unlock()
			}()
		}
		wg.Wait()
	}
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Milliseconds())
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(len(latencies)), "logins")
}
