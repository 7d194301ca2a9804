package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pquerna/otp/totp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/config"
	"github.com/topdossier/topdossier/db/dbtest"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/internal/poll"
	"github.com/topdossier/topdossier/temporalx/temporaltest"
	"github.com/topdossier/topdossier/worker"
)

// harness is the real server on real PostgreSQL and a real Temporal dev
// server with a worker, over HTTP.
type harness struct {
	srv      *Server
	registry *prometheus.Registry
	engine   *gin.Engine
	http     *httptest.Server
	platform *dbtest.Platform
	school   platform.Licence
	// cookie is the session of the actor requests are made as; by
	// default the IB'er of school.
	cookie string
	ibID   uuid.UUID
	// webhookRoots are the certificates the worker trusts when it posts
	// to a webhook: a test adds its receiver's.
	webhookRoots *x509.CertPool
}

func newHarness(t testing.TB, opts ...func(*Config)) *harness {
	t.Helper()
	ts := temporaltest.Start(t)
	p := dbtest.NewPlatform(t, tenants.Config{})
	lic := p.School(t, "Basisschool De Linde", "12AB")
	logger := slog.New(slog.DiscardHandler)
	cfg := Config{
		MaxBodyBytes:         4096,
		EnrolmentCheckWithin: time.Hour,
		Ready:                func(ctx context.Context) error { return p.Tenants.Ping(ctx) },
		Argon2:               testArgon,
		SecretKey:            testSecretKey,
	}
	for _, o := range opts {
		o(&cfg)
	}
	reg := prometheus.NewRegistry()
	s, err := newServer(cfg, logger, p.Tenants, ts.Client, reg)
	if err != nil {
		t.Fatal(err)
	}
	serversMu.Lock()
	servers = append(servers, s)
	serversMu.Unlock()
	engine := s.routes()
	hs := httptest.NewServer(s.handler())
	t.Cleanup(hs.Close)
	// Links in mails the workflows write point at this server. Webhooks
	// go to the tests' own TLS receivers, retried after a moment.
	roots := x509.NewCertPool()
	hooks := worker.WebhookConfig{FirstRetry: 300 * time.Millisecond, Client: &http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}}
	w := worker.New(ts.Client, worker.Deps{Tenants: p.Tenants, Mail: config.MailConfig{SiteURL: hs.URL}, SecretKey: testSecretKey,
		Leaver: s.retention, Webhooks: hooks, LAS: s.las, Transfers: s.transfers})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	h := &harness{srv: s, registry: reg, engine: engine, http: hs, platform: p, school: lic, webhookRoots: roots}
	h.ibID = h.user(t, "ib@linde.invalid", "staff", member{auth.RoleIB, &lic.ID})
	h.cookie = h.login(t, "ib@linde.invalid")
	return h
}

// testArgon keeps password hashing fast in tests.
var testArgon = auth.Argon2Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32}

const testPassword = "een lang genoeg geheim voor proeven"

// testSecretKey seals TOTP secrets in tests; testTOTP is every test
// account's authenticator secret.
var testSecretKey = auth.Keys{[]byte("test-key-test-key-test-key-test-key")}

const testTOTP = "JBSWY3DPEHPK3PXP"

type member struct {
	role    auth.Role
	licence *uuid.UUID
}

// user creates an account with the test password and memberships.
func (h *harness) user(t testing.TB, email, kind string, members ...member) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	hash, err := auth.HashPassword(testPassword, testArgon)
	if err != nil {
		t.Fatal(err)
	}
	q := platform.New(h.platform.Pool)
	u, err := q.CreateUser(ctx, platform.CreateUserParams{Kind: platform.UserKind(kind), Email: email,
		DisplayName: "Test " + strings.Split(email, "@")[0], PasswordHash: &hash})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if _, err := q.CreateMembership(ctx, platform.CreateMembershipParams{UserID: u.ID, LicenceID: m.licence, Role: platform.StaffRole(m.role)}); err != nil {
			t.Fatal(err)
		}
	}
	h.setTOTP(t, u.ID)
	return u.ID
}

// setTOTP gives an account the test authenticator secret, as if its owner
// set up the app.
func (h *harness) setTOTP(t testing.TB, userID uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	q := platform.New(h.platform.Pool)
	box, err := auth.NewSecretBox(testSecretKey, "totp")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := box.Seal(testTOTP)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.SetTOTPSecret(ctx, platform.SetTOTPSecretParams{ID: userID, TotpSecretSealed: sealed}); err != nil {
		t.Fatal(err)
	}
	if err := q.ConfirmTOTP(ctx, platform.ConfirmTOTPParams{ID: userID, TotpLastStep: 0}); err != nil {
		t.Fatal(err)
	}
}

