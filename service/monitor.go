package service

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/monitor"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/workflows"
)

// Monitor is the insight a school (and later its SWV) has in how support
// goes: counts only, each table suppressed below five (monitor.Suppress).
type Monitor struct {
	tenants *tenants.Manager
	loc     *time.Location
}

// NewMonitor returns the monitor service.
func NewMonitor(tm *tenants.Manager, loc *time.Location) *Monitor {
	return &Monitor{tenants: tm, loc: loc}
}

// MonitorTable is one figure: its id (for the CSV and the chart), the
// table as shown, and how it is counted. Rows and columns are codes; the
// pages put them in Dutch.
type MonitorTable struct {
	ID         string
	Definition string
	Shown      monitor.Shown
}

// PhaseTime is how long a phase took: over how many phases that ended in
// the period, and on average, in days (nil when fewer than five).
type PhaseTime struct {
	Phase   string
	Count   monitor.Cell
	AvgDays *float64
}

// SchoolMonitor is the school's monitor for one school year.
type SchoolMonitor struct {
	Year       string
	From, To   time.Time
	Tables     []MonitorTable
	PhaseTimes []PhaseTime
}

// SchoolYearOf is the school year a day is in ("2026-2027": from 1
// August).
func SchoolYearOf(day time.Time) string {
	y := day.Year()
	if day.Month() < time.August {
		y--
	}
	return fmt.Sprintf("%d-%d", y, y+1)
}

// schoolYear is the period of a school year in loc; "" is this one.
func (s *Monitor) schoolYear(year string) (string, time.Time, time.Time, error) {
	if year == "" {
		year = SchoolYearOf(time.Now().In(s.loc))
	}
	var a, b int
	if n, err := fmt.Sscanf(year, "%4d-%4d", &a, &b); err != nil || n != 2 || b != a+1 || a < 2000 || a > 2100 {
		return "", time.Time{}, time.Time{}, fault.FieldErrors{"jaar": "Kies een schooljaar, zoals 2026-2027."}
	}
	from := time.Date(a, time.August, 1, 0, 0, 0, 0, s.loc)
	return year, from, from.AddDate(1, 0, 0), nil
}

// The rows and columns of the school's tables, in their order.
var (
	monitorLevels   = []string{string(school.SupportLevelLight), string(school.SupportLevelExtraSchool), string(school.SupportLevelExtraFacility)}
	monitorPhases   = []string{string(plan.PhaseObserve), string(plan.PhaseUnderstand), string(plan.PhasePlan), string(plan.PhaseRealise), string(plan.PhaseEvaluate)}
	monitorDeadline = []string{workflows.DeadlineOPP, workflows.DeadlineEvaluation}
	monitorStates   = []string{"", "reminder", "overdue"}
	monitorRounds   = []string{"consented", "refused", "open", "superseded"}
	monitorKinds    = []string{workflows.RequestKindArrangement, workflows.RequestKindTLV, workflows.RequestKindAdvice, workflows.RequestKindContact,
		workflows.RequestKindMDO, workflows.RequestKindMDOT, workflows.RequestKindOT}
	monitorRequestStatus = []string{"inzage", "submitted", "withdrawn"}
)

