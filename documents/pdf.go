// Package documents renders the PDFs of TOP dossier (the OPP, the AVG
// copy, the logbook, consent declarations, decisions) as pure functions
// writing to an io.Writer or returning bytes, and signs and verifies them
// (PAdES, adbe.pkcs7.detached). The pages use it for previews and
// downloads, the activities for issued decisions.
package documents

import (
	"fmt"
	"io"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// LogbookLine is one line of a pupil's logbook as people read it.
type LogbookLine struct {
	At                          time.Time
	Actor, Role, Action, Entity string
}

// LogbookReport is what the logbook PDF shows.
type LogbookReport struct {
	School    string
	Pupil     string
	BirthDate time.Time
	Printed   time.Time
	PrintedBy string
	Lines     []LogbookLine
	Location  *time.Location
}

// RenderLogbookPDF writes a pupil's logbook as an A4 PDF in Dutch. It is a
// pure function: the server streams it, a workflow can archive it.
func RenderLogbookPDF(w io.Writer, r LogbookReport) error {
	loc := r.Location
	if loc == nil {
		loc = time.UTC
	}
	pdf := newDocument(r.Printed, "Logboek "+r.Pupil, "TOP dossier")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-15)
		pdf.SetFont("go", "", 8)
		pdf.CellFormat(0, 10, fmt.Sprintf("Vertrouwelijk · afgedrukt %s door %s · pagina %d van {nb}",
			r.Printed.In(loc).Format("02-01-2006 15:04"), r.PrintedBy, pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	pdf.SetFont("go", "B", 16)
	pdf.CellFormat(0, 10, "Logboek", "", 1, "L", false, 0, "")
	pdf.SetFont("go", "", 11)
	pdf.CellFormat(0, 6, fmt.Sprintf("Leerling: %s (geboren %s)", r.Pupil, r.BirthDate.Format("02-01-2006")), "", 1, "L", false, 0, "")
	pdf.CellFormat(0, 6, "School: "+r.School, "", 1, "L", false, 0, "")
	pdf.Ln(2)
	pdf.MultiCell(0, 5, "Wie de gegevens van deze leerling bekeek, wijzigde of deelde, en wanneer. Het logboek kan alleen worden aangevuld; de inhoud van het dossier staat er niet in.", "", "L", false)
	pdf.Ln(4)

	widths := []float64{27, 40, 73, 20, 30}
	header := []string{"Wanneer", "Wie", "Rol", "Wat", "Onderdeel"}
	pdf.SetFont("go", "B", 9)
	pdf.SetFillColor(235, 239, 244)
	for i, h := range header {
		pdf.CellFormat(widths[i], 7, h, "1", 0, "L", true, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont("go", "", 8)
	if len(r.Lines) == 0 {
		pdf.CellFormat(0, 7, "Nog niets vastgelegd.", "1", 1, "L", false, 0, "")
	}
	for _, l := range r.Lines {
		cells := []string{l.At.In(loc).Format("02-01-2006 15:04"), l.Actor, l.Role, l.Action, l.Entity}
		for i, c := range cells {
			pdf.CellFormat(widths[i], 6, fit(pdf, c, widths[i]-2), "1", 0, "L", false, 0, "")
		}
		pdf.Ln(-1)
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("render logbook pdf: %w", err)
	}
	return pdf.Output(w)
}

// newDocument starts an A4 PDF with the Go fonts embedded as "go" (regular
// and bold, so Dutch names print as typed), dated at, with its title and
// author and "{nb}" standing for the page count in footers.
func newDocument(at time.Time, title, author string) *fpdf.Fpdf {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(at)
	pdf.SetModificationDate(at)
	pdf.AddUTF8FontFromBytes("go", "", goregular.TTF)
	pdf.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	pdf.SetTitle(title, true)
	pdf.SetAuthor(author, true)
	pdf.AliasNbPages("{nb}")
	return pdf
}

// fit shortens s with an ellipsis until it fits width millimetres.
func fit(pdf *fpdf.Fpdf, s string, width float64) string {
	if pdf.GetStringWidth(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && pdf.GetStringWidth(string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
