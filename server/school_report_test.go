package server

import (
	"fmt"
	"strings"
	"testing"
)

// TestSchoolReport: the onderwijskundig rapport comes from the plan as a
// PDF (WPO art. 42); the parents get a copy in the portal and give their
// view, which the report then carries; the export is in the logbook.
func TestSchoolReport(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxBodyBytes = 64 << 10 })
	lic := h.school.ID
	pupil, _, mother := requestPupil(t, h, "Rapport")
	report := dossierURL(lic, pupil) + "/onderwijskundig-rapport.pdf"
	text := strings.Join(strings.Fields(h.pdfText(t, report)), " ")
	for _, want := range []string{"Onderwijskundig rapport", "Rapport Aanvraag", "Onderwijs- en ondersteuningsbehoeften",
		"Vmbo kaderberoepsgerichte leerweg", "De ouders hebben (nog) geen zienswijze gegeven."} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
	cookie := h.login(t, mother)
	portal := fmt.Sprintf("/ouder/%s/%s", lic, pupil)
	if page := h.pageAs(t, cookie, portal); !strings.Contains(page, "Onderwijskundig rapport") || !strings.Contains(page, `name="report_view"`) {
		t.Fatalf("the portal does not offer the report:\n%s", page)
	}
	if parents := strings.Join(strings.Fields(h.pdfTextAs(t, cookie, portal+"/onderwijskundig-rapport.pdf")), " "); !strings.Contains(parents, "Onderwijskundig rapport") {
		t.Errorf("the parents' copy: %s", parents)
	}
	if resp, out := h.doAs(t, cookie, "POST", portal+"/rapport", formType, "report_view="+strings.Repeat("x", 5001)); resp.StatusCode != 422 ||
		!strings.Contains(out, "Uw zienswijze is te lang") {
		t.Errorf("a view too long: %d", resp.StatusCode)
	}
	if resp, _ := h.doAs(t, cookie, "POST", portal+"/rapport", formType, "report_view=Wij+herkennen+ons+in+het+rapport."); resp.StatusCode != 303 {
		t.Fatalf("the parents' view: %d", resp.StatusCode)
	}
	text = strings.Join(strings.Fields(h.pdfText(t, report)), " ")
	if !strings.Contains(text, "Wij herkennen ons in het rapport.") || strings.Contains(text, "geen zienswijze gegeven") {
		t.Errorf("the report does not carry the parents' view:\n%s", text)
	}
	if log := h.logbookActions(t, lic, pupil); !strings.Contains(log, "export school_report_pdf") || !strings.Contains(log, "update report_view") {
		t.Errorf("logbook: %s", log)
	}
}
