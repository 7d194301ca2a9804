package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/topdossier/topdossier/db/dbtest"
	"github.com/topdossier/topdossier/internal/browsertest"
	"github.com/topdossier/topdossier/internal/poll"
	"github.com/topdossier/topdossier/temporalx/temporaltest"
)

// syncBuffer is an io.Writer safe for the goroutine running `dev`.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// devRun is one `topdossier dev` in the background.
type devRun struct {
	stdout *syncBuffer
	stderr *syncBuffer
	cancel context.CancelFunc
	done   chan error
	url    string
}

func startDev(t *testing.T, env map[string]string) *devRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &devRun{stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	go func() {
		r.done <- run(ctx, []string{"dev"}, func(k string) string { return env[k] }, r.stdout, r.stderr)
	}()
	addr := regexp.MustCompile(`Applicatie\s+(http://\S+)/`)
	started := poll.Until(2*time.Minute, func() bool {
		if m := addr.FindStringSubmatch(r.stdout.String()); m != nil {
			r.url = m[1]
			return true
		}
		select {
		case err := <-r.done:
			t.Fatalf("dev stopped at start: %v\n%s", err, r.stderr.String())
		default:
		}
		return false
	})
	if !started {
		cancel()
		t.Fatalf("dev did not start within 2 minutes:\n%s", r.stderr.String())
	}
	return r
}

// stop sends what Ctrl-C sends and waits for a clean exit.
func (r *devRun) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatalf("dev ended with %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("dev did not stop within a minute")
	}
}

