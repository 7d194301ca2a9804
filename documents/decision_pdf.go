package documents

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// Decision kinds of the committee that get a document.
const (
	DecisionTLV         = "tlv"
	DecisionArrangement = "arrangement"
)

// Expert is one of the experts whose advice a TLV rests on.
type Expert struct {
	Name, Profession string
}

// DecisionDocument is what the SWV's decision on a TLV or an arrangement
// says, granted or refused (Awb 3:46: motivated; 3:45: with the objection
// clause). It is the document the SWV's authorised signer signs.
type DecisionDocument struct {
	Kind       string // tlv or arrangement
	Refused    bool   // the request is refused: no term, no category
	Number     string // e.g. TLV-2026-0001, unique per SWV
	SWV        string
	Pupil      string
	BirthDate  time.Time
	School     string // the applying school
	SchoolType string // TLV: sbo, so or vso
	Category   string // TLV for SO/VSO cluster 3/4: laag, midden or hoog
	Support    string // arrangement: what is granted
	StartOn    time.Time
	EndOn      time.Time
	DecidedOn  time.Time
	Motivation string
	Experts    []Expert
	Signer     string // name and function of the authorised signer
	Printed    time.Time
	Location   *time.Location
	// ObjectionAddress and ObjectionEmail are where an objection goes
	// (the SWV's settings).
	ObjectionAddress, ObjectionEmail string
	// Letterhead is the SWV's logo and details, at the top right.
	Letterhead Letterhead
}

var schoolTypeNames = map[string]string{
	"sbo": "speciaal basisonderwijs (SBO)",
	"so":  "speciaal onderwijs (SO)",
	"vso": "voortgezet speciaal onderwijs (VSO)",
}

// RenderDecisionPDF writes the decision as an A4 PDF in Dutch, ready to
// be signed. Pure: the same document gives the same page content.
func RenderDecisionPDF(d DecisionDocument) ([]byte, error) {
	loc := d.Location
	if loc == nil {
		loc = time.UTC
	}
	day := func(t time.Time) string { return t.In(loc).Format("02-01-2006") }
	title := "Toelaatbaarheidsverklaring"
	switch {
	case d.Kind != DecisionTLV && d.Kind != DecisionArrangement:
		return nil, fmt.Errorf("decision pdf: unknown kind %q", d.Kind)
	case d.Refused && d.Kind == DecisionTLV:
		title = "Besluit: geen toelaatbaarheidsverklaring"
	case d.Refused:
		title = "Besluit: geen arrangement"
	case d.Kind == DecisionArrangement:
		title = "Toekenning arrangement"
	}
	pdf := newDocument(d.Printed, title+" "+d.Number, d.SWV)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-15)
		pdf.SetFont("go", "", 8)
		pdf.CellFormat(0, 10, fmt.Sprintf("%s · %s · pagina %d van {nb}", d.Number, d.SWV, pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	below := drawLetterhead(pdf, d.Letterhead, 140, 10, 60, 20)
	pdf.SetXY(10, 10)
	pdf.SetFont("go", "B", 16)
	pdf.MultiCell(125, 8, title, "", "L", false)
	pdf.SetFont("go", "", 11)
	pdf.CellFormat(125, 6, "Nummer: "+d.Number, "", 1, "L", false, 0, "")
	pdf.CellFormat(125, 6, "Samenwerkingsverband: "+d.SWV, "", 1, "L", false, 0, "")
	pdf.SetY(max(pdf.GetY(), below) + 4)

	row := func(label, value string) {
		pdf.SetFont("go", "B", 10)
		pdf.CellFormat(55, 6, label, "", 0, "L", false, 0, "")
		pdf.SetFont("go", "", 10)
		pdf.MultiCell(0, 6, orDash(value), "", "L", false)
	}
	row("Leerling", fmt.Sprintf("%s (geboren %s)", d.Pupil, day(d.BirthDate)))
	row("Aangevraagd door", d.School)
	switch {
	case d.Refused && d.Kind == DecisionTLV:
		row("Besluit", "De aanvraag voor een toelaatbaarheidsverklaring voor het "+schoolTypeNames[d.SchoolType]+" is afgewezen.")
	case d.Refused:
		row("Besluit", "De aanvraag voor dit arrangement is afgewezen.")
		row("Aangevraagd", d.Support)
	case d.Kind == DecisionTLV:
		row("Toelaatbaar tot", schoolTypeNames[d.SchoolType])
		if d.Category != "" {
			row("Bekostigingscategorie", d.Category)
		}
	default:
		row("Arrangement", d.Support)
	}
	if !d.Refused {
		row("Geldig van", fmt.Sprintf("%s tot en met %s", day(d.StartOn), day(d.EndOn)))
	}
	row("Datum besluit", day(d.DecidedOn))
	row("Grondslag", "Wet passend onderwijs: artikel 18a Wet op het primair onderwijs, artikel 17a Wet op het voortgezet onderwijs "+
		"en artikel 34.8 Wet op de expertisecentra, met het ondersteuningsplan van het samenwerkingsverband.")
	pdf.Ln(3)

	pdf.SetFont("go", "B", 12)
	pdf.CellFormat(0, 8, "Motivering", "", 1, "L", false, 0, "")
	pdf.SetFont("go", "", 10)
	pdf.MultiCell(0, 5, orDash(d.Motivation), "", "L", false)
	if len(d.Experts) > 0 {
		pdf.Ln(3)
		pdf.SetFont("go", "B", 12)
		pdf.CellFormat(0, 8, "Deskundigenadvies", "", 1, "L", false, 0, "")
		pdf.SetFont("go", "", 10)
		var names []string
		for _, e := range d.Experts {
			names = append(names, fmt.Sprintf("%s (%s)", e.Name, e.Profession))
		}
		pdf.MultiCell(0, 5, "Dit besluit is genomen na advies van "+strings.Join(names, " en ")+".", "", "L", false)
	}
	pdf.Ln(3)
	pdf.SetFont("go", "B", 12)
	pdf.CellFormat(0, 8, "Bezwaar", "", 1, "L", false, 0, "")
	pdf.SetFont("go", "", 10)
	to := "het samenwerkingsverband " + d.SWV
	if a := strings.Join(strings.Fields(d.ObjectionAddress), " "); a != "" {
		to += ", " + a
	}
	if d.ObjectionEmail != "" {
		to += " (of per e-mail: " + d.ObjectionEmail + ")"
	}
	objection := "Bent u het niet eens met dit besluit? Dan kunt u bezwaar maken bij " + to + ". De termijn is zes weken " +
		"en begint op de dag na de dag waarop dit besluit u is toegestuurd (artikelen 6:7 en 6:8 Algemene wet bestuursrecht); " +
		"de laatste dag staat bij het besluit in TOP dossier. Stuur een ondertekend bezwaarschrift met uw naam en adres, de datum, " +
		"het besluit waartegen u bezwaar maakt en waarom (artikel 6:5 Algemene wet bestuursrecht)."
	if d.Kind == DecisionTLV {
		objection += " Over een bezwaar tegen een toelaatbaarheidsverklaring vraagt het samenwerkingsverband advies aan de " +
			"Landelijke Bezwaaradviescommissie Toelaatbaarheidsverklaringen."
	}
	pdf.MultiCell(0, 5, objection, "", "L", false)
	pdf.Ln(6)
	pdf.SetFont("go", "", 10)
	pdf.MultiCell(0, 5, "Namens het samenwerkingsverband, digitaal ondertekend door:\n"+orDash(d.Signer), "", "L", false)

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("decision pdf: %w", err)
	}
	return buf.Bytes(), nil
}
