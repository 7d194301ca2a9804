package server

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/workflows"
)

// TestSWVConsentRules: the SWV admin sets the consent rules for the
// SWV's schools; a wrong form names every problem and stores nothing; a
// round a school starts afterwards runs under the SWV's rules.
func TestSWVConsentRules(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	swvLic, err := h.platform.Tenants.CreateLicence(ctx, tenants.NewLicence{Kind: platform.LicenceKindSwv, Name: "SWV Rivier", SWVID: h.platform.SWV.ID})
	if err != nil {
		t.Fatal(err)
	}
	h.user(t, "beheer@swv.invalid", "staff", member{auth.RoleSWVAdmin, &swvLic.ID})
	admin := h.login(t, "beheer@swv.invalid")
	rules := "/licenties/" + swvLic.ID.String() + "/instemmingsregels"

	_, page := h.doAs(t, admin, "GET", rules, "", "")
	if !strings.Contains(page, "nog geen eigen regels") || !strings.Contains(page, `name="deadline" value="14"`) {
		t.Fatalf("rules page without the platform's defaults")
	}
	if resp, _ := h.do(t, "GET", rules, "", ""); resp.StatusCode != 404 {
		t.Errorf("the school's IB'er reads the SWV's rules: %d", resp.StatusCode)
	}
	bad := form("remind_after", "20", "deadline", "10", "school_reminder", "0", "share_age", "17", "decide_age", "16", "policy", "x")
	resp, page := h.doAs(t, admin, "POST", rules, formType, bad)
	for _, want := range []string{"vóór het einde van de termijn", "van 1 tot en met 30", "twee ouders"} {
		if !strings.Contains(page, want) {
			t.Errorf("wrong rules (%d): the page does not say %q", resp.StatusCode, want)
		}
	}
	if resp.StatusCode != 422 || !strings.Contains(page, `name="remind_after" value="20"`) {
		t.Errorf("wrong rules: %d, want 422 with the typed values kept", resp.StatusCode)
	}
	if got, _ := h.srv.dossiers.ConsentRules(ctx, h.school.ID); got.Own {
		t.Fatal("wrong rules were stored")
	}
	// The ages are the law's: the page states them and has no field for
	// them; a form that sends other ages changes nothing (issue 14, 11).
	if strings.Contains(page, `name="share_age"`) || strings.Contains(page, `name="decide_age"`) ||
		!strings.Contains(page, "Vanaf 16 jaar") || !strings.Contains(page, "Vanaf 18 jaar") {
		t.Errorf("the rules page offers ages to choose, or does not state the law's 16 and 18")
	}
	good := form("remind_after", "3", "deadline", "10", "school_reminder", "2", "share_age", "12", "decide_age", "14", "policy", "all")
	if resp, _ := h.doAs(t, admin, "POST", rules, formType, good); resp.StatusCode != 303 {
		t.Fatalf("save rules: %d", resp.StatusCode)
	}
	if _, page := h.doAs(t, admin, "GET", rules+"?opgeslagen=1", "", ""); !strings.Contains(page, "zijn opgeslagen") ||
		!strings.Contains(page, `value="all" checked`) {
		t.Errorf("saved rules not shown")
	}
	got, err := h.srv.dossiers.ConsentRules(ctx, h.school.ID)
	day := 24 * time.Hour
	if err != nil || !got.Own || got.Policy != workflows.PolicyAll || got.Ages != law.Ages() ||
		got.Timers != (workflows.ConsentTimers{RemindAfter: 3 * day, Deadline: 10 * day, SchoolReminderEvery: 2 * day}) {
		t.Fatalf("the school's rules: %+v (err %v)", got, err)
	}

	// A round the school starts now has the SWV's deadline.
	lic := h.school.ID
	body := `{"given_name":"Lotte","family_name":"Regel","group_name":"6","birth_date":"2016-05-05","enrolled_on":"2022-08-22",
	  "guardians":[{"given_name":"Bas","family_name":"Regel","email":"bas@thuis.invalid","relation":"father","parental_authority":true}]}`
	resp, out := h.do(t, "POST", "/api/v1/licences/"+lic.String()+"/pupils", "application/json", body)
	if resp.StatusCode != 201 {
		t.Fatalf("create pupil: %d %s", resp.StatusCode, out)
	}
	pupil := uuid.MustParse(regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(out)[1])
	started := time.Now()
	awaitConsent(t, h, lic, pupil, "bas@thuis.invalid")
	var deadline time.Time
	err = h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(ctx, `SELECT r.deadline_at FROM consent_round r JOIN dossier d ON d.id = r.dossier_id
			WHERE d.pupil_id = $1`, pupil).Scan(&deadline)
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := deadline.Sub(started); d < 10*day-time.Minute || d > 10*day+time.Minute {
		t.Errorf("round deadline %v after the start, want the SWV's 10 days", d)
	}
	if _, page := h.doAs(t, admin, "GET", "/", "", ""); !strings.Contains(page, fmt.Sprintf(`href="%s"`, rules)) {
		t.Errorf("the SWV admin's overview does not link the rules")
	}
}
