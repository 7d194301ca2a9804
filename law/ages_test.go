package law_test

import (
	"testing"
	"time"

	"github.com/topdossier/topdossier/law"
)

// TestReached: an age is reached on the birthday, not the day before; a
// child born on 29 February reaches it on 1 March in other years.
func TestReached(t *testing.T) {
	for _, c := range []struct {
		birth, day string
		age        int
		want       bool
	}{
		{"2010-05-01", "2028-05-01", law.DecideAge, true},
		{"2010-05-01", "2028-04-30", law.DecideAge, false},
		{"2012-02-29", "2028-02-28", law.ShareAge, false},
		{"2012-02-29", "2028-02-29", law.ShareAge, true},
		{"2012-02-29", "2030-02-28", law.DecideAge, false},
		{"2012-02-29", "2030-03-01", law.DecideAge, true},
	} {
		b, d := mustDate(t, c.birth), mustDate(t, c.day)
		if got := law.Reached(b, c.age, d); got != c.want {
			t.Errorf("born %s, %d on %s: %v, want %v", c.birth, c.age, c.day, got, c.want)
		}
	}
}

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
