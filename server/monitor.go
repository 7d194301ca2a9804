package server

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/monitor"
	"github.com/topdossier/topdossier/service"
)

// The school's monitor: its own figures, counts only, each as a chart
// with the table under it, printable, and each table as CSV.

// monitorLabels put the monitor's row and column codes in Dutch.
var monitorLabels = func() map[string]string {
	m := map[string]string{"": "geen proces", "rounds": "rondes", "other": "overig",
		"opp": "OPP vaststellen", "evaluation": "Evaluatie met ouders", "reminder": "binnenkort", "overdue": "te laat",
		"consented": "instemming", "refused": "geen instemming", "open": "nog open", "superseded": "vervangen of gestopt",
		"inzage": "ter inzage", "submitted": "ingediend", "withdrawn": "ingetrokken",
		"granted": "toegekend", "rejected": "afgewezen", "upheld": "gegrond", "dismissed": "ongegrond",
		"sbo": "SBO", "so": "SO", "vso": "VSO", "laag": "laag", "midden": "midden", "hoog": "hoog", "ending": "lopen binnen 6 maanden af",
		"pupils": "leerlingen", "light": "lichte ondersteuning", "extra_school": "extra op school", "extra_facility": "extra op een voorziening",
		"lt_1m": "korter dan een maand", "1m_3m": "1 tot 3 maanden", "3m_6m": "3 tot 6 maanden", "ge_6m": "6 maanden of langer",
		"unknown": "sinds onbekend", "found_place": "vonden een plek",
		"in_term": "binnen de termijn", "late": "te laat", "arrangements": "arrangementen", "behaald": "behaald", "deels": "deels behaald",
		"niet": "niet behaald", "tlv_start": "TLV ingegaan", "instroom": "instroom (van regulier)", "doorstroom": "doorstroom (speciaal naar speciaal)",
		"uitstroom": "uitstroom (naar regulier)", "le_1y": "tot een jaar", "le_2y": "1 tot 2 jaar", "gt_2y": "langer dan 2 jaar"}
	for _, labels := range []map[string]string{phaseLabels, supportLabels, requestKindLabels, closeReasonLabels} {
		for k, v := range labels {
			m[k] = v
		}
	}
	return m
}()

// monitorLabel is a code in Dutch; for the deadline table "" is "op tijd".
func monitorLabel(id, code string) string {
	switch {
	case id == "termijnen" && code == "":
		return "op tijd"
	case id == "tlv" && code == "":
		return "geen categorie (SBO)"
	case id == "arrangement-resultaat" && code == "":
		return "nog niet geëvalueerd"
	}
	if l, ok := monitorLabels[code]; ok {
		return l
	}
	return code
}

// labelled is the table with its rows and columns in Dutch.
func labelled(t service.MonitorTable) monitor.Shown {
	s := t.Shown
	rows, cols := make([]string, len(s.Rows)), make([]string, len(s.Columns))
	for i, r := range s.Rows {
		rows[i] = monitorLabel(t.ID, r)
	}
	for j, c := range s.Columns {
		cols[j] = monitorLabel(t.ID, c)
	}
	s.Rows, s.Columns = rows, cols
	return s
}

type monitorFigure struct {
	ID, Definition string
	Shown          monitor.Shown
	Chart          template.HTML
}

type monitorPage struct {
	Licence    platform.Licence
	Year       string
	Years      []string
	Figures    []monitorFigure
	PhaseTimes []service.PhaseTime
	// csv is the CSV download's path and query without the table.
	csv string
}

// CSVLink is the download of one table, with the page's filters.
func (p monitorPage) CSVLink(id string) string { return p.csv + "&tabel=" + url.QueryEscape(id) }

// PhaseLabel names a phase in Dutch.
func (monitorPage) PhaseLabel(p string) string { return phaseLabels[p] }

// Days writes an average number of days.
func (monitorPage) Days(d *float64) string {
	if d == nil {
		return "–"
	}
	return fmt.Sprintf("%.1f", *d)
}

func (s *Server) schoolMonitor(c *gin.Context) (platform.Licence, service.SchoolMonitor, error) {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return lic, service.SchoolMonitor{}, err
	}
	m, err := s.monitor.School(c, lic.ID, c.Query("jaar"))
	return lic, m, err
}

func (s *Server) handleSchoolMonitor(c *gin.Context) error {
	lic, m, err := s.schoolMonitor(c)
	if err != nil {
		return err
	}
	page := monitorPage{Licence: lic, Year: m.Year, Years: s.monitorYears(), PhaseTimes: m.PhaseTimes, Figures: figures(m.Tables),
		csv: fmt.Sprintf("/licenties/%s/monitor.csv?jaar=%s", lic.ID, url.QueryEscape(m.Year))}
	s.render(c, http.StatusOK, "monitor", page)
	return nil
}

// monitorYears are this school year and the four before.
func (s *Server) monitorYears() []string {
	var y int
	fmt.Sscanf(service.SchoolYearOf(time.Now().In(s.location)), "%d", &y)
	var out []string
	for k := range 5 {
		out = append(out, fmt.Sprintf("%d-%d", y-k, y-k+1))
	}
	return out
}

// figures are the tables in Dutch with their charts.
func figures(tables []service.MonitorTable) []monitorFigure {
	var out []monitorFigure
	for _, t := range tables {
		shown := labelled(t)
		// BarChart escapes every text it writes.
		out = append(out, monitorFigure{ID: t.ID, Definition: t.Definition, Shown: shown, Chart: template.HTML(monitor.BarChart(shown, "fig-"+t.ID))})
	}
	return out
}

