package documents

import (
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"
)

// The layout the plan documents (OPP, onderwijskundig rapport) share.

// confidentialFooter puts "Vertrouwelijk · what · gegenereerd … · pagina
// n van m" at the foot of every page.
func confidentialFooter(pdf *fpdf.Fpdf, what string, generated time.Time, loc *time.Location) {
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetFont("go", "", 8)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(0, 8, fmt.Sprintf("Vertrouwelijk · %s · gegenereerd %s · pagina %d van {nb}",
			what, generated.In(loc).Format("02-01-2006 15:04"), pdf.PageNo()), "", 0, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
}

// factRows writes label and value side by side, a row each; an empty
// value shows a dash.
func factRows(pdf *fpdf.Fpdf, facts [][2]string) {
	for _, f := range facts {
		pdf.SetFont("go", "B", 10)
		pdf.CellFormat(40, 6, f[0], "", 0, "L", false, 0, "")
		pdf.SetFont("go", "", 10)
		pdf.MultiCell(0, 6, orDash(f[1]), "", "L", false)
	}
}

// sections returns the writers of a section heading (on a new page when
// little room is left) and of a paragraph with an optional bold label.
func sections(pdf *fpdf.Fpdf) (heading func(string), para func(label, text string)) {
	heading = func(s string) {
		pdf.Ln(3)
		if pdf.GetY() > 255 {
			pdf.AddPage()
		}
		pdf.SetFont("go", "B", 13)
		pdf.SetFillColor(232, 238, 246)
		pdf.CellFormat(0, 8, s, "", 1, "L", true, 0, "")
		pdf.Ln(1)
	}
	para = func(label, text string) {
		if label != "" {
			pdf.SetFont("go", "B", 10)
			pdf.MultiCell(0, 5.5, label, "", "L", false)
		}
		pdf.SetFont("go", "", 10)
		pdf.MultiCell(0, 5.5, orDash(text), "", "L", false)
		pdf.Ln(1)
	}
	return heading, para
}