// login logs in through the forms (password, then the authenticator code
// of the demo secret) and returns the session cookie. Each code works
// once, so it asks for the code of a time step not used yet.
func login(t *testing.T, base, email, password string) *http.Cookie {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(base+"/inloggen", url.Values{"email": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "__Host-td_sid" && c.Value != "" {
			cookie = &http.Cookie{Name: c.Name, Value: c.Value}
		}
	}
	if cookie == nil {
		t.Fatalf("login as %s: %d, no session cookie", email, resp.StatusCode)
	}
	req, _ := http.NewRequest("POST", base+"/inloggen/code", strings.NewReader("code="+nextCode(t, email)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(cookie)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second factor of %s: %d", email, resp.StatusCode)
	}
	return cookie
}

// usedSteps remembers per account which TOTP step the tests used last.
var usedSteps = map[string]int64{}

// nextCode returns the demo code for the next unused time step of email,
// waiting for the clock when the steps around now are used up.
func nextCode(t *testing.T, email string) string {
	t.Helper()
	for {
		now := time.Now()
		step := now.Unix() / 30
		// The current step first, then the next: a step-boundary passing
		// before the server checks still leaves the code within its window.
		for s := step; s <= step+1; s++ {
			if s > usedSteps[email] {
				usedSteps[email] = s
				code, err := totp.GenerateCode(DemoTOTPSecret, time.Unix(s*30, 0))
				if err != nil {
					t.Fatal(err)
				}
				return code
			}
		}
		time.Sleep(time.Until(time.Unix((step+1)*30, 0)))
	}
}

func getJSON(t *testing.T, url string, cookie *http.Cookie, v any) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func waitReady(t *testing.T, base string) {
	t.Helper()
	ready := poll.Until(time.Minute, func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	if !ready {
		t.Fatal("/readyz did not turn 200 within a minute")
	}
}

type demoState struct {
	licences []string
	pupils   int
	school   string // id of Basisschool De Regenboog
	// processes: where each open dossier stands, asked of its workflow.
	processes []string
	// ib is a session of De Regenboog's IB'er.
	ib *http.Cookie
}

func readDemo(t *testing.T, base string) demoState {
	t.Helper()
	var ls struct {
		Licences []struct {
			ID, Name, Kind string
		} `json:"licences"`
	}
	getJSON(t, base+"/api/v1/licences", login(t, base, "beheer@platform.test", DemoPassword), &ls)
	var st demoState
	ibs := map[string]string{"Basisschool De Regenboog": "ib@regenboog.test", "SBO De Brug": "ib@debrug.test"}
	for _, l := range ls.Licences {
		st.licences = append(st.licences, l.ID)
		if l.Name == "Basisschool De Regenboog" {
			st.school = l.ID
		}
		if ibs[l.Name] == "" {
			continue
		}
		var ps struct {
			Pupils []json.RawMessage `json:"pupils"`
		}
		ib := login(t, base, ibs[l.Name], DemoPassword)
		if l.Name == "Basisschool De Regenboog" {
			st.ib = ib
		}
		getJSON(t, base+"/api/v1/licences/"+l.ID+"/pupils", ib, &ps)
		st.pupils += len(ps.Pupils)
		var ds struct {
			Dossiers []struct {
				PupilID string `json:"pupil_id"`
			} `json:"dossiers"`
		}
		getJSON(t, base+"/api/v1/licences/"+l.ID+"/dossiers", ib, &ds)
		for _, d := range ds.Dossiers {
			var p struct {
				Process struct {
					Phase    string `json:"phase"`
					Deadline struct {
						Kind  string    `json:"kind"`
						DueAt time.Time `json:"due_at"`
					} `json:"deadline"`
				} `json:"process"`
			}
			getJSON(t, base+"/api/v1/licences/"+l.ID+"/pupils/"+d.PupilID+"/dossier/process", ib, &p)
			st.processes = append(st.processes, fmt.Sprintf("%s %s %s", p.Process.Phase, p.Process.Deadline.Kind,
				p.Process.Deadline.DueAt.UTC().Format(time.RFC3339)))
		}
	}
	sort.Strings(st.processes)
	return st
}

// TestDevRunStopRun is the `make run` smoke test: from an empty data
// folder to /readyz 200, stop, start again with the same data and no
// second seed, then a person's first steps in headless Chromium.
func TestDevRunStopRun(t *testing.T) {
	platformDB := fmt.Sprintf("tdsmoke_%d", time.Now().UnixNano())
	t.Cleanup(func() { dbtest.DropLike(t, platformDB) })
	dataDir := t.TempDir()
	temporalPort := freePort(t)
	// The demo dossiers opened 14 days ago (at midnight UTC); their OPP
	// term is set to end a minute from now, so it runs out after the
	// restart below: the timer must survive Temporal, worker and server
	// going down.
	opened := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -14)
	oppWithin := time.Since(opened).Round(time.Second) + 60*time.Second
	env := map[string]string{
		"DOSSIER_OPP_WITHIN":   oppWithin.String(),
		"DOSSIER_OPP_REMINDER": (oppWithin - 50*time.Second).String(),
		"DATABASE_URL":         dbtest.URLFor(t, platformDB),
		"DATA_DIR":             dataDir,
		"HTTP_ADDR":            "127.0.0.1:0",
		"METRICS_ADDR":         "127.0.0.1:0",
		"TEMPORAL_ADDRESS":     fmt.Sprintf("127.0.0.1:%d", temporalPort),
		"TEMPORAL_UI_PORT":     fmt.Sprint(freePort(t)),
		"TEMPORAL_BIN":         temporaltest.Binary(t),
	}

	first := startDev(t, env)
	waitReady(t, first.url)
	if !strings.Contains(first.stdout.String(), "Demodata: aangemaakt") {
		t.Errorf("first run did not seed:\n%s", first.stdout.String())
	}
	// The banner is true: the demo meeting it names exists, with its chair.
	if !strings.Contains(first.stdout.String(), "1 commissievergadering op "+time.Now().AddDate(0, 0, 14).Format("02-01-2006")) {
		t.Errorf("the banner does not name the demo meeting:\n%s", first.stdout.String())
	}
	chair := login(t, first.url, "voorzitter@rivierenland.test", DemoPassword)
	page := func(path string) string {
		req, _ := http.NewRequest("GET", first.url+path, nil)
		req.AddCookie(chair)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if m := regexp.MustCompile(`href="(/licenties/[0-9a-f-]{36}/commissie)"`).FindStringSubmatch(page("/")); m == nil ||
		!strings.Contains(page(m[1]), "Commissie toelaatbaarheid (demo)") {
		t.Error("the chair named in the banner has no demo meeting")
	}
	before := readDemo(t, first.url)
	if len(before.licences) != 4 || before.pupils != 4 || before.school == "" {
		t.Fatalf("demo data %+v, want 4 licences and 4 pupils", before)
	}
	if len(before.processes) != 2 || !strings.HasPrefix(before.processes[0], "observe opp ") {
		t.Fatalf("demo dossiers %q, want two in waarnemen with the OPP deadline", before.processes)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "temporal.db")); err != nil {
		t.Errorf("Temporal keeps no state under DATA_DIR: %v", err)
	}
	// The demo SWV signs with a certificate from the local demo CA, its
	// key sealed: the CA's key is not on disk in the clear either.
	if pem, err := os.ReadFile(filepath.Join(dataDir, "demo-ca.pem")); err != nil || !strings.Contains(string(pem), "BEGIN CERTIFICATE") {
		t.Errorf("demo CA certificate: %v", err)
	}
	if key, err := os.ReadFile(filepath.Join(dataDir, "demo-ca.key")); err != nil || strings.Contains(string(key), "PRIVATE KEY") {
		t.Errorf("demo CA key missing or in the clear (err %v)", err)
	}
	first.stop(t)
	if left := time.Until(opened.Add(oppWithin)); left < 5*time.Second {
		t.Fatalf("the first run ended %s before the OPP term; the timer would not outlive the restart", left)
	}
	if reachable(env["TEMPORAL_ADDRESS"]) {
		t.Fatal("Temporal dev server still answers after stop")
	}

	// Another checkout (a new data folder: a new payload key) on the same
	// database stops at start and says what to do, instead of a 500 later.
	other := map[string]string{}
	for k, v := range env {
		other[k] = v
	}
	other["DATA_DIR"] = t.TempDir()
	var stderr syncBuffer
	err := run(context.Background(), []string{"dev"}, func(k string) string { return other[k] }, &syncBuffer{}, &stderr)
	if err == nil || !strings.Contains(err.Error(), "andere sleutel") || !strings.Contains(err.Error(), "DATABASE_URL") ||
		!strings.Contains(err.Error(), filepath.Join(other["DATA_DIR"], "payload.key")) {
		t.Errorf("a start with another key on the same database: %v, want the Dutch message with the two ways out", err)
	}

	second := startDev(t, env)
	defer second.stop(t)
	waitReady(t, second.url)
	if !strings.Contains(second.stdout.String(), "Demodata: al aanwezig") {
		t.Errorf("second run seeded again:\n%s", second.stdout.String())
	}
	after := readDemo(t, second.url)
	// The dossier workflows answered before and answer the same after
	// Temporal, worker and server restarted: their timers are in
	// Temporal's store under DATA_DIR.
	if strings.Join(after.licences, ",") != strings.Join(before.licences, ",") || after.pupils != before.pupils ||
		strings.Join(after.processes, ",") != strings.Join(before.processes, ",") {
		t.Errorf("after restart %+v, want the same as before %+v", after, before)
	}

	overdue := func() bool {
		var ds struct {
			Dossiers []struct {
				DeadlineState string `json:"deadline_state"`
			} `json:"dossiers"`
		}
		getJSON(t, second.url+"/api/v1/licences/"+after.school+"/dossiers", after.ib, &ds)
		return len(ds.Dossiers) == 1 && ds.Dossiers[0].DeadlineState == "overdue"
	}
	if overdue() && time.Since(opened) < oppWithin {
		t.Fatal("overdue before the term ended")
	}
	if !poll.Until(90*time.Second, overdue) {
		t.Fatalf("the OPP term (ends %s) did not mark the dossier overdue after the restart",
			opened.Add(oppWithin).Format(time.RFC3339))
	}

	browserSmoke(t, second.url, after.school)
}

// browserSmoke walks what an IB'er does first: overview, the school's
// pupils, one pupil, confirm the enrolment, and sees the process move on.
func browserSmoke(t *testing.T, base, schoolID string) {
	t.Helper()
	ctx := browsertest.New(t, time.Minute)

	// Not logged in: the overview sends the IB'er to the login page.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`input[name="email"]`))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), "directeur@regenboog.test"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), DemoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/inloggen"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name="code"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="code"]`), nextCode(t, "directeur@regenboog.test")),
		chromedp.Click(chromedp.CSS(`form[action="/inloggen/code"] button`)),
		chromedp.WaitVisible(chromedp.CSS("form.logout")),
	); err != nil {
		t.Fatalf("log in: %v", err)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil || title != "Overzicht · TOP dossier" {
		t.Fatalf("title %q (err %v), want Overzicht · TOP dossier", title, err)
	}
	link := chromedp.CSS(fmt.Sprintf(`a[href="/licenties/%s/leerlingen"]`, schoolID))
	if err := chromedp.Do(ctx, chromedp.Click(link), chromedp.WaitVisible(chromedp.CSS("table tbody a"))); err != nil {
		t.Fatalf("open pupils: %v", err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil || heading != "Leerlingen van Basisschool De Regenboog" {
		t.Fatalf("heading %q (err %v)", heading, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("table tbody a")), chromedp.WaitVisible(chromedp.ID("process-step"))); err != nil {
		t.Fatalf("open pupil: %v", err)
	}
	step, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("process-step")))
	if err != nil || !strings.Contains(step, "Inschrijving controleren") {
		t.Fatalf("process step %q (err %v), want Inschrijving controleren", step, err)
	}
	confirm := chromedp.CSS(`form[action$="/inschrijving-gecontroleerd"] button`)
	if err := chromedp.Do(ctx, chromedp.Click(confirm)); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	clicked := time.Now()
	confirmed := poll.Until(60*time.Second, func() bool {
		if strings.Contains(step, "Ingeschreven") {
			return true
		}
		// A reload sooner would cancel the confirmation's own post; one
		// while its navigation is under way is aborted, and the next ask
		// reloads again.
		if time.Since(clicked) < 300*time.Millisecond {
			return false
		}
		if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
			return false
		}
		if step, err = chromedp.Run(ctx, chromedp.Text(chromedp.ID("process-step"))); err != nil {
			return false
		}
		return strings.Contains(step, "Ingeschreven")
	})
	if !confirmed {
		t.Fatalf("process step %q, want Ingeschreven after confirming", step)
	}
	// The school admin adds a teacher with the keyboard only: type, Tab to
	// the next field, a letter picks the role, Enter sends the form.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.Click(chromedp.CSS(`a[href$="/medewerkers"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name="name"]`)),
		chromedp.Focus(chromedp.CSS(`input[name="name"]`)),
		chromedp.KeyEvent("Kees Klas"), chromedp.KeyEvent("\t"),
		chromedp.KeyEvent("kees@regenboog.test"), chromedp.KeyEvent("\t"),
		chromedp.KeyEvent("l"), chromedp.KeyEvent("\t"),
		chromedp.KeyEvent("7a"), chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.ID("activation-link")),
	); err != nil {
		t.Fatalf("add a teacher with the keyboard: %v", err)
	}
	staff, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("table")))
	if err != nil || !strings.Contains(staff, "Kees Klas") || !strings.Contains(staff, "leerkracht / mentor") || !strings.Contains(staff, "7a") {
		t.Errorf("staff table %q (err %v), want Kees Klas as teacher of 7a", staff, err)
	}
	if dir := os.Getenv("SCREENSHOT_DIR"); dir != "" {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, "pupil.png"), png, 0o644)
		}
		if err != nil {
			t.Errorf("screenshot: %v", err)
		}
	}
}
