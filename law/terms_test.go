package law_test

import (
	"testing"
	"time"

	"github.com/topdossier/topdossier/law"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// TestTermEnd pins the deletion dates: retention terms count calendar
// years (the day of leaving, N years on), other terms count exactly.
func TestTermEnd(t *testing.T) {
	for _, c := range []struct {
		name string
		from time.Time
		term time.Duration
		want time.Time
	}{
		{"dossier two years across the leap day of 2028", date(2026, 11, 29), law.RetentionDossier, date(2028, 11, 29)},
		{"enrolment five years", date(2026, 11, 29), law.RetentionEnrolment, date(2031, 11, 29)},
		{"request three years after the TLV ended", date(2027, 7, 31), law.RetentionTLV, date(2030, 7, 31)},
		{"left on a leap day", date(2028, 2, 29), law.RetentionDossier, date(2030, 3, 1)},
		{"six weeks count days", date(2026, 11, 29), law.ObjectionWindow, date(2027, 1, 10)},
		{"a test's seconds", date(2026, 11, 29), 3 * time.Second, date(2026, 11, 29).Add(3 * time.Second)},
		{"not a whole year", date(2026, 11, 29), 400 * law.Day, date(2026, 11, 29).Add(400 * law.Day)},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := law.TermEnd(c.from, c.term)
			if !got.Equal(c.want) {
				t.Errorf("TermEnd(%s, %s) = %s, want %s", c.from.Format(time.DateOnly), c.term, got.Format(time.DateTime), c.want.Format(time.DateTime))
			}
			// Whatever started on from has its term ended at the end, not a day before.
			if b := law.TermStartedBefore(c.want, c.term); b.Before(c.from) {
				t.Errorf("TermStartedBefore(%s) = %s, before the start %s", c.want.Format(time.DateOnly), b, c.from)
			}
			if b := law.TermStartedBefore(c.want.Add(-time.Nanosecond), c.term); !b.Before(c.from) {
				t.Errorf("just before the end, TermStartedBefore = %s, want before %s", b, c.from)
			}
		})
	}
}
