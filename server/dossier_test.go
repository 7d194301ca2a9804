package server

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/internal/dossiertest"
	"github.com/topdossier/topdossier/internal/poll"
	"github.com/topdossier/topdossier/workflows"
)

// openDossier opens an extra-support dossier through the API.
func (h *harness) openDossier(t testing.TB, cookie string, licence, pupil uuid.UUID) uuid.UUID {
	t.Helper()
	resp, out := h.doAs(t, cookie, "POST", fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier", licence, pupil),
		"application/json", `{"support_level":"extra_school","reason":"Leest nog niet vlot","started_on":"`+time.Now().Format(dateLayout)+`"}`)
	if resp.StatusCode != 201 || !strings.Contains(out, `"process_started":true`) {
		t.Fatalf("open dossier: %d %s", resp.StatusCode, out)
	}
	var got struct {
		Dossier struct {
			ID uuid.UUID `json:"id"`
		} `json:"dossier"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	h.waitPhase(t, licence, got.Dossier.ID, "observe")
	return got.Dossier.ID
}

func (h *harness) addGrowth(t testing.TB, cookie string, licence, pupil uuid.UUID, body string) {
	t.Helper()
	resp, out := h.doAs(t, cookie, "POST", fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier/growth-entries", licence, pupil),
		"application/json", `{"kind":"observation","occurred_on":"`+time.Now().Format(dateLayout)+`","body":"`+body+`"}`)
	if resp.StatusCode != 201 {
		t.Fatalf("growth entry: %d %s", resp.StatusCode, out)
	}
}

// dossierOf is the id of a pupil's current dossier.
func (h *harness) dossierOf(t testing.TB, licence, pupil uuid.UUID) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	err := h.platform.Tenants.With(context.Background(), licence, func(pool *pgxpool.Pool) error {
		d, err := school.New(pool).CurrentDossierOfPupil(context.Background(), pupil)
		id = d.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// phase reads the dossier's phase from the projection.
func (h *harness) phase(t testing.TB, licence, dossier uuid.UUID) school.ProcessStep {
	t.Helper()
	var step school.ProcessStep
	err := h.platform.Tenants.With(context.Background(), licence, func(pool *pgxpool.Pool) error {
		var err error
		step, err = school.New(pool).GetProcessStep(context.Background(), workflows.DossierWorkflowID(licence.String(), dossier.String()))
		return err
	})
	if err != nil {
		return school.ProcessStep{}
	}
	return step
}

func (h *harness) waitPhase(t testing.TB, licence, dossier uuid.UUID, want string) school.ProcessStep {
	t.Helper()
	var step school.ProcessStep
	if !poll.Until(20*time.Second, func() bool { step = h.phase(t, licence, dossier); return step.Step == want }) {
		t.Fatalf("dossier phase %q, want %q", step.Step, want)
	}
	return step
}

func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}

const formType = "application/x-www-form-urlencoded"

// TestDossierCycleEndToEnd is an IB'er's whole cycle through the pages,
// against real PostgreSQL and a real Temporal server: open the dossier,
// a refused advance, every phase, a conflict, the handelingsdeel offered
// and consented, the OPP as PDF, the evaluation and a second cycle.
func TestDossierCycleEndToEnd(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxBodyBytes = 64 << 10 })
	lic := h.school.ID
	pupil := h.createPupil(t, h.cookie, lic, "Ĳzerman-Brontë", "5b")
	base := fmt.Sprintf("/licenties/%s/leerlingen/%s/dossier", lic, pupil)

	resp, out := h.do(t, "GET", base, "", "")
	if resp.StatusCode != 200 || !strings.Contains(out, "TOP dossier openen") {
		t.Fatalf("no dossier yet: %d, want the form to open one", resp.StatusCode)
	}
	resp, out = h.do(t, "POST", base, formType, form("support_level", "extra_school", "reason", "", "started_on", "gisteren"))
	if resp.StatusCode != 422 || !strings.Contains(out, "Vul de startdatum in") {
		t.Fatalf("bad start date: %d, want 422 naming the date", resp.StatusCode)
	}
	today := h.srv.today().Format(dateLayout) // the school's day (Amsterdam), also just before midnight UTC
	resp, _ = h.do(t, "POST", base, formType, form("support_level", "extra_school", "reason", "Leest nog niet vlot", "started_on", today))
	if resp.StatusCode != 303 {
		t.Fatalf("open dossier: %d", resp.StatusCode)
	}
	dossierID := h.dossierOf(t, lic, pupil)
	step := h.waitPhase(t, lic, dossierID, "observe")
	// Six weeks from the start of the school's day: at least 41 days ahead.
	if step.DueAt == nil || time.Until(*step.DueAt) < 41*24*time.Hour || time.Until(*step.DueAt) > 43*24*time.Hour {
		t.Errorf("OPP due %v, want about six weeks ahead", step.DueAt)
	}

	advance := func(from, to string) (int, string) {
		page := h.page(t, base)
		rid := regexp.MustCompile(`name="request_id" value="([^"]+)"`).FindStringSubmatch(page)
		if rid == nil {
			t.Fatalf("no advance form on the page in %s", from)
		}
		resp, out := h.do(t, "POST", base+"/fase", formType, form("request_id", rid[1], "from", from, "to", to))
		return resp.StatusCode, out
	}
	code, out := advance("observe", "")
	if code != 422 || !strings.Contains(out, "minstens één notitie in het groeidocument") {
		t.Fatalf("advance without observations: %d, want 422 naming the groeidocument", code)
	}
	resp, _ = h.do(t, "POST", base+"/groeidocument", formType, form("kind", "observation", "occurred_on", today, "body", "Raakt de draad kwijt bij lange opdrachten."))
	if resp.StatusCode != 303 {
		t.Fatalf("growth entry: %d", resp.StatusCode)
	}
	if code, out = advance("observe", ""); code != 303 {
		t.Fatalf("advance observe: %d %s", code, out)
	}
	h.waitPhase(t, lic, dossierID, "understand")

	understand := []string{"version", "1", "promoting_pupil", "Doorzetter, vraagt om hulp", "hindering_teaching",
		"Lange instructies", "educational_needs", "Korte instructie in stappen", "support_needs", "Verlengde instructie", "pupil_view", "Ik wil zelf kunnen lezen"}
	if resp, _ = h.do(t, "POST", base+"/deel/understand", formType, form(understand...)); resp.StatusCode != 303 {
		t.Fatalf("save understand: %d", resp.StatusCode)
	}
	// A colleague who loaded version 1 saves after that: 409, their text
	// shown back in the form, ours next to it, nothing overwritten.
	stale := append([]string{}, understand...)
	stale[len(stale)-1] = "Tekst van een collega"
	resp, out = h.do(t, "POST", base+"/deel/understand", formType, form(stale...))
	if resp.StatusCode != 409 || !strings.Contains(out, "Tekst van een collega") || !strings.Contains(out, "Ik wil zelf kunnen lezen") ||
		!strings.Contains(out, "Iemand anders heeft dit deel opgeslagen") {
		t.Fatalf("stale save: %d, want 409 with both versions", resp.StatusCode)
	}
	// The header too: a stale save keeps what was typed and shows what is stored.
	header := func(version, reason string) (*http.Response, string) {
		return h.do(t, "POST", base+"/gegevens", formType, form("version", version, "support_level", "extra_school",
			"reason", reason, "started_on", today))
	}
	if resp, _ = header("1", "Leest nog niet vlot; rekenen ook"); resp.StatusCode != 303 {
		t.Fatalf("save header: %d", resp.StatusCode)
	}
	resp, out = header("1", "Aanleiding volgens een collega")
	if resp.StatusCode != 409 || !strings.Contains(out, ">Aanleiding volgens een collega</textarea>") ||
		!strings.Contains(out, "<dd>Leest nog niet vlot; rekenen ook</dd>") || !strings.Contains(out, `name="version" value="2"`) {
		t.Errorf("stale header save: %d, want 409 with the typed text in the form and the stored one beside it", resp.StatusCode)
	}
	if code, _ = advance("understand", ""); code != 303 {
		t.Fatalf("advance understand: %d", code)
	}
	h.waitPhase(t, lic, dossierID, "plan")

	resp, out = h.do(t, "POST", base+"/deel/perspective", formType, form("version", "1", "destination", "gymnasium", "rationale", "x"))
	if resp.StatusCode != 422 || !strings.Contains(out, "Kies een uitstroombestemming uit de lijst") {
		t.Fatalf("unknown destination: %d", resp.StatusCode)
	}
	resp, _ = h.do(t, "POST", base+"/deel/perspective", formType, form("version", "1", "destination", "vmbo_kb",
		"rationale", "Bevorderend: doorzettingsvermogen. Belemmerend: lange instructies."))
	if resp.StatusCode != 303 {
		t.Fatalf("save perspective: %d", resp.StatusCode)
	}
	resp, _ = h.do(t, "POST", base+"/deel/action_part", formType, form("version", "1",
		"goal_0_id", "", "goal_0_domain", "Technisch lezen", "goal_0_goal", "Leest AVI-E5 vlot", "goal_0_criterion", "AVI-E5 beheersing",
		"goal_0_evaluate_on", time.Now().AddDate(0, 4, 0).Format(dateLayout),
		"support_0_what", "Voorleestraining", "support_0_who", "Onderwijsassistent", "support_0_how_often", "3× per week", "support_0_where", "Buiten de klas",
		"deviations", ""))
	if resp.StatusCode != 303 {
		t.Fatalf("save action part: %d", resp.StatusCode)
	}
	code, out = advance("plan", "")
	if code != 422 || !strings.Contains(out, "aanbieden ter instemming") || !strings.Contains(out, "uitkomst van de instemming") {
		t.Fatalf("advance before consent: %d, want 422 naming offer and consent", code)
	}
	// Hoorrecht: the handelingsdeel goes out only after the pupil was heard.
	if resp, out = h.do(t, "POST", base+"/handelingsdeel/aanbieden", formType, ""); resp.StatusCode != 422 ||
		!strings.Contains(out, "hoorrecht") {
		t.Fatalf("offer before hearing the pupil: %d, want 422 naming the hoorrecht", resp.StatusCode)
	}
	if resp, _ = h.do(t, "POST", base+"/deel/hearing", formType, form("version", "1", "heard_on", today, "how", "conversation",
		"summary", "Ik wil graag zelf leren lezen, met korte stukjes.")); resp.StatusCode != 303 {
		t.Fatalf("save hearing: %d", resp.StatusCode)
	}
	if resp, _ = h.do(t, "POST", base+"/handelingsdeel/aanbieden", formType, ""); resp.StatusCode != 303 {
		t.Fatalf("offer: %d", resp.StatusCode)
	}
	process := fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier/process", lic, pupil)
	poll.Must(t, 20*time.Second, "waiting for the parents", func() bool {
		_, out := h.do(t, "GET", process, "", "")
		return strings.Contains(out, `"waiting_for":"guardians"`)
	})
	if page := h.page(t, base); !strings.Contains(page, "Wacht op: <strong>de ouders") {
		t.Errorf("dossier page does not say it waits for the parents")
	}
	// The consent round asked the guardian; she said yes in the meeting and
	// the IB'er records it (a "niet akkoord" without a remark is refused).
	page := h.page(t, base)
	// Nothing is chosen for the IB'er: who answered and what, both asked.
	party := regexp.MustCompile(`name="party" required><option value="">Kies…</option><option value="([^"]+)"`).FindStringSubmatch(page)
	if strings.Contains(page, `name="answer" value="agree" checked`) || !strings.Contains(page, `name="answer" value="agree" required`) {
		t.Error("the paper answer has an answer chosen beforehand, or does not ask for one")
	}
	if party == nil || !strings.Contains(page, "Wacht op de ouders") {
		t.Fatalf("no open consent round on the page")
	}
	consent := func(answer, remark string) (*http.Response, string) {
		return h.do(t, "POST", base+"/handelingsdeel/1/instemming", formType, form("request_id", uuid.NewString(),
			"party", party[1], "answer", answer, "remark", remark))
	}
	if resp, out = consent("disagree", ""); resp.StatusCode != 422 || !strings.Contains(out, "Schrijf bij niet akkoord op waarom") {
		t.Errorf("niet akkoord without a remark: %d, want 422", resp.StatusCode)
	}
	if resp, _ = consent("agree", ""); resp.StatusCode != 303 {
		t.Fatalf("consent: %d", resp.StatusCode)
	}
	// Back at the consent, saying what was recorded.
	if page := h.page(t, resp.Header.Get("Location")); !strings.Contains(page, "Vastgelegd: het antwoord van A B is akkoord (vastgelegd door de school).") ||
		!strings.Contains(page, "heeft geantwoord: akkoord") {
		t.Errorf("after recording, the page does not confirm what was recorded")
	}
	if page := h.page(t, base); !strings.Contains(page, "Instemming gegeven") || !strings.Contains(page, "(vastgelegd door de school)") {
		t.Errorf("page does not show the recorded consent")
	}
	declaration := h.pdfText(t, base+"/instemmingsverklaring.pdf")
	for _, want := range []string{"Instemmingsverklaring handelingsdeel", "Kind Ĳzerman-Brontë", "versie 1 van", "Instemming gegeven",
		"A B: beslist over het handelingsdeel", "A B: akkoord (vastgelegd door de school)", "pagina 1 van 1"} {
		if !strings.Contains(declaration, want) {
			t.Errorf("instemmingsverklaring lacks %q", want)
		}
	}
	poll.Must(t, 20*time.Second, "waiting for the school again", func() bool {
		_, out := h.do(t, "GET", process, "", "")
		return strings.Contains(out, `"waiting_for":"school"`)
	})
	if resp, out = consent("disagree", "Toch liever niet"); resp.StatusCode != 422 || !strings.Contains(out, "al beslist") {
		t.Errorf("an answer after the outcome: %d, want 422", resp.StatusCode)
	}
	if code, out = advance("plan", ""); code != 303 {
		t.Fatalf("advance plan: %d %s", code, out)
	}
	step = h.waitPhase(t, lic, dossierID, "realise")
	if step.DueAt == nil || time.Until(*step.DueAt) < 364*24*time.Hour {
		t.Errorf("evaluation due %v, want a year ahead", step.DueAt)
	}

	pdfText := h.pdfText(t, base+"/opp.pdf")
	for _, want := range []string{"Ontwikkelingsperspectiefplan", "Kind Ĳzerman-Brontë", "Basisschool De Linde", "versie 1 van",
		"Ik wil graag zelf leren lezen",
		"instemming gegeven", "Vmbo kaderberoepsgerichte leerweg", "Leest AVI-E5 vlot", "pagina 1 van", "Doorzetter"} {
		if !strings.Contains(pdfText, want) {
			t.Errorf("OPP PDF lacks %q", want)
		}
	}

	page = h.page(t, base)
	goalID := regexp.MustCompile(`name="goal_id" value="([^"]+)"`).FindStringSubmatch(page)
	if goalID == nil {
		t.Fatal("realise form lacks the goals of the frozen handelingsdeel")
	}
	resp, _ = h.do(t, "POST", base+"/deel/realise", formType, form("version", "1", "notes", "Training liep goed", "goal_id", goalID[1],
		"outcome_"+goalID[1], "partly", "explanation_"+goalID[1], "AVI-E5 bijna"))
	if resp.StatusCode != 303 {
		t.Fatalf("save realise: %d", resp.StatusCode)
	}
	if code, _ = advance("realise", ""); code != 303 {
		t.Fatalf("advance realise: %d", code)
	}
	h.waitPhase(t, lic, dossierID, "evaluate")
	resp, _ = h.do(t, "POST", base+"/deel/evaluation", formType, form("version", "1", "meeting_on", today,
		"participants", "Moeder, IB'er, leerkracht", "summary", "Vooruitgang, doel deels behaald", "agreements", "Training voortzetten"))
	if resp.StatusCode != 303 {
		t.Fatalf("save evaluation: %d", resp.StatusCode)
	}
	if code, _ = advance("evaluate", "observe"); code != 303 {
		t.Fatalf("next cycle: %d", code)
	}
	h.waitPhase(t, lic, dossierID, "observe")

	// The second cycle starts from the first one's content.
	poll.Must(t, 20*time.Second, "cycle 2", func() bool {
		var d school.Dossier
		_ = h.platform.Tenants.With(context.Background(), lic, func(pool *pgxpool.Pool) error {
			var err error
			d, err = school.New(pool).GetDossier(context.Background(), dossierID)
			return err
		})
		return d.Cycle == 2
	})
	page = h.page(t, base)
	for _, want := range []string{"cyclus 2", "Korte instructie in stappen", "Technisch lezen", `aria-current="step"><span>Waarnemen`} {
		if !strings.Contains(page, want) {
			t.Errorf("cycle 2 page lacks %q", want)
		}
	}
	if strings.Contains(page, "Training liep goed") && !strings.Contains(page, "cyclus 1") {
		t.Errorf("realisation of cycle 1 shows as current")
	}
	resp, out = h.do(t, "GET", process, "", "")
	if resp.StatusCode != 200 || !strings.Contains(out, `"cycle":2`) || !strings.Contains(out, `"kind":"evaluation"`) {
		t.Errorf("process: %d %s, want cycle 2 with the yearly evaluation deadline", resp.StatusCode, out)
	}

	// Every phase change, view and export is in the logbook.
	lines := h.logbookActions(t, lic, pupil)
	for _, want := range []string{"view dossier", "update dossier_phase", "update dossier_section", "export opp_pdf",
		"consent consent_response", "process consent_round", "export consent_pdf", "create growth_entry"} {
		if !strings.Contains(lines, want) {
			t.Errorf("logbook lacks %q", want)
		}
	}
	if n := strings.Count(lines, "update dossier_phase"); n != 5 {
		t.Errorf("%d phase changes logged, want 5", n)
	}
	logPage := h.page(t, fmt.Sprintf("/licenties/%s/leerlingen/%s/logboek", lic, pupil))
	if !regexp.MustCompile(`intern begeleider[^<]*</td>\s*<td>gewijzigd</td>\s*<td>dossier: fase afgerond`).MatchString(logPage) {
		t.Errorf("logbook page does not show the phase change by the IB'er in Dutch")
	}
}

