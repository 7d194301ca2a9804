package law

import (
	"testing"
	"time"
)

// TestDateOf: a moment's date is its day in the Netherlands, not in UTC
// (an OPP established at 00:15 on 30 November was recorded on the 29th:
// server.TestRODRegistration failed when CI ran after 23:00 UTC).
func TestDateOf(t *testing.T) {
	for _, tt := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 11, 29, 23, 15, 0, 0, time.UTC), "2026-11-30"}, // 00:15 CET
		{time.Date(2026, 11, 29, 22, 59, 0, 0, time.UTC), "2026-11-29"},
		{time.Date(2026, 6, 30, 22, 30, 0, 0, time.UTC), "2026-07-01"}, // 00:30 CEST
		{time.Date(2026, 6, 30, 21, 30, 0, 0, time.UTC), "2026-06-30"},
	} {
		if got := DateOf(tt.at); got.Format(time.DateOnly) != tt.want || got.Location() != time.UTC || got.Hour() != 0 {
			t.Errorf("DateOf(%v) = %v, want %s at UTC midnight", tt.at, got, tt.want)
		}
	}
}
