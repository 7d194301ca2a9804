package activities

import (
	"strings"
	"testing"
	"time"
)

// TestConsentMailDates: the last day in the consent mail is the day in
// the Netherlands, not in UTC (23:30 UTC on the 13th is the 14th there),
// and the mail carries the party's link.
func TestConsentMailDates(t *testing.T) {
	deadline := time.Date(2026, 12, 13, 23, 30, 0, 0, time.UTC)
	for _, pupil := range []bool{false, true} {
		_, body := consentMail("invitation", pupil, true, "Anne", 2, deadline, "https://top.example/ouder/l/p#vraag")
		if !strings.Contains(body, "14-12-2026") || strings.Contains(body, "13-12-2026") {
			t.Errorf("pupil %v: the last day is not the Dutch date:\n%s", pupil, body)
		}
		if !strings.Contains(body, "https://top.example/ouder/l/p#vraag") {
			t.Errorf("pupil %v: the mail lacks the link", pupil)
		}
	}
}