// page gets a page as the IB'er and fails on anything but 200.
func (h *harness) page(t testing.TB, p string) string {
	t.Helper()
	resp, out := h.do(t, "GET", p, "", "")
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", p, resp.StatusCode)
	}
	return out
}

// pdfText downloads a PDF and reads it back with pdftotext.
func (h *harness) pdfText(t testing.TB, p string) string {
	t.Helper()
	return h.pdfTextAs(t, h.cookie, p)
}

// pdfTextAs is pdfText for the account of cookie.
func (h *harness) pdfTextAs(t testing.TB, cookie, p string) string {
	t.Helper()
	resp, body := h.doAs(t, cookie, "GET", p, "", "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF") {
		t.Fatalf("GET %s: %d %s", p, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	file := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (apt-get install poppler-utils): %v", err)
	}
	return string(out)
}

// logbookActions lists "action entity" of a pupil's logbook lines.
func (h *harness) logbookActions(t testing.TB, licence, pupil uuid.UUID) string {
	t.Helper()
	var lines []string
	err := h.platform.Tenants.With(context.Background(), licence, func(pool *pgxpool.Pool) error {
		rows, err := school.New(pool).ListLogbookForPupil(context.Background(), &pupil)
		for _, r := range rows {
			lines = append(lines, r.Action+" "+r.Entity)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

func TestDossierAPI(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxBodyBytes = 64 << 10 })
	lic := h.school.ID
	pupil := h.createPupil(t, h.cookie, lic, "Apitest", "6")
	h.openDossier(t, h.cookie, lic, pupil)
	base := fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier", lic, pupil)

	resp, out := h.do(t, "POST", base, "application/json", `{"support_level":"light","started_on":"2026-09-01","reason":"Opnieuw"}`)
	if resp.StatusCode != 422 || !strings.Contains(out, "al een open dossier") {
		t.Errorf("second dossier: %d %s, want 422", resp.StatusCode, out)
	}
	resp, out = h.do(t, "POST", base+"/advance", "application/json", `{"request_id":"api-a1","from":"observe"}`)
	if resp.StatusCode != 422 || !strings.Contains(out, `"missing":["growth.entry"]`) || !strings.Contains(out, "groeidocument") {
		t.Fatalf("refused advance: %d %s", resp.StatusCode, out)
	}
	h.addGrowth(t, h.cookie, lic, pupil, "Eerste observatie")
	for range 2 { // the same request twice: one transition
		resp, out = h.do(t, "POST", base+"/advance", "application/json", `{"request_id":"api-a2","from":"observe"}`)
		if resp.StatusCode != 200 || !strings.Contains(out, `"phase":"understand"`) {
			t.Fatalf("advance: %d %s", resp.StatusCode, out)
		}
	}
	resp, out = h.do(t, "POST", base+"/advance", "application/json", `{"request_id":"api-a3","from":"observe"}`)
	if resp.StatusCode != 409 {
		t.Errorf("advance from a phase left already: %d %s, want 409", resp.StatusCode, out)
	}
	if n := strings.Count(h.logbookActions(t, lic, pupil), "update dossier_phase"); n != 1 {
		t.Errorf("%d transitions logged, want 1", n)
	}

	put := func(version int, content string) (int, string) {
		resp, out := h.do(t, "PUT", base+"/sections/understand", "application/json",
			fmt.Sprintf(`{"version":%d,"content":%s}`, version, content))
		return resp.StatusCode, out
	}
	if code, out := put(1, `{"educational_needs":"Structuur","promoting":{"pupil":"Nieuwsgierig"}}`); code != 200 || !strings.Contains(out, `"version":2`) {
		t.Fatalf("save: %d %s", code, out)
	}
	code, out := put(1, `{"educational_needs":"Iets anders"}`)
	if code != 409 || !strings.Contains(out, `"current"`) || !strings.Contains(out, "Structuur") {
		t.Errorf("stale save: %d %s, want 409 with the current version", code, out)
	}
	if code, out := put(2, `{"educational_needs":"x","onbekend":1}`); code != 400 {
		t.Errorf("unknown field: %d %s, want 400", code, out)
	}
	if code, out := put(2, `{"educational_needs":"`+strings.Repeat("a", 5001)+`"}`); code != 422 || !strings.Contains(out, `"educational_needs"`) {
		t.Errorf("too long: %d %s, want 422 naming the field", code, out)
	}
	resp, out = h.do(t, "GET", base, "", "")
	if resp.StatusCode != 200 || !strings.Contains(out, `"educational_needs":"Structuur"`) || !strings.Contains(out, `"phase":"understand"`) {
		t.Errorf("show: %d %s", resp.StatusCode, out)
	}
	resp, out = h.do(t, "GET", fmt.Sprintf("/api/v1/licences/%s/dossiers?phase=understand", lic), "", "")
	if resp.StatusCode != 200 || !strings.Contains(out, "Apitest") {
		t.Errorf("list: %d %s", resp.StatusCode, out)
	}
	resp, out = h.do(t, "GET", fmt.Sprintf("/api/v1/licences/%s/dossiers?phase=plan", lic), "", "")
	if resp.StatusCode != 200 || strings.Contains(out, "Apitest") {
		t.Errorf("list filtered on plan: %d %s, want without the pupil", resp.StatusCode, out)
	}
}

// TestDossierClose: after the evaluation the IB'er closes the dossier; it
// stays readable (page, PDF), leaves "Mijn leerlingen", refuses changes,
// and the pupil may get a new dossier.
func TestDossierClose(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	lic := h.school.ID
	pupil := h.createPupil(t, h.cookie, lic, "Afsluiter", "8")
	err := h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
		d, err := dossiertest.Complete(ctx, school.New(pool), pupil)
		if err != nil {
			return err
		}
		return h.srv.dossiers.Start(ctx, lic, d)
	})
	if err != nil {
		t.Fatal(err)
	}
	h.waitPhase(t, lic, h.dossierOf(t, lic, pupil), "observe")
	api := fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier", lic, pupil)
	for _, step := range []string{`"from":"observe"`, `"from":"understand"`, `"from":"plan"`, `"from":"realise"`, `"from":"evaluate","to":"closed"`} {
		resp, out := h.do(t, "POST", api+"/advance", "application/json", `{"request_id":"`+uuid.NewString()+`",`+step+`}`)
		if resp.StatusCode != 200 {
			t.Fatalf("advance %s: %d %s", step, resp.StatusCode, out)
		}
	}
	poll.Must(t, 20*time.Second, "dossier closed", func() bool {
		_, out := h.do(t, "GET", api, "", "")
		return strings.Contains(out, `"phase":"closed"`)
	})
	base := fmt.Sprintf("/licenties/%s/leerlingen/%s/dossier", lic, pupil)
	closed := "gesloten in Evalueren op " + time.Now().In(h.srv.location).Format("02-01-2006") + ", reden: afgerond na de evaluatie"
	page := h.page(t, base)
	if !strings.Contains(page, "Dit dossier is "+closed) || strings.Contains(page, `id="save-understand"`) {
		t.Errorf("closed dossier page: want %q and no save buttons", closed)
	}
	if strings.Count(page, `<li class="done"`) != 5 {
		t.Errorf("closed after the evaluation: want all five phases done")
	}
	if text := h.pdfText(t, base+"/opp.pdf"); !strings.Contains(strings.Join(strings.Fields(text), " "), closed) {
		t.Errorf("PDF of a closed dossier does not say where and why it closed (%q)", closed)
	}
	if out := h.page(t, "/licenties/"+lic.String()+"/dossiers"); strings.Contains(out, "Afsluiter") {
		t.Errorf("closed dossier still on Mijn leerlingen")
	}
	if resp, out := h.do(t, "POST", base+"/groeidocument", formType, form("kind", "observation", "occurred_on",
		time.Now().Format(dateLayout), "body", "Te laat")); resp.StatusCode != 409 || !strings.Contains(out, "Dit dossier is afgesloten") {
		t.Errorf("writing to a closed dossier: %d, want 409 saying it is closed", resp.StatusCode)
	}
	// A dossier needs its reason (aanleiding); the form keeps what was typed.
	resp, out := h.do(t, "POST", base, formType, form("support_level", "light", "started_on", time.Now().Format(dateLayout), "reason", "  "))
	if resp.StatusCode != 422 || !strings.Contains(out, "Schrijf de aanleiding op") || !strings.Contains(out, `value="light" selected`) {
		t.Errorf("new dossier without a reason: %d, want 422 naming the reason and keeping the level", resp.StatusCode)
	}
	if resp, _ := h.do(t, "POST", base, formType, form("support_level", "light", "started_on", time.Now().Format(dateLayout),
		"reason", "Rekent nog niet tot 20")); resp.StatusCode != 303 {
		t.Errorf("new dossier after closing: %d, want 303", resp.StatusCode)
	}
}

// TestDossierProcessRestart: a dossier whose workflow did not start (as
// when Temporal was down) says so, and the IB'er starts it from the page.
func TestDossierProcessRestart(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	lic := h.school.ID
	pupil := h.createPupil(t, h.cookie, lic, "Herstart", "2")
	err := h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
		_, err := dossiertest.Complete(ctx, school.New(pool), pupil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("/licenties/%s/leerlingen/%s/dossier", lic, pupil)
	if page := h.page(t, base); !strings.Contains(page, "Het proces van dit dossier loopt nog niet") || !strings.Contains(page, base+"/proces-starten") {
		t.Fatalf("page without a running process: want the notice and a start button")
	}
	resp, out := h.do(t, "POST", fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier/advance", lic, pupil), "application/json",
		`{"request_id":"r1","from":"observe"}`)
	if resp.StatusCode != 409 || !strings.Contains(out, "Het proces loopt niet") {
		t.Errorf("advance without a process: %d %s, want 409", resp.StatusCode, out)
	}
	if resp, _ := h.do(t, "POST", base+"/proces-starten", formType, ""); resp.StatusCode != 303 {
		t.Fatalf("start process: %d", resp.StatusCode)
	}
	h.waitPhase(t, lic, h.dossierOf(t, lic, pupil), "observe")
	if page := h.page(t, base); strings.Contains(page, "loopt nog niet") || !strings.Contains(page, `id="advance"`) {
		t.Errorf("after the start the page still lacks the process")
	}
}

// TestDossierAutosave: htmx posts a draft while the person types; the
// answer is a short status and the form's next version, never a page,
// and a stale draft is not saved.
func TestDossierAutosave(t *testing.T) {
	h := newHarness(t)
	lic := h.school.ID
	pupil := h.createPupil(t, h.cookie, lic, "Autosave", "4")
	h.openDossier(t, h.cookie, lic, pupil)
	url := fmt.Sprintf("/licenties/%s/leerlingen/%s/dossier/deel/evaluation", lic, pupil)
	post := func(version, summary string) (int, string) {
		req, _ := http.NewRequest("POST", h.http.URL+url, strings.NewReader(form("version", version, "summary", summary)))
		req.Header.Set("Content-Type", formType)
		req.Header.Set("HX-Request", "true")
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: h.cookie})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, out := post("1", "Concept van de samenvatting")
	if code != 200 || !strings.Contains(out, "automatisch opgeslagen") || !strings.Contains(out, `id="version-evaluation" value="2" hx-swap-oob="true"`) ||
		strings.Contains(out, "<html") {
		t.Fatalf("autosave: %d %s", code, out)
	}
	code, out = post("1", "Oude versie")
	if code != 200 || !strings.Contains(out, "iemand anders") || strings.Contains(out, "hx-swap-oob") {
		t.Errorf("stale autosave: %d %s, want a warning and no new version", code, out)
	}
	resp, body := h.do(t, "GET", fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier", lic, pupil), "", "")
	if resp.StatusCode != 200 || !strings.Contains(body, "Concept van de samenvatting") || strings.Contains(body, "Oude versie") {
		t.Errorf("stored after autosaves: %s", body)
	}
}

// TestDossierListAndTeacher: "Mijn leerlingen" filters and sorts, and a
// teacher sees and fills in the dossiers of their own groups but cannot
// advance a phase.
func TestDossierListAndTeacher(t *testing.T) {
	h := newHarness(t)
	lic := h.school.ID
	own := h.createPupil(t, h.cookie, lic, "Eigengroep", "4a")
	other := h.createPupil(t, h.cookie, lic, "Anderegroep", "7c")
	h.openDossier(t, h.cookie, lic, own)
	h.openDossier(t, h.cookie, lic, other)
	teacher := h.user(t, "juf@linde.invalid", "staff", member{auth.RoleTeacher, &lic})
	err := h.platform.Tenants.With(context.Background(), lic, func(pool *pgxpool.Pool) error {
		return school.New(pool).AddStaffGroup(context.Background(), school.AddStaffGroupParams{UserID: teacher, GroupName: "4a"})
	})
	if err != nil {
		t.Fatal(err)
	}
	list := "/licenties/" + lic.String() + "/dossiers"
	out := h.page(t, list)
	if !strings.Contains(out, "Eigengroep") || !strings.Contains(out, "Anderegroep") || !strings.Contains(out, "Waarnemen") {
		t.Errorf("IB list lacks a pupil or the phase")
	}
	if out := h.page(t, list+"?fase=plan"); strings.Contains(out, "Eigengroep") || !strings.Contains(out, "met deze filters") {
		t.Errorf("filter on plan still shows an observe dossier")
	}
	if out := h.page(t, list+"?te_laat=ja"); strings.Contains(out, "Eigengroep") {
		t.Errorf("overdue filter shows a dossier within its term")
	}
	juf := h.login(t, "juf@linde.invalid")
	_, out = h.doAs(t, juf, "GET", list, "", "")
	if !strings.Contains(out, "Eigengroep") || strings.Contains(out, "Anderegroep") {
		t.Errorf("teacher list: want own group only")
	}
	ownBase := fmt.Sprintf("/licenties/%s/leerlingen/%s/dossier", lic, own)
	// The IB'er adds the teacher as participant (once, however often
	// asked), then takes a participant off again.
	for range 2 {
		if resp, _ := h.do(t, "POST", ownBase+"/betrokkenen/collega", formType, form("user_id", teacher.String())); resp.StatusCode != 303 {
			t.Fatalf("add colleague: %d", resp.StatusCode)
		}
	}
	if resp, out := h.do(t, "POST", ownBase+"/betrokkenen/collega", formType, form("user_id", uuid.NewString())); resp.StatusCode != 422 ||
		!strings.Contains(out, "Kies een collega van deze school") {
		t.Errorf("add a stranger: %d, want 422", resp.StatusCode)
	}
	page := h.page(t, ownBase)
	participants := regexp.MustCompile(`(?s)<li class="participant">(.*?)</li>`).FindAllStringSubmatch(page, -1)
	var teacherLine string
	for _, p := range participants {
		if strings.Contains(p[1], "leerkracht / mentor") {
			teacherLine = p[1]
		}
	}
	if len(participants) != 3 || teacherLine == "" {
		t.Fatalf("%d participants, teacher %q; want guardian, IB'er and the teacher once", len(participants), teacherLine)
	}
	remove := regexp.MustCompile(`action="([^"]+/verwijderen)"`).FindStringSubmatch(teacherLine)
	if resp, _ := h.do(t, "POST", remove[1], formType, ""); resp.StatusCode != 303 {
		t.Errorf("remove participant: %d", resp.StatusCode)
	}
	page = h.page(t, ownBase)
	if strings.Count(page, `<li class="participant">`) != 2 || !strings.Contains(page, `<option value="`+teacher.String()+`">`) {
		t.Errorf("participant not removed, or not offered to add again")
	}
	if resp, _ := h.doAs(t, juf, "GET", fmt.Sprintf("/licenties/%s/leerlingen/%s/dossier", lic, other), "", ""); resp.StatusCode != 404 {
		t.Errorf("teacher on another group's dossier: %d, want 404", resp.StatusCode)
	}
	resp, out := h.doAs(t, juf, "GET", ownBase, "", "")
	if resp.StatusCode != 200 || strings.Contains(out, `id="advance"`) {
		t.Errorf("teacher's own dossier: %d; the advance button must not show", resp.StatusCode)
	}
	if resp, _ := h.doAs(t, juf, "POST", ownBase+"/groeidocument", formType, form("kind", "tried", "occurred_on",
		time.Now().Format(dateLayout), "body", "Koptelefoon geprobeerd")); resp.StatusCode != 303 {
		t.Errorf("teacher adds to groeidocument: %d", resp.StatusCode)
	}
	if resp, _ := h.doAs(t, juf, "POST", ownBase+"/fase", formType, form("request_id", uuid.NewString(), "from", "observe")); resp.StatusCode != 404 {
		t.Errorf("teacher advances: %d, want 404", resp.StatusCode)
	}
}

func TestDossierAttachments(t *testing.T) {
	h := newHarness(t)
	lic := h.school.ID
	pupil := h.createPupil(t, h.cookie, lic, "Bijlage", "3")
	h.openDossier(t, h.cookie, lic, pupil)
	base := fmt.Sprintf("/licenties/%s/leerlingen/%s/dossier", lic, pupil)

	var docx bytes.Buffer
	zw := zip.NewWriter(&docx)
	for _, name := range []string{"[Content_Types].xml", "word/document.xml"} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte("<xml/>"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
	upload := func(name string, content []byte) (int, string) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(content)
		_ = mw.Close()
		resp, out := h.do(t, "POST", base+"/bijlagen", mw.FormDataContentType(), body.String())
		return resp.StatusCode, out
	}
	cases := []struct {
		name    string
		content []byte
		want    int
	}{
		{"verslag logopedie.pdf", []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj\n"), 303},
		{"handelingsplan.docx", docx.Bytes(), 303},
		{"tekening.png", png, 303},
		{"virus.pdf", []byte("MZ\x90\x00 this is a windows program"), 422},
		{"tekening.pdf", png, 422},         // content and name disagree
		{"archief.docx", plainZip(t), 422}, // a zip, not a Word file
		{"groot.pdf", append([]byte("%PDF-1.4\n"), make([]byte, maxAttachmentBytes)...), 422},
	}
	for _, c := range cases {
		if code, out := upload(c.name, c.content); code != c.want {
			t.Errorf("%s: %d, want %d (%s)", c.name, code, c.want, firstAlert(out))
		}
	}
	page := h.page(t, base)
	link := regexp.MustCompile(`href="(` + regexp.QuoteMeta(base) + `/bijlagen/[^"]+)" download>verslag logopedie.pdf`).FindStringSubmatch(page)
	if link == nil || strings.Contains(page, "virus.pdf") {
		t.Fatalf("attachment list wrong")
	}
	resp, body := h.do(t, "GET", link[1], "", "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") || !strings.HasPrefix(body, "%PDF") {
		t.Errorf("download: %d %v", resp.StatusCode, resp.Header)
	}
	if n := strings.Count(h.logbookActions(t, lic, pupil), "export attachment"); n != 1 {
		t.Errorf("%d downloads logged, want 1", n)
	}
	other := h.createPupil(t, h.cookie, lic, "Ander", "3")
	h.openDossier(t, h.cookie, lic, other)
	foreign := strings.Replace(link[1], pupil.String(), other.String(), 1)
	if resp, _ := h.do(t, "GET", foreign, "", ""); resp.StatusCode != 404 {
		t.Errorf("attachment through another pupil's path: %d, want 404", resp.StatusCode)
	}
}

func plainZip(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("notities.txt")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte("geen word"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func firstAlert(page string) string {
	m := regexp.MustCompile(`field-error">([^<]+)`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestDevMailboxShowsInvitations: with the dev mailbox on (make run), a
// consent round's invitation to a guardian appears on the mailbox page;
// without it, the page does not exist.
func TestDevMailboxShowsInvitations(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.DevMailbox = true })
	ctx := context.Background()
	lic := h.school.ID
	body := `{"given_name":"Mila","family_name":"Post","group_name":"6","birth_date":"2015-02-03","enrolled_on":"2023-08-21",
	  "guardians":[{"given_name":"Ruud","family_name":"Post","email":"ruud@voorbeeld.invalid","relation":"father","parental_authority":true}]}`
	resp, out := h.do(t, "POST", "/api/v1/licences/"+lic.String()+"/pupils", "application/json", body)
	if resp.StatusCode != 201 {
		t.Fatalf("create pupil: %d %s", resp.StatusCode, out)
	}
	pupil := uuid.MustParse(regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(out)[1])
	var d school.Dossier
	err := h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
		var err error
		d, err = dossiertest.Complete(ctx, school.New(pool), pupil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.srv.dossiers.StartConsent(ctx, lic, d, 1); err != nil {
		t.Fatal(err)
	}
	mailbox := "/licenties/" + lic.String() + "/postvak"
	poll.Must(t, 20*time.Second, "the invitation in the mailbox", func() bool {
		_, out := h.do(t, "GET", mailbox, "", "")
		return strings.Contains(out, "aan ruud@voorbeeld.invalid") && strings.Contains(out, "Uw instemming gevraagd")
	})
	if page := h.page(t, "/licenties/"+lic.String()+"/dossiers"); !strings.Contains(page, mailbox) {
		t.Errorf("Mijn leerlingen does not link the dev mailbox")
	}
	plain := newHarness(t)
	if resp, _ := plain.do(t, "GET", "/licenties/"+plain.school.ID.String()+"/postvak", "", ""); resp.StatusCode != 404 {
		t.Errorf("mailbox without dev mode: %d, want 404", resp.StatusCode)
	}
}

// TestDossierNoConsentPage: after geen instemming the plan goes into
// realisation, but the OPP is not vastgesteld (WPO 40a lid 2): the API
// gives no OPP date, and the page says "geen instemming", that the
// six-week term is not met, and what the school can do.
func TestDossierNoConsentPage(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	lic := h.school.ID
	pupil := h.createPupil(t, h.cookie, lic, "Weigering", "6")
	err := h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
		d, err := dossiertest.Complete(ctx, school.New(pool), pupil)
		if err != nil {
			return err
		}
		if _, err := pool.Exec(ctx, "UPDATE action_part_version SET consent_status = 'refused' WHERE dossier_id = $1", d.ID); err != nil {
			return err
		}
		return h.srv.dossiers.Start(ctx, lic, d)
	})
	if err != nil {
		t.Fatal(err)
	}
	dossierID := h.dossierOf(t, lic, pupil)
	h.waitPhase(t, lic, dossierID, "observe")
	api := fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier", lic, pupil)
	for _, step := range []string{`"from":"observe"`, `"from":"understand"`, `"from":"plan"`} {
		resp, out := h.do(t, "POST", api+"/advance", "application/json", `{"request_id":"`+uuid.NewString()+`",`+step+`}`)
		if resp.StatusCode != 200 {
			t.Fatalf("advance %s: %d %s", step, resp.StatusCode, out)
		}
	}
	h.waitPhase(t, lic, dossierID, "realise")
	if _, out := h.do(t, "GET", api, "", ""); !strings.Contains(out, `"opp_established_on":null`) {
		t.Errorf("the API gives an OPP date after geen instemming: %s", out)
	}
	page := h.page(t, fmt.Sprintf("/licenties/%s/leerlingen/%s/dossier", lic, pupil))
	for _, want := range []string{`id="geen-instemming"`, "het OPP is niet vastgesteld", "De termijn van zes weken is daardoor niet gehaald",
		"onderwijsconsulent", "Geschillencommissie passend onderwijs"} {
		if !strings.Contains(page, want) {
			t.Errorf("the dossier page after geen instemming does not say %q", want)
		}
	}
}
