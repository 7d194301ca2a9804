package server

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/service"
	"github.com/topdossier/topdossier/workflows"
)

// TestSWVMonitor: requests, decisions and objections written at the SWV,
// and pupils at three school licences that publish their counts in the
// nightly run (on the real Temporal server), come out of the SWV's
// monitor as the counts computed here; counts under five read "< 5";
// the school-type filter counts only that type's schools; no name, birth
// date or free text reaches the page or the CSV.
func TestSWVMonitor(t *testing.T) {
	h := newHarness(t)
	f := newSWVFixture(t, h)
	ctx := context.Background()
	year := seedSWVMonitor(t, h, f)
	res, err := workflows.RunMonitor(ctx, h.srv.temporal)
	if err != nil || res.Published < 3 || res.Refreshed < 1 {
		t.Fatalf("the nightly run: %+v (err %v)", res, err)
	}

	m, err := h.srv.monitor.SWV(ctx, f.lic, service.SWVMonitorFilter{Year: year})
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string]service.MonitorTable{}
	for _, tb := range m.Tables {
		tables[tb.ID] = tb
	}
	cell := func(id, row, col string) string {
		tb := tables[id].Shown
		for i, r := range tb.Rows {
			for j, c := range tb.Columns {
				if r == row && c == col {
					return tb.Cells[i][j].Text()
				}
			}
		}
		t.Fatalf("%s has no %s × %s", id, row, col)
		return ""
	}
	for _, tc := range []struct{ id, row, col, want string }{
		{"aanvragen", "tlv", "granted", "8"},
		{"aanvragen", "tlv", "rejected", "< 5"},
		{"aanvragen", "arrangement", "granted", "5"},
		{"aanvragen", "arrangement", workflows.CloseWithdrawn, "< 5"},
		{"tlv", "sbo", "", "6"},
		{"tlv", "so", "laag", "< 5"},
		{"tlv-einde", "sbo", "ending", "< 5"},
		{"bezwaren", "upheld", "tlv", "< 5"},
		{"leerlingen", "BAO", "pupils", "20"},
		{"leerlingen", "SBO", "pupils", "9"},
		{"leerlingen", "BAO", "extra_school", "6"},
		{"thuiszitters", "1m_3m", "pupils", "< 5"},
		{"bezwaartermijn", "in_term", "tlv", "< 5"},
		{"arrangement-resultaat", "behaald", "arrangements", "5"},
		{"stromen", "tlv_start", "SBO", "6"},
		{"tlv-duur", "sbo", "le_1y", "< 5"}, // three run about five months, three about fourteen
		{"tlv-duur", "sbo", "le_2y", "< 5"},
		{"stromen", "instroom", "SBO", "6"},
	} {
		if got := cell(tc.id, tc.row, tc.col); got != tc.want {
			t.Errorf("%s %s × %s: %s, want %s", tc.id, tc.row, tc.col, got, tc.want)
		}
	}
	// Eight granted TLVs; SBO's 6 is hidden with SO's 2, which the grand
	// total would otherwise give away.
	if d := tables["tlv-duur"].Shown; d.Grand == nil || d.Grand.Text() != "8" || !d.RowTotals[0].Hidden {
		t.Errorf("TLVs by duration: totals %v, grand %v; want 8 and the SBO total hidden", d.RowTotals, d.Grand)
	}
	var tlvLead service.LeadTime
	for _, lt := range m.LeadTimes {
		if lt.Kind == "tlv" {
			tlvLead = lt
		}
	}
	if len(m.Participation) != 3 || m.Participation[0].Percent == nil || fmt.Sprintf("%.1f", *m.Participation[0].Percent) != "31.0" ||
		m.Participation[1].Percent != nil {
		t.Errorf("participation %+v, want SBO 31.0 %% (9 of 29) and SO hidden", m.Participation)
	}
	// Eleven decided TLVs: leads 10–15, 20, 30, 40–42 days; the median is the sixth.
	if tlvLead.Count.Count != 11 || tlvLead.Median == nil || *tlvLead.Median != 15 {
		t.Errorf("TLV lead time %+v, want 11 decided with a median of 15 days", tlvLead)
	}

	// The school's own monitor shows the outcomes of its requests at the SWV.
	sm, err := h.srv.monitor.School(ctx, h.school.ID, year)
	if err != nil {
		t.Fatal(err)
	}
	var outcomes *service.MonitorTable
	for i := range sm.Tables {
		if sm.Tables[i].ID == "uitkomsten" {
			outcomes = &sm.Tables[i]
		}
	}
	if outcomes == nil || shownCell(outcomes.Shown, "tlv", "granted").Count != 8 {
		t.Errorf("the school's outcomes: %+v, want its 8 granted TLVs", outcomes)
	}

	// The SBO filter counts only the SBO school's requests.
	sboOnly, err := h.srv.monitor.SWV(ctx, f.lic, service.SWVMonitorFilter{Year: year, SchoolType: "SBO"})
	if err != nil {
		t.Fatal(err)
	}
	if g := sboOnly.Tables[0].Shown.Grand; g == nil || g.Text() != "7" {
		t.Errorf("SBO schools' requests: %+v, want 7", g)
	}

	// The page and the CSV as the SWV's admin: no personal data.
	base := fmt.Sprintf("/licenties/%s/swv-monitor", f.lic.ID)
	_, page := f.as(t, h, "directeur@swv.invalid", "GET", base)
	_, csv := f.as(t, h, "directeur@swv.invalid", "GET", base+".csv?tabel=aanvragen&jaar="+year)
	for name, body := range map[string]string{"page": page, "csv": csv} {
		for _, secret := range []string{"Geheimnaam", "2015-06-07", "07-06-2015", "Geheime vraag", "Geheime motivering", "Geheime evaluatie"} {
			if strings.Contains(body, secret) {
				t.Errorf("the SWV monitor's %s shows %q", name, secret)
			}
		}
	}
	for _, want := range []string{"Aanvragen naar soort en uitkomst", "<svg", "toegekend", "&lt; 5", "Doorlooptijd"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if !strings.Contains(csv, "toegekend") || !strings.Contains(csv, "< 5") {
		t.Errorf("csv:\n%s", csv)
	}
	if _, lead := f.as(t, h, "directeur@swv.invalid", "GET", base+".csv?tabel=doorlooptijd&jaar="+year); !strings.Contains(lead, "Aanvraag toelaatbaarheidsverklaring;11;15.0") {
		t.Errorf("lead times as CSV:\n%s", lead)
	}
	// A consultant is no manager: no monitor.
	if status, _ := f.as(t, h, "consulent@swv.invalid", "GET", base); status != 404 {
		t.Errorf("a consultant's monitor: %d", status)
	}
}

