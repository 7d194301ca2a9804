package law_test

import (
	"testing"
	"time"

	"github.com/topdossier/topdossier/law"
)

// TestGeneralHoliday: the days of the Algemene termijnenwet art. 3 in
// 2026 and 2027, and ordinary days that are none.
func TestGeneralHoliday(t *testing.T) {
	for _, d := range []time.Time{
		date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 4, 27), date(2026, 5, 5), date(2026, 5, 14),
		date(2026, 5, 25), date(2026, 12, 25), date(2026, 12, 26),
		date(2027, 3, 26), date(2027, 3, 29), date(2027, 4, 27), date(2027, 5, 6), date(2027, 5, 17),
		date(2025, 4, 26), // Koningsdag on the Saturday when the 27th is a Sunday
	} {
		if !law.GeneralHoliday(d) {
			t.Errorf("%s is a general holiday", d.Format("Mon 2006-01-02"))
		}
	}
	for _, d := range []time.Time{date(2026, 4, 5), date(2026, 5, 15), date(2025, 4, 27), date(2026, 11, 30), date(2026, 12, 24)} {
		if law.GeneralHoliday(d) {
			t.Errorf("%s is no general holiday", d.Format("Mon 2006-01-02"))
		}
	}
}

// TestObjectionTerm pins the objection term: six weeks from the day after
// bekendmaking (Awb 6:7, 6:8), the last day moved past a weekend or a
// holiday (Atw art. 1), ending at midnight in the Netherlands.
func TestObjectionTerm(t *testing.T) {
	nl := law.Netherlands()
	for _, c := range []struct {
		name      string
		madeKnown time.Time
		last      time.Time
	}{
		{"made known on a Monday: the last day is the Monday six weeks on", time.Date(2026, 11, 30, 15, 0, 0, 0, nl), date(2027, 1, 11)},
		{"late in the evening counts the Dutch day", time.Date(2026, 11, 30, 23, 30, 0, 0, nl), date(2027, 1, 11)},
		{"a last day on Saturday moves to Monday", time.Date(2026, 11, 28, 10, 0, 0, 0, nl), date(2027, 1, 11)},
		{"a last day on tweede Paasdag moves to Tuesday", time.Date(2027, 2, 15, 10, 0, 0, 0, nl), date(2027, 3, 30)},
		{"Goede Vrijdag, the weekend and tweede Paasdag", time.Date(2027, 2, 12, 10, 0, 0, 0, nl), date(2027, 3, 30)},
		{"a last day on Christmas moves past both Christmas days and the weekend", time.Date(2026, 11, 13, 10, 0, 0, 0, nl), date(2026, 12, 28)},
	} {
		t.Run(c.name, func(t *testing.T) {
			last, ends := law.ObjectionTerm(c.madeKnown, law.ObjectionWindow)
			if !last.Equal(c.last) {
				t.Errorf("last day %s, want %s", last.Format("Mon 2006-01-02"), c.last.Format("Mon 2006-01-02"))
			}
			y, m, d := c.last.AddDate(0, 0, 1).Date()
			if want := time.Date(y, m, d, 0, 0, 0, 0, nl); !ends.Equal(want) {
				t.Errorf("ends at %s, want %s", ends, want)
			}
		})
	}
	// A test's short window counts exactly.
	at := time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)
	if _, ends := law.ObjectionTerm(at, 5*time.Second); !ends.Equal(at.Add(5 * time.Second)) {
		t.Errorf("a window of seconds ends at %s, want five seconds on", ends)
	}
}
