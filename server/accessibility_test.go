package server

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/internal/browsertest"
	"github.com/topdossier/topdossier/service"
)

// pageCheck is one page state to look at, as one person.
type pageCheck struct {
	who, path string
}

// TestEveryPageAccessible (issue 21): every page people use, as the
// people who use it, at 1280 and 390 CSS px wide runs axe-core with zero
// WCAG 2.0/2.1 A and AA violations; at 390 and 320 px no page scrolls
// sideways and no table hides a column (WCAG 1.4.10 reflow, 1.3.1).
func TestEveryPageAccessible(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.DevMailbox = true })
	f := newSWVFixture(t, h)
	lic := h.school.ID
	h.user(t, "directie@linde.invalid", "staff", member{auth.RoleSchoolAdmin, &lic})
	pupil, mother, reqURL, r := submittedTLV(t, h, f, "Toegankelijk")
	swvLic := f.lic.ID
	// An import applied (teachers, runs) and one to confirm.
	ctx := context.Background()
	sys := service.Actor{Role: "system"}
	first, err := h.srv.las.Stage(ctx, sys, lic, service.LASSourceCLI, []byte(edexml(t)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.srv.las.Apply(ctx, sys, lic, first.ID, first.Digest, nil); err != nil {
		t.Fatal(err)
	}
	next, err := h.srv.las.Stage(ctx, sys, lic, service.LASSourceCLI, []byte(edexml(t, "<naam>4B</naam>", "<naam>4-Blauw</naam>",
		"<geboortedatum>2006-06-21</geboortedatum>", "<geboortedatum>2006-06-12</geboortedatum>")))
	if err != nil {
		t.Fatal(err)
	}
	noSchool, err := h.platform.Tenants.CreateLicence(ctx, tenants.NewLicence{Kind: platform.LicenceKindSwvSchool,
		Name: "Thuiszitters Rivierenland", SWVID: h.platform.SWV.ID})
	if err != nil {
		t.Fatal(err)
	}
	h.user(t, "ib@thuiszitters.invalid", "staff", member{auth.RoleIB, &noSchool.ID})
	if _, _, err := h.srv.pupils.Create(ctx, service.Actor{Role: "ib"}, noSchool.ID, service.PupilInput{GivenName: "Sem", FamilyName: "Thuis",
		BirthDate: "2012-04-05", EnrolledOn: "2026-09-01", Guardians: []service.GuardianInput{{GivenName: "Ria", FamilyName: "Thuis",
			Relation: "mother", ParentalAuthority: true}}}); err != nil {
		t.Fatal(err)
	}
	// The platform's own pages: the licence list with one licence closing
	// (Herstellen), the removal form, and Noodtoegang for a licence
	// whose admins are all gone.
	h.user(t, "beheer@platform.invalid", "staff", member{auth.RolePlatformAdmin, nil})
	pa := h.login(t, "beheer@platform.invalid")
	closing := h.platform.School(t, "De Opheffing", "55XY")
	if resp, out := h.doAs(t, pa, "POST", "/beheer/licenties/"+closing.ID.String()+"/verwijderen", formType,
		"confirm_name="+url.QueryEscape("De Opheffing")); resp.StatusCode != 303 {
		t.Fatalf("close a licence: %d %s", resp.StatusCode, out)
	}
	if _, out := h.doAs(t, pa, "GET", "/beheer/licenties", "", ""); !strings.Contains(out, "/beheer/licenties/"+closing.ID.String()+"/herstellen") {
		t.Error("the licence list offers no Herstellen for the closing licence")
	}
	orphan := h.platform.School(t, "De Weesschool", "66XY")
	h.user(t, "juf@wees.invalid", "staff", member{auth.RoleTeacher, &orphan.ID})
	pages := []pageCheck{
		{"beheer@platform.invalid", "/beheer/licenties"},
		{"beheer@platform.invalid", fmt.Sprintf("/beheer/licenties/%s/verwijderen", lic)},
		{"beheer@platform.invalid", fmt.Sprintf("/licenties/%s/medewerkers", orphan.ID)},
		{"beheer@platform.invalid", fmt.Sprintf("/licenties/%s/medewerkers/noodtoegang", orphan.ID)},
		{"ib@thuiszitters.invalid", fmt.Sprintf("/licenties/%s/thuiszitters", noSchool.ID)},
		{"directie@linde.invalid", fmt.Sprintf("/licenties/%s/leerlingadministratie", lic)},
		{"directie@linde.invalid", fmt.Sprintf("/licenties/%s/leerlingadministratie/import/%s", lic, next.ID)},
		{"ib@linde.invalid", "/"},
		{"ib@linde.invalid", "/toegankelijkheid"},
		{"ib@linde.invalid", "/account"},
		{"ib@linde.invalid", fmt.Sprintf("/licenties/%s/leerlingen", lic)},
		{"ib@linde.invalid", fmt.Sprintf("/licenties/%s/leerlingen/nieuw", lic)},
		{"ib@linde.invalid", fmt.Sprintf("/licenties/%s/leerlingen/%s", lic, pupil)},
		{"ib@linde.invalid", fmt.Sprintf("/licenties/%s/leerlingen/%s/logboek", lic, pupil)},
		{"ib@linde.invalid", fmt.Sprintf("/licenties/%s/dossiers", lic)},
		{"ib@linde.invalid", dossierURL(lic, pupil)},
		{"ib@linde.invalid", reqURL},
		{"ib@linde.invalid", fmt.Sprintf("/licenties/%s/postvak", lic)},
		{"directie@linde.invalid", fmt.Sprintf("/licenties/%s/archief", lic)},
		{"directie@linde.invalid", fmt.Sprintf("/licenties/%s/instellingen", lic)},
		{"directie@linde.invalid", fmt.Sprintf("/licenties/%s/medewerkers", lic)},
		{"directie@linde.invalid", fmt.Sprintf("/licenties/%s/huisstijl", lic)},
		{"directie@linde.invalid", fmt.Sprintf("/licenties/%s/api-sleutels", lic)},
		{"directie@linde.invalid", fmt.Sprintf("/licenties/%s/webhooks", lic)},
		{"ib@linde.invalid", fmt.Sprintf("/licenties/%s/rod", lic)},
		{"ib@linde.invalid", fmt.Sprintf("/licenties/%s/leerlingen/%s/overdracht?zoek=", lic, pupil)},
		{"ib@linde.invalid", fmt.Sprintf("/licenties/%s/overdrachten", lic)},
		{"ib@linde.invalid", fmt.Sprintf("/licenties/%s/oso", lic)},
		{"ib@linde.invalid", fmt.Sprintf("/licenties/%s/monitor", lic)},
		{mother, "/ouder?alle=1"},
		{mother, fmt.Sprintf("/ouder/%s/%s", lic, pupil)},
		{"directeur@swv.invalid", fmt.Sprintf("/licenties/%s/overzicht", swvLic)},
		{"directeur@swv.invalid", fmt.Sprintf("/licenties/%s/aanvragen", swvLic)},
		{"directeur@swv.invalid", fmt.Sprintf("/licenties/%s/aanvragen/%s", swvLic, r.ID)},
		{"directeur@swv.invalid", fmt.Sprintf("/licenties/%s/vergaderingen", swvLic)},
		{"directeur@swv.invalid", fmt.Sprintf("/licenties/%s/scholen", swvLic)},
		{"directeur@swv.invalid", fmt.Sprintf("/licenties/%s/overstappen", swvLic)},
		{"directeur@swv.invalid", fmt.Sprintf("/licenties/%s/swv-monitor", swvLic)},
		{"directeur@swv.invalid", fmt.Sprintf("/licenties/%s/instemmingsregels", swvLic)},
		{"directeur@swv.invalid", fmt.Sprintf("/licenties/%s/bezwaaradres", swvLic)},
		{"directeur@swv.invalid", fmt.Sprintf("/licenties/%s/avg-verzoeken", swvLic)},
		{"directeur@swv.invalid", fmt.Sprintf("/licenties/%s/medewerkers", swvLic)},
		{"directeur@swv.invalid", fmt.Sprintf("/licenties/%s/api-sleutels", swvLic)},
		{"consulent@swv.invalid", fmt.Sprintf("/licenties/%s/consulent", swvLic)},
		{"voorzitter@swv.invalid", fmt.Sprintf("/licenties/%s/commissie", swvLic)},
	}
	browsers := map[string]context.Context{}
	for _, p := range pages {
		ctx, ok := browsers[p.who]
		if !ok {
			ctx = browsertest.New(t, 15*time.Minute)
			lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			browserLogin(t, h, lctx, p.who)
			cancel()
			browsers[p.who] = ctx
		}
		for _, width := range []int{1280, 390, 320} {
			err := within(ctx, 20*time.Second, chromedp.EmulateViewport(int64(width), 800), chromedp.Navigate(h.http.URL+p.path),
				chromedp.WaitReady(chromedp.CSS("footer")))
			if err != nil {
				t.Fatalf("%s as %s at %d: %v", p.path, p.who, width, err)
			}
			what := fmt.Sprintf("%s (%s, %d px)", p.path, p.who, width)
			t.Logf("checking %s", what)
			if width == 1280 {
				checkAccessible(t, ctx, p.path+" ("+p.who+")") // at 1280 and 390
			}
			if width > 400 {
				continue
			}
			noSideways(t, ctx, width, what)
			hctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			hidden, _ := chromedp.Run(hctx, chromedp.Evaluate[int](`[...document.querySelectorAll('th, td')].filter(c => getComputedStyle(c).display === 'none').length`))
			cancel()
			if hidden > 0 {
				t.Errorf("%s hides %d table cells", what, hidden)
			}
		}
	}
}