// handleSchoolMonitorCSV is one table of the monitor as CSV (; for
// Dutch spreadsheets), "< 5" where the page shows it.
func (s *Server) handleSchoolMonitorCSV(c *gin.Context) error {
	_, m, err := s.schoolMonitor(c)
	if err != nil {
		return err
	}
	if c.Query("tabel") == "fasen" {
		lines := [][]string{{"fase", "afgelopen fasen", "gemiddeld (dagen)"}}
		for _, p := range m.PhaseTimes {
			lines = append(lines, []string{phaseLabels[p.Phase], p.Count.Text(), monitorPage{}.Days(p.AvgDays)})
		}
		return linesCSV(c, "fasen", m.Year, lines)
	}
	return tableCSV(c, m.Tables, c.Query("tabel"), m.Year)
}

// linesCSV sends lines as a CSV download.
func linesCSV(c *gin.Context, id, year string, lines [][]string) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	_ = w.WriteAll(lines)
	return download(c, fmt.Sprintf("monitor %s %s.csv", id, year), "text/csv; charset=utf-8", buf.Bytes())
}

// tableCSV is the table with id as CSV (; for Dutch spreadsheets), "< 5"
// where the page shows it.
func tableCSV(c *gin.Context, tables []service.MonitorTable, id, year string) error {
	for _, t := range tables {
		if t.ID != id {
			continue
		}
		shown := labelled(t)
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Comma = ';'
		head := append([]string{""}, shown.Columns...)
		if len(shown.RowTotals) > 0 {
			head = append(head, "totaal")
		}
		_ = w.Write(head)
		for i, r := range shown.Rows {
			line := []string{r}
			for _, cell := range shown.Cells[i] {
				line = append(line, cell.Text())
			}
			if len(shown.RowTotals) > 0 {
				line = append(line, shown.RowTotals[i].Text())
			}
			_ = w.Write(line)
		}
		if len(shown.ColumnTotals) > 0 {
			line := []string{"totaal"}
			for _, cell := range shown.ColumnTotals {
				line = append(line, cell.Text())
			}
			if len(shown.RowTotals) > 0 && shown.Grand != nil {
				line = append(line, shown.Grand.Text())
			}
			_ = w.Write(line)
		}
		w.Flush()
		return download(c, fmt.Sprintf("monitor %s %s.csv", t.ID, year), "text/csv; charset=utf-8", buf.Bytes())
	}
	return fault.ErrNotFound
}

type swvMonitorPage struct {
	monitorPage
	Participation []service.Share
	Filter        service.SWVMonitorFilter
	Schools       []platform.ListSchoolsOfSWVRow
	SchoolTypes   []string
	LeadTimes     []service.LeadTime
	PublishedOn   *time.Time
}

// Percent writes a share in percent.
func (swvMonitorPage) Percent(p *float64) string {
	if p == nil {
		return "–"
	}
	return strings.Replace(fmt.Sprintf("%.1f %%", *p), ".", ",", 1)
}

// KindLabel names a request kind in Dutch.
func (swvMonitorPage) KindLabel(k string) string { return requestKindLabels[k] }

func (s *Server) swvMonitor(c *gin.Context) (platform.Licence, service.SWVMonitor, error) {
	lic, err := s.licenceParam(c, true)
	if err != nil {
		return lic, service.SWVMonitor{}, err
	}
	m, err := s.monitor.SWV(c, lic, service.SWVMonitorFilter{Year: c.Query("jaar"), School: c.Query("school"), SchoolType: c.Query("soort")})
	return lic, m, err
}

// handleSWVMonitor is the SWV's monitor, filtered by school or school type.
func (s *Server) handleSWVMonitor(c *gin.Context) error {
	lic, m, err := s.swvMonitor(c)
	if err != nil {
		return err
	}
	page := swvMonitorPage{monitorPage: monitorPage{Licence: lic, Year: m.Year, Years: s.monitorYears(),
		csv: fmt.Sprintf("/licenties/%s/swv-monitor.csv?jaar=%s&school=%s&soort=%s", lic.ID, url.QueryEscape(m.Year),
			url.QueryEscape(m.Filter.School), url.QueryEscape(m.Filter.SchoolType))}, Filter: m.Filter,
		Schools: m.Schools, SchoolTypes: []string{"BAO", "SBO", "SO", "VO", "VSO"}, LeadTimes: m.LeadTimes, PublishedOn: m.PublishedOn,
		Participation: m.Participation}
	page.Figures = figures(m.Tables)
	s.render(c, http.StatusOK, "swv_monitor", page)
	return nil
}

// handleSWVMonitorCSV is one table of the SWV's monitor as CSV.
func (s *Server) handleSWVMonitorCSV(c *gin.Context) error {
	_, m, err := s.swvMonitor(c)
	if err != nil {
		return err
	}
	switch c.Query("tabel") {
	case "doorlooptijd":
		lines := [][]string{{"soort", "besluiten", "mediaan", "90e percentiel", "intake", "consulent", "advies", "besluit", "ondertekening"}}
		for _, l := range m.LeadTimes {
			d := monitorPage{}.Days
			lines = append(lines, []string{requestKindLabels[l.Kind], l.Count.Text(), d(l.Median), d(l.P90), d(l.Intake), d(l.Consultant),
				d(l.Advice), d(l.Decision), d(l.Signing)})
		}
		return linesCSV(c, "doorlooptijd", m.Year, lines)
	case "deelname":
		lines := [][]string{{"schoolsoort", "deel van", "percentage"}}
		for _, p := range m.Participation {
			lines = append(lines, []string{p.Type, map[string]string{"po": "primair onderwijs", "vo": "voortgezet onderwijs"}[p.Of],
				swvMonitorPage{}.Percent(p.Percent)})
		}
		return linesCSV(c, "deelname", m.Year, lines)
	}
	return tableCSV(c, m.Tables, c.Query("tabel"), m.Year)
}
