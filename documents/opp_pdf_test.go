package documents

import (
	"bytes"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/topdossier/topdossier/plan"
)

// TestRenderOPPPDF renders a long OPP and reads it back: Dutch characters
// (ë, é, ï, ĳ, ü) survive, every page says "pagina x van y".
func TestRenderOPPPDF(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderOPPPDF(&buf, longOPP(40)); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("pdftotext", "-", "-")
	cmd.Stdin = bytes.NewReader(buf.Bytes())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext (Debian poppler-utils): %v", err)
	}
	text := string(out)
	pages := pageCount(buf.Bytes())
	if pages < 5 || strings.Count(text, "\f") != pages {
		t.Fatalf("%d pages, %d form feeds; want a long OPP", pages, strings.Count(text, "\f"))
	}
	for _, want := range []string{"Zoë Ĳsbrand-Müller", "Anaïs de Vries", "Basisschool Één", "Ontwikkelingsperspectiefplan (OPP)",
		"versie 2 van 03-11-2026", "Geen instemming", "Doel 40 · Technisch lezen",
		"pagina 1 van " + fmt.Sprint(pages), fmt.Sprintf("pagina %d van %d", pages, pages)} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF lacks %q", want)
		}
	}
}

var pageObject = regexp.MustCompile(`/Type /Page\b[^s]`)

func pageCount(pdf []byte) int {
	return len(pageObject.FindAll(pdf, -1))
}

func longOPP(goals int) OPPDocument {
	d := OPPDocument{School: "Basisschool Één", Pupil: "Zoë Ĳsbrand-Müller", Group: "6b",
		BirthDate: time.Date(2015, 4, 1, 0, 0, 0, 0, time.UTC), SupportLevel: "Extra ondersteuning op school",
		Reason: "Leerachterstand lezen; concentratie.", StartedOn: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), Cycle: 1,
		Phase: "Plannen", Destination: "Vmbo kaderberoepsgerichte leerweg",
		Rationale:         strings.Repeat("Bevorderend is de motivatie; belemmerend de leessnelheid. ", 6),
		ActionPartVersion: "versie 2 van 03-11-2026", Consent: "Geen instemming; de school blijft in gesprek",
		Generated: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC), GeneratedBy: "Ingrid IB"}
	for i := range goals {
		d.Goals = append(d.Goals, OPPGoal{Domain: "Technisch lezen",
			Goal:      fmt.Sprintf("Doel %d: leest een tekst op AVI-niveau E%d vlot en zonder fouten, ook in zaakvakteksten.", i+1, i%6+3),
			Criterion: "Drie opeenvolgende metingen boven de norm.", EvaluateOn: "2027-02-01", Outcome: "Deels behaald",
			Explanation: "Vooruitgang, nog niet stabiel."})
	}
	d.Support = []plan.Intervention{{What: "Voorleestraining", Who: "Onderwijsassistent", HowOften: "3× per week", Where: "Buiten de klas"}}
	d.Participants = []OPPParticipant{{Name: "Anaïs de Vries", Role: "moeder", Kind: "ouder/verzorger"}}
	return d
}

// BenchmarkRenderOPPPDF10Pages renders an OPP of exactly ten pages
// (goal ≤ 30 ms per document).
func BenchmarkRenderOPPPDF10Pages(b *testing.B) {
	var doc OPPDocument
	var buf bytes.Buffer
	for goals := 10; ; goals++ {
		doc = longOPP(goals)
		buf.Reset()
		if err := RenderOPPPDF(&buf, doc); err != nil {
			b.Fatal(err)
		}
		if n := pageCount(buf.Bytes()); n == 10 {
			break
		} else if n > 10 {
			b.Fatalf("no goal count gives exactly 10 pages (got %d at %d goals)", n, goals)
		}
	}
	b.ReportMetric(float64(buf.Len())/1024, "kB/pdf")
	b.ResetTimer()
	for b.Loop() {
		buf.Reset()
		if err := RenderOPPPDF(&buf, doc); err != nil {
			b.Fatal(err)
		}
	}
}
