package server

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/workflows"
)

// edexml is the Edustandaard 2.1 sample, made the harness school's (BRIN
// 12AB), with edits applied in order.
func edexml(t *testing.T, edits ...string) string {
	t.Helper()
	b, err := os.ReadFile("../las/testdata/EDEXML.Voorbeeld.2.1.xml")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), "<brincode>99ZZ</brincode>", "<brincode>12AB</brincode>", 1)
	for i := 0; i+1 < len(edits); i += 2 {
		if !strings.Contains(s, edits[i]) {
			t.Fatalf("edit: %q not in the file", edits[i])
		}
		s = strings.Replace(s, edits[i], edits[i+1], 1)
	}
	return s
}

// upload posts a file to the import page as the admin and returns the
// answer.
func (h *harness) upload(t *testing.T, cookie string, licence uuid.UUID, file string) (*http.Response, string) {
	t.Helper()
	return h.upload2(t, cookie, fmt.Sprintf("/licenties/%s/leerlingadministratie/import", licence), "file", file)
}

func (h *harness) countPupils(t *testing.T, licence uuid.UUID) int64 {
	t.Helper()
	var n int64
	if err := h.platform.Tenants.With(context.Background(), licence, func(pool *pgxpool.Pool) error {
		var err error
		n, err = school.New(pool).CountPupils(context.Background())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLASImport: the school admin imports the EDEXML sample, sees the
// pupils, groups and teachers; a changed file shows exactly its changes;
// invalid files are refused with line and element and store nothing; the
// nightly update applies a changed file from the drop folder (Temporal
// dev server); a teacher moved to another group sees that group's pupils
// and no longer the old one's.
func TestLASImport(t *testing.T) {
	drop := t.TempDir()
	h := newHarness(t, func(c *Config) { c.LAS.DropDir = drop })
	lic := h.school.ID
	h.user(t, "admin@linde.invalid", "staff", member{auth.RoleSchoolAdmin, &lic})
	admin := h.login(t, "admin@linde.invalid")
	h.user(t, "lk1@linde.invalid", "staff", member{auth.RoleTeacher, &lic})
	teacher := h.login(t, "lk1@linde.invalid")
	base := fmt.Sprintf("/licenties/%s/leerlingadministratie", lic)

	// Refused, with the line and element, and nothing stored.
	invalid, err := os.ReadFile("../las/testdata/EDEXML.invalid_1.xml")
	if err != nil {
		t.Fatal(err)
	}
	resp, out := h.upload(t, admin, lic, string(invalid))
	if resp.StatusCode != 422 || !strings.Contains(out, "Regel 3: element school_incorrect_element wordt hier niet verwacht (verwacht: school).") {
		t.Fatalf("invalid_1: %d %s", resp.StatusCode, out)
	}
	resp, out = h.upload(t, admin, lic, strings.Replace(edexml(t), "<brincode>12AB</brincode>", "<brincode>99ZZ</brincode>", 1))
	if resp.StatusCode != 422 || !strings.Contains(out, "Dit bestand is van de school met BRIN 99ZZ, niet van Basisschool De Linde") {
		t.Fatalf("other BRIN: %d %s", resp.StatusCode, out)
	}
	if n := h.countPupils(t, lic); n != 0 {
		t.Fatalf("a refused file stored %d pupils", n)
	}
	// Only the admin (and a write token) imports.
	if resp, _ := h.upload(t, h.cookie, lic, edexml(t)); resp.StatusCode != 403 && resp.StatusCode != 404 {
		t.Errorf("the IB'er may import: %d", resp.StatusCode)
	}

	// The sample, with the first teacher's address so the account links,
	// and a birth date and group for the second pupil.
	first := edexml(t,
		"<voorletters-1>J</voorletters-1>", "<voorletters-1>J</voorletters-1><emailadres>lk1@linde.invalid</emailadres>",
		"<voorletters-1>IH</voorletters-1>", "<voorletters-1>IH</voorletters-1><geboortedatum>2007-01-02</geboortedatum>",
		"<jaargroep>4</jaargroep>\n\t\t\t<vestiging key=\"VB\"/>", "<jaargroep>4</jaargroep>\n\t\t\t<groep key=\"GRP4A\"/>\n\t\t\t<vestiging key=\"VB\"/>")
	resp, _ = h.upload(t, admin, lic, first)
	if resp.StatusCode != 303 {
		t.Fatalf("upload: %d", resp.StatusCode)
	}
	preview := resp.Header.Get("Location")
	page := h.pageAs(t, admin, preview)
	for _, want := range []string{"3 leerlingen in het bestand", "2 nieuwe leerlingen", "Wimpie", "Ismaël Assati",
		"al uitgeschreven in de leerlingadministratie (18-07-2014): niet overgenomen", "Kabouters: nieuw", "J van Bemmel"} {
		if !strings.Contains(page, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	if n := h.countPupils(t, lic); n != 0 {
		t.Fatalf("the preview stored %d pupils", n)
	}
	apply := func(preview string) {
		t.Helper()
		page := h.pageAs(t, admin, preview)
		digest := regexp.MustCompile(`name="digest" value="([0-9a-f]+)"`).FindStringSubmatch(page)
		if digest == nil {
			t.Fatalf("no apply form:\n%s", page)
		}
		resp, out := h.doAs(t, admin, "POST", preview+"/toepassen", formType, "digest="+digest[1])
		if resp.StatusCode != 303 {
			t.Fatalf("apply: %d %s", resp.StatusCode, out)
		}
	}
	apply(preview)
	pupils := h.pageAs(t, admin, fmt.Sprintf("/licenties/%s/leerlingen", lic))
	if !strings.Contains(pupils, "Wimpie") || !strings.Contains(pupils, "Assati") || strings.Contains(pupils, "Gradje") {
		t.Fatalf("pupils after the import:\n%s", pupils)
	}
	overview := h.pageAs(t, admin, base)
	if !regexp.MustCompile(`J van Bemmel</td><td>4A</td>`).MatchString(overview) || !strings.Contains(overview, "verwerkt") {
		t.Errorf("overview after the import:\n%s", overview)
	}
	own := h.pageAs(t, teacher, fmt.Sprintf("/licenties/%s/leerlingen", lic))
	if !strings.Contains(own, "Assati") || strings.Contains(own, "Wimpie") {
		t.Fatalf("the teacher of 4A sees:\n%s", own)
	}
	// The logbook names the import as the source.
	var wimpie uuid.UUID
	if err := h.platform.Tenants.With(context.Background(), lic, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(context.Background(), "SELECT id FROM pupil WHERE las_key = '00001'").Scan(&wimpie)
	}); err != nil {
		t.Fatal(err)
	}
	if log := h.logbookActions(t, lic, wimpie); !strings.Contains(log, "create las_import") {
		t.Errorf("logbook of the imported pupil: %s", log)
	}

	// EDEXML has no parents: the school adds them on the pupil page.
	pupilPage := fmt.Sprintf("/licenties/%s/leerlingen/%s", lic, wimpie)
	if resp, out := h.doAs(t, admin, "POST", pupilPage+"/ouders", formType, "given_name=Els&relation=mother"); resp.StatusCode != 422 ||
		!strings.Contains(out, "Vul de achternaam van de ouder of verzorger in.") {
		t.Errorf("a guardian without family name: %d", resp.StatusCode)
	}
	if resp, out := h.doAs(t, admin, "POST", pupilPage+"/ouders", formType, "given_name=Els&family_name=Wimpel&relation=moeder"); resp.StatusCode != 422 ||
		!strings.Contains(out, "Kies de relatie tot de leerling.") {
		t.Errorf("unknown relation: %d", resp.StatusCode)
	}
	if resp, out := h.doAs(t, admin, "POST", pupilPage+"/ouders", formType,
		"given_name=Els&family_name=Wimpel&relation=mother&parental_authority=1&email=els%40voorbeeld.invalid"); resp.StatusCode != 303 {
		t.Fatalf("add guardian: %d %s", resp.StatusCode, out)
	}
	if page := h.pageAs(t, admin, pupilPage); !strings.Contains(page, "Els Wimpel · moeder · met gezag · els@voorbeeld.invalid") {
		t.Errorf("the guardian is not on the pupil page:\n%s", page)
	}

	// Test results from the LOVS: kept for a pupil with a dossier, not for
	// one without, an unknown number listed; the plan and its PDF show a
	// table per test with its trend.
	h.openDossier(t, h.cookie, lic, wimpie)
	csvFile := "Leerlingnummer;Toets;Afnamedatum;Vaardigheidsscore;Niveau\n" +
		"00001;Rekenen-Wiskunde M5;20-01-2026;187;III\n00001;Rekenen-Wiskunde E5;12-06-2026;195;II\n" +
		"77777;Spelling;20-01-2026;;IV\n00002;Spelling;21-01-2026;120;B\n"
	resp, out = h.upload2(t, admin, base+"/toetsen", "lovs", csvFile)
	if resp.StatusCode != 200 || !strings.Contains(out, "2 uitslagen opgeslagen") || !strings.Contains(out, "1 uitslag van leerlingen zonder dossier niet bewaard") ||
		!strings.Contains(out, "Regel 4: leerlingnummer 77777, Spelling") {
		t.Fatalf("LOVS import: %d\n%s", resp.StatusCode, out)
	}
	if page := h.pageAs(t, admin, base); !strings.Contains(page, `name="key" value="Leerlingnummer"`) {
		t.Error("the column mapping is not remembered")
	}
	plan := h.page(t, fmt.Sprintf("/licenties/%s/leerlingen/%s/dossier", lic, wimpie))
	if !strings.Contains(plan, "Uit het leerlingvolgsysteem") || !strings.Contains(plan, "<caption>Rekenen-Wiskunde M5</caption>") {
		t.Errorf("the plan does not show the results:\n%s", plan)
	}
	// The same test twice shows its trend.
	resp, out = h.upload2(t, admin, base+"/toetsen", "lovs", "Leerlingnummer;Toets;Afnamedatum;Vaardigheidsscore;Niveau\n00001;Rekenen-Wiskunde M5;12-06-2026;201;II\n")
	if resp.StatusCode != 200 {
		t.Fatalf("second LOVS import: %d %s", resp.StatusCode, out)
	}
	if plan := h.page(t, fmt.Sprintf("/licenties/%s/leerlingen/%s/dossier", lic, wimpie)); !strings.Contains(plan, "<caption>Rekenen-Wiskunde M5 · stijgend</caption>") {
		t.Errorf("no trend on the plan:\n%s", plan)
	}
	if text := strings.Join(strings.Fields(h.pdfText(t, fmt.Sprintf("/licenties/%s/leerlingen/%s/dossier/opp.pdf", lic, wimpie))), " "); !strings.Contains(text, "Toetsuitslagen uit het leerlingvolgsysteem") ||
		!strings.Contains(text, "Rekenen-Wiskunde M5 · stijgend") || !strings.Contains(text, "12-06-2026 201 II") {
		t.Errorf("the OPP PDF lacks the results: %s", text)
	}
	resp, out = h.upload2(t, admin, base+"/toetsen", "lovs", "Nummer;Toets;Datum\n1;R;20-01-2026\n")
	if resp.StatusCode != 422 || !strings.Contains(out, "staat niet in de kopregel") || !strings.Contains(out, "Er is niets opgeslagen") {
		t.Errorf("CSV with wrong columns: %d", resp.StatusCode)
	}

	// A changed file: Wimpie's birth date, the teacher to 4B. The
	// preview shows exactly that.
	second := edexml(t,
		"<voorletters-1>J</voorletters-1>", "<voorletters-1>J</voorletters-1><emailadres>lk1@linde.invalid</emailadres>",
		"<voorletters-1>IH</voorletters-1>", "<voorletters-1>IH</voorletters-1><geboortedatum>2007-01-02</geboortedatum>",
		"<jaargroep>4</jaargroep>\n\t\t\t<vestiging key=\"VB\"/>", "<jaargroep>4</jaargroep>\n\t\t\t<groep key=\"GRP4A\"/>\n\t\t\t<vestiging key=\"VB\"/>",
		"<geboortedatum>2006-06-21</geboortedatum>", "<geboortedatum>2006-06-12</geboortedatum>",
		"<groepen>\n\t\t\t\t<groep key=\"GRP4A\"/>\n\t\t\t</groepen>", "<groepen>\n\t\t\t\t<groep key=\"GRP4B\"/>\n\t\t\t</groepen>")
	resp, _ = h.upload(t, admin, lic, second)
	if resp.StatusCode != 303 {
		t.Fatalf("second upload: %d", resp.StatusCode)
	}
	page = h.pageAs(t, admin, resp.Header.Get("Location"))
	changes := regexp.MustCompile(`<td>(?:[^<]*)</td><td>(geboortedatum|groep|roepnaam|achternaam|jaargroep)</td><td>([^<]*)</td><td>([^<]*)</td>`).FindAllStringSubmatch(page, -1)
	if len(changes) != 1 || changes[0][1] != "geboortedatum" || changes[0][2] != "2006-06-21" || changes[0][3] != "2006-06-12" ||
		!strings.Contains(page, "0 nieuwe leerlingen") || !strings.Contains(page, "1 leerling gewijzigd") ||
		!regexp.MustCompile(`J van Bemmel</td><td>4B</td>\s*<td>4A</td><td>andere groepen</td>`).MatchString(page) {
		t.Fatalf("second preview: %v\n%s", changes, page)
	}
	if resp, _ := h.doAs(t, admin, "POST", resp.Header.Get("Location")+"/terzijde", formType, ""); resp.StatusCode != 303 {
		t.Fatalf("discard: %d", resp.StatusCode)
	}

	// The nightly update takes the same file from the drop folder.
	if resp, out := h.doAs(t, admin, "POST", base+"/instellingen", formType, "source=folder&max_leaving_percent=10&hour=2"); resp.StatusCode != 303 {
		t.Fatalf("settings: %d %s", resp.StatusCode, out)
	}
	if err := os.WriteFile(filepath.Join(drop, lic.String(), "export.xml"), []byte(second), 0o600); err != nil {
		t.Fatal(err)
	}
	if resp, out := h.doAs(t, admin, "POST", base+"/nu-ophalen", formType, ""); resp.StatusCode != 303 {
		t.Fatalf("run now: %d %s", resp.StatusCode, out)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var birth time.Time
		if err := h.platform.Tenants.With(context.Background(), lic, func(pool *pgxpool.Pool) error {
			return pool.QueryRow(context.Background(), "SELECT birth_date FROM pupil WHERE id = $1", wimpie).Scan(&birth)
		}); err != nil {
			t.Fatal(err)
		}
		if birth.Format("2006-01-02") == "2006-06-12" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the nightly update did not apply the file:\n%s", h.pageAs(t, admin, base))
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The birth date reached Wimpie's enrolment process (its birthday
	// timers move: workflows.TestEnrolmentBirthDateChangedMovesBirthdays).
	var told int
	if err := h.platform.Tenants.With(context.Background(), lic, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(context.Background(), `SELECT count(*) FROM signal_outbox
			WHERE signal = 'birth-date-changed' AND sent_at IS NOT NULL AND workflow_id LIKE '%' || $1::text`, wimpie.String()).Scan(&told)
	}); err != nil {
		t.Fatal(err)
	}
	if told != 1 {
		t.Errorf("birth-date signals sent to the enrolment process: %d, want 1", told)
	}
	if overview := h.pageAs(t, admin, base); !strings.Contains(overview, "nachtelijke update</td><td>verwerkt") {
		t.Errorf("the run is not on the page:\n%s", overview)
	}
	own = h.pageAs(t, teacher, fmt.Sprintf("/licenties/%s/leerlingen", lic))
	if !strings.Contains(own, "Wimpie") || strings.Contains(own, "Assati") {
		t.Fatalf("the teacher moved to 4B sees:\n%s", own)
	}
	if resp, _ := h.doAs(t, teacher, "GET", fmt.Sprintf("/licenties/%s/leerlingen/%s", lic, wimpie), "", ""); resp.StatusCode != 200 {
		t.Errorf("the teacher of 4B cannot open Wimpie: %d", resp.StatusCode)
	}

	// A pupil gone from the file: not deleted, on the admin's page.
	third := regexp.MustCompile(`<leerling key="00001" eckid="[^"]*">`).ReplaceAllString(second, `<leerling key="00009">`)
	resp, _ = h.upload(t, admin, lic, third)
	if resp.StatusCode != 303 {
		t.Fatalf("third upload: %d", resp.StatusCode)
	}
	apply(resp.Header.Get("Location"))
	overview = h.pageAs(t, admin, base)
	if !strings.Contains(overview, "Niet meer in de leerlingadministratie") || !strings.Contains(overview, "Wimpie") {
		t.Errorf("the pupil gone from the LAS is not listed:\n%s", overview)
	}
	if resp, _ := h.doAs(t, admin, "POST", fmt.Sprintf("%s/leerlingen/%s", base, wimpie), formType, "answer=keep"); resp.StatusCode != 303 {
		t.Errorf("keep: %d", resp.StatusCode)
	}

	// The API: a write token posts an export and applies it.
	token := h.token(t, lic, platform.ApiScopeWrite)
	req, _ := http.NewRequest("POST", h.http.URL+"/api/v1/licences/"+lic.String()+"/imports", strings.NewReader(second))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/xml")
	req.Header.Set(idempotencyHeader, "import-1")
	aresp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	aresp.Body.Close()
	if aresp.StatusCode != 201 {
		t.Fatalf("API import: %d", aresp.StatusCode)
	}

	// At night a file without a third of the pupils waits for the admin,
	// who is mailed (no names in the mail).
	without := regexp.MustCompile(`(?s)<leerling key="00002">.*?</leerling>`).ReplaceAllString(third, "")
	if err := os.WriteFile(filepath.Join(drop, lic.String(), "export.xml"), []byte(without), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := h.srv.las.RunScheduled(context.Background(), lic)
	if err != nil || r.Status != "waiting" || !strings.Contains(r.Message, "meer dan 10%") {
		t.Fatalf("nightly run above the limit: %+v %v", r, err)
	}
	var subject, body string
	if err := h.platform.Tenants.With(context.Background(), lic, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(context.Background(), "SELECT subject, body FROM mail_outbox WHERE to_address = 'admin@linde.invalid' ORDER BY created_at DESC LIMIT 1").Scan(&subject, &body)
	}); err != nil {
		t.Fatal(err)
	}
	if subject != "Import uit de leerlingadministratie wacht op u" || strings.Contains(body, "Assati") || !strings.Contains(body, "/leerlingadministratie") {
		t.Errorf("mail to the admin: %q %q", subject, body)
	}
	if overview := h.pageAs(t, admin, base); !strings.Contains(overview, "wacht op een beheerder (boven de grens)") {
		t.Errorf("the waiting run is not on the page")
	}

	// A file the schema refuses: the reason on the page, not in the
	// workflow's result (it may name a key and a birth date).
	if err := os.WriteFile(filepath.Join(drop, lic.String(), "export.xml"), invalid, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err = h.srv.las.RunScheduled(context.Background(), lic)
	if err != nil || r.Status != "refused" || strings.Contains(r.Message, "regel") {
		t.Fatalf("nightly run of an invalid file: %+v %v", r, err)
	}
	if overview := h.pageAs(t, admin, base); !strings.Contains(overview, "Regel 3: element school_incorrect_element wordt hier niet verwacht") {
		t.Errorf("the refusal's reason is not on the page")
	}
}

// upload2 posts one file in field to p as cookie.
func (h *harness) upload2(t *testing.T, cookie, p, field, file string) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile(field, "file")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(file))
	mw.Close()
	return h.doAs(t, cookie, "POST", p, mw.FormDataContentType(), body.String())
}

func (h *harness) pageAs(t *testing.T, cookie, p string) string {
	t.Helper()
	resp, out := h.doAs(t, cookie, "GET", p, "", "")
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d\n%s", p, resp.StatusCode, out)
	}
	return out
}

// TestLASLinksTypedPupils: a school that typed its pupils in before its
// first import gets no second record: the preview names the new pupils
// with the name and birth date of a pupil without LAS key, the admin
// confirms, and that pupil gets the key (keeping its parents). The
// nightly run never links on its own: it waits for the admin.
func TestLASLinksTypedPupils(t *testing.T) {
	drop := t.TempDir()
	h := newHarness(t, func(c *Config) { c.LAS.DropDir = drop })
	lic := h.school.ID
	h.user(t, "admin@linde.invalid", "staff", member{auth.RoleSchoolAdmin, &lic})
	admin := h.login(t, "admin@linde.invalid")
	base := fmt.Sprintf("/licenties/%s/leerlingadministratie", lic)
	resp, out := h.do(t, "POST", "/api/v1/licences/"+lic.String()+"/pupils", "application/json",
		`{"given_name":"Ismaël","family_name":"Assati","birth_date":"2007-01-02","enrolled_on":"2013-08-25","year_group":6,
		  "guardians":[{"given_name":"Nadia","family_name":"Assati","relation":"mother","parental_authority":true}]}`)
	if resp.StatusCode != 201 {
		t.Fatalf("typed pupil: %d %s", resp.StatusCode, out)
	}
	typed := uuid.MustParse(regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(out)[1])
	// The file gives no jaargroep for him: his own (6) stays.
	file := edexml(t, "<voorletters-1>IH</voorletters-1>", "<voorletters-1>IH</voorletters-1><geboortedatum>2007-01-02</geboortedatum>",
		"<jaargroep>4</jaargroep>\n\t\t\t<vestiging key=\"VB\"/>", "<vestiging key=\"VB\"/>")

	// At night: waits.
	if resp, out := h.doAs(t, admin, "POST", base+"/instellingen", formType, "source=folder&max_leaving_percent=10&hour=2"); resp.StatusCode != 303 {
		t.Fatalf("settings: %d %s", resp.StatusCode, out)
	}
	if err := os.WriteFile(filepath.Join(drop, lic.String(), "export.xml"), []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := h.srv.las.RunScheduled(context.Background(), lic)
	if err != nil || r.Status != "waiting" || !strings.Contains(r.Message, "1 nieuwe leerlingen lijken al in TOP dossier te staan") {
		t.Fatalf("nightly run with a typed pupil: %+v %v", r, err)
	}
	if n := h.countPupils(t, lic); n != 1 {
		t.Fatalf("the waiting run stored pupils: %d", n)
	}

	// On the page: linked by the admin.
	resp, _ = h.upload(t, admin, lic, file)
	if resp.StatusCode != 303 {
		t.Fatalf("upload: %d", resp.StatusCode)
	}
	preview := resp.Header.Get("Location")
	page := h.pageAs(t, admin, preview)
	link := fmt.Sprintf(`name="link" value="00002:%s" checked`, typed)
	if !strings.Contains(page, link) {
		t.Fatalf("the preview does not offer the link:\n%s", page)
	}
	digest := regexp.MustCompile(`name="digest" value="([0-9a-f]+)"`).FindStringSubmatch(page)[1]
	if resp, _ := h.doAs(t, admin, "POST", preview+"/toepassen", formType, "digest="+digest+"&link=00001:"+typed.String()); resp.StatusCode != 422 {
		t.Errorf("a link the preview did not offer: %d", resp.StatusCode)
	}
	if resp, out := h.doAs(t, admin, "POST", preview+"/toepassen", formType, "digest="+digest+"&link=00002:"+typed.String()); resp.StatusCode != 303 {
		t.Fatalf("apply with the link: %d %s", resp.StatusCode, out)
	}
	if n := h.countPupils(t, lic); n != 2 {
		t.Errorf("pupils after linking: %d, want 2 (Wimpie new, Ismaël linked)", n)
	}
	var key string
	var guardians int
	var year *int16
	if err := h.platform.Tenants.With(context.Background(), lic, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(context.Background(), "SELECT p.las_key, p.year_group, (SELECT count(*) FROM guardian g WHERE g.pupil_id = p.id) FROM pupil p WHERE p.id = $1",
			typed).Scan(&key, &year, &guardians)
	}); err != nil {
		t.Fatal(err)
	}
	if key != "00002" || guardians != 1 || year == nil || *year != 6 {
		t.Errorf("the typed pupil after linking: key %q, year group %v, %d guardians", key, year, guardians)
	}
}

// TestLASScheduleOfRemovedLicence: the nightly update of a licence that
// was removed removes its own schedule instead of failing every night.
func TestLASScheduleOfRemovedLicence(t *testing.T) {
	drop := t.TempDir()
	h := newHarness(t, func(c *Config) { c.LAS.DropDir = drop })
	ctx := context.Background()
	gone := h.platform.School(t, "Opgeheven school", "77WW")
	h.user(t, "admin@weg.invalid", "staff", member{auth.RoleSchoolAdmin, &gone.ID})
	admin := h.login(t, "admin@weg.invalid")
	if resp, out := h.doAs(t, admin, "POST", fmt.Sprintf("/licenties/%s/leerlingadministratie/instellingen", gone.ID), formType,
		"source=folder&max_leaving_percent=10&hour=2"); resp.StatusCode != 303 {
		t.Fatalf("settings: %d %s", resp.StatusCode, out)
	}
	schedule := h.srv.temporal.ScheduleClient().GetHandle(ctx, workflows.LASScheduleID(gone.ID.String()))
	if _, err := schedule.Describe(ctx); err != nil {
		t.Fatalf("no schedule after saving: %v", err)
	}
	if err := h.platform.Tenants.RemoveLicence(ctx, gone.ID); err != nil { // as a purge without the schedule cleanup
		t.Fatal(err)
	}
	r, err := h.srv.las.RunScheduled(ctx, gone.ID)
	if err != nil || r.Status != "off" {
		t.Fatalf("run of a removed licence: %+v %v", r, err)
	}
	if _, err := schedule.Describe(ctx); err == nil {
		t.Error("the schedule of the removed licence is still there")
	}
}