// code returns a valid authenticator code for the test secret. Tests log
// the same account in many times within one 30-second step, so the used
// step is reset first; TestSecondFactor checks that a code works once.
func (h *harness) code(t testing.TB, email string) string {
	t.Helper()
	if _, err := h.platform.Pool.Exec(context.Background(), "UPDATE app_user SET totp_last_step = 0 WHERE email = $1", email); err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCode(testTOTP, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// login logs in through the form and returns the session cookie value.
func (h *harness) login(t testing.TB, email string) string {
	t.Helper()
	form := url.Values{"email": {email}, "password": {testPassword}}
	resp, body := h.doAs(t, "", "POST", "/inloggen", "application/x-www-form-urlencoded", form.Encode())
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: %d %s", email, resp.StatusCode, body)
	}
	var cookie string
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			cookie = c.Value
		}
	}
	if cookie == "" {
		t.Fatalf("login %s set no session cookie", email)
	}
	resp, body = h.doAs(t, cookie, "POST", "/inloggen/code", "application/x-www-form-urlencoded", "code="+h.code(t, email))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second factor %s: %d %s", email, resp.StatusCode, body)
	}
	return cookie
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (h *harness) do(t testing.TB, method, p, contentType, body string) (*http.Response, string) {
	t.Helper()
	return h.doAs(t, h.cookie, method, p, contentType, body)
}

// doAs makes a request with the given session cookie ("" for none). The
// cookie is set by hand: Go's cookie jar keeps Secure cookies for https.
func (h *harness) doAs(t testing.TB, cookie, method, p, contentType, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, h.http.URL+p, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

const validPupil = `{"given_name":"Lotte","family_name":"Visser","birth_date":"2017-02-03","enrolled_on":"2023-08-21",
 "year_group":4,"guardians":[{"given_name":"Anne","family_name":"Visser","relation":"mother","parental_authority":true,"email":"anne@voorbeeld.invalid"}]}`

func TestAPIErrors(t *testing.T) {
	h := newHarness(t)
	pupils := "/api/v1/licences/" + h.school.ID.String() + "/pupils"
	tests := []struct {
		name, method, path, body string
		status                   int
		field                    string
	}{
		{"OK list", "GET", pupils, "", 200, ""},
		{"ErrTooLarge", "POST", pupils, `{"given_name":"` + strings.Repeat("x", 5000) + `"}`, 413, ""},
		{"ErrMalformed", "POST", pupils, `{"given_name":`, 400, ""},
		{"ErrUnknownField", "POST", pupils, `{"bsn":"123456782"}`, 400, ""},
		{"ErrValidation", "POST", pupils, `{"given_name":"Lotte","birth_date":"gisteren","guardians":[]}`, 422, "birth_date"},
		{"ErrUnknownLicence", "GET", "/api/v1/licences/00000000-0000-4000-8000-000000000000/pupils", "", 404, ""},
		{"ErrMalformedID", "GET", "/api/v1/licences/nietseen-id/pupils", "", 404, ""},
		{"ErrUnknownPupil", "GET", pupils + "/00000000-0000-4000-8000-000000000000", "", 404, ""},
		{"ErrNoRoute", "GET", "/api/v1/bestaat-niet", "", 404, ""},
		{"ErrMethod", "PUT", "/api/v1/licences", "", 405, ""},
		{"ErrConfirmWithoutRequestID", "POST", pupils + "/00000000-0000-4000-8000-000000000000/enrolment-confirmation", `{}`, 422, "request_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := h.do(t, tt.method, tt.path, "application/json", tt.body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if tt.status < 400 {
				return
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("content type %q, want application/problem+json", ct)
			}
			var problem struct {
				Title     string            `json:"title"`
				Status    int               `json:"status"`
				RequestID string            `json:"request_id"`
				Errors    map[string]string `json:"errors"`
			}
			if err := json.Unmarshal([]byte(body), &problem); err != nil {
				t.Fatalf("problem body %q: %v", body, err)
			}
			if problem.Status != tt.status || problem.Title == "" || problem.RequestID == "" {
				t.Errorf("problem %+v, want status %d with title and request id", problem, tt.status)
			}
			if tt.status == 413 && !strings.Contains(body, "hoogstens 4 kB") {
				t.Errorf("a body too large does not name the limit: %s", body)
			}
			if tt.field != "" && problem.Errors[tt.field] == "" {
				t.Errorf("errors %v, want a message for %s", problem.Errors, tt.field)
			}
			if strings.Contains(body, "goroutine") || strings.Contains(body, "pgx") {
				t.Errorf("internal detail leaked: %s", body)
			}
		})
	}
	// Nothing of the rejected requests was written.
	_, body := h.do(t, "GET", pupils, "", "")
	if !strings.Contains(body, `"pupils":[]`) {
		t.Errorf("pupils after rejected requests: %s, want none", body)
	}
}

