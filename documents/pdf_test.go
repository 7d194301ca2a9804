package documents

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestRenderLogbookPDF renders a logbook and reads it back with poppler's
// pdftotext: Dutch characters survive, long names are cut, pages are numbered.
func TestRenderLogbookPDF(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	r := LogbookReport{School: "Basisschool De Regenboog", Pupil: "Zoë van 't Hof", BirthDate: time.Date(2016, 3, 14, 0, 0, 0, 0, time.UTC),
		Printed: time.Date(2026, 11, 28, 14, 5, 0, 0, time.UTC), PrintedBy: "Ingrid IB", Location: loc}
	for i := range 80 {
		r.Lines = append(r.Lines, LogbookLine{At: r.Printed.Add(-time.Duration(i) * time.Hour), Actor: "Ingrid IB",
			Role: "intern begeleider / ondersteuningscoördinator", Action: "bekeken", Entity: "leerlinggegevens"})
	}
	r.Lines[0].Actor = "Maximiliaan Bartholomeus van Oldenbarnevelt-Schimmelpenninck"
	var buf bytes.Buffer
	if err := RenderLogbookPDF(&buf, r); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatal("output is not a PDF")
	}
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = &buf
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext (Debian poppler-utils): %v", err)
	}
	text := string(out)
	if strings.Contains(text, "Schimmelpenninck") || !strings.Contains(text, "…") {
		t.Error("a name too long for its column is not cut with an ellipsis")
	}
	for _, want := range []string{"Logboek", "Zoë van 't Hof", "geboren 14-03-2016", "28-11-2026 15:05", "pagina 1 van 2", "pagina 2 van 2",
		"intern begeleider / ondersteuningscoördinator", "Maximiliaan Bartholome"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
}
