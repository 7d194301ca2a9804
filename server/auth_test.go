package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/pquerna/otp/totp"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/school"
)

func TestLoginAndSession(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	form := func(email, pw string) string {
		return url.Values{"email": {email}, "password": {pw}}.Encode()
	}
	// Unknown address and wrong password: the same answer (ASVS 2.2.1/3.2.1 area).
	r1, b1 := h.doAs(t, "", "POST", "/inloggen", "application/x-www-form-urlencoded", form("niemand@linde.invalid", testPassword))
	r2, b2 := h.doAs(t, "", "POST", "/inloggen", "application/x-www-form-urlencoded", form("ib@linde.invalid", "verkeerd wachtwoord!!"))
	msg := "Het e-mailadres of wachtwoord klopt niet."
	if r1.StatusCode != 401 || r2.StatusCode != 401 || !strings.Contains(b1, msg) || !strings.Contains(b2, msg) {
		t.Errorf("unknown user %d, wrong password %d; want both 401 with %q", r1.StatusCode, r2.StatusCode, msg)
	}
	// The message is tied to both fields, the address is kept (WCAG 3.3.1).
	if !strings.Contains(b2, `value="ib@linde.invalid" required autocomplete="username" aria-invalid="true" aria-describedby="login-fout"`) ||
		!strings.Contains(b2, `<p id="login-fout">`) {
		t.Error("the login error is not tied to the fields, or the address was not kept")
	}

	// The session cookie (ASVS 3.4.1-3.4.4).
	resp, _ := h.doAs(t, "", "POST", "/inloggen", "application/x-www-form-urlencoded", form("IB@linde.invalid", testPassword))
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.Secure || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" || cookie.Domain != "" {
		t.Fatalf("session cookie %+v, want __Host- Secure HttpOnly SameSite=Lax Path=/ without Domain", cookie)
	}
	// A new session id at every login (ASVS 3.2.1).
	second := h.login(t, "ib@linde.invalid")
	if second == cookie.Value || second == h.cookie {
		t.Error("a login reused a session token")
	}

	// Logout ends the session on the server (ASVS 3.3.1).
	if resp, _ := h.doAs(t, second, "POST", "/uitloggen", "", ""); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if resp, _ := h.doAs(t, second, "GET", "/", "", ""); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/inloggen") {
		t.Errorf("after logout: %d %s, want a redirect to the login page", resp.StatusCode, resp.Header.Get("Location"))
	}

	// Idle timeout 30 minutes, absolute 12 hours (ASVS 3.3.2).
	for name, stmt := range map[string]string{
		"idle":     "UPDATE user_session SET last_seen_at = now() - interval '31 minutes' WHERE token_hash = $1",
		"absolute": "UPDATE user_session SET expires_at = now() - interval '1 second' WHERE token_hash = $1",
	} {
		token := h.login(t, "ib@linde.invalid")
		if _, err := h.platform.Pool.Exec(ctx, stmt, hashToken(token)); err != nil {
			t.Fatal(err)
		}
		resp, _ := h.doAs(t, token, "GET", "/api/v1/licences/"+h.school.ID.String()+"/pupils", "", "")
		if resp.StatusCode != 401 {
			t.Errorf("%s timeout: %d, want 401", name, resp.StatusCode)
		}
	}

	// The way back after login stays on this site.
	for back, want := range map[string]string{"/licenties/x": "/licenties/x", "//evil.example/": "/", "https://evil.example/": "/"} {
		v := url.Values{"email": {"ib@linde.invalid"}, "password": {testPassword}, "terug": {back}}
		resp, _ := h.doAs(t, "", "POST", "/inloggen", "application/x-www-form-urlencoded", v.Encode())
		if got := resp.Header.Get("Location"); got != "/inloggen/code?terug="+url.QueryEscape(want) {
			t.Errorf("terug=%q: redirected to %q, want the code step with %q", back, got, want)
		}
	}
}

func TestLoginRateLimit(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	// 100 failures in the last hour lock the account, also for the right password.
	_, err := h.platform.Pool.Exec(ctx, `INSERT INTO login_attempt (account_key, ip, success)
		SELECT $1, '10.9.8.7', false FROM generate_series(1, 100)`, hashToken("ib@linde.invalid"))
	if err != nil {
		t.Fatal(err)
	}
	v := url.Values{"email": {"ib@linde.invalid"}, "password": {testPassword}}
	resp, body := h.doAs(t, "", "POST", "/inloggen", "application/x-www-form-urlencoded", v.Encode())
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Te veel mislukte pogingen") {
		t.Errorf("locked account: %d, want 429 with a Dutch message", resp.StatusCode)
	}
	// 300 failures from one address lock that address for every account.
	_, err = h.platform.Pool.Exec(ctx, `INSERT INTO login_attempt (account_key, ip, success)
		SELECT sha256(i::text::bytea), '127.0.0.1', false FROM generate_series(1, 300) i`)
	if err != nil {
		t.Fatal(err)
	}
	h.user(t, "ander@linde.invalid", "staff")
	v.Set("email", "ander@linde.invalid")
	if resp, _ := h.doAs(t, "", "POST", "/inloggen", "application/x-www-form-urlencoded", v.Encode()); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("locked address: %d, want 429", resp.StatusCode)
	}
}

