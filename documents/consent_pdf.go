package documents

import (
	"fmt"
	"io"
	"time"
)

// ConsentDeclarationLine is one answer in an instemmingsverklaring.
type ConsentDeclarationLine struct {
	At                             time.Time
	Party, Answer, Remark, Channel string
}

// ConsentDeclaration is what the instemmingsverklaring shows, in Dutch:
// the version, who was asked, every answer with its date and remark, and
// the outcome.
type ConsentDeclaration struct {
	School, Pupil         string
	BirthDate             time.Time
	Version               int32
	FrozenAt              time.Time
	Outcome               string
	StartedAt, DeadlineAt time.Time
	ClosedAt              *time.Time
	Parties               []LabelledText // name, and what they decide
	Lines                 []ConsentDeclarationLine
	Generated             time.Time
	GeneratedBy           string
	Location              *time.Location
	// Letterhead is the school's logo and details, at the top right.
	Letterhead Letterhead
}

// RenderConsentPDF writes the instemmingsverklaring of one consent round
// as an A4 PDF. It is a pure function, like the OPP.
func RenderConsentPDF(w io.Writer, d ConsentDeclaration) error {
	loc := d.Location
	if loc == nil {
		loc = time.UTC
	}
	day := func(t time.Time) string { return t.In(loc).Format("02-01-2006") }
	pdf := newDocument(d.Generated, "Instemmingsverklaring "+d.Pupil, d.School)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetFont("go", "", 8)
		pdf.CellFormat(0, 8, fmt.Sprintf("Vertrouwelijk · instemmingsverklaring %s · gegenereerd %s · pagina %d van {nb}",
			d.Pupil, d.Generated.In(loc).Format("02-01-2006 15:04"), pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	below := drawLetterhead(pdf, d.Letterhead, 140, 10, 60, 20)
	pdf.SetXY(10, 10)
	pdf.SetFont("go", "B", 11)
	pdf.CellFormat(125, 6, d.School, "", 1, "L", false, 0, "")
	pdf.SetFont("go", "B", 16)
	pdf.CellFormat(125, 10, "Instemmingsverklaring handelingsdeel", "", 1, "L", false, 0, "")
	pdf.SetY(max(pdf.GetY(), below+3))
	pdf.SetFont("go", "", 10)
	facts := [][2]string{
		{"Leerling", fmt.Sprintf("%s (geboren %s)", d.Pupil, day(d.BirthDate))},
		{"Handelingsdeel", fmt.Sprintf("versie %d van %s", d.Version, day(d.FrozenAt))},
		{"Gevraagd op", day(d.StartedAt)},
		{"Termijn", day(d.DeadlineAt)},
		{"Uitkomst", d.Outcome},
	}
	if d.ClosedAt != nil {
		facts = append(facts, [2]string{"Vastgesteld op", day(*d.ClosedAt)})
	}
	factRows(pdf, facts)
	pdf.Ln(3)
	pdf.SetFont("go", "B", 12)
	pdf.CellFormat(0, 8, "Gevraagd", "", 1, "L", false, 0, "")
	pdf.SetFont("go", "", 10)
	for _, p := range d.Parties {
		pdf.MultiCell(0, 5.5, p.Label+": "+p.Text, "", "L", false)
	}
	pdf.Ln(3)
	pdf.SetFont("go", "B", 12)
	pdf.CellFormat(0, 8, "Antwoorden", "", 1, "L", false, 0, "")
	pdf.SetFont("go", "", 10)
	if len(d.Lines) == 0 {
		pdf.MultiCell(0, 5.5, "Nog geen antwoorden.", "", "L", false)
	}
	for _, l := range d.Lines {
		line := fmt.Sprintf("%s · %s: %s", l.At.In(loc).Format("02-01-2006 15:04"), l.Party, l.Answer)
		if l.Channel != "" {
			line += " (" + l.Channel + ")"
		}
		pdf.SetFont("go", "B", 10)
		pdf.MultiCell(0, 5.5, line, "", "L", false)
		if l.Remark != "" {
			pdf.SetFont("go", "", 10)
			pdf.MultiCell(0, 5.5, "“"+l.Remark+"”", "", "L", false)
		}
		pdf.Ln(1)
	}
	pdf.Ln(3)
	pdf.SetFont("go", "", 8)
	pdf.MultiCell(0, 4.5, fmt.Sprintf("Gegenereerd door %s. Instemming wordt nooit namens iemand gegeven: elk antwoord hierboven is van de genoemde persoon, zo nodig vastgelegd door de school.",
		orDash(d.GeneratedBy)), "", "L", false)
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("render consent pdf: %w", err)
	}
	return pdf.Output(w)
}
