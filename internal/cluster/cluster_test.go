package cluster

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/topdossier/topdossier/auth"
)

// TestClusterSmoke brings up the production topology (Temporal on
// PostgreSQL, two workers, two servers, the proxy) and checks the two
// things a cluster must do: a dossier advanced through one server is seen
// through the other, and an activity whose worker is killed in the middle
// of it is finished by the other worker. To catch the worker in the
// middle, worker 1 sends mail to a server that accepts and never answers
// (its SendOutbox activity hangs there), worker 2 to one that works: the
// parent's invitation is stuck at worker 1, worker 1 is killed, and the
// invitation arrives through worker 2, once.
func TestClusterSmoke(t *testing.T) {
	ctx := context.Background()
	opt := testOptions(t, "topdossier_smoke", 7600, 4)
	tarpit := listen(t)
	held := make(chan struct{}, 1)
	var heldConns []net.Conn
	var heldMu sync.Mutex
	t.Cleanup(func() {
		heldMu.Lock()
		defer heldMu.Unlock()
		for _, c := range heldConns {
			c.Close()
		}
	})
	go func() {
		for {
			conn, err := tarpit.Accept()
			if err != nil {
				return
			}
			heldMu.Lock()
			heldConns = append(heldConns, conn)
			heldMu.Unlock()
			select {
			case held <- struct{}{}:
			default:
			}
		}
	}()
	mailbox := newMailbox(t)
	opt.WorkerEnv = func(i int) []string {
		if i == 0 {
			return []string{"SMTP_ADDR=" + tarpit.Addr().String()}
		}
		return []string{"SMTP_ADDR=" + mailbox.addr}
	}
	var log strings.Builder
	opt.Log = &log
	c, err := Start(ctx, opt)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	t.Cleanup(c.Stop)
	t.Log(log.String())

	licence, licenceDB, token := seedSchool(t, c)
	api := func(server int, method, path, body string) (int, string) {
		t.Helper()
		base := c.Proxy // server 2: through the proxy
		if server < len(c.Servers) {
			base = c.Servers[server]
		}
		req, err := http.NewRequest(method, base+"/api/v1/licences/"+licence+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if method != "GET" {
			req.Header.Set("Idempotency-Key", uuid.NewString())
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	eventually := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(3 * time.Minute)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 3 minutes", what)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}

	// 1. Through server 1: a pupil, a dossier, a note, the first step.
	st, body := api(0, "POST", "/pupils", `{"given_name":"Kees","family_name":"Cluster","group_name":"6","birth_date":"2016-02-03",
		"enrolled_on":"2023-08-21","guardians":[{"given_name":"Moeder","family_name":"Cluster","email":"moeder@cluster.invalid",
		"relation":"mother","parental_authority":true}]}`)
	if st != 201 {
		t.Fatalf("enrol through server 1: %d %s", st, body)
	}
	pupil := regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindStringSubmatch(body)[1]
	dossier := "/pupils/" + pupil + "/dossier"
	today := time.Now().Format("2006-01-02")
	if st, body := api(0, "POST", dossier, `{"support_level":"extra_school","reason":"Rekenen","started_on":"`+today+`"}`); st != 201 {
		t.Fatalf("open dossier: %d %s", st, body)
	}
	if st, body := api(0, "POST", dossier+"/growth-entries", `{"kind":"observation","occurred_on":"`+today+`","body":"Telt op de vingers"}`); st != 201 {
		t.Fatalf("growth note: %d %s", st, body)
	}
	advance := func(server int, from string) {
		t.Helper()
		req := uuid.NewString()
		eventually("advance from "+from, func() bool {
			st, _ := api(server, "POST", dossier+"/advance", `{"request_id":"`+req+`","from":"`+from+`"}`)
			return st == 200
		})
	}
	advance(0, "observe")
	// 2. Server 2 sees it, and so does whoever comes through the proxy
	// (both servers in turn).
	if st, body := api(1, "GET", dossier, ""); st != 200 || !strings.Contains(body, `"phase":"understand"`) {
		t.Fatalf("server 2 reads the dossier advanced through server 1: %d %s", st, body)
	}
	for range 2 {
		if st, body := api(2, "GET", dossier, ""); st != 200 || !strings.Contains(body, `"phase":"understand"`) {
			t.Fatalf("through the proxy: %d %s", st, body)
		}
	}

	// 3. Only worker 1 runs: the handelingsdeel is offered, the
	// invitation's SendOutbox hangs at worker 1's mail server.
	c.Kill("worker-2")
	put := func(section, content string) {
		t.Helper()
		if st, body := api(1, "PUT", dossier+"/sections/"+section, `{"version":1,"content":`+content+`}`); st != 200 {
			t.Fatalf("save %s: %d %s", section, st, body)
		}
	}
	put("understand", `{"promoting":{"pupil":"Gemotiveerd"},"hindering":{"teaching":"Tempo"},"educational_needs":"Herhaling","support_needs":"Instructie"}`)
	advance(1, "understand")
	put("perspective", `{"destination":"vmbo_kb","rationale":"Gemotiveerd, het tempo remt."}`)
	put("action_part", `{"goals":[{"id":"g1","domain":"Rekenen","goal":"Tafels tot 10","criterion":"90% goed","evaluate_on":"2027-06-01"}],
		"support":[{"what":"Verlengde instructie","who":"Leerkracht","how_often":"Dagelijks","where":"In de klas"}]}`)
	put("hearing", `{"heard_on":"`+today+`","how":"conversation","summary":"Wil oefenen."}`)
	if st, body := api(1, "POST", dossier+"/action-part/offer", ""); st != 201 {
		t.Fatalf("offer: %d %s", st, body)
	}
	select {
	case <-held:
	case <-time.After(2 * time.Minute):
		t.Fatal("worker 1 never started sending the invitation")
	}
	// 4. Worker 2 comes back, worker 1 dies in the middle of sending.
	if err := c.StartWorker(1); err != nil {
		t.Fatal(err)
	}
	eventually("worker 2 ready", func() bool { return c.WorkerReady(1) })
	c.Kill("worker-1")
	const invitation = "Uw instemming gevraagd met het plan van de school"
	eventually("the invitation arrives through worker 2", func() bool { return mailbox.count("moeder@cluster.invalid", invitation) > 0 })
	lconn, err := pgx.Connect(ctx, strings.Replace(c.DatabaseURL, "/"+opt.Prefix, "/"+licenceDB, 1))
	if err != nil {
		t.Fatal(err)
	}
	defer lconn.Close(ctx)
	var unsent int
	eventually("the outbox marks it sent", func() bool {
		return lconn.QueryRow(ctx, "SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL").Scan(&unsent) == nil && unsent == 0
	})
	if n := mailbox.count("moeder@cluster.invalid", invitation); n != 1 {
		t.Errorf("the mother got %d invitations, want 1", n)
	}
	// And the round is there for the school, through either server.
	for s := range 2 {
		if st, body := api(s, "GET", dossier+"/consent", ""); st != 200 || !strings.Contains(body, `"status":"open"`) {
			t.Errorf("server %d: the consent round: %d %s", s+1, st, body)
		}
	}
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// mailbox is a minimal SMTP server that counts the mails it got per
// recipient and subject.
type mailbox struct {
	addr string
	mu   sync.Mutex
	got  map[[2]string]int
}

func newMailbox(t *testing.T) *mailbox {
	ln := listen(t)
	mb := &mailbox{addr: ln.Addr().String(), got: map[[2]string]int{}}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go mb.serve(conn)
		}
	}()
	return mb
}

func (mb *mailbox) serve(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	say := func(s string) { fmt.Fprintf(conn, "%s\r\n", s) }
	say("220 mailbox")
	var rcpt []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 mailbox")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			rcpt = append(rcpt, strings.Trim(strings.TrimSpace(line[len("RCPT TO:"):]), "<>\r\n"))
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			subject := ""
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				if s, ok := strings.CutPrefix(l, "Subject: "); ok && subject == "" {
					subject = strings.TrimSpace(s)
				}
			}
			mb.mu.Lock()
			for _, to := range rcpt {
				mb.got[[2]string{strings.ToLower(to), subject}]++
			}
			mb.mu.Unlock()
			rcpt = nil
			say("250 kept")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (mb *mailbox) count(to, subject string) int {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return mb.got[[2]string{to, subject}]
}

// testOptions are Local's options for a test or benchmark: this
// checkout's topdossier built fresh (whatever bin/ holds), its own
// databases (dropped before and after) and ports.
func testOptions(t testing.TB, prefix string, port, shards int) Options {
	t.Helper()
	ctx := context.Background()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	opt, err := Local(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	opt.Topdossier = filepath.Join(t.TempDir(), "topdossier")
	build := exec.Command("go", "build", "-o", opt.Topdossier, "./cmd/topdossier")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if err := opt.Check(); err != nil {
		t.Fatal(err)
	}
	opt.Prefix, opt.Port, opt.Shards = prefix, port, shards
	if err := DropDatabases(ctx, opt.AdminURL, opt.Prefix); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = DropDatabases(context.Background(), opt.AdminURL, opt.Prefix) })
	return opt
}

// seedSchool makes an SWV and a school licence (through the CLI) with a
// write token: the licence, its database and the token.
func seedSchool(t testing.TB, c *Cluster) (licence, database, token string) {
	return seedSchoolNumber(t, c, 11)
}

// seedSchoolNumber is seedSchool for the i-th school (0–99) of the SWV.
func seedSchoolNumber(t testing.TB, c *Cluster, i int) (licence, database, token string) {
	t.Helper()
	ctx := context.Background()
	pconn, err := pgx.Connect(ctx, c.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pconn.Close(ctx)
	if _, err := pconn.Exec(ctx, "INSERT INTO swv (code, name) VALUES ('PO2899', 'SWV Cluster') ON CONFLICT (code) DO NOTHING"); err != nil {
		t.Fatal(err)
	}
	out, err := c.Topdossier("licence", "create", "-swv", "PO2899", "-name", fmt.Sprintf("Basisschool Cluster %d", i),
		"-brin", fmt.Sprintf("%02dCL", i), "-type", "BAO")
	if err != nil {
		t.Fatalf("licence create: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`licentie (\S+) aangemaakt in database \S+?/(\S+)`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("licence create said: %s", out)
	}
	token = "td_cluster" + strings.ReplaceAll(uuid.NewString(), "-", "")
	if _, err := pconn.Exec(ctx, "INSERT INTO api_token (licence_id, name, scope, token_hash) VALUES ($1, 'cluster', 'write', $2)",
		m[1], auth.HashToken(token)); err != nil {
		t.Fatal(err)
	}
	return m[1], m[2], token
}
