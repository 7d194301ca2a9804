package server

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/internal/dossiertest"
	"github.com/topdossier/topdossier/monitor"
	"github.com/topdossier/topdossier/service"
)

// TestSchoolMonitor: the school's monitor counts what the test wrote:
// open dossiers by level and phase, deadlines, consent rounds, requests,
// time per phase; every shown count is the true one, every count under
// five reads "< 5", and no name, birth date or free text of a pupil
// reaches the page or the CSV.
func TestSchoolMonitor(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	lic := h.school.ID
	year := service.SchoolYearOf(time.Now().In(h.srv.location))
	type plan struct {
		level, phase, state string
		n                   int
	}
	plans := []plan{{"light", "observe", "", 7}, {"extra_school", "plan", "overdue", 12}, {"extra_facility", "realise", "reminder", 3},
		{"extra_school", "observe", "", 2}}
	want := map[[2]string]int{}
	var dossiers []uuid.UUID
	err := h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		k := 0
		for _, p := range plans {
			for range p.n {
				k++
				var pupil uuid.UUID
				if err := pool.QueryRow(ctx, `INSERT INTO pupil (given_name, family_name, birth_date, enrolled_on)
					VALUES ('Geheimnaam', $1, '2014-03-09', '2022-08-22') RETURNING id`, fmt.Sprintf("Achternaam%d", k)).Scan(&pupil); err != nil {
					return err
				}
				var d uuid.UUID
				if err := pool.QueryRow(ctx, `INSERT INTO dossier (pupil_id, support_level, reason, started_on)
					VALUES ($1, $2, 'Geheime toelichting over thuis', now()) RETURNING id`, pupil, p.level).Scan(&d); err != nil {
					return err
				}
				var due *time.Time
				if p.state != "" {
					at := time.Now().Add(24 * time.Hour)
					due = &at
				}
				if _, err := pool.Exec(ctx, `INSERT INTO process_step (workflow_id, entity_kind, entity_id, step, due_at, seq, deadline_state)
					VALUES ($1, 'dossier', $2, $3, coalesce($4, now() + interval '30 days'), 1, $5)`, "dossier/x/"+d.String(), d, p.phase, due, p.state); err != nil {
					return err
				}
				want[[2]string{p.level, p.phase}]++
				dossiers = append(dossiers, d)
			}
		}
		// Six consent rounds this year: five agreed, one refused.
		for i := range 6 {
			pupil := uuid.New()
			if _, err := pool.Exec(ctx, `INSERT INTO pupil (id, given_name, family_name, birth_date, enrolled_on)
				VALUES ($1, 'Geheimnaam', 'Instemming', '2014-03-09', '2022-08-22')`, pupil); err != nil {
				return err
			}
			d, err := dossiertest.Complete(ctx, q, pupil)
			if err != nil {
				return err
			}
			status := "consented"
			if i == 5 {
				status = "refused"
			}
			if _, err := pool.Exec(ctx, `INSERT INTO consent_round (dossier_id, action_part_number, status, deadline_at) VALUES ($1, 1, $2, now())`,
				d.ID, status); err != nil {
				return err
			}
			// Observe took ten days in five dossiers, understand four in one.
			opened := time.Now().Add(-30 * 24 * time.Hour)
			if _, err := pool.Exec(ctx, `UPDATE dossier SET created_at = $2 WHERE id = $1`, d.ID, opened); err != nil {
				return err
			}
			if i < 5 {
				if _, err := pool.Exec(ctx, `INSERT INTO dossier_transition (request_id, dossier_id, cycle, from_phase, to_phase, at)
					VALUES ($1, $2, 1, 'observe', 'understand', $3)`, uuid.NewString(), d.ID, opened.Add(10*24*time.Hour)); err != nil {
					return err
				}
			}
			if i == 0 {
				if _, err := pool.Exec(ctx, `INSERT INTO dossier_transition (request_id, dossier_id, cycle, from_phase, to_phase, at)
					VALUES ($1, $2, 1, 'understand', 'plan', $3)`, uuid.NewString(), d.ID, opened.Add(14*24*time.Hour)); err != nil {
					return err
				}
			}
			want[[2]string{"extra_school", ""}]++ // Complete's dossiers have no process
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	m, err := h.srv.monitor.School(ctx, lic, year)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]service.MonitorTable{}
	for _, tb := range m.Tables {
		byID[tb.ID] = tb
	}
	d := byID["dossiers"].Shown
	for i, level := range d.Rows {
		for j, phase := range d.Columns {
			c, truth := d.Cells[i][j], want[[2]string{level, phase}]
			if truth < 5 && !c.Hidden {
				t.Errorf("%s/%s: %d shown", level, phase, c.Count)
			}
			if !c.Hidden && c.Count != truth {
				t.Errorf("%s/%s: shown %d, true %d", level, phase, c.Count, truth)
			}
		}
	}
	if c := shownCell(d, "extra_school", "plan"); c.Hidden || c.Count != 12 {
		t.Errorf("extra_school in plan: %+v, want 12", c)
	}
	if d.Grand == nil || d.Grand.Hidden || d.Grand.Count != 7+12+3+2+6 {
		t.Errorf("grand total %+v, want 30", d.Grand)
	}
	dl := byID["termijnen"].Shown
	if c := shownCell(dl, "opp", "overdue"); c.Hidden || c.Count != 12 {
		t.Errorf("overdue OPPs: %+v, want 12", c)
	}
	if c := shownCell(dl, "opp", "reminder"); !c.Hidden {
		t.Errorf("3 OPPs near their deadline shown: %+v", c)
	}
	// Six rounds, one refused: the refusal is hidden, and so are the five
	// agreed, or the total would give the refusal away.
	r := byID["instemming"].Shown
	if !shownCell(r, "refused", "rounds").Hidden || !shownCell(r, "consented", "rounds").Hidden || r.Grand.Hidden || r.Grand.Count != 6 {
		t.Errorf("consent rounds %+v (total %+v), want both hidden and the total 6", r.Cells, r.Grand)
	}
	if pt := m.PhaseTimes[0]; pt.Count.Count != 5 || pt.AvgDays == nil || *pt.AvgDays < 9.99 || *pt.AvgDays > 10.01 {
		t.Errorf("observe: %+v, want 5 phases of 10 days", pt)
	}
	if pt := m.PhaseTimes[1]; !pt.Count.Hidden || pt.AvgDays != nil {
		t.Errorf("understand: %+v, want hidden (one phase)", pt)
	}

	// The page and the CSV: the same figures, no personal data.
	page := h.page(t, fmt.Sprintf("/licenties/%s/monitor?jaar=%s", lic, year))
	csv := h.page(t, fmt.Sprintf("/licenties/%s/monitor.csv?tabel=dossiers&jaar=%s", lic, year))
	for name, body := range map[string]string{"page": page, "csv": csv} {
		for _, secret := range []string{"Geheimnaam", "Achternaam", "2014-03-09", "09-03-2014", "Geheime toelichting"} {
			if strings.Contains(body, secret) {
				t.Errorf("the monitor's %s shows %q", name, secret)
			}
		}
	}
	for _, want := range []string{"<svg", "Open dossiers naar ondersteuningsniveau en fase", "&lt; 5", ">12<", "Extra ondersteuning op school", "10.0"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if !strings.Contains(csv, "Extra ondersteuning op school;") || !strings.Contains(csv, ";12;") || !strings.Contains(csv, "< 5") {
		t.Errorf("csv:\n%s", csv)
	}
	if resp, _ := h.do(t, "GET", fmt.Sprintf("/licenties/%s/monitor?jaar=twintig", lic), "", ""); resp.StatusCode != 422 {
		t.Errorf("a school year that is none: %d", resp.StatusCode)
	}
}

// shownCell is the cell of a shown table at the row and column codes.
func shownCell(s monitor.Shown, row, col string) monitor.Cell {
	for i, r := range s.Rows {
		for j, c := range s.Columns {
			if r == row && c == col {
				return s.Cells[i][j]
			}
		}
	}
	return monitor.Cell{Count: -1}
}
