package documents

import (
	"fmt"
	"io"
	"time"

	"github.com/topdossier/topdossier/las"
	"github.com/topdossier/topdossier/plan"
)

// LabelledText is a piece of text under a Dutch label.
type LabelledText struct {
	Label, Text string
}

// OPPGoal is one goal as the OPP shows it, with its evaluation.
type OPPGoal struct {
	Domain, Goal, Criterion, EvaluateOn string
	Outcome, Explanation                string
}

// OPPParticipant is one betrokkene.
type OPPParticipant struct {
	Name, Role, Organisation, Kind string
}

// OPPDocument is what the OPP PDF shows, already in Dutch: the server
// fills it from the dossier, the renderer only lays it out.
type OPPDocument struct {
	School, SchoolType      string
	Pupil, Group            string
	BirthDate               time.Time
	SupportLevel, Reason    string
	StartedOn               time.Time
	Cycle                   int32
	Phase                   string
	Destination, Rationale  string
	Promoting, Hindering    []LabelledText
	EducationalNeeds        string
	SupportNeeds, PupilView string
	// Hearing is how the pupil was heard on the plan (hoorrecht).
	Hearing string
	// ActionPartVersion says which handelingsdeel this is ("versie 2 van
	// 03-11-2026", or a draft not yet offered), Consent its consent state.
	ActionPartVersion string
	Consent           string
	Goals             []OPPGoal
	Support           []plan.Intervention
	Deviations        string
	ExecutionNotes    string
	Evaluation        plan.Evaluation
	// TestSeries is the pupil's results from the pupil-tracking system
	// (LOVS), per test with its trend.
	TestSeries []las.TestSeries
	// Letterhead is the school's logo and details, at the top right.
	Letterhead   Letterhead
	Participants []OPPParticipant
	Generated    time.Time
	GeneratedBy  string
	Location     *time.Location
	// Appendix is the rest of what the school keeps, for a copy under the
	// AVG (art. 15): guardians, growth notes, tests, consent, requests,
	// attachments, the logbook. Empty for the plan itself.
	Appendix []AppendixSection
}

// AppendixSection is one part of the appendix: a title and its lines.
type AppendixSection struct {
	Title string
	Lines []string
}