// School is the school's monitor for a school year ("" this one): open
// dossiers by support level and phase, where their legal deadlines stand,
// consent rounds and requests to the SWV of the year by outcome, and the
// time each HGW phase took. Counts only; nothing names a pupil.
func (s *Monitor) School(ctx context.Context, licenceID uuid.UUID, year string) (SchoolMonitor, error) {
	year, from, to, err := s.schoolYear(year)
	if err != nil {
		return SchoolMonitor{}, err
	}
	out := SchoolMonitor{Year: year, From: from, To: to}
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		levels, err := q.MonitorDossiersByLevelAndPhase(ctx)
		if err != nil {
			return err
		}
		grid := newGrid(monitorLevels, append(slices.Clone(monitorPhases), ""))
		for _, r := range levels {
			grid.add(r.Level, r.Phase, int(r.N))
		}
		out.Tables = append(out.Tables, grid.table("dossiers", "Open dossiers naar ondersteuningsniveau en fase",
			"Alle dossiers die nu open zijn, naar hun ondersteuningsniveau en de fase van de HGW-cyclus waarin ze staan (op het moment van bekijken)."))

		deadlines, err := q.MonitorDeadlines(ctx)
		if err != nil {
			return err
		}
		grid = newGrid(monitorDeadline, monitorStates)
		for _, r := range deadlines {
			kind := workflows.DeadlineEvaluation
			if r.Opp {
				kind = workflows.DeadlineOPP
			}
			grid.add(kind, r.State, int(r.N))
		}
		out.Tables = append(out.Tables, grid.table("termijnen", "Wettelijke termijnen van open dossiers",
			"Open dossiers naar de termijn die loopt (het OPP binnen zes weken vaststellen, daarna de jaarlijkse evaluatie) en hoe die ervoor staat: op tijd, binnen de herinneringstermijn, of verstreken."))

		rounds, err := q.MonitorConsentRounds(ctx, school.MonitorConsentRoundsParams{FromAt: from, ToAt: to})
		if err != nil {
			return err
		}
		grid = newGrid(monitorRounds, []string{"rounds"})
		for _, r := range rounds {
			grid.add(r.Status, "rounds", int(r.N))
		}
		out.Tables = append(out.Tables, grid.table("instemming", "Instemmingsrondes op het handelingsdeel",
			"Rondes die in het schooljaar begonnen, naar hun uitkomst: instemming, geen instemming, nog open, of vervangen door een nieuwere versie (of gestopt omdat de leerling vertrok)."))

		requests, err := q.MonitorRequests(ctx, school.MonitorRequestsParams{FromAt: from, ToAt: to})
		if err != nil {
			return err
		}
		grid = newGrid(monitorKinds, monitorRequestStatus)
		for _, r := range requests {
			grid.add(r.Kind, r.Status, int(r.N))
		}
		out.Tables = append(out.Tables, grid.table("aanvragen", "Aanvragen bij het samenwerkingsverband",
			"Aanvragen die in het schooljaar zijn voorbereid, naar soort en stand: bij de ouders ter inzage, ingediend, of ingetrokken."))

		transitions, err := q.MonitorTransitions(ctx, to)
		if err != nil {
			return err
		}
		out.PhaseTimes = phaseTimes(transitions, from)
		return nil
	})
	return out, err
}

// phaseTimes is how long each phase took, over the phases that ended in
// the period: from the dossier's opening (observe of the first cycle) or
// the previous phase change to the change that ended it.
func phaseTimes(rows []school.MonitorTransitionsRow, from time.Time) []PhaseTime {
	sum, n := map[string]float64{}, map[string]int{}
	var last uuid.UUID
	var since time.Time
	for _, r := range rows {
		if r.DossierID != last {
			last, since = r.DossierID, r.OpenedAt
		}
		if !r.At.Before(from) && r.FromPhase != "" {
			sum[r.FromPhase] += r.At.Sub(since).Hours() / 24
			n[r.FromPhase]++
		}
		since = r.At
	}
	var out []PhaseTime
	for _, p := range monitorPhases {
		pt := PhaseTime{Phase: p, Count: monitor.Cell{Count: n[p], Hidden: n[p] < monitor.Threshold}}
		if pt.Count.Hidden {
			pt.Count.Count = 0
		} else {
			avg := sum[p] / float64(n[p])
			pt.AvgDays = &avg
		}
		out = append(out, pt)
	}
	return out
}

// grid collects counts by row and column code; codes outside the lists
// are counted under "other" so nothing is lost from the totals.
type grid struct {
	rows, cols []string
	cells      map[[2]string]int
}

func newGrid(rows, cols []string) *grid {
	return &grid{rows: rows, cols: cols, cells: map[[2]string]int{}}
}

func (g *grid) add(row, col string, n int) {
	if !slices.Contains(g.rows, row) {
		row = "other"
	}
	if !slices.Contains(g.cols, col) {
		col = "other"
	}
	g.cells[[2]string{row, col}] += n
}

func (g *grid) table(id, title, definition string) MonitorTable {
	rows, cols := g.rows, g.cols
	for k := range g.cells {
		if k[0] == "other" && !slices.Contains(rows, "other") {
			rows = append(append([]string{}, rows...), "other")
		}
		if k[1] == "other" && !slices.Contains(cols, "other") {
			cols = append(append([]string{}, cols...), "other")
		}
	}
	t := monitor.Table{Title: title, Rows: rows, Columns: cols, RowTotals: len(cols) > 1, ColumnTotals: true}
	for _, r := range rows {
		line := make([]int, len(cols))
		for j, c := range cols {
			line[j] = g.cells[[2]string{r, c}]
		}
		t.Cells = append(t.Cells, line)
	}
	return MonitorTable{ID: id, Definition: definition, Shown: monitor.Suppress(t)}
}