func TestAPIPupilEnrolmentFlow(t *testing.T) {
	h := newHarness(t)
	pupils := "/api/v1/licences/" + h.school.ID.String() + "/pupils"
	resp, body := h.do(t, "POST", pupils, "application/json", validPupil)
	if resp.StatusCode != 201 {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	var created struct {
		Pupil struct {
			ID string `json:"id"`
		} `json:"pupil"`
		ProcessStarted bool `json:"process_started"`
	}
	if err := json.Unmarshal([]byte(body), &created); err != nil || !created.ProcessStarted {
		t.Fatalf("create answer %s (err %v), want process_started", body, err)
	}
	if loc := resp.Header.Get("Location"); loc != pupils+"/"+created.Pupil.ID {
		t.Errorf("Location %q, want %q", loc, pupils+"/"+created.Pupil.ID)
	}
	show := pupils + "/" + created.Pupil.ID
	step := func() string {
		_, body := h.do(t, "GET", show, "", "")
		var got struct {
			Pupil struct {
				Guardians []json.RawMessage `json:"guardians"`
				Process   *struct {
					Step string `json:"step"`
				} `json:"process"`
			} `json:"pupil"`
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Pupil.Guardians) != 1 {
			t.Fatalf("guardians %d, want 1", len(got.Pupil.Guardians))
		}
		if got.Pupil.Process == nil {
			return ""
		}
		return got.Pupil.Process.Step
	}
	poll.Must(t, 20*time.Second, "step inschrijving_controleren", func() bool { return step() == "inschrijving_controleren" })
	for range 2 {
		resp, body := h.do(t, "POST", show+"/enrolment-confirmation", "application/json", `{"request_id":"api-1"}`)
		if resp.StatusCode != 202 {
			t.Fatalf("confirm: %d %s", resp.StatusCode, body)
		}
	}
	poll.Must(t, 20*time.Second, "step ingeschreven", func() bool { return step() == "ingeschreven" })
}

// TestPagesAndTemplates walks the pages a person uses, including a form
// with mistakes. (TestMain requires every template file to be used by
// some test.)
func TestPagesAndTemplates(t *testing.T) {
	h := newHarness(t)
	base := "/licenties/" + h.school.ID.String() + "/leerlingen"
	for _, p := range []string{"/", base, base + "/nieuw"} {
		resp, body := h.do(t, "GET", p, "", "")
		if resp.StatusCode != 200 || !strings.Contains(body, `<html lang="nl">`) {
			t.Errorf("GET %s: %d, want a Dutch page", p, resp.StatusCode)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("GET %s: Cache-Control %q, want no-store", p, cc)
		}
	}
	// A form with mistakes comes back with the fields marked and what was typed kept.
	form := url.Values{"given_name": {"Bram"}, "family_name": {""}, "birth_date": {"2017-13-40"},
		"enrolled_on": {"2024-08-19"}, "guardian_given_name": {"Ilse"}, "guardian_family_name": {"Smit"},
		"guardian_relation": {"mother"}}
	resp, body := h.do(t, "POST", base, "application/x-www-form-urlencoded", form.Encode())
	if resp.StatusCode != 422 {
		t.Fatalf("invalid form: %d, want 422", resp.StatusCode)
	}
	for _, want := range []string{"Controleer de invoer", "Vul de achternaam in.", `value="Bram"`, `aria-invalid="true"`} {
		if !strings.Contains(body, want) {
			t.Errorf("re-rendered form lacks %q", want)
		}
	}
	// The same form, corrected, enrols the pupil and redirects to the pupil page.
	form.Set("family_name", "de Jong")
	form.Set("birth_date", "2017-03-04")
	form.Set("guardian_parental_authority", "ja")
	resp, _ = h.do(t, "POST", base, "application/x-www-form-urlencoded", form.Encode())
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("valid form: %d, want 303", resp.StatusCode)
	}
	pupilPage := resp.Header.Get("Location")
	poll.Must(t, 20*time.Second, "pupil page with process step", func() bool {
		_, body := h.do(t, "GET", pupilPage, "", "")
		return strings.Contains(body, "Inschrijving controleren")
	})
	_, body = h.do(t, "GET", pupilPage, "", "")
	m := regexp.MustCompile(`name="request_id" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("pupil page has no confirmation form")
	}
	for range 2 { // double click
		resp, _ = h.do(t, "POST", pupilPage+"/inschrijving-gecontroleerd", "application/x-www-form-urlencoded", "request_id="+m[1])
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirm: %d, want 303", resp.StatusCode)
		}
	}
	poll.Must(t, 20*time.Second, "step ingeschreven", func() bool {
		_, body := h.do(t, "GET", pupilPage, "", "")
		return strings.Contains(body, "<strong>Ingeschreven</strong>")
	})
	resp, body = h.do(t, "GET", "/bestaat-niet", "", "")
	if resp.StatusCode != 404 || !strings.Contains(body, "Niet gevonden") {
		t.Errorf("unknown page: %d, want the Dutch 404 page", resp.StatusCode)
	}
	// Looking at the list of pupils is logged as one line with the number shown.
	h.do(t, "GET", base, "", "")
	var lists int
	err := h.platform.Tenants.With(context.Background(), h.school.ID, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(context.Background(), "SELECT count(*) FROM logbook WHERE entity = 'pupil_list' AND entity_id = '1' AND actor_user_id = $1", h.ibID).Scan(&lists)
	})
	if err != nil || lists == 0 {
		t.Errorf("list views in the logbook: %d (err %v), want at least one naming 1 pupil", lists, err)
	}
	// The IB'er sees their own looks at the pupil in its logbook.
	resp, body = h.do(t, "GET", pupilPage+"/logboek", "", "")
	if resp.StatusCode != 200 || !strings.Contains(body, "Test ib") || !strings.Contains(body, "bekeken") || !strings.Contains(body, "aangemaakt") {
		t.Errorf("logbook page: %d, want the IB'er's create and views listed", resp.StatusCode)
	}
	// The logbook as PDF: a download without personal data in its name, logged as an export.
	resp, body = h.do(t, "GET", pupilPage+"/logboek.pdf", "", "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-") ||
		resp.Header.Get("Content-Disposition") != `attachment; filename="logboek.pdf"` {
		t.Errorf("logbook PDF: %d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	if _, body = h.do(t, "GET", pupilPage+"/logboek", "", ""); !strings.Contains(body, "geëxporteerd") {
		t.Error("the PDF export is not in the logbook")
	}
	// The licence page and the login page, for the template check.
	h.user(t, "beheer@platform.invalid", "staff", member{auth.RolePlatformAdmin, nil})
	if resp, _ := h.doAs(t, h.login(t, "beheer@platform.invalid"), "GET", "/beheer/licenties", "", ""); resp.StatusCode != 200 {
		t.Errorf("licence page: %d", resp.StatusCode)
	}
	if resp, _ := h.doAs(t, "", "GET", "/inloggen", "", ""); resp.StatusCode != 200 {
		t.Errorf("login page: %d", resp.StatusCode)
	}
	if resp, _ := h.do(t, "GET", "/inloggen/opnieuw", "", ""); resp.StatusCode != 200 {
		t.Errorf("re-authentication page: %d", resp.StatusCode)
	}
	h.user(t, "directie@linde.invalid", "staff", member{auth.RoleSchoolAdmin, &h.school.ID})
	if resp, _ := h.doAs(t, h.login(t, "directie@linde.invalid"), "GET", "/licenties/"+h.school.ID.String()+"/api-sleutels", "", ""); resp.StatusCode != 200 {
		t.Errorf("API token page: %d", resp.StatusCode)
	}

}

// servers are the servers the tests made; TestMain checks that together
// they rendered every page template.
var (
	serversMu sync.Mutex
	servers   []*Server
)

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 && !testing.Short() && flag.Lookup("test.run").Value.String() == "" {
		if missing := unusedTemplates(); len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: template files never used by any test: %v\n", missing)
			code = 1
		}
	}
	os.Exit(code)
}

// unusedTemplates lists the page templates no test server rendered and the
// layouts and partials no page uses.
func unusedTemplates() []string {
	files, err := templateFiles()
	if err != nil {
		return []string{err.Error()}
	}
	rendered := map[string]bool{}
	serversMu.Lock()
	for _, s := range servers {
		s.pages.mu.Lock()
		for p := range s.pages.rendered {
			rendered[p] = true
		}
		s.pages.mu.Unlock()
	}
	serversMu.Unlock()
	var missing []string
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		switch path.Base(path.Dir(f)) {
		case "pages":
			if !rendered[name] {
				missing = append(missing, f)
			}
		case "partials", "layouts":
			if !templateReferenced(name) {
				missing = append(missing, f)
			}
		}
	}
	return missing
}

func templateFiles() ([]string, error) {
	var out []string
	for _, dir := range []string{"layouts", "partials", "pages"} {
		entries, err := os.ReadDir("templates/" + dir)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			out = append(out, "templates/"+dir+"/"+e.Name())
		}
	}
	return out, nil
}

// templateReferenced reports whether a layout or partial file's template
// is invoked from any page (or, for the layout, by render).
func templateReferenced(file string) bool {
	body, err := os.ReadFile("templates/layouts/" + file + ".html")
	if err != nil {
		body, err = os.ReadFile("templates/partials/" + file + ".html")
	}
	if err != nil {
		return false
	}
	m := regexp.MustCompile(`{{define "([^"]+)"}}`).FindSubmatch(body)
	if m == nil {
		return false
	}
	if string(m[1]) == "base" { // render executes "base" for every page
		return true
	}
	pages, _ := os.ReadDir("templates/pages")
	for _, p := range pages {
		b, _ := os.ReadFile("templates/pages/" + p.Name())
		if strings.Contains(string(b), `{{template "`+string(m[1])+`"`) {
			return true
		}
	}
	return false
}

func TestLicenceAdminPages(t *testing.T) {
	h := newHarness(t)
	h.user(t, "beheer@platform.invalid", "staff", member{auth.RolePlatformAdmin, nil})
	h.cookie = h.login(t, "beheer@platform.invalid")
	form := url.Values{"swv_id": {h.platform.SWV.ID.String()}, "kind": {"school"}, "name": {"VSO De Horizon"},
		"brin": {"98yz"}, "school_type": {"VSO"}}
	resp, _ := h.do(t, "POST", "/beheer/licenties", "application/x-www-form-urlencoded", form.Encode())
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d, want 303", resp.StatusCode)
	}
	// The same BRIN again is refused with the field marked.
	resp, body := h.do(t, "POST", "/beheer/licenties", "application/x-www-form-urlencoded", form.Encode())
	if resp.StatusCode != 422 || !strings.Contains(body, "al een licentie met deze BRIN-code") {
		t.Fatalf("duplicate: %d, want 422 naming the BRIN", resp.StatusCode)
	}
	rows, err := platform.New(h.platform.Pool).ListLicences(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var created platform.ListLicencesRow
	for _, r := range rows {
		if r.Name == "VSO De Horizon" {
			created = r
		}
	}
	if created.Brin == nil || *created.Brin != "98YZ" {
		t.Fatalf("created licence %+v, want BRIN 98YZ", created)
	}
	// A new SWV; a malformed code and a duplicate are refused with the field named.
	for _, tt := range []struct {
		code string
		want int
	}{{"VO2899", 303}, {"vo 28", 422}, {"VO2899", 422}} {
		v := url.Values{"code": {tt.code}, "swv_name": {"SWV VO Test"}}
		if resp, _ := h.do(t, "POST", "/beheer/samenwerkingsverbanden", "application/x-www-form-urlencoded", v.Encode()); resp.StatusCode != tt.want {
			t.Errorf("SWV %q: %d, want %d", tt.code, resp.StatusCode, tt.want)
		}
	}
	if _, err := platform.New(h.platform.Pool).GetSWVByCode(context.Background(), "VO2899"); err != nil {
		t.Errorf("new SWV not stored: %v", err)
	}
	remove := "/beheer/licenties/" + created.ID.String() + "/verwijderen"
	resp, _ = h.do(t, "POST", remove, "application/x-www-form-urlencoded", "confirm_name=Verkeerd")
	if resp.StatusCode != 422 {
		t.Fatalf("remove with wrong name: %d, want 422", resp.StatusCode)
	}
	if _, err := platform.New(h.platform.Pool).GetLicence(context.Background(), created.ID); err != nil {
		t.Fatalf("licence gone after a refused remove: %v", err)
	}
	resp, _ = h.do(t, "POST", remove, "application/x-www-form-urlencoded", "confirm_name="+url.QueryEscape("VSO De Horizon"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d, want 303", resp.StatusCode)
	}
	// Closed, not gone (TestLicenceRemoval follows it to the end).
	if lic, err := platform.New(h.platform.Pool).GetLicence(context.Background(), created.ID); err != nil || lic.Status != platform.LicenceStatusClosing {
		t.Errorf("licence after remove: %v %v, want closing", lic.Status, err)
	}
	if _, body := h.do(t, "GET", "/beheer/licenties", "", ""); !strings.Contains(body, "Herstellen<span class=\"visually-hidden\"> van VSO De Horizon") {
		t.Error("the licence page offers no restore of the closing licence")
	}
}

// TestOpenAPIListsEveryRoute parses the OpenAPI document and requires its
// operations to be exactly the /api/v1 routes of the router.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	s, err := newServer(Config{SecretKey: testSecretKey}, slog.New(slog.DiscardHandler), nil, nil, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := s.openAPI()
	if err != nil {
		t.Fatal(err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("validate: %v", err)
	}
	var documented []string
	for p, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" /api/v1"+p)
		}
	}
	param := regexp.MustCompile(`:([a-z_]+)`)
	var routed []string
	for _, r := range s.routes().Routes() {
		if strings.HasPrefix(r.Path, "/api/v1/") {
			routed = append(routed, r.Method+" "+param.ReplaceAllString(r.Path, "{$1}"))
		}
	}
	sort.Strings(documented)
	sort.Strings(routed)
	if strings.Join(documented, "\n") != strings.Join(routed, "\n") {
		t.Errorf("documented:\n%s\nrouted:\n%s", strings.Join(documented, "\n"), strings.Join(routed, "\n"))
	}
	if len(routed) < 50 {
		t.Errorf("only %d API routes found", len(routed))
	}
	t.Logf("%d API operations, all documented", len(routed))
}