// RenderOPPPDF writes the OPP as an A4 PDF with an embedded UTF-8 font, so
// Dutch names (ë, é, ï, ĳ) print as typed. It is a pure function: the
// server streams it, an activity can archive or sign it.
func RenderOPPPDF(w io.Writer, d OPPDocument) error {
	loc := d.Location
	if loc == nil {
		loc = time.UTC
	}
	pdf := newDocument(d.Generated, "Ontwikkelingsperspectiefplan "+d.Pupil, d.School)
	pdf.SetCreator("TOP dossier", true)
	pdf.SetAutoPageBreak(true, 20)
	confidentialFooter(pdf, "OPP "+d.Pupil, d.Generated, loc)
	pdf.AddPage()

	// Header: the school, with its own logo and details when it has them.
	below := drawLetterhead(pdf, d.Letterhead, 140, 10, 60, 20)
	pdf.SetXY(10, 10)
	pdf.SetFont("go", "B", 11)
	pdf.CellFormat(130, 6, d.School, "", 1, "L", false, 0, "")
	pdf.SetFont("go", "B", 17)
	pdf.MultiCell(130, 8, "Ontwikkelingsperspectiefplan (OPP)", "", "L", false)
	pdf.SetY(max(34, below+4))

	facts := [][2]string{
		{"Leerling", d.Pupil},
		{"Geboortedatum", d.BirthDate.Format("02-01-2006")},
		{"Groep / klas", d.Group},
		{"Ondersteuning", d.SupportLevel},
		{"Dossier sinds", d.StartedOn.Format("02-01-2006")},
		{"Cyclus, fase", fmt.Sprintf("%d, %s", d.Cycle, d.Phase)},
		{"Handelingsdeel", d.ActionPartVersion},
		{"Instemming", d.Consent},
	}
	pdf.SetFont("go", "", 10)
	factRows(pdf, facts)

	heading, para := sections(pdf)

	heading("Aanleiding")
	para("", d.Reason)

	if len(d.TestSeries) > 0 {
		heading("Toetsuitslagen uit het leerlingvolgsysteem")
		for _, ts := range d.TestSeries {
			pdf.SetFont("go", "B", 10)
			title := ts.Test
			if ts.Trend != "" {
				title += " · " + ts.Trend
			}
			pdf.MultiCell(0, 5.5, title, "", "L", false)
			pdf.SetFont("go", "", 9.5)
			for _, r := range ts.Results {
				pdf.CellFormat(30, 5, r.Date.Format("02-01-2006"), "", 0, "L", false, 0, "")
				pdf.CellFormat(30, 5, orDash(r.Score), "", 0, "L", false, 0, "")
				pdf.CellFormat(0, 5, orDash(r.Level), "", 1, "L", false, 0, "")
			}
			pdf.Ln(1)
		}
	}

	heading("Ontwikkelingsperspectief")
	para("Verwachte uitstroombestemming", d.Destination)
	para("Onderbouwing", d.Rationale)
	para("Bevorderende factoren", joinLabelled(d.Promoting))
	para("Belemmerende factoren", joinLabelled(d.Hindering))
	para("Onderwijsbehoeften", d.EducationalNeeds)
	para("Ondersteuningsbehoeften", d.SupportNeeds)
	para("Wat de leerling zelf vindt", d.PupilView)
	para("Gehoord over het plan (hoorrecht)", d.Hearing)

	heading("Handelingsdeel · " + orDash(d.ActionPartVersion))
	if len(d.Goals) == 0 {
		para("", "Nog geen doelen vastgelegd.")
	}
	for i, g := range d.Goals {
		pdf.SetFont("go", "B", 10.5)
		pdf.MultiCell(0, 6, fmt.Sprintf("Doel %d · %s", i+1, orDash(g.Domain)), "", "L", false)
		para("", g.Goal)
		para("Wanneer behaald (criterium)", g.Criterion)
		para("Evaluatie op", g.EvaluateOn)
		if g.Outcome != "" {
			para("Resultaat: "+g.Outcome, g.Explanation)
		}
	}
	pdf.SetFont("go", "B", 10.5)
	pdf.MultiCell(0, 6, "Ondersteuning en interventies", "", "L", false)
	if len(d.Support) == 0 {
		para("", "")
	}
	for _, s := range d.Support {
		para("", fmt.Sprintf("%s · wie: %s · hoe vaak: %s · waar: %s", orDash(s.What), orDash(s.Who), orDash(s.HowOften), orDash(s.Where)))
	}
	para("Afwijkingen van het reguliere programma", d.Deviations)

	heading("Realisatie en evaluatie")
	para("Uitvoering", d.ExecutionNotes)
	para("Evaluatiegesprek", d.Evaluation.MeetingOn)
	para("Aanwezig", d.Evaluation.Participants)
	para("Samenvatting", d.Evaluation.Summary)
	para("Afspraken", d.Evaluation.Agreements)

	heading("Betrokkenen")
	if len(d.Participants) == 0 {
		para("", "")
	}
	for _, p := range d.Participants {
		line := p.Name
		if p.Role != "" {
			line += " · " + p.Role
		}
		if p.Organisation != "" {
			line += " · " + p.Organisation
		}
		para("", line+" ("+p.Kind+")")
	}
	if len(d.Appendix) > 0 {
		pdf.AddPage()
		pdf.SetFont("go", "B", 15)
		pdf.MultiCell(0, 8, "Bijlage: alle gegevens die de school over de leerling bewaart", "", "L", false)
		for _, sec := range d.Appendix {
			heading(sec.Title)
			if len(sec.Lines) == 0 {
				para("", "")
			}
			pdf.SetFont("go", "", 9.5)
			for _, l := range sec.Lines {
				pdf.MultiCell(0, 5, l, "", "L", false)
			}
		}
	}
	pdf.Ln(2)
	pdf.SetFont("go", "", 8)
	pdf.MultiCell(0, 4.5, fmt.Sprintf("Gegenereerd door %s op %s. Dit document bevat persoonsgegevens; bewaar en deel het alleen waar het voor bedoeld is.",
		orDash(d.GeneratedBy), d.Generated.In(loc).Format("02-01-2006 15:04")), "", "L", false)
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("render opp pdf: %w", err)
	}
	return pdf.Output(w)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func joinLabelled(items []LabelledText) string {
	out := ""
	for _, it := range items {
		if it.Text == "" {
			continue
		}
		if out != "" {
			out += "\n"
		}
		out += it.Label + ": " + it.Text
	}
	return out
}