func TestCrossSiteRequestsAndHeaders(t *testing.T) {
	h := newHarness(t)
	base := "/licenties/" + h.school.ID.String() + "/leerlingen"
	req, err := http.NewRequest("POST", h.http.URL+base, strings.NewReader("given_name=X"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: h.cookie})
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site form post: %d, want 403", resp.StatusCode)
	}

	resp, _ = h.do(t, "GET", base, "", "")
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "default-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v, want no-store and nosniff", resp.Header)
	}
}

func TestTypedHTMLIsShownAsText(t *testing.T) {
	h := newHarness(t)
	pupils := "/api/v1/licences/" + h.school.ID.String() + "/pupils"
	body := `{"given_name":"<script>alert(1)</script>","family_name":"<b>Vet</b>","birth_date":"2017-02-03","enrolled_on":"2023-08-21",
	  "guardians":[{"given_name":"A","family_name":"B","relation":"mother","parental_authority":true}]}`
	resp, out := h.do(t, "POST", pupils, "application/json", body)
	if resp.StatusCode != 201 {
		t.Fatalf("create: %d %s", resp.StatusCode, out)
	}
	var created struct {
		Pupil struct{ ID string } `json:"pupil"`
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/licenties/" + h.school.ID.String() + "/leerlingen", "/licenties/" + h.school.ID.String() + "/leerlingen/" + created.Pupil.ID} {
		_, page := h.do(t, "GET", p, "", "")
		if strings.Contains(page, "<script>alert(1)</script>") || strings.Contains(page, "<b>Vet</b>") {
			t.Errorf("%s renders typed HTML as markup", p)
		}
		if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s does not show the typed text", p)
		}
	}
}

// TestTeacherSeesOwnGroupsOnly: a leerkracht sees the pupils of their own
// groups, nothing else of the school, and no logbook.
func TestTeacherSeesOwnGroupsOnly(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	ids := map[string]string{}
	for _, g := range []string{"5b", "6a"} {
		body := `{"given_name":"Kind","family_name":"Groep` + g + `","group_name":"` + g + `","birth_date":"2016-02-03","enrolled_on":"2023-08-21",
		  "guardians":[{"given_name":"A","family_name":"B","relation":"mother","parental_authority":true}]}`
		_, out := h.do(t, "POST", "/api/v1/licences/"+h.school.ID.String()+"/pupils", "application/json", body)
		ids[g] = regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(out)[1]
	}
	teacher := h.user(t, "juf@linde.invalid", "staff", member{auth.RoleTeacher, &h.school.ID})
	err := h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
		return school.New(pool).AddStaffGroup(ctx, school.AddStaffGroupParams{UserID: teacher, GroupName: "5b"})
	})
	if err != nil {
		t.Fatal(err)
	}
	juf := h.login(t, "juf@linde.invalid")
	base := "/licenties/" + h.school.ID.String() + "/leerlingen"
	_, list := h.doAs(t, juf, "GET", base, "", "")
	if !strings.Contains(list, "Groep5b") || strings.Contains(list, "Groep6a") {
		t.Errorf("teacher's list: want only group 5b")
	}
	if strings.Contains(list, "Leerling inschrijven") {
		t.Error("teacher is offered to enrol pupils")
	}
	checks := []struct {
		path string
		want int
	}{
		{base + "/" + ids["5b"], 200},
		{base + "/" + ids["6a"], 404},
		{base + "/" + ids["5b"] + "/logboek", 404},
		{"/api/v1/licences/" + h.school.ID.String() + "/pupils/" + ids["6a"], 404},
	}
	for _, c := range checks {
		if resp, _ := h.doAs(t, juf, "GET", c.path, "", ""); resp.StatusCode != c.want {
			t.Errorf("teacher GET %s: %d, want %d", c.path, resp.StatusCode, c.want)
		}
	}
}

