package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/swv"
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
	// cache keeps an SWV's monitor a while: its figures change each night
	// (the summary's refresh and the schools' publications), not per
	// request. Counts only.
	mu    sync.Mutex
	cache map[string]cachedSWVMonitor
}

type cachedSWVMonitor struct {
	m     SWVMonitor
	until time.Time
}

// monitorCacheFor is how long an SWV's monitor is reused; monitorCacheMax
// how many filters are kept at most (then all are dropped).
const (
	monitorCacheFor = 10 * time.Minute
	monitorCacheMax = 2000
)

// NewMonitor returns the monitor service.
func NewMonitor(tm *tenants.Manager, loc *time.Location) *Monitor {
	return &Monitor{tenants: tm, loc: loc, cache: map[string]cachedSWVMonitor{}}
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
	if err != nil {
		return out, err
	}
	// The outcomes of its requests are the SWV's: the school reads its
	// own rows of the SWV's nightly summary.
	swvLic, err := platform.New(s.tenants.Platform()).GetSWVLicenceOf(ctx, licenceID)
	if errors.Is(err, pgx.ErrNoRows) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	err = s.tenants.With(ctx, swvLic.ID, func(pool *pgxpool.Pool) error {
		rows, err := swv.New(pool).MonitorRequestsByKind(ctx, swv.MonitorRequestsByKindParams{FromOn: dateOf(from), ToOn: dateOf(to),
			Schools: []uuid.UUID{licenceID}})
		if err != nil {
			return err
		}
		g := newGrid(monitorKinds, monitorOutcomes)
		for _, r := range rows {
			g.add(r.Kind, r.Outcome, int(r.N))
		}
		out.Tables = append(out.Tables, g.table("uitkomsten", "Uitkomsten van de aanvragen bij het samenwerkingsverband",
			"De aanvragen van de school die in het schooljaar bij het samenwerkingsverband werden ingediend, naar soort en uitkomst (stand van de vorige nacht)."))
		return nil
	})
	return out, err
}

