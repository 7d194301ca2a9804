package server

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/internal/dossiertest"
)

// TestSWVSchoolLicence: the SWV's own school licence works for pupils
// without a school. Their perspective names destinations that fit them
// (dagbesteding, not havo), the plan goes through every phase, and the
// thuiszitter list shows how long each is without education, long-term
// from three months.
func TestSWVSchoolLicence(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	lic, err := h.platform.Tenants.CreateLicence(ctx, tenants.NewLicence{Kind: platform.LicenceKindSwvSchool,
		Name: "Thuiszitters Rivierenland", SWVID: h.platform.SWV.ID})
	if err != nil {
		t.Fatal(err)
	}
	h.user(t, "ib@thuiszitters.invalid", "staff", member{auth.RoleIB, &lic.ID})
	ib := h.login(t, "ib@thuiszitters.invalid")
	resp, out := h.doAs(t, ib, "POST", "/api/v1/licences/"+lic.ID.String()+"/pupils", "application/json", validPupil)
	if resp.StatusCode != 201 {
		t.Fatalf("create pupil: %d %s", resp.StatusCode, out)
	}
	pupil := uuid.MustParse(regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(out)[1])

	// Since when without education: recorded on the pupil page.
	pupilPage := fmt.Sprintf("/licenties/%s/leerlingen/%s", lic.ID, pupil)
	if resp, out := h.doAs(t, ib, "POST", pupilPage+"/zonder-onderwijs", formType, "without_education_since=2099-01-01"); resp.StatusCode != 422 ||
		!strings.Contains(out, "Deze datum ligt in de toekomst.") {
		t.Errorf("a date in the future: %d", resp.StatusCode)
	}
	if resp, _ := h.doAs(t, ib, "POST", pupilPage+"/zonder-onderwijs", formType, "without_education_since=2026-05-04"); resp.StatusCode != 303 {
		t.Fatalf("record the date: %d", resp.StatusCode)
	}
	list := h.pageAs(t, ib, fmt.Sprintf("/licenties/%s/thuiszitters", lic.ID))
	if !strings.Contains(list, "Lotte") || !strings.Contains(list, "04-05-2026") || !strings.Contains(list, "langdurig (drie maanden of langer)") {
		t.Errorf("thuiszitter list:\n%s", list)
	}
	if home := h.pageAs(t, ib, "/"); !strings.Contains(home, fmt.Sprintf(`href="/licenties/%s/thuiszitters"`, lic.ID)) {
		t.Error("no link to the list on the home page")
	}
	// A school has no such list.
	if resp, _ := h.do(t, "GET", fmt.Sprintf("/licenties/%s/thuiszitters", h.school.ID), "", ""); resp.StatusCode != 404 {
		t.Errorf("a school's thuiszitter list: %d", resp.StatusCode)
	}

	// The plan: a destination for a pupil without a school.
	var dossier school.Dossier
	var version int32
	if err := h.platform.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		var err error
		if dossier, err = dossiertest.Complete(ctx, school.New(pool), pupil); err != nil {
			return err
		}
		return pool.QueryRow(ctx, "SELECT version FROM dossier_section WHERE dossier_id = $1 AND section = 'perspective'", dossier.ID).Scan(&version)
	}); err != nil {
		t.Fatal(err)
	}
	section := fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier/sections/perspective", lic.ID, pupil)
	put := func(dest string) (int, string) {
		resp, out := h.doAs(t, ib, "PUT", section, "application/json",
			fmt.Sprintf(`{"version":%d,"content":{"destination":%q,"rationale":"Eerst rust, dan een plek."}}`, version, dest))
		return resp.StatusCode, out
	}
	if code, out := put("havo"); code != 422 || !strings.Contains(out, "Kies een uitstroombestemming uit de lijst.") {
		t.Errorf("havo for a pupil without a school: %d %s", code, out)
	}
	if code, out := put("dagbesteding"); code != 200 {
		t.Fatalf("dagbesteding: %d %s", code, out)
	}
	if page := h.pageAs(t, ib, pupilPage+"/dossier"); !strings.Contains(page, `value="terug_regulier"`) || strings.Contains(page, `value="havo"`) {
		t.Error("the perspective does not offer the destinations of a pupil without a school")
	}
	if resp, _ := h.doAs(t, ib, "POST", pupilPage+"/dossier/proces-starten", formType, ""); resp.StatusCode != 303 {
		t.Fatalf("start process: %d", resp.StatusCode)
	}
	h.waitPhase(t, lic.ID, dossier.ID, "observe")
	for _, from := range []string{"observe", "understand", "plan"} {
		if resp, out := h.doAs(t, ib, "POST", fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier/advance", lic.ID, pupil), "application/json",
			`{"request_id":"thuis-`+from+`","from":"`+from+`"}`); resp.StatusCode != 200 {
			t.Fatalf("advance %s: %d %s", from, resp.StatusCode, out)
		}
	}
	h.waitPhase(t, lic.ID, dossier.ID, "realise")
}