func TestSecondFactor(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	pupils := "/api/v1/licences/" + h.school.ID.String() + "/pupils"
	password := func(email string) string {
		v := url.Values{"email": {email}, "password": {testPassword}}
		resp, _ := h.doAs(t, "", "POST", "/inloggen", "application/x-www-form-urlencoded", v.Encode())
		for _, c := range resp.Cookies() {
			if c.Name == sessionCookie {
				return c.Value
			}
		}
		t.Fatalf("no session after password of %s", email)
		return ""
	}

	// After the password alone, nothing is open yet.
	half := password("ib@linde.invalid")
	if resp, _ := h.doAs(t, half, "GET", pupils, "", ""); resp.StatusCode != 401 {
		t.Errorf("API after password only: %d, want 401", resp.StatusCode)
	}
	resp, _ := h.doAs(t, half, "GET", "/", "", "")
	if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/inloggen/code") {
		t.Errorf("page after password only: %d %s, want the code step", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := h.doAs(t, half, "POST", "/inloggen/code", "application/x-www-form-urlencoded", "code=000000"); resp.StatusCode != 401 {
		t.Errorf("wrong code: %d, want 401", resp.StatusCode)
	}
	code := h.code(t, "ib@linde.invalid")
	if resp, _ := h.doAs(t, half, "POST", "/inloggen/code", "application/x-www-form-urlencoded", "code="+code); resp.StatusCode != 303 {
		t.Fatalf("right code: %d, want 303", resp.StatusCode)
	}
	// The same code does not open a second session (ASVS 2.8.4).
	again := password("ib@linde.invalid")
	if resp, _ := h.doAs(t, again, "POST", "/inloggen/code", "application/x-www-form-urlencoded", "code="+code); resp.StatusCode != 401 {
		t.Errorf("reused code: %d, want 401", resp.StatusCode)
	}

	// A new account sets up its authenticator at the first login and gets
	// recovery codes, each of which works once.
	id := h.user(t, "nieuw@linde.invalid", "staff", member{auth.RoleIB, &h.school.ID})
	if _, err := h.platform.Pool.Exec(ctx, "UPDATE app_user SET totp_secret_sealed = NULL, totp_confirmed_at = NULL WHERE id = $1", id); err != nil {
		t.Fatal(err)
	}
	fresh := password("nieuw@linde.invalid")
	_, page := h.doAs(t, fresh, "GET", "/inloggen/code", "", "")
	m := regexp.MustCompile(`<code>([A-Z2-7]{32})</code>`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, `src="data:image/png;base64,`) {
		t.Fatal("set-up page shows no secret and QR code")
	}
	enrolCode, err := totp.GenerateCode(m[1], time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, page = h.doAs(t, fresh, "POST", "/inloggen/code", "application/x-www-form-urlencoded", "code="+enrolCode)
	recovery := regexp.MustCompile(`<li><code>([a-z2-9-]{14})</code></li>`).FindAllStringSubmatch(page, -1)
	if resp.StatusCode != 200 || len(recovery) != 10 {
		t.Fatalf("after set-up: %d with %d recovery codes, want 200 with 10", resp.StatusCode, len(recovery))
	}
	var sealed []byte
	if err := h.platform.Pool.QueryRow(ctx, "SELECT totp_secret_sealed FROM app_user WHERE id = $1", id).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(sealed), m[1]) {
		t.Error("the TOTP secret is stored readable")
	}
	for i, want := range []int{303, 401} {
		s := password("nieuw@linde.invalid")
		if resp, _ := h.doAs(t, s, "POST", "/inloggen/code", "application/x-www-form-urlencoded", "code="+recovery[0][1]); resp.StatusCode != want {
			t.Errorf("recovery code use %d: %d, want %d", i+1, resp.StatusCode, want)
		}
	}
}

// TestReauthenticationHook mounts the hook on a route as later issues do
// for consent and signing.
func TestReauthenticationHook(t *testing.T) {
	h := newHarness(t)
	e := h.srv.routes()
	e.GET("/gevoelig", h.srv.signedIn, h.srv.recentAuth(time.Minute), func(c *gin.Context) { c.String(200, "gedaan") })
	srv := httptest.NewServer(e)
	defer srv.Close()
	get := func() *http.Response {
		req, _ := http.NewRequest("GET", srv.URL+"/gevoelig", nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: h.cookie})
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := get(); resp.StatusCode != 200 {
		t.Fatalf("right after login: %d, want 200", resp.StatusCode)
	}
	if _, err := h.platform.Pool.Exec(context.Background(), "UPDATE user_session SET reauth_at = now() - interval '2 minutes' WHERE token_hash = $1", hashToken(h.cookie)); err != nil {
		t.Fatal(err)
	}
	resp := get()
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/inloggen/opnieuw?terug=%2Fgevoelig" {
		t.Fatalf("after two minutes: %d %s, want the re-authentication page", resp.StatusCode, resp.Header.Get("Location"))
	}
	bad := url.Values{"password": {"fout fout fout fout"}, "code": {h.code(t, "ib@linde.invalid")}, "terug": {"/gevoelig"}}
	if resp, _ := h.do(t, "POST", "/inloggen/opnieuw", "application/x-www-form-urlencoded", bad.Encode()); resp.StatusCode != 401 {
		t.Errorf("wrong password: %d, want 401", resp.StatusCode)
	}
	good := url.Values{"password": {testPassword}, "code": {h.code(t, "ib@linde.invalid")}, "terug": {"/gevoelig"}}
	if resp, _ := h.do(t, "POST", "/inloggen/opnieuw", "application/x-www-form-urlencoded", good.Encode()); resp.StatusCode != 303 {
		t.Fatalf("re-authenticate: %d, want 303", resp.StatusCode)
	}
	if resp := get(); resp.StatusCode != 200 {
		t.Errorf("after re-authenticating: %d, want 200", resp.StatusCode)
	}
}