// dateOf is the calendar day of t as a UTC midnight.
func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
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
	// series: the rows are a time series (months), kept when empty.
	series bool
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
	// A column (and, but for a time series, a row) without any count says
	// nothing and hides nothing: it is left out, the totals stay the same.
	used := func(r, c string) bool { return g.cells[[2]string{r, c}] != 0 }
	cols = slices.DeleteFunc(slices.Clone(cols), func(c string) bool {
		return !slices.ContainsFunc(rows, func(r string) bool { return used(r, c) }) && len(cols) > 1
	})
	if !g.series {
		rows = slices.DeleteFunc(slices.Clone(rows), func(r string) bool {
			return !slices.ContainsFunc(cols, func(c string) bool { return used(r, c) })
		})
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

// SWVMonitorFilter narrows the SWV's monitor to one school or one school
// type ("" all).
type SWVMonitorFilter struct {
	Year, School, SchoolType string
}

// LeadTime is how long decided requests of a kind took, in days: median
// and 90th percentile from submission to decision, and the mean per
// step; all nil when fewer than five were decided.
type LeadTime struct {
	Kind                                          string
	Count                                         monitor.Cell
	Median, P90                                   *float64
	Intake, Consultant, Advice, Decision, Signing *float64
}

// SWVMonitor is the SWV's monitor for a school year.
type SWVMonitor struct {
	Year      string
	Filter    SWVMonitorFilter
	Schools   []platform.ListSchoolsOfSWVRow
	Tables    []MonitorTable
	LeadTimes []LeadTime
	// PublishedOn is the day of the schools' latest figures (nil: none yet).
	PublishedOn *time.Time
	// Participation is the deelnamepercentage per special school type.
	Participation []Share
}

// Share is a part of a whole in percent: the special school type's
// pupils of all the pupils of its sector (nil when either count is under
// five).
type Share struct {
	Type, Of string
	Percent  *float64
}

var (
	monitorOutcomes = []string{"granted", "rejected", "open", workflows.CloseWithdrawn, workflows.CloseHandled, workflows.CloseExpired,
		workflows.CloseStale, workflows.CloseEnded, workflows.CloseRevoked}
	monitorTLVTypes      = []string{"sbo", "so", "vso"}
	monitorTLVCategories = []string{"", "laag", "midden", "hoog"}
	monitorSchoolTypes   = []string{"BAO", "SBO", "SO", "VO", "VSO"}
)

// SWV is the SWV's monitor: requests by kind and outcome and by month,
// lead times, TLVs by type and category and those ending soon, objections
// by outcome, pupils and support by school type and the pupils without
// education, from the counts its schools publish each night. It reads
// the SWV's own database (the nightly summary) and the platform's list of
// its schools; never a school's database.
func (s *Monitor) SWV(ctx context.Context, swvLicence platform.Licence, f SWVMonitorFilter) (SWVMonitor, error) {
	year, _, _, err := s.schoolYear(f.Year)
	if err != nil {
		return SWVMonitor{}, err
	}
	f.Year = year
	key := strings.Join([]string{swvLicence.ID.String(), f.Year, f.School, f.SchoolType}, "|")
	now := time.Now()
	s.mu.Lock()
	c, ok := s.cache[key]
	s.mu.Unlock()
	if ok && now.Before(c.until) {
		return c.m, nil
	}
	m, err := s.swv(ctx, swvLicence, f)
	if err != nil {
		return m, err
	}
	s.mu.Lock()
	if len(s.cache) >= monitorCacheMax {
		clear(s.cache)
	}
	s.cache[key] = cachedSWVMonitor{m: m, until: now.Add(monitorCacheFor)}
	s.mu.Unlock()
	return m, nil
}

// swv computes the SWV's monitor (SWV, without the cache).
func (s *Monitor) swv(ctx context.Context, swvLicence platform.Licence, f SWVMonitorFilter) (SWVMonitor, error) {
	year, from, to, err := s.schoolYear(f.Year)
	if err != nil {
		return SWVMonitor{}, err
	}
	out := SWVMonitor{Year: year, Filter: f}
	if out.Schools, err = platform.New(s.tenants.Platform()).ListSchoolsOfSWV(ctx, swvLicence.SwvID); err != nil {
		return out, err
	}
	// The schools the filter keeps; none named means all.
	schools := []uuid.UUID{}
	if f.School != "" || f.SchoolType != "" {
		for _, sc := range out.Schools {
			t := ""
			if sc.SchoolType != nil {
				t = string(*sc.SchoolType)
			}
			if (f.School == "" || sc.ID.String() == f.School) && (f.SchoolType == "" || t == f.SchoolType) {
				schools = append(schools, sc.ID)
			}
		}
		if len(schools) == 0 {
			schools = append(schools, uuid.Nil) // nothing matches: count nothing
		}
	}
	fromOn, toOn := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC), time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, time.UTC)
	today := Today(s.loc)
	err = s.tenants.With(ctx, swvLicence.ID, func(pool *pgxpool.Pool) error {
		q := swv.New(pool)
		byKind, err := q.MonitorRequestsByKind(ctx, swv.MonitorRequestsByKindParams{FromOn: fromOn, ToOn: toOn, Schools: schools})
		if err != nil {
			return err
		}
		g := newGrid(monitorKinds, monitorOutcomes)
		for _, r := range byKind {
			g.add(r.Kind, r.Outcome, int(r.N))
		}
		out.Tables = append(out.Tables, g.table("aanvragen", "Aanvragen naar soort en uitkomst",
			"Aanvragen die in het schooljaar werden ingediend, naar soort en uitkomst: toegekend, afgewezen, nog lopend, of afgesloten zonder besluit (ingetrokken, afgehandeld, niet aangevuld, verlopen); stand van de vorige nacht."))

		byMonth, err := q.MonitorRequestsByMonth(ctx, swv.MonitorRequestsByMonthParams{FromOn: fromOn, ToOn: toOn, Schools: schools})
		if err != nil {
			return err
		}
		var months []string
		for m := fromOn; m.Before(toOn) && !m.After(today); m = m.AddDate(0, 1, 0) { // up to this month
			months = append(months, m.Format("2006-01"))
		}
		g = newGrid(months, monitorKinds)
		g.series = true
		for _, r := range byMonth {
			g.add(r.Month, r.Kind, int(r.N))
		}
		out.Tables = append(out.Tables, g.table("maanden", "Aanvragen per maand",
			"Ingediende aanvragen per maand van indienen, naar soort."))

		lead, err := q.MonitorLeadTimes(ctx, swv.MonitorLeadTimesParams{FromOn: fromOn, ToOn: toOn, Schools: schools})
		if err != nil {
			return err
		}
		out.LeadTimes = leadTimes(lead)

		until := today.AddDate(0, 6, 0)
		tlvs, err := q.MonitorTLVs(ctx, swv.MonitorTLVsParams{FromOn: fromOn, ToOn: toOn, Schools: schools, Today: &today,
			EndingBefore: &until})
		if err != nil {
			return err
		}
		g = newGrid(monitorTLVTypes, monitorTLVCategories)
		ending := newGrid(monitorTLVTypes, []string{"ending"})
		for _, r := range tlvs {
			g.add(r.TlvType, r.TlvCategory, int(r.N))
			ending.add(r.TlvType, "ending", int(r.Ending))
		}
		out.Tables = append(out.Tables, g.table("tlv", "Toelaatbaarheidsverklaringen naar soort en categorie",
			"Toegekende TLV's op aanvragen van het schooljaar, naar SBO, SO of VSO en (voor SO en VSO) de bekostigingscategorie."),
			ending.table("tlv-einde", "TLV's die binnen zes maanden aflopen",
				"Toegekende TLV's op aanvragen van het schooljaar waarvan de einddatum binnen zes maanden na vandaag ligt: tijd om opnieuw aan te vragen."))

		durations, err := q.MonitorTLVDurations(ctx, swv.MonitorTLVDurationsParams{FromOn: fromOn, ToOn: toOn, Schools: schools})
		if err != nil {
			return err
		}
		g = newGrid(monitorTLVTypes, []string{"le_1y", "le_2y", "gt_2y", "unknown"})
		for _, r := range durations {
			g.add(r.TlvType, r.Duration, int(r.N))
		}
		out.Tables = append(out.Tables, g.table("tlv-duur", "Looptijd van de toelaatbaarheidsverklaringen",
			"Toegekende TLV's op aanvragen van het schooljaar, naar soort en looptijd van ingangs- tot einddatum: tot een jaar, tot twee jaar, langer."))

		objections, err := q.MonitorObjections(ctx, swv.MonitorObjectionsParams{FromOn: fromOn, ToOn: toOn, Schools: schools})
		if err != nil {
			return err
		}
		g = newGrid([]string{"upheld", "dismissed", "open"}, []string{workflows.RequestKindTLV, workflows.RequestKindArrangement})
		for _, r := range objections {
			g.add(r.Outcome, r.Kind, int(r.N))
		}
		out.Tables = append(out.Tables, g.table("bezwaren", "Bezwaren naar uitkomst",
			"Bezwaren tegen besluiten op aanvragen van het schooljaar: gegrond (het besluit herroepen), ongegrond (besloten), of nog open."))

		terms, err := q.MonitorObjectionTerms(ctx, swv.MonitorObjectionTermsParams{FromOn: fromOn, ToOn: toOn, Schools: schools})
		if err != nil {
			return err
		}
		g = newGrid([]string{"in_term", "late", "open"}, []string{workflows.RequestKindTLV, workflows.RequestKindArrangement})
		for _, r := range terms {
			g.add(r.Term, r.Kind, int(r.N))
		}
		out.Tables = append(out.Tables, g.table("bezwaartermijn", "Beslissen op bezwaar: binnen de termijn?",
			"Bezwaren tegen besluiten op aanvragen van het schooljaar: besloten binnen de termijn (zes weken na de bezwaartermijn, twaalf met de adviescommissie, eventueel verdaagd; artikel 7:10 Awb), te laat, of nog open."))

		results, err := q.MonitorArrangementResults(ctx, swv.MonitorArrangementResultsParams{FromOn: fromOn, ToOn: toOn, Schools: schools})
		if err != nil {
			return err
		}
		g = newGrid([]string{"behaald", "deels", "niet", ""}, []string{"arrangements"})
		for _, r := range results {
			g.add(r.Result, "arrangements", int(r.N))
		}
		out.Tables = append(out.Tables, g.table("arrangement-resultaat", "Arrangementen naar resultaat bij de evaluatie",
			"Toegekende arrangementen op aanvragen van het schooljaar, naar het resultaat dat bij de evaluatie werd vastgelegd: behaald, deels, niet, of nog niet geëvalueerd."))

		starts, err := q.MonitorTLVStarts(ctx, swv.MonitorTLVStartsParams{FromOn: &fromOn, ToOn: &toOn, Schools: schools})
		if err != nil {
			return err
		}
		flows, err := q.MonitorFlows(ctx, swv.MonitorFlowsParams{FromAt: from, ToAt: to, Schools: schools})
		if err != nil {
			return err
		}
		out.Tables = append(out.Tables, flowTable(starts, flows))

		figures, err := q.LatestSchoolFigures(ctx)
		if err != nil {
			return err
		}
		keep := map[uuid.UUID]bool{}
		for _, id := range schools {
			keep[id] = true
		}
		pupils := newGrid(monitorSchoolTypes, []string{"pupils", "light", "extra_school", "extra_facility"})
		without := newGrid([]string{"lt_1m", "1m_3m", "3m_6m", "ge_6m", "unknown"}, []string{"pupils"})
		found := 0
		for _, fg := range figures {
			if len(schools) > 0 && !keep[fg.SchoolLicenceID] {
				continue
			}
			if out.PublishedOn == nil || fg.Day.After(*out.PublishedOn) {
				d := fg.Day
				out.PublishedOn = &d
			}
			if fg.Kind == "swv_school" {
				without.add("lt_1m", "pupils", int(fg.WithoutLt1m))
				without.add("1m_3m", "pupils", int(fg.Without1m3m))
				without.add("3m_6m", "pupils", int(fg.Without3m6m))
				without.add("ge_6m", "pupils", int(fg.WithoutGe6m))
				without.add("unknown", "pupils", int(fg.WithoutUnknown))
				found += int(fg.FoundPlace)
				continue
			}
			pupils.add(fg.SchoolType, "pupils", int(fg.Pupils))
			pupils.add(fg.SchoolType, "light", int(fg.DossiersLight))
			pupils.add(fg.SchoolType, "extra_school", int(fg.DossiersSchool))
			pupils.add(fg.SchoolType, "extra_facility", int(fg.DossiersFacility))
		}
		// Pupils and dossiers do not add up across a row: column totals only.
		pt := MonitorTable{ID: "leerlingen", Definition: "Leerlingen van de scholen en hun open dossiers naar ondersteuningsniveau, " +
			"naar schoolsoort; zoals de scholen het de vorige nacht doorgaven.",
			Shown: monitor.Suppress(monitor.Table{Title: "Leerlingen en ondersteuning naar schoolsoort", Rows: pupils.rows, Columns: pupils.cols,
				Cells: pupils.cells2(), ColumnTotals: true})}
		out.Tables = append(out.Tables, pt)
		out.Participation = participation(pupils)
		wt := without.table("thuiszitters", "Leerlingen zonder onderwijs naar duur",
			"Leerlingen van de eigen schoollicentie van het samenwerkingsverband (thuiszitters, leerlingen in zorg) naar hoe lang ze zonder onderwijs zijn, gerekend vanaf de vastgelegde datum.")
		out.Tables = append(out.Tables, wt)
		placed := newGrid([]string{"found_place"}, []string{"pupils"})
		placed.add("found_place", "pupils", found)
		out.Tables = append(out.Tables, placed.table("geplaatst", "Leerlingen zonder onderwijs die een plek vonden",
			"Leerlingen van de eigen schoollicentie die dit schooljaar met een overdracht naar een school gingen."))
		return nil
	})
	return out, err
}

