package server

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	ososchema "github.com/topdossier/topdossier/oso/schema"
)

func osoSample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../oso/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestOSOImport: Edustandaard's samples import into pupils whose plans,
// career and test results are visible in their dossier; a broken file
// (a BSN in a PaO dossier) is refused and stores nothing; a preview that
// is not the file applied is refused.
func TestOSOImport(t *testing.T) {
	h := newHarness(t)
	lic := h.school.ID
	ctx := context.Background()
	count := func() (pupils, imports int) {
		_ = h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
			_ = pool.QueryRow(ctx, "SELECT count(*) FROM pupil").Scan(&pupils)
			return pool.QueryRow(ctx, "SELECT count(*) FROM oso_import").Scan(&imports)
		})
		return
	}
	full := osoSample(t, "Voorbeelddossier_PaO_POSWV_full.xml")

	// A BSN in a dossier for the SWV: refused, nothing kept.
	resp, out := h.upload2(t, h.cookie, fmt.Sprintf("/licenties/%s/oso", lic), "file",
		strings.Replace(full, "<leerlingid>", "<bsn>123456782</bsn><leerlingid>", 1))
	if resp.StatusCode != 422 || !strings.Contains(out, "geen BSN of onderwijsnummer") || !strings.Contains(out, "Er is niets opgeslagen.") {
		t.Errorf("a BSN in a PaO dossier: %d", resp.StatusCode)
	}
	if p, i := count(); p != 0 || i != 0 {
		t.Errorf("after a refused file: %d pupils, %d imports", p, i)
	}

	// The full sample through the page: preview, then store.
	resp, out = h.upload2(t, h.cookie, fmt.Sprintf("/licenties/%s/oso", lic), "file", full)
	if resp.StatusCode != 303 {
		t.Fatalf("upload: %d %s", resp.StatusCode, out)
	}
	preview := h.page(t, resp.Header.Get("Location"))
	for _, want := range []string{"Daan van de Berg", "Testschool", "overleden, wordt niet toegevoegd", "Handelingsplan", "rekenvaardigheid",
		"Drempelonderzoek 678 2010 Technisch lezen", "HandelingsplanRekenen.pdf", "Niet overgenomen"} {
		if !strings.Contains(preview, want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	if p, _ := count(); p != 0 {
		t.Errorf("%d pupils stored before the school confirmed", p)
	}
	digest := regexp.MustCompile(`name="digest" value="([0-9a-f]{64})"`).FindStringSubmatch(preview)
	apply := regexp.MustCompile(`action="(/licenties/[^"]+/toepassen)"`).FindStringSubmatch(preview)
	if digest == nil || apply == nil {
		t.Fatalf("no apply form:\n%s", preview)
	}
	if resp, _ := h.do(t, "POST", apply[1], formType, "digest="+strings.Repeat("0", 64)); resp.StatusCode != 409 {
		t.Errorf("apply with another file's digest: %d, want 409", resp.StatusCode)
	}
	resp, out = h.do(t, "POST", apply[1], formType, "digest="+digest[1])
	if resp.StatusCode != 303 {
		t.Fatalf("apply: %d %s", resp.StatusCode, out)
	}
	dossier := h.page(t, resp.Header.Get("Location"))
	for _, want := range []string{"Uit het dossier van Testschool (00YY)", "Schoolloopbaan", "2006-2007", "OPP", "Toelaatbaarheidsverklaring",
		"Drempelonderzoek 678 2010 Technisch lezen", "HandelingsplanRekenen.pdf", "meegekomen van Testschool (00YY)"} {
		if !strings.Contains(dossier, want) {
			t.Errorf("the imported dossier lacks %q", want)
		}
	}
	pupil := uuid.MustParse(regexp.MustCompile(`/leerlingen/([0-9a-f-]{36})/dossier`).FindStringSubmatch(resp.Header.Get("Location"))[1])
	var guardians int
	_ = h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(ctx, "SELECT count(*) FROM guardian WHERE pupil_id = $1", pupil).Scan(&guardians)
	})
	if guardians != 3 {
		t.Errorf("%d guardians, want the 3 of 5 who are alive", guardians)
	}
	if resp, _ := h.do(t, "POST", apply[1], formType, "digest="+digest[1]); resp.StatusCode != 409 {
		t.Errorf("applied twice: %d", resp.StatusCode)
	}
	if log := h.logbookActions(t, lic, pupil); !strings.Contains(log, "create oso_import") || !strings.Contains(log, "create dossier") {
		t.Errorf("logbook: %s", log)
	}

	// The opt-out sample through the API.
	resp, out = h.do(t, "POST", fmt.Sprintf("/api/v1/licences/%s/oso-imports", lic), "application/xml",
		osoSample(t, "Voorbeelddossier_PaO_POSWV_opt_out.xml"))
	m := regexp.MustCompile(`"id":"([0-9a-f-]{36})".*"digest":"([0-9a-f]{64})"`).FindStringSubmatch(out)
	if resp.StatusCode != 201 || m == nil {
		t.Fatalf("API import: %d %s", resp.StatusCode, out)
	}
	resp, out = h.do(t, "POST", fmt.Sprintf("/api/v1/licences/%s/oso-imports/%s/apply", lic, m[1]), "application/json", `{"digest":"`+m[2]+`"}`)
	if resp.StatusCode != 200 || !strings.Contains(out, "pupil_id") {
		t.Fatalf("API apply: %d %s", resp.StatusCode, out)
	}
}