// TestSafeBack: the way back after a login is a path of this site or
// "/": the known bypasses of a same-origin check all end at "/".
func TestSafeBack(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/licenties/x/leerlingen?zoek=a", "/licenties/x/leerlingen?zoek=a"},
		{"/", "/"},
		{"/\t/evil.example/", "/"}, // TAB: browsers drop it and read //evil.example/
		{"/\n/evil.example/", "/"},
		{"/\r/evil.example/", "/"},
		{"/\v/evil.example/", "/"},
		{"/\x00/evil.example/", "/"},
		{"/ /evil.example/", "/"},
		{"/\u00a0/evil.example/", "/"},
		{"/\\evil.example/", "/"},
		{"\\/evil.example/", "/"},
		{"//evil.example/", "/"},
		{"///evil.example/", "/"},
		{"/%2F%2Fevil.example/", "/"},
		{"/%2f/evil.example/", "/"},
		{"/%09/evil.example/", "/"},
		{"/%0a/evil.example/", "/"},
		{"/%5Cevil.example/", "/"},
		{"https://evil.example/", "/"},
		{"https:evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{"", "/"},
		{"/%zz", "/"},
		{"/\xff", "/"},
	} {
		if got := safeBack(tc.in); got != tc.want {
			t.Errorf("safeBack(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestLoginBackStaysHome: terug=/%09/evil.example/ through both login
// steps ends at "/", never at a Location a browser reads as another host.
func TestLoginBackStaysHome(t *testing.T) {
	h := newHarness(t)
	for _, back := range []string{"/%09/evil.example/", "/\t/evil.example/", "/%2F%2Fevil.example/", "/\\evil.example/"} {
		v := url.Values{"email": {"ib@linde.invalid"}, "password": {testPassword}, "terug": {back}}
		resp, _ := h.doAs(t, "", "POST", "/inloggen", "application/x-www-form-urlencoded", v.Encode())
		loc := resp.Header.Get("Location")
		if loc != "/inloggen/code?terug="+url.QueryEscape("/") {
			t.Errorf("terug=%q: the password step goes to %q", back, loc)
		}
		var session string
		for _, c := range resp.Cookies() {
			if c.Name == sessionCookie && c.Value != "" {
				session = c.Value
			}
		}
		// The code step, asked directly with the dangerous way back.
		form := url.Values{"code": {h.code(t, "ib@linde.invalid")}, "terug": {back}}
		resp, _ = h.doAs(t, session, "POST", "/inloggen/code", "application/x-www-form-urlencoded", form.Encode())
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/" {
			t.Errorf("terug=%q: the code step goes to %q (%d), want /", back, loc, resp.StatusCode)
		}
	}
}

// FuzzSafeBack: whatever comes in, the way back is the input itself or
// "/", and no browser reads it as another host (browsers drop TAB, LF
// and CR and take a backslash for a slash).
func FuzzSafeBack(f *testing.F) {
	for _, s := range []string{"/licenties/x", "/\t/evil.example/", "/%2F%2Fevil", "https://evil.example/", "/\\evil", "//x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		got := safeBack(p)
		if got != "/" && got != p {
			t.Fatalf("safeBack(%q) = %q", p, got)
		}
		browser := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(got)
		u, err := url.Parse(browser)
		if err != nil || u.Host != "" || u.Scheme != "" || strings.HasPrefix(browser, "//") {
			t.Fatalf("safeBack(%q) = %q, which a browser reads as %+v", p, got, u)
		}
		if dec, err := url.PathUnescape(got); err != nil || strings.HasPrefix(strings.NewReplacer("\\", "/").Replace(dec), "//") {
			t.Fatalf("safeBack(%q) = %q decodes to %q", p, got, dec)
		}
	})
}
