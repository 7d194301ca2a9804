// Package poll waits, in tests, for something another process does: a
// workflow's step in the database, a page that changes. One helper
// instead of hand-written deadline loops, and no fixed sleeps.
package poll

import (
	"testing"
	"time"
)

// Until asks cond until it holds or within has passed, and reports
// whether it held. It asks at once, then every 20 ms, backing off to half
// a second.
func Until(within time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(within)
	wait := 20 * time.Millisecond
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(min(wait, time.Until(deadline)+time.Millisecond))
		wait = min(2*wait, 500*time.Millisecond)
	}
}

// Must fails t when cond does not hold within the time given.
func Must(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	if !Until(within, cond) {
		t.Fatalf("timed out after %s waiting for %s", within, what)
	}
}