// TestOSOExport: the school exports a pupil's dossier for each profile;
// every export validates against the schema, the SWV's has no BSN and
// carries the plan, the parents' opt-out leaves its category out, and an
// opt-out of what the profile requires is refused.
func TestOSOExport(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxBodyBytes = 64 << 10 })
	pupil, _, _ := requestPupil(t, h, "Export")
	export := fmt.Sprintf("/licenties/%s/leerlingen/%s/oso-export", h.school.ID, pupil)
	for _, overstap := range []string{"POPO", "POVO", "VOVO", "POSWV", "VOSWV"} {
		resp, out := h.do(t, "POST", export, formType, form("overstap", overstap, "opt_out", "toetsresultaten"))
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/xml") {
			t.Fatalf("%s: %d %s", overstap, resp.StatusCode, out)
		}
		if err := ososchema.Validate([]byte(out)); err != nil {
			t.Errorf("%s does not validate: %v", overstap, err)
		}
		for _, want := range []string{"<overstap>" + overstap + "</overstap>", "<achternaam>Aanvraag</achternaam>", "<cat_toetsresultaten>OPT-UIT</cat_toetsresultaten>"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks %s", overstap, want)
			}
		}
		if strings.Contains(out, "<bsn>") || strings.Contains(out, "<toetslijst>") {
			t.Errorf("%s carries a BSN or the tests the parents opted out of", overstap)
		}
		if strings.HasSuffix(overstap, "SWV") && !strings.Contains(out, "<handelingsplan>") {
			t.Errorf("%s lacks the plan", overstap)
		}
	}
	if resp, out := h.do(t, "POST", export, formType, form("overstap", "POSWV", "opt_out", "onderwijsondersteuning")); resp.StatusCode != 422 ||
		!strings.Contains(out, "alleen een optionele categorie") {
		t.Errorf("an opt-out of the required support: %d", resp.StatusCode)
	}
	if resp, out := h.do(t, "POST", export, formType, form("overstap", "XYZ")); resp.StatusCode != 422 || !strings.Contains(out, "onbekende soort overstap") {
		t.Errorf("an unknown transfer: %d", resp.StatusCode)
	}
	resp, out := h.do(t, "GET", fmt.Sprintf("/api/v1/licences/%s/pupils/%s/oso?overstap=POVO&opt_out=bijlagedocs", h.school.ID, pupil), "", "")
	if resp.StatusCode != 200 || ososchema.Validate([]byte(out)) != nil || !strings.Contains(out, "<cat_bijlagedocs>OPT-UIT</cat_bijlagedocs>") {
		t.Errorf("API export: %d", resp.StatusCode)
	}
	if log := h.logbookActions(t, h.school.ID, pupil); !strings.Contains(log, "export oso_export") {
		t.Errorf("logbook: %s", log)
	}
}