// cells2 is the grid's counts in row × column order.
func (g *grid) cells2() [][]int {
	out := make([][]int, len(g.rows))
	for i, r := range g.rows {
		out[i] = make([]int, len(g.cols))
		for j, c := range g.cols {
			out[i][j] = g.cells[[2]string{r, c}]
		}
	}
	return out
}

func leadTimes(rows []swv.MonitorLeadTimesRow) []LeadTime {
	var out []LeadTime
	for _, k := range monitorKinds {
		lt := LeadTime{Kind: k, Count: monitor.Cell{Hidden: true}}
		for _, r := range rows {
			if r.Kind != k {
				continue
			}
			if r.N >= monitor.Threshold {
				v := func(x float64) *float64 { return &x }
				lt.Count = monitor.Cell{Count: int(r.N)}
				lt.Median, lt.P90 = v(r.Median), v(r.P90)
				lt.Intake, lt.Consultant, lt.Advice, lt.Decision, lt.Signing = v(r.IntakeDays), v(r.ConsultantDays), v(r.AdviceDays),
					v(r.DecisionDays), v(r.SigningDays)
			}
		}
		out = append(out, lt)
	}
	return out
}

var specialTypes = map[string]bool{"SBO": true, "SO": true, "VSO": true}

// flowTable is instroom, doorstroom and uitstroom of the special school
// types: TLVs that started in the year, and accepted transfers of pupils
// with a TLV or arrangement from regular to special education, special to
// special, and special to regular (or to no school).
func flowTable(starts []swv.MonitorTLVStartsRow, flows []swv.MonitorFlowsRow) MonitorTable {
	rows, cols := []string{"tlv_start", "instroom", "doorstroom", "uitstroom"}, []string{"SBO", "SO", "VSO"}
	g := newGrid(rows, cols)
	for _, r := range starts {
		g.add("tlv_start", strings.ToUpper(r.TlvType), int(r.N))
	}
	for _, r := range flows {
		switch {
		case specialTypes[r.FromType] && specialTypes[r.ToType]:
			g.add("doorstroom", r.ToType, int(r.N))
		case specialTypes[r.ToType]:
			g.add("instroom", r.ToType, int(r.N))
		case specialTypes[r.FromType]:
			g.add("uitstroom", r.FromType, int(r.N))
		}
	}
	// A row per flow with its total; the flows overlap, so no column totals.
	return MonitorTable{ID: "stromen", Definition: "Per speciale schoolsoort: TLV's die in het schooljaar ingingen, en leerlingen met een TLV of arrangement " +
		"van wie het plan dit schooljaar met een overdracht meeging: van regulier naar speciaal (instroom), van speciaal naar speciaal (doorstroom), " +
		"van speciaal naar regulier (uitstroom).",
		Shown: monitor.Suppress(monitor.Table{Title: "Instroom, doorstroom en uitstroom SBO, SO en VSO", Rows: rows, Columns: cols, Cells: g.cells2(),
			RowTotals: true})}
}

// participation is the share of SBO and SO pupils in primary education
// and of VSO pupils in secondary, from the schools' published counts;
// hidden when a count is under five.
func participation(pupils *grid) []Share {
	n := func(t string) int { return pupils.cells[[2]string{t, "pupils"}] }
	po, vo := n("BAO")+n("SBO")+n("SO"), n("VO")+n("VSO")
	share := func(part, whole int) *float64 {
		if part < monitor.Threshold || whole < monitor.Threshold {
			return nil
		}
		p := float64(part) * 100 / float64(whole)
		return &p
	}
	return []Share{{Type: "SBO", Of: "po", Percent: share(n("SBO"), po)}, {Type: "SO", Of: "po", Percent: share(n("SO"), po)},
		{Type: "VSO", Of: "vo", Percent: share(n("VSO"), vo)}}
}
