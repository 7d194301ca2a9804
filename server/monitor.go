package server

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
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
		"inzage": "ter inzage", "submitted": "ingediend", "withdrawn": "ingetrokken"}
	for _, labels := range []map[string]string{phaseLabels, supportLabels, requestKindLabels} {
		for k, v := range labels {
			m[k] = v
		}
	}
	return m
}()

// monitorLabel is a code in Dutch; for the deadline table "" is "op tijd".
func monitorLabel(id, code string) string {
	if id == "termijnen" && code == "" {
		return "op tijd"
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
}

// PhaseLabel names a phase in Dutch.
func (monitorPage) PhaseLabel(p string) string { return phaseLabels[p] }

// Days writes an average number of days.
func (monitorPage) Days(d *float64) string {
	if d == nil {
		return monitor.Hidden + " fasen"
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
	page := monitorPage{Licence: lic, Year: m.Year, PhaseTimes: m.PhaseTimes}
	now := service.SchoolYearOf(time.Now().In(s.location))
	var y int
	fmt.Sscanf(now, "%d", &y)
	for k := range 5 {
		page.Years = append(page.Years, fmt.Sprintf("%d-%d", y-k, y-k+1))
	}
	for _, t := range m.Tables {
		shown := labelled(t)
		page.Figures = append(page.Figures, monitorFigure{ID: t.ID, Definition: t.Definition, Shown: shown,
			// #nosec: BarChart escapes every text it writes.
			Chart: template.HTML(monitor.BarChart(shown, "fig-"+t.ID))})
	}
	s.render(c, http.StatusOK, "monitor", page)
	return nil
}

// handleSchoolMonitorCSV is one table of the monitor as CSV (; for
// Dutch spreadsheets), "< 5" where the page shows it.
func (s *Server) handleSchoolMonitorCSV(c *gin.Context) error {
	_, m, err := s.schoolMonitor(c)
	if err != nil {
		return err
	}
	for _, t := range m.Tables {
		if t.ID != c.Query("tabel") {
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
		return download(c, fmt.Sprintf("monitor %s %s.csv", t.ID, m.Year), "text/csv; charset=utf-8", buf.Bytes())
	}
	return fault.ErrNotFound
}