func TestHealthAndMetrics(t *testing.T) {
	h := newHarness(t)
	for _, c := range [][2]string{{"/healthz", "ok"}, {"/readyz", "gereed"}} {
		p, want := c[0], c[1]
		resp, body := h.do(t, "GET", p, "", "")
		if resp.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("GET %s: %d %q, want 200 with %q", p, resp.StatusCode, body[:min(len(body), 80)], want)
		}
	}
	// Issue 19, fix 8: /metrics is not on the public address (the process
	// serves the registry on METRICS_ADDR; TestServerAndWorkerApart reads it
	// there); the registry counted the requests above.
	if resp, _ := h.do(t, "GET", "/metrics", "", ""); resp.StatusCode != 404 {
		t.Errorf("GET /metrics on the public address: %d, want 404", resp.StatusCode)
	}
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(h.registry, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if want := `topdossier_http_requests_total{method="GET",route="/healthz",status="200"} 1`; !strings.Contains(rec.Body.String(), want) {
		t.Errorf("registry lacks %q", want)
	}
	css, err := h.srv.assets.url("app.css")
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := h.do(t, "GET", css, "", "")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("GET %s: %d %q, want 200 immutable", css, resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
}

// TestOpenAPISchemasFollowJSON: the generated schemas have the fields
// encoding/json writes, embedded structs' included.
func TestOpenAPISchemasFollowJSON(t *testing.T) {
	got := schemaOf(reflect.TypeOf(swvRequestJSON{}))["properties"].(map[string]any)
	for _, field := range []string{"id", "status", "school_licence_id", "question", "snapshot", "votes", "decision"} {
		if _, ok := got[field]; !ok {
			t.Errorf("the schema of one SWV request lacks %q", field)
		}
	}
	if _, ok := got["swvRequestRowJSON"]; ok {
		t.Error("the embedded struct shows as a field")
	}
	vote := schemaOf(reflect.TypeOf(voteJSON{}))["properties"].(map[string]any)
	if a, ok := vote["approve"].(map[string]any); !ok || a["type"] != "boolean" || a["nullable"] != true {
		t.Errorf("approve: %v, want a nullable boolean", vote["approve"])
	}
}