// seedSWVMonitor writes the SWV's requests, decisions and objections and
// the schools' pupils the monitor tests count (see TestSWVMonitor), and
// returns this school year.
func seedSWVMonitor(t *testing.T, h *harness, f *swvFixture) string {
	t.Helper()
	ctx := context.Background()
	sbo, err := h.platform.Tenants.CreateLicence(ctx, tenants.NewLicence{Kind: platform.LicenceKindSchool, Name: "SBO De Wissel",
		SWVID: h.platform.SWV.ID, BRIN: "56EF", SchoolType: platform.SchoolTypeSBO})
	if err != nil {
		t.Fatal(err)
	}
	home, err := h.platform.Tenants.CreateLicence(ctx, tenants.NewLicence{Kind: platform.LicenceKindSwvSchool, Name: "Thuiszitters Rivierenland",
		SWVID: h.platform.SWV.ID})
	if err != nil {
		t.Fatal(err)
	}
	loc := h.srv.location
	now := time.Now().In(loc)
	year := service.SchoolYearOf(now)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)

	// At the SWV: TLVs from the BAO school (6 SBO granted, 3 of them
	// ending within six months; 2 SO laag granted; 3 rejected; 1 open),
	// arrangements from the SBO school (5 granted, 2 withdrawn); two
	// objections (one upheld, one dismissed).
	type req struct {
		school             uuid.UUID
		kind, tlvType, cat string
		outcome            string
		endInMonths, lead  int
		objection, upheld  bool
	}
	var reqs []req
	for i := range 6 {
		end := 12
		if i < 3 {
			end = 3
		}
		reqs = append(reqs, req{school: h.school.ID, kind: "tlv", tlvType: "sbo", outcome: "granted", endInMonths: end, lead: 10 + i})
	}
	reqs = append(reqs, req{school: h.school.ID, kind: "tlv", tlvType: "so", cat: "laag", outcome: "granted", endInMonths: 24, lead: 20, objection: true, upheld: true},
		req{school: h.school.ID, kind: "tlv", tlvType: "so", cat: "laag", outcome: "granted", endInMonths: 24, lead: 30, objection: true})
	for i := range 3 {
		reqs = append(reqs, req{school: h.school.ID, kind: "tlv", tlvType: "sbo", outcome: "rejected", lead: 40 + i})
	}
	reqs = append(reqs, req{school: h.school.ID, kind: "tlv", tlvType: "vso", outcome: "open"})
	for range 5 {
		reqs = append(reqs, req{school: sbo.ID, kind: "arrangement", outcome: "granted", endInMonths: 12, lead: 7})
	}
	for range 2 {
		reqs = append(reqs, req{school: sbo.ID, kind: "arrangement", outcome: "withdrawn"})
	}
	submitted := now.Add(-60 * 24 * time.Hour)
	if submitted.Before(time.Date(now.Year(), time.August, 1, 0, 0, 0, 0, loc)) && now.Month() >= time.August {
		submitted = now.Add(-time.Hour) // keep it in this school year
	}
	err = h.platform.Tenants.With(ctx, f.lic.ID, func(pool *pgxpool.Pool) error {
		for _, r := range reqs {
			var id uuid.UUID
			status, closed := "bezwaartermijn", ""
			switch r.outcome {
			case "open":
				status = "intake"
			case "withdrawn":
				status, closed = "afgesloten", workflows.CloseWithdrawn
			}
			var tlvType, cat *string
			if r.tlvType != "" {
				tlvType = &r.tlvType
			}
			if r.cat != "" {
				cat = &r.cat
			}
			if err := pool.QueryRow(ctx, `INSERT INTO request (school_licence_id, school_request_id, school_name, kind, tlv_type, tlv_category,
				pupil_name, pupil_birth_date, question, status, closed_reason, submitted_at)
				VALUES ($1, gen_random_uuid(), 'School', $2, $3, $4, 'Geheimnaam Leerling', '2015-06-07', 'Geheime vraag over thuis', $5, $6, $7)
				RETURNING id`, r.school, r.kind, tlvType, cat, status, closed, submitted).Scan(&id); err != nil {
				return err
			}
			if _, err := pool.Exec(ctx, `INSERT INTO request_event (request_id, kind, visibility, event_key, at) VALUES ($1, 'intake_accepted', 'school', $2, $3)`,
				id, id.String()+":intake", submitted.Add(24*time.Hour)); err != nil {
				return err
			}
			if r.outcome == "granted" || r.outcome == "rejected" {
				decided := submitted.AddDate(0, 0, r.lead)
				end := today.AddDate(0, r.endInMonths, 0)
				if _, err := pool.Exec(ctx, `INSERT INTO decision (request_id, approved, motivation, decided_on, start_on, end_on)
					VALUES ($1, $2, 'Geheime motivering', $3, $3, $4)`, id, r.outcome == "granted", decided.In(loc).Format(time.DateOnly), end); err != nil {
					return err
				}
			}
			if r.objection {
				// Decided today: the dismissed one within its term (tomorrow),
				// the upheld one after it (yesterday).
				due := now.Add(24 * time.Hour)
				if r.upheld {
					due = now.Add(-24 * time.Hour)
				}
				if _, err := pool.Exec(ctx, `INSERT INTO request_event (request_id, kind, visibility, event_key, at, due_at) VALUES
					($1, 'objection', 'school', $2, now(), NULL), ($1, 'objection_decide_by', 'school', $3, now(), $5),
					($1, 'objection_decided', 'school', $4, now(), NULL)`,
					id, id.String()+":objection", id.String()+":decide_by", id.String()+":decided", due); err != nil {
					return err
				}
				if r.upheld {
					if _, err := pool.Exec(ctx, `INSERT INTO revoked_decision (request_id, approved, motivation, decided_on) VALUES ($1, true, 'x', now())`, id); err != nil {
						return err
					}
				}
			}
			if r.kind == "arrangement" && r.outcome == "granted" {
				if _, err := pool.Exec(ctx, `INSERT INTO request_event (request_id, kind, visibility, body, event_key, at)
					VALUES ($1, 'evaluation', 'school', 'behaald: Geheime evaluatie', $2, now())`, id, id.String()+":evaluation"); err != nil {
					return err
				}
			}
			if r.kind == "tlv" && r.tlvType == "sbo" && r.outcome == "granted" {
				// The pupil moved from the BAO school to an SBO school.
				if _, err := pool.Exec(ctx, `INSERT INTO transfer_notice (transfer_id, request_id, from_name, to_licence_id, to_name, from_type,
					to_type, same_swv, status) VALUES (gen_random_uuid(), $1, 'BAO', gen_random_uuid(), 'SBO', 'BAO', 'SBO', true, 'accepted')`, id); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// At the schools: 20 pupils at the BAO school (6 with an extra-support
	// dossier), 9 at the SBO school; 3 pupils without education for two
	// months and 1 since an unknown day at the SWV's own licence.
	addPupils := func(lic uuid.UUID, n, dossiers int, since *time.Time) {
		t.Helper()
		err := h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
			for i := range n {
				var id uuid.UUID
				if err := pool.QueryRow(ctx, `INSERT INTO pupil (given_name, family_name, birth_date, enrolled_on, without_education_since)
					VALUES ('Geheimnaam', 'Leerling', '2015-06-07', '2022-08-22', $1) RETURNING id`, since).Scan(&id); err != nil {
					return err
				}
				if i < dossiers {
					if _, err := pool.Exec(ctx, `INSERT INTO dossier (pupil_id, support_level, started_on) VALUES ($1, 'extra_school', now())`, id); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	twoMonths := today.AddDate(0, -2, 0)
	addPupils(h.school.ID, 20, 6, nil)
	addPupils(sbo.ID, 9, 0, nil)
	addPupils(home.ID, 3, 0, &twoMonths)
	addPupils(home.ID, 1, 0, nil)

	return year
}
