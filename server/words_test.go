package server

import (
	"strings"
	"testing"
	"time"

	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/swv"
	"github.com/topdossier/topdossier/service"
)

// TestRequestSummary: what the school and the parents read about a
// request, in plain words, for each state it can be in.
func TestRequestSummary(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Amsterdam")
	day := func(s string) *time.Time { d, _ := time.Parse(time.DateOnly, s); return &d }
	num, cat := "TLV-2026-0001", "hoog"
	today := service.Today(loc)
	future, past := today.AddDate(0, 0, 20), today.AddDate(0, 0, -1)
	submitted := school.SwvRequest{Status: "submitted"}
	for _, tc := range []struct {
		name string
		v    service.RequestView
		want []string
	}{
		{"inzage", service.RequestView{Request: school.SwvRequest{Status: "inzage"}}, []string{"Nog niet ingediend"}},
		{"withdrawn", service.RequestView{Request: school.SwvRequest{Status: "withdrawn"}}, []string{"Ingetrokken door de school."}},
		{"gone", service.RequestView{Request: submitted, SWVGone: true}, []string{"inmiddels verwijderd"}},
		{"at the consultant", service.RequestView{Request: submitted, SWV: &swv.Request{Status: "bij_consulent"}}, []string{"In behandeling bij de consulent"}},
		{"granted", service.RequestView{Request: submitted, SWV: &swv.Request{Status: "bezwaartermijn", TlvCategory: &cat},
			Decision: &swv.Decision{Approved: true, SignedPdf: []byte("%PDF"), StartOn: day("2027-01-01"), EndOn: day("2029-07-31"), Number: &num,
				ObjectionUntil: &future}},
			[]string{"Toegekend van 01-01-2027 tot en met 31-07-2029, categorie hoog.", "Besluit TLV-2026-0001.", "Bezwaar is mogelijk tot en met " + future.Format("02-01-2006")}},
		{"granted, not signed", service.RequestView{Request: submitted, SWV: &swv.Request{Status: "ondertekenen"}, Decision: &swv.Decision{Approved: true}},
			[]string{"het besluit wordt nog ondertekend"}},
		{"refused, term over", service.RequestView{Request: submitted, SWV: &swv.Request{Status: "afgesloten"},
			Decision: &swv.Decision{DecidedOn: *day("2026-10-01"), ObjectionUntil: &past}},
			[]string{"Afgewezen op 01-10-2026.", "De bezwaartermijn liep tot en met"}},
		{"objection made", service.RequestView{Request: submitted, SWV: &swv.Request{Status: "bezwaar_ingediend"},
			Decision: &swv.Decision{DecidedOn: *day("2026-10-01"), ObjectionUntil: &future}},
			[]string{"Er is bezwaar gemaakt"}},
	} {
		got := requestSummary(tc.v, loc)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tc.name, got, w)
			}
		}
		if strings.Contains(got, "bezwaartermijn loopt") || strings.Contains(got, "20") && strings.Contains(got, "-01T") {
			t.Errorf("%s: %q is not plain words", tc.name, got)
		}
	}
}
