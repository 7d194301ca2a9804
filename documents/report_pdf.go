package documents

import (
	"fmt"
	"io"
	"time"
)

// SchoolReport is the onderwijskundig rapport a school gives the next
// school when a pupil leaves (WPO art. 42, WEC art. 43), made from the
// plan, already in Dutch. The parents get a copy, and so does a pupil of
// 18 (of 16 on request).
type SchoolReport struct {
	OPPDocument
	EnrolledOn time.Time
	// LeftOn is the day the pupil leaves or left, when known.
	LeftOn *time.Time
	// Tests are the test results typed into the growth document.
	Tests []LabelledText
	// Growth are the last notes of the growth document, newest first.
	Growth []LabelledText
	// ParentsView is what the parents say of the report, and when.
	ParentsView   string
	ParentsViewAt *time.Time
}

// RenderSchoolReportPDF writes the onderwijskundig rapport as an A4 PDF.
// Like the OPP, a pure function.
func RenderSchoolReportPDF(w io.Writer, d SchoolReport) error {
	loc := d.Location
	if loc == nil {
		loc = time.UTC
	}
	pdf := newDocument(d.Generated, "Onderwijskundig rapport "+d.Pupil, d.School)
	pdf.SetAutoPageBreak(true, 20)
	confidentialFooter(pdf, "onderwijskundig rapport "+d.Pupil, d.Generated, loc)
	pdf.AddPage()
	below := drawLetterhead(pdf, d.Letterhead, 140, 10, 60, 20)
	pdf.SetXY(10, 10)
	pdf.SetFont("go", "B", 11)
	pdf.CellFormat(130, 6, d.School, "", 1, "L", false, 0, "")
	pdf.SetFont("go", "B", 17)
	pdf.MultiCell(130, 8, "Onderwijskundig rapport", "", "L", false)
	pdf.SetFont("go", "", 9)
	pdf.MultiCell(130, 5, "Voor de school die de leerling hierna onderwijs geeft (WPO art. 42, WEC art. 43). "+
		"De ouders ontvangen een afschrift.", "", "L", false)
	pdf.SetY(max(pdf.GetY()+2, below+4))
	left := "—"
	if d.LeftOn != nil {
		left = d.LeftOn.Format("02-01-2006")
	}
	facts := [][2]string{
		{"Leerling", d.Pupil},
		{"Geboortedatum", d.BirthDate.Format("02-01-2006")},
		{"Groep / klas", d.Group},
		{"Op school van", d.EnrolledOn.Format("02-01-2006") + " tot " + left},
		{"Ondersteuning", d.SupportLevel},
		{"Dossier sinds", d.StartedOn.Format("02-01-2006")},
		{"Handelingsdeel", d.ActionPartVersion},
		{"Instemming", d.Consent},
	}
	factRows(pdf, facts)
	heading, para := sections(pdf)
	heading("Onderwijs- en ondersteuningsbehoeften")
	para("Aanleiding voor extra ondersteuning", d.Reason)
	para("Onderwijsbehoeften", d.EducationalNeeds)
	para("Ondersteuningsbehoeften", d.SupportNeeds)
	para("Bevorderende factoren", joinLabelled(d.Promoting))
	para("Belemmerende factoren", joinLabelled(d.Hindering))
	heading("Ontwikkelingsperspectief")
	para("Verwachte uitstroombestemming", d.Destination)
	para("Onderbouwing", d.Rationale)
	heading("Gegeven ondersteuning en resultaat")
	for i, g := range d.Goals {
		line := fmt.Sprintf("Doel %d · %s: %s", i+1, orDash(g.Domain), orDash(g.Goal))
		if g.Outcome != "" {
			line += " — " + g.Outcome
			if g.Explanation != "" {
				line += ": " + g.Explanation
			}
		}
		para("", line)
	}
	if len(d.Goals) == 0 {
		para("", "Geen doelen vastgelegd.")
	}
	for _, s := range d.Support {
		para("", fmt.Sprintf("%s · wie: %s · hoe vaak: %s", orDash(s.What), orDash(s.Who), orDash(s.HowOften)))
	}
	para("Laatste evaluatie", d.Evaluation.Summary)
	heading("Toetsresultaten")
	if len(d.Tests) == 0 && len(d.TestSeries) == 0 {
		para("", "Geen toetsresultaten vastgelegd.")
	}
	for _, t := range d.Tests {
		para("", t.Label+": "+t.Text)
	}
	for _, ts := range d.TestSeries {
		line := ts.Test + ":"
		for _, r := range ts.Results {
			line += fmt.Sprintf(" %s %s %s;", r.Date.Format("02-01-2006"), r.Score, r.Level)
		}
		if ts.Trend != "" {
			line += " " + ts.Trend
		}
		para("", line)
	}
	if len(d.Growth) > 0 {
		heading("Uit het groeidocument")
		for _, g := range d.Growth {
			para(g.Label, g.Text)
		}
	}
	heading("Wat de leerling zelf vindt")
	para("", d.PupilView)
	heading("Zienswijze van de ouders")
	if d.ParentsView == "" || d.ParentsViewAt == nil {
		para("", "De ouders hebben (nog) geen zienswijze gegeven.")
	} else {
		para("Gegeven op "+d.ParentsViewAt.In(loc).Format("02-01-2006"), d.ParentsView)
	}
	return pdf.Output(w)
}
