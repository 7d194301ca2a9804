// Package latency collects durations from many goroutines and reports
// their percentiles: what the benchmarks report beside their goals.
package latency

import (
	"slices"
	"sync"
	"time"
)

// Set is a set of durations; its zero value is ready to use.
type Set struct {
	mu sync.Mutex
	d  []time.Duration
}

// Add adds one duration.
func (s *Set) Add(d time.Duration) {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
}

// Pct is the p-th percentile (0 < p ≤ 1); 0 when empty.
func (s *Set) Pct(p float64) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Pct(s.d, p)
}

// N is how many durations were added.
func (s *Set) N() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.d)
}

// Pct is the p-th percentile of d (0 < p ≤ 1); 0 when empty.
func Pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// Ms is d in milliseconds, to the microsecond.
func Ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
