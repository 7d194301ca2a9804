package server

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/tenants"
)

func TestSWVAdministration(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	swvLic, err := h.platform.Tenants.CreateLicence(ctx, tenants.NewLicence{Kind: platform.LicenceKindSwv, Name: "SWV Test", SWVID: h.platform.SWV.ID})
	if err != nil {
		t.Fatal(err)
	}
	h.user(t, "beheer@swv.invalid", "staff", member{auth.RoleSWVAdmin, &swvLic.ID})
	admin := h.login(t, "beheer@swv.invalid")
	staff := "/licenties/" + swvLic.ID.String() + "/medewerkers"
	add := func(v url.Values) (int, string) {
		resp, body := h.doAs(t, admin, "POST", staff, "application/x-www-form-urlencoded", v.Encode())
		return resp.StatusCode, body
	}
	if status, body := add(url.Values{"name": {"Olga"}, "email": {"olga@swv.invalid"}, "role": {"expert"}}); status != 422 || !strings.Contains(body, "discipline van de deskundige") {
		t.Errorf("expert without profession: %d, want 422", status)
	}
	if status, _ := add(url.Values{"name": {"Juf"}, "email": {"juf@swv.invalid"}, "role": {"teacher"}, "groups": {"5a"}}); status != 422 {
		t.Errorf("a school role on the SWV licence: %d, want 422", status)
	}
	if status, body := add(url.Values{"name": {"Olga Ortho"}, "email": {"olga@swv.invalid"}, "role": {"expert"}, "profession": {"orthopedagoog"}}); status != 200 || !strings.Contains(body, "deskundige (orthopedagoog)") {
		t.Errorf("expert: %d, want 200 listing the profession", status)
	}
	// The second expert's discipline comes from the list, or another
	// one written out (WPO art. 18a lid 11).
	if status, body := add(url.Values{"name": {"Kim"}, "email": {"kim@swv.invalid"}, "role": {"expert"}, "profession": {"other"}}); status != 422 ||
		!strings.Contains(body, "andere discipline") {
		t.Errorf("expert of another discipline without its name: %d, want 422", status)
	}
	if status, body := add(url.Values{"name": {"Kim Logo"}, "email": {"kim@swv.invalid"}, "role": {"expert"}, "profession": {"other"},
		"profession_other": {"logopedist"}}); status != 200 || !strings.Contains(body, "deskundige (logopedist)") {
		t.Errorf("expert of another discipline: %d, want 200 listing it", status)
	}
	if status, body := add(url.Values{"name": {"Karel Psych"}, "email": {"karel@swv.invalid"}, "role": {"expert"}, "profession": {"kinderpsychiater"}}); status != 200 ||
		!strings.Contains(body, "deskundige (kinderpsychiater)") {
		t.Errorf("kinderpsychiater: %d, want 200 listing the discipline", status)
	}
	if status, _ := add(url.Values{"name": {"Cees Consulent"}, "email": {"cees@swv.invalid"}, "role": {"consultant"}}); status != 200 {
		t.Fatalf("consultant: %d", status)
	}

	schools := "/licenties/" + swvLic.ID.String() + "/scholen"
	_, body := h.doAs(t, admin, "GET", schools, "", "")
	form := regexp.MustCompile(`action="(/licenties/[^"]+/scholen/` + h.school.ID.String() + `/consulent)"`).FindStringSubmatch(body)
	cees := regexp.MustCompile(`<option value="([0-9a-f-]{36})" >Cees Consulent</option>`).FindStringSubmatch(body)
	if form == nil || cees == nil {
		t.Fatalf("schools page lacks the school or the consultant")
	}
	if resp, _ := h.doAs(t, admin, "POST", form[1], "application/x-www-form-urlencoded", "consultant="+h.ibID.String()); resp.StatusCode != 422 {
		t.Errorf("assigning a non-consultant: %d, want 422", resp.StatusCode)
	}
	if resp, _ := h.doAs(t, admin, "POST", form[1], "application/x-www-form-urlencoded", "consultant="+cees[1]); resp.StatusCode != 303 {
		t.Fatalf("assign: %d, want 303", resp.StatusCode)
	}
	_, body = h.doAs(t, admin, "GET", schools, "", "")
	if !strings.Contains(body, `<option value="`+cees[1]+`" selected>Cees Consulent</option>`) {
		t.Error("the assigned consultant is not shown")
	}
	// The SWV admin never reaches the school's pupils, and a school of
	// another SWV is not found.
	if resp, _ := h.doAs(t, admin, "GET", "/licenties/"+h.school.ID.String()+"/leerlingen", "", ""); resp.StatusCode != 404 {
		t.Errorf("SWV admin on a school's pupils: %d, want 404", resp.StatusCode)
	}
	otherSWV, err := platform.New(h.platform.Pool).CreateSWV(ctx, platform.CreateSWVParams{Code: "PO2999", Name: "Ander SWV"})
	if err != nil {
		t.Fatal(err)
	}
	elsewhere, err := h.platform.Tenants.CreateLicence(ctx, tenants.NewLicence{Kind: platform.LicenceKindSchool, Name: "Elders",
		SWVID: otherSWV.ID, BRIN: "12ZZ", SchoolType: platform.SchoolTypeBAO})
	if err != nil {
		t.Fatal(err)
	}
	path := "/licenties/" + swvLic.ID.String() + "/scholen/" + elsewhere.ID.String() + "/consulent"
	if resp, _ := h.doAs(t, admin, "POST", path, "application/x-www-form-urlencoded", "consultant="+cees[1]); resp.StatusCode != 404 {
		t.Errorf("school of another SWV: %d, want 404", resp.StatusCode)
	}
}
