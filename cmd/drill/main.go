// Command drill is `make drill` (issue 19, drill 10): load with faults, on
// loopback only, bounded in time and count. It runs the production shape on
// this machine — a private PostgreSQL cluster, the Temporal dev server, one
// `topdossier worker` and one `topdossier server` process — and puts on it
// simulated staff with API tokens (enrol, open a dossier, write a growth
// note, advance a phase, read), IB'ers who take the guardians' children
// through a whole plan (sections of begrijpen and plannen, the
// handelingsdeel offered, the plan into realisation) and every other one
// through a TLV request to the SWV's signed decision (examples/apiclient),
// and guardians (logged in with password and code) who read their child's
// portal page and agree with the plan when it asks them. During the run it
// SIGKILLs the worker, the server and Temporal and restarts PostgreSQL, once
// each. Clients retry a failed change with the same Idempotency-Key or
// request id. Afterwards it checks that every dossier is where its client
// left it, that no action had two effects (pupils, logbook lines per
// advance, consent answers, invitations, SWV requests, decision numbers,
// signatures), that every logbook chain verifies and the reconciliation
// finds nothing, that outside the fault windows nothing failed, and that
// memory and goroutines stayed flat; it prints a table and exits non-zero
// when a check fails.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/pquerna/otp/totp"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/documents"
	"github.com/topdossier/topdossier/examples/apiclient"
	"github.com/topdossier/topdossier/internal/cluster"
	"github.com/topdossier/topdossier/store"
)

const (
	pgPort       = 55432
	temporalPort = 17233
	httpPort     = 18080
	metricsPort  = 19463
	workerPort   = 19464
	password     = "een lang genoeg drillwachtwoord"
	totpSecret   = "JBSWY3DPEHPK3PXP"
)

func main() {
	duration := flag.Duration("duration", 10*time.Minute, "how long the load runs")
	staff := flag.Int("staff", 50, "simulated staff (API clients)")
	ib := flag.Int("ib", 10, "of the staff, how many are IB'ers who take their guardians' pupils through a plan, consent and a TLV request")
	guardians := flag.Int("guardians", 200, "simulated guardians (portal readers)")
	schools := flag.Int("schools", 5, "school licences")
	dir := flag.String("dir", ".data/drill", "working folder (cluster, Temporal store, logs)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d := &drill{dir: mustAbs(*dir), duration: *duration, staffN: *staff, ibN: min(*ib, *staff), guardianN: *guardians, schoolN: *schools}
	err := d.run(ctx)
	d.stopAll()
	if err != nil {
		fmt.Fprintln(os.Stderr, "drill:", err)
		os.Exit(1)
	}
}

func mustAbs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		panic(err)
	}
	return a
}

type drill struct {
	dir                             string
	duration                        time.Duration
	staffN, ibN, guardianN, schoolN int
	env                             []string
	bin                             string
	key                             []byte

	mu    sync.Mutex
	procs map[string]*exec.Cmd

	start   time.Time
	windows []window
	reqs    []sample
	actions map[string]int // logical action kind → done
	metrics []metricSample

	schools  []school
	pupils   []pupilRef // enrolled at setup, one per guardian
	made     []madeDossier
	swv      swvSide
	walks    []walked
	recorder *recorder
	answers  map[string]int // consent answers sent per pupil (distinct ids)
}

// swvSide is the SWV's licence with its token and the people the API
// acts for (the law asks a person for advice, votes and the signature).
type swvSide struct {
	id, db, token                     string
	experts                           [2]string
	chair, member, signer, consultant string
}

// walked is a TLV request taken to its signed decision.
type walked struct {
	school                *school
	schoolRequest, swvReq string
	number                string
	pdf                   int
}

type school struct {
	id, db, token string
}

type pupilRef struct {
	school                *school
	id, guardian, mailbox string
	n                     int // the guardian's number: spreads the logins
}

type madeDossier struct {
	school *school
	pupil  string
	phase  string // where the client left it
}

type window struct {
	fault     string
	from, to  time.Time
	recovered time.Duration
}

type sample struct {
	at      time.Time
	latency time.Duration
	status  int // 0: no answer
	retry   bool
	what    string // a failure: the request and the error
}

type metricSample struct {
	at                time.Time
	proc              string
	goroutines, rssMB float64
}

func (d *drill) run(ctx context.Context) error {
	d.procs = map[string]*exec.Cmd{}
	d.actions = map[string]int{}
	d.answers = map[string]int{}
	d.recorder = &recorder{d: d}
	if err := os.MkdirAll(d.dir, 0o755); err != nil {
		return err
	}
	d.key = make([]byte, 32)
	if _, err := rand.Read(d.key); err != nil {
		return err
	}
	dbURL := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/topdossier_drill", pgPort)
	d.env = append(os.Environ(),
		"DATABASE_URL="+dbURL, "DATA_DIR="+d.dir,
		fmt.Sprintf("TEMPORAL_ADDRESS=127.0.0.1:%d", temporalPort),
		"PAYLOAD_KEY="+base64.StdEncoding.EncodeToString(d.key),
		fmt.Sprintf("HTTP_ADDR=127.0.0.1:%d", httpPort),
		fmt.Sprintf("METRICS_ADDR=127.0.0.1:%d", metricsPort),
		fmt.Sprintf("WORKER_METRICS_ADDR=127.0.0.1:%d", workerPort),
		// A small workflow cache: it fills in the first minute, so the
		// worker's goroutines and memory are flat after it unless
		// something leaks (with the default 10,000 they grow with every
		// workflow the run starts).
		"WORKER_WORKFLOW_CACHE=300",
		"LOG_LEVEL=warn", "SITE_URL=http://127.0.0.1:"+strconv.Itoa(httpPort))
	step := func(what string, f func() error) error {
		t := time.Now()
		err := f()
		fmt.Printf("drill: %-44s %6.1fs\n", what, time.Since(t).Seconds())
		return err
	}
	if err := step("PostgreSQL (private cluster)", d.pgUp); err != nil {
		return err
	}
	if err := step("a fresh drill database", func() error { return d.freshDatabase(ctx) }); err != nil {
		return err
	}
	if err := step("build topdossier", func() error {
		d.bin = filepath.Join(d.dir, "topdossier")
		return d.cmd("go", "build", "-o", d.bin, "./cmd/topdossier").Run()
	}); err != nil {
		return err
	}
	if err := step("Temporal dev server", d.startTemporal); err != nil {
		return err
	}
	if err := step("migrate", func() error { return d.cmd(d.bin, "migrate").Run() }); err != nil {
		return err
	}
	if err := step("worker and server", func() error {
		if err := d.startProc("worker"); err != nil {
			return err
		}
		if err := d.startProc("server"); err != nil {
			return err
		}
		return waitFor(2*time.Minute, d.serverReady)
	}); err != nil {
		return err
	}
	if err := step(fmt.Sprintf("%d schools, %d pupils and guardians", d.schoolN, d.guardianN), func() error { return d.seed(ctx) }); err != nil {
		return err
	}
	return d.load(ctx)
}

// cmd is a command in the repository root with the drill's environment,
// its output in the drill's log.
func (d *drill) cmd(name string, args ...string) *exec.Cmd {
	c := exec.Command(name, args...)
	c.Env = d.env
	log, _ := os.OpenFile(filepath.Join(d.dir, "drill.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	c.Stdout, c.Stderr = log, log
	return c
}

func (d *drill) pgUp() error {
	c := exec.Command("scripts/pg-up")
	c.Env = d.env
	if out, err := c.CombinedOutput(); err != nil {
		return fmt.Errorf("pg-up: %v\n%s", err, out)
	}
	return nil
}

func (d *drill) pgRestart() error {
	c := exec.Command("scripts/pg-down")
	c.Env = d.env
	if out, err := c.CombinedOutput(); err != nil {
		return fmt.Errorf("pg-down: %v\n%s", err, out)
	}
	c = exec.Command("scripts/pg-up")
	c.Env = d.env
	if out, err := c.CombinedOutput(); err != nil {
		return fmt.Errorf("pg-up: %v\n%s", err, out)
	}
	return nil
}

func (d *drill) admin(ctx context.Context, db string) (*pgx.Conn, error) {
	return pgx.Connect(ctx, fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s", pgPort, db))
}

func (d *drill) freshDatabase(ctx context.Context) error {
	conn, err := d.admin(ctx, "postgres")
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'topdossier_drill%'")
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, n := range names {
		if _, err := conn.Exec(ctx, "DROP DATABASE "+pgx.Identifier{n}.Sanitize()+" WITH (FORCE)"); err != nil {
			return err
		}
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE topdossier_drill")
	return err
}

func (d *drill) startTemporal() error {
	_ = os.Remove(filepath.Join(d.dir, "temporal.db"))
	return d.restartTemporal()
}

// restartTemporal starts the dev server on the drill's store once its port
// is free (a killed server may take a moment to go), and again when it
// stops at start.
func (d *drill) restartTemporal() error {
	bin, err := filepath.Abs("bin/temporal")
	if err != nil {
		return err
	}
	if err := waitFor(time.Minute, func() bool { return !reachable(temporalPort) }); err != nil {
		return fmt.Errorf("the old Temporal still holds its port: %w", err)
	}
	for attempt := 0; attempt < 5; attempt++ {
		c := d.cmd(bin, "server", "start-dev", "--ip", "127.0.0.1", "--port", strconv.Itoa(temporalPort), "--headless",
			"--db-filename", filepath.Join(d.dir, "temporal.db"), "--log-level", "error")
		c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := c.Start(); err != nil {
			return err
		}
		d.mu.Lock()
		d.procs["temporal"] = c
		d.mu.Unlock()
		exited := make(chan struct{})
		go func() { _ = c.Wait(); close(exited) }()
		if err := waitFor(time.Minute, func() bool {
			select {
			case <-exited:
				return true
			default:
				return reachable(temporalPort)
			}
		}); err != nil {
			return err
		}
		select {
		case <-exited:
			time.Sleep(time.Second) // it stopped at start: again
		default:
			return nil
		}
	}
	return errors.New("the Temporal dev server did not start in five attempts")
}

func (d *drill) startProc(name string) error {
	c := d.cmd(d.bin, name)
	c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := c.Start(); err != nil {
		return err
	}
	d.mu.Lock()
	d.procs[name] = c
	d.mu.Unlock()
	go func() { _ = c.Wait() }()
	return nil
}

func (d *drill) kill(name string) {
	d.mu.Lock()
	c := d.procs[name]
	d.mu.Unlock()
	if c != nil && c.Process != nil {
		_ = c.Process.Signal(syscall.SIGKILL)
		// Gone for good (a process in an fsync may take seconds to die).
		for i := 0; i < 1200 && cluster.ProcessAlive(c.Process.Pid); i++ {
			time.Sleep(50 * time.Millisecond)
		}
	}
}

func (d *drill) stopAll() {
	for _, n := range []string{"server", "worker", "temporal"} {
		d.mu.Lock()
		c := d.procs[n]
		d.mu.Unlock()
		if c != nil && c.Process != nil {
			_ = c.Process.Signal(syscall.SIGTERM)
		}
	}
	time.Sleep(2 * time.Second)
	for _, n := range []string{"server", "worker", "temporal"} {
		d.kill(n)
	}
	c := exec.Command("scripts/pg-down")
	c.Env = d.env
	_ = c.Run()
}

func reachable(port int) bool {
	conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 300*time.Millisecond)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

func waitFor(limit time.Duration, ok func() bool) error {
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready within %s", limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

var probe = &http.Client{Timeout: 3 * time.Second}

func (d *drill) serverReady() bool {
	resp, err := probe.Get(fmt.Sprintf("http://127.0.0.1:%d/readyz", httpPort))
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == 200
}

func (d *drill) workerReady() bool {
	resp, err := probe.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", workerPort))
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == 200
}

// seed makes the SWV, the school licences (through the CLI), an API token
// per school and, through the API, one pupil per guardian; the guardians'
// accounts (password and authenticator) are linked to their child.
func (d *drill) seed(ctx context.Context) error {
	pconn, err := d.admin(ctx, "topdossier_drill")
	if err != nil {
		return err
	}
	defer pconn.Close(ctx)
	if _, err := pconn.Exec(ctx, "INSERT INTO swv (code, name) VALUES ('PO2899', 'SWV Drill')"); err != nil {
		return err
	}
	for i := range d.schoolN {
		id, db, err := d.createLicence("-name", fmt.Sprintf("Drillschool %d", i+1), "-brin", fmt.Sprintf("%02dDR", 10+i), "-type", "BAO")
		if err != nil {
			return err
		}
		token := "td_drill" + strings.ReplaceAll(uuid.NewString(), "-", "")
		if _, err := pconn.Exec(ctx, "INSERT INTO api_token (licence_id, name, scope, token_hash) VALUES ($1, 'drill', 'write', $2)",
			id, auth.HashToken(token)); err != nil {
			return err
		}
		d.schools = append(d.schools, school{id: id, db: db, token: token})
	}
	if err := d.seedSWV(ctx, pconn); err != nil {
		return fmt.Errorf("the SWV: %w", err)
	}
	hash, err := auth.HashPassword(password, auth.DefaultArgon2)
	if err != nil {
		return err
	}
	box, err := auth.NewSecretBox(auth.Keys{d.key}, "totp")
	if err != nil {
		return err
	}
	sealed, err := box.Seal(totpSecret)
	if err != nil {
		return err
	}
	for i := range d.guardianN {
		s := &d.schools[i%len(d.schools)]
		mail := fmt.Sprintf("ouder%03d@drill.invalid", i)
		body := fmt.Sprintf(`{"given_name":"Kind%03d","family_name":"Drill","group_name":"5a","birth_date":"2017-03-04","enrolled_on":"2023-08-21",
			"guardians":[{"given_name":"Ouder","family_name":"Drill","email":%q,"relation":"mother","parental_authority":true}]}`, i, mail)
		st, out, err := d.api(s, "POST", "/pupils", body, uuid.NewString())
		if err != nil || st != 201 {
			return fmt.Errorf("enrol at setup: %d %v %s", st, err, out)
		}
		id := regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindStringSubmatch(out)
		if id == nil {
			return fmt.Errorf("no pupil id in %s", out)
		}
		var userID string
		if err := pconn.QueryRow(ctx, `INSERT INTO app_user (kind, email, display_name, password_hash, totp_secret_sealed, totp_confirmed_at)
			VALUES ('guardian', $1, 'Ouder Drill', $2, $3, now()) RETURNING id`, mail, hash, sealed).Scan(&userID); err != nil {
			return err
		}
		sconn, err := d.admin(ctx, s.db)
		if err != nil {
			return err
		}
		var guardian string
		err = sconn.QueryRow(ctx, "SELECT id FROM guardian WHERE pupil_id = $1 AND email = $2", id[1], mail).Scan(&guardian)
		sconn.Close(ctx)
		if err != nil {
			return err
		}
		if _, err := pconn.Exec(ctx, "INSERT INTO pupil_link (user_id, licence_id, pupil_id, guardian_id) VALUES ($1, $2, $3, $4)",
			userID, s.id, id[1], guardian); err != nil {
			return err
		}
		d.pupils = append(d.pupils, pupilRef{school: s, id: id[1], guardian: guardian, mailbox: mail, n: i})
	}
	return nil
}

// createLicence makes a licence of the drill's SWV through the CLI: its
// id and database.
func (d *drill) createLicence(args ...string) (id, db string, err error) {
	c := exec.Command(d.bin, append([]string{"licence", "create", "-swv", "PO2899"}, args...)...)
	c.Env = d.env
	out, err := c.CombinedOutput()
	if err != nil {
		return "", "", fmt.Errorf("licence create: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`licentie (\S+) aangemaakt in database \S+?/(\S+)`).FindStringSubmatch(string(out))
	if m == nil {
		return "", "", fmt.Errorf("licence create said: %s", out)
	}
	return m[1], m[2], nil
}

// seedSWV makes the SWV's licence (through the CLI) with its API token,
// its signing certificate (a demo CA), the objection address its
// decisions name, and the people the token acts for: two experts (an
// orthopedagoog and a psycholoog), the committee's chair and a member,
// the admin who signs, and a consultant for every school.
func (d *drill) seedSWV(ctx context.Context, pconn *pgx.Conn) error {
	id, db, err := d.createLicence("-kind", "swv", "-name", "SWV Drill")
	if err != nil {
		return err
	}
	d.swv = swvSide{id: id, db: db, token: "td_drill" + strings.ReplaceAll(uuid.NewString(), "-", "")}
	if _, err := pconn.Exec(ctx, "INSERT INTO api_token (licence_id, name, scope, token_hash) VALUES ($1, 'drill', 'write', $2)",
		d.swv.id, auth.HashToken(d.swv.token)); err != nil {
		return err
	}
	var swvID uuid.UUID
	if err := pconn.QueryRow(ctx, "UPDATE swv SET objection_address = 'Postbus 1, 4000 AA Tiel', objection_email = 'bezwaar@drill.invalid' "+
		"WHERE code = 'PO2899' RETURNING id").Scan(&swvID); err != nil {
		return err
	}
	ca, err := documents.NewDemoCA("TOP dossier drill-CA", time.Now())
	if err != nil {
		return err
	}
	ident, err := ca.Issue("SWV Drill", "SWV Drill", time.Now(), 365*24*time.Hour)
	if err != nil {
		return err
	}
	if err := store.StoreSigningIdentity(ctx, platform.New(pconn), auth.Keys{d.key}, swvID, ident); err != nil {
		return err
	}
	person := func(email, role, profession string) (string, error) {
		var id string
		if err := pconn.QueryRow(ctx, "INSERT INTO app_user (kind, email, display_name) VALUES ('staff', $1, $1) RETURNING id", email).Scan(&id); err != nil {
			return "", err
		}
		var prof *string
		if profession != "" {
			prof = &profession
		}
		_, err := pconn.Exec(ctx, "INSERT INTO membership (user_id, licence_id, role, profession) VALUES ($1, $2, $3, $4)", id, d.swv.id, role, prof)
		return id, err
	}
	for _, p := range []struct {
		to                *string
		email, role, prof string
	}{
		{&d.swv.experts[0], "ortho@drill.invalid", "expert", "orthopedagoog"},
		{&d.swv.experts[1], "psy@drill.invalid", "expert", "psycholoog"},
		{&d.swv.chair, "voorzitter@drill.invalid", "committee_member", ""},
		{&d.swv.member, "lid@drill.invalid", "committee_member", ""},
		{&d.swv.signer, "directeur@drill.invalid", "swv_admin", ""},
		{&d.swv.consultant, "consulent@drill.invalid", "consultant", ""},
	} {
		if *p.to, err = person(p.email, p.role, p.prof); err != nil {
			return err
		}
	}
	for _, s := range d.schools {
		if _, err := pconn.Exec(ctx, "INSERT INTO school_consultant (school_licence_id, consultant_user_id) VALUES ($1, $2)", s.id, d.swv.consultant); err != nil {
			return err
		}
	}
	return nil
}

var client = &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (d *drill) base() string { return fmt.Sprintf("http://127.0.0.1:%d", httpPort) }

// api sends one API call for the school; key is its Idempotency-Key.
func (d *drill) api(s *school, method, path, body, key string) (int, string, error) {
	req, err := http.NewRequest(method, d.base()+"/api/v1/licences/"+s.id+path, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// record keeps one attempt; what and err say what failed, for the report.
func (d *drill) record(at time.Time, status int, retry bool, what string, err error) {
	r := sample{at: at, latency: time.Since(at), status: status, retry: retry}
	if status == 0 || status >= 500 {
		r.what = what
		if err != nil {
			r.what += ": " + err.Error()
		}
	}
	d.mu.Lock()
	d.reqs = append(d.reqs, r)
	d.mu.Unlock()
}

// retrying sends a change until it has an answer that is not a server
// failure, with the same Idempotency-Key each time (one effect). "Still
// running" (409) is waited out too: a call that died with the server
// leaves its claim, which a retry takes over after two minutes. At most
// four minutes, then the client gives up (the check counts it).
func (d *drill) retrying(ctx context.Context, s *school, method, path, body string) (int, string) {
	key := uuid.NewString()
	wait := 200 * time.Millisecond
	deadline := time.Now().Add(4 * time.Minute)
	for attempt := 0; ; attempt++ {
		at := time.Now()
		st, out, err := d.api(s, method, path, body, key)
		d.record(at, st, attempt > 0, method+" "+path, err)
		running := st == 409 && strings.Contains(out, "nog verwerkt")
		if err == nil && st < 500 && st != 429 && !running {
			return st, out
		}
		if time.Now().After(deadline) {
			return st, out
		}
		time.Sleep(wait)
		wait = min(wait*2, 5*time.Second)
	}
}

func (d *drill) load(ctx context.Context) error {
	d.start = time.Now()
	lctx, cancel := context.WithTimeout(ctx, d.duration)
	defer cancel()
	var wg sync.WaitGroup
	queues := map[*school]chan pupilRef{}
	for i := range d.schools {
		queues[&d.schools[i]] = make(chan pupilRef, len(d.pupils))
	}
	for _, p := range d.pupils {
		queues[p.school] <- p
	}
	for i := range d.staffN {
		s := &d.schools[i%len(d.schools)]
		wg.Add(1)
		if i < d.ibN {
			go func() { defer wg.Done(); d.caseLoop(lctx, s, queues[s], i) }()
			continue
		}
		go func() { defer wg.Done(); d.staffLoop(lctx, s, i) }()
	}
	for i := range d.guardianN {
		wg.Add(1)
		go func() { defer wg.Done(); d.guardianLoop(lctx, d.pupils[i]) }()
	}
	wg.Add(1)
	go func() { defer wg.Done(); d.sampleMetrics(lctx) }()
	faults := []struct {
		name    string
		inject  func() error
		ready   func() bool
		recover func() error
	}{
		{"worker SIGKILL", func() error { d.kill("worker"); return nil }, d.workerReady, func() error { return d.startProc("worker") }},
		{"server SIGKILL", func() error { d.kill("server"); return nil }, d.serverReady, func() error { return d.startProc("server") }},
		{"Temporal SIGKILL", func() error { d.kill("temporal"); return nil }, func() bool { return reachable(temporalPort) && d.serverReady() },
			d.restartTemporal},
		{"PostgreSQL restart", d.pgRestart, d.serverReady, func() error { return nil }},
	}
	for k, f := range faults {
		at := d.start.Add(d.duration * time.Duration(k+1) / time.Duration(len(faults)+1))
		select {
		case <-lctx.Done():
		case <-time.After(time.Until(at)):
		}
		if lctx.Err() != nil {
			break
		}
		w := window{fault: f.name, from: time.Now()}
		fmt.Printf("drill: %s at %s\n", f.name, time.Since(d.start).Round(time.Second))
		if err := f.inject(); err != nil {
			return err
		}
		if err := f.recover(); err != nil {
			return fmt.Errorf("%s: recover: %w", f.name, err)
		}
		if err := waitFor(3*time.Minute, f.ready); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		w.recovered = time.Since(w.from)
		// The window stays open while clients finish their retries.
		w.to = time.Now().Add(10 * time.Second)
		d.mu.Lock()
		d.windows = append(d.windows, w)
		d.mu.Unlock()
	}
	wg.Wait()
	return d.check(ctx)
}

func (d *drill) staffLoop(ctx context.Context, s *school, n int) {
	think := func() bool {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(time.Duration(500+n*13%700) * time.Millisecond):
			return true
		}
	}
	for i := 0; ctx.Err() == nil; i++ {
		body := fmt.Sprintf(`{"given_name":"Staf%d","family_name":"Drill","group_name":"6b","birth_date":"2016-02-03","enrolled_on":"2022-08-22",
			"guardians":[{"given_name":"Ouder","family_name":"Drill","email":"staf%d-%d@drill.invalid","relation":"father","parental_authority":true}]}`, n, n, i)
		st, out := d.retrying(ctx, s, "POST", "/pupils", body)
		id := regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindStringSubmatch(out)
		if st != 201 || id == nil {
			continue
		}
		d.count("enrol")
		md := madeDossier{school: s, pupil: id[1], phase: "observe"}
		if !think() {
			d.keep(md)
			return
		}
		st, _ = d.retrying(ctx, s, "POST", "/pupils/"+id[1]+"/dossier",
			`{"support_level":"extra_school","reason":"Drill","started_on":"`+time.Now().Format("2006-01-02")+`"}`)
		if st != 201 {
			d.keep(md)
			continue
		}
		d.count("dossier")
		if !think() {
			d.keep(md)
			return
		}
		if st, _ = d.retrying(ctx, s, "POST", "/pupils/"+id[1]+"/dossier/growth-entries",
			`{"kind":"observation","occurred_on":"`+time.Now().Format("2006-01-02")+`","body":"Werkt geconcentreerd"}`); st == 201 {
			d.count("growth")
		}
		if d.advance(ctx, s, id[1], "observe") {
			md.phase = "understand"
		}
		d.keep(md)
		for _, p := range []string{"/pupils/" + id[1] + "/dossier", "/pupils?limit=50"} {
			at := time.Now()
			st, _, err := d.api(s, "GET", p, "", "")
			d.record(at, st, false, "GET "+p, err)
		}
		if !think() {
			return
		}
	}
}

// caseLoop is an IB'er taking the school's guardians' pupils through a
// plan one after another: a dossier, a growth note, the sections of
// begrijpen and plannen, the handelingsdeel offered and (by the parent,
// in the portal) agreed, the plan into realisation; and for every other
// pupil a TLV request through the SWV to its signed decision.
func (d *drill) caseLoop(ctx context.Context, s *school, queue <-chan pupilRef, n int) {
	for k := 0; ctx.Err() == nil; k++ {
		select {
		case p := <-queue:
			d.runCase(ctx, s, p, k%2 == 0)
		default:
			return // every pupil of the school has a plan
		}
	}
}

func (d *drill) runCase(ctx context.Context, s *school, p pupilRef, request bool) {
	md := madeDossier{school: s, pupil: p.id}
	defer func() {
		if md.phase != "" {
			d.keep(md)
		}
	}()
	base := "/pupils/" + p.id + "/dossier"
	today := time.Now().Format("2006-01-02")
	if st, _ := d.retrying(ctx, s, "POST", base, `{"support_level":"extra_school","reason":"Rekenen blijft achter","started_on":"`+today+`"}`); st != 201 {
		return
	}
	md.phase = "observe"
	d.count("dossier")
	if st, _ := d.retrying(ctx, s, "POST", base+"/growth-entries", `{"kind":"observation","occurred_on":"`+today+`","body":"Telt op de vingers"}`); st != 201 {
		return
	}
	d.count("growth")
	if !d.advance(ctx, s, p.id, "observe") {
		return
	}
	md.phase = "understand"
	if !d.section(ctx, s, p.id, "understand", `{"promoting":{"pupil":"Gemotiveerd"},"hindering":{"teaching":"Tempo"},`+
		`"educational_needs":"Herhaling","support_needs":"Extra instructie"}`) || !d.advance(ctx, s, p.id, "understand") {
		return
	}
	md.phase = "plan"
	for _, sec := range [][2]string{
		{"perspective", `{"destination":"vmbo_kb","rationale":"Gemotiveerd, maar het tempo remt."}`},
		{"action_part", `{"goals":[{"id":"g1","domain":"Rekenen","goal":"Tafels tot 10","criterion":"90% goed","evaluate_on":"2027-06-01"}],` +
			`"support":[{"what":"Verlengde instructie","who":"Leerkracht","how_often":"Dagelijks","where":"In de klas"}]}`},
		{"hearing", `{"heard_on":"` + today + `","how":"conversation","summary":"Wil de tafels oefenen met de computer."}`},
	} {
		if !d.section(ctx, s, p.id, sec[0], sec[1]) {
			return
		}
	}
	if st, _ := d.retrying(ctx, s, "POST", base+"/action-part/offer", ""); st != 201 {
		return
	}
	d.count("offer")
	// The parent answers in the portal (guardianLoop); the IB'er looks
	// now and then.
	for deadline := time.Now().Add(4 * time.Minute); ; {
		at := time.Now()
		st, out, err := d.api(s, "GET", base+"/consent", "", "")
		d.record(at, st, false, "GET "+base+"/consent", err)
		if strings.Contains(out, `"status":"consented"`) {
			break
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return
		}
		time.Sleep(2 * time.Second)
	}
	if !d.advance(ctx, s, p.id, "plan") {
		return
	}
	md.phase = "realise"
	if !request || ctx.Err() != nil {
		return
	}
	// A walk under way finishes when the load ends, as the staff's changes
	// do: a request cut off by the drill's own clock is not a failure.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 8*time.Minute)
	defer cancel()
	res, err := apiclient.Walk(wctx, apiclient.Config{BaseURL: d.base() + "/api/v1", HTTP: &http.Client{Timeout: 30 * time.Second, Transport: d.recorder},
		SchoolToken: s.token, SWVToken: d.swv.token, School: s.id, SWV: d.swv.id, Pupil: p.id,
		Question: "Kan zij naar het speciaal onderwijs?", Experts: d.swv.experts, Chair: d.swv.chair, Member: d.swv.member, Signer: d.swv.signer,
		Wait: 3 * time.Minute, Retry: 4 * time.Minute})
	if err != nil {
		fmt.Printf("drill: TLV request for pupil %s: %v\n", p.id, err)
		d.count("request failed")
		return
	}
	d.count("decision")
	d.mu.Lock()
	d.walks = append(d.walks, walked{school: s, schoolRequest: res.SchoolRequest, swvReq: res.SWVRequest, number: res.Number, pdf: len(res.PDF)})
	d.mu.Unlock()
}

// section saves a section's first version through the API.
func (d *drill) section(ctx context.Context, s *school, pupil, name, content string) bool {
	st, out := d.retrying(ctx, s, "PUT", "/pupils/"+pupil+"/dossier/sections/"+name, `{"version":1,"content":`+content+`}`)
	if st != 200 {
		fmt.Printf("drill: section %s of pupil %s: %d %s\n", name, pupil, st, out)
		return false
	}
	d.count("section")
	return true
}

// recorder keeps every attempt the example client makes; a change sent
// again carries a key seen before.
type recorder struct {
	d    *drill
	seen sync.Map
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	retry := false
	if k := req.Header.Get("Idempotency-Key"); k != "" {
		_, retry = r.seen.LoadOrStore(k, true)
	}
	at := time.Now()
	resp, err := http.DefaultTransport.RoundTrip(req)
	st := 0
	if err == nil {
		st = resp.StatusCode
	}
	r.d.record(at, st, retry, req.Method+" "+req.URL.Path, err)
	return resp, err
}

// advance ends phase from of the pupil's dossier. The dossier's process
// starts in the worker: it is waited for like a person would (a 409
// until it runs).
func (d *drill) advance(ctx context.Context, s *school, pupil, from string) bool {
	req := uuid.NewString()
	for try := 0; try < 30 && ctx.Err() == nil; try++ {
		st, _ := d.retrying(ctx, s, "POST", "/pupils/"+pupil+"/dossier/advance", `{"request_id":"`+req+`","from":"`+from+`"}`)
		if st == 200 {
			d.count("advance")
			return true
		}
		time.Sleep(time.Second)
	}
	return false
}

func (d *drill) keep(md madeDossier) {
	d.mu.Lock()
	d.made = append(d.made, md)
	d.mu.Unlock()
}

func (d *drill) count(kind string) {
	d.mu.Lock()
	d.actions[kind]++
	d.mu.Unlock()
}

// guardianLoop logs in (password and authenticator code) and reads the
// child's page every few seconds; a lost session logs in again.
func (d *drill) guardianLoop(ctx context.Context, p pupilRef) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Timeout: 30 * time.Second, Jar: jar, CheckRedirect: client.CheckRedirect}
	login := func() bool {
		for ctx.Err() == nil {
			at := time.Now()
			resp, err := c.PostForm(d.base()+"/inloggen", url.Values{"email": {p.mailbox}, "password": {password}})
			st := 0
			if err == nil {
				st = resp.StatusCode
				resp.Body.Close()
			}
			d.record(at, st, false, "POST /inloggen", err)
			if st == 303 {
				code, _ := totp.GenerateCode(totpSecret, time.Now())
				at = time.Now()
				resp, err = c.PostForm(d.base()+"/inloggen/code", url.Values{"code": {code}})
				st = 0
				if err == nil {
					st = resp.StatusCode
					resp.Body.Close()
				}
				d.record(at, st, false, "POST /inloggen/code", err)
				if st == 303 {
					return true
				}
			}
			// A code is used once per 30-second step; a server away is
			// waited for.
			select {
			case <-ctx.Done():
			case <-time.After(time.Duration(5+time.Now().Nanosecond()%25) * time.Second):
			}
		}
		return false
	}
	// Spread the logins over the first minute.
	select {
	case <-ctx.Done():
		return
	case <-time.After(time.Duration(p.n%60) * time.Second):
	}
	if !login() {
		return
	}
	page := d.base() + "/ouder/" + p.school.id + "/" + p.id
	for ctx.Err() == nil {
		at := time.Now()
		resp, err := c.Get(page)
		st := 0
		var body []byte
		if err == nil {
			st = resp.StatusCode
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		d.record(at, st, false, "GET "+page, err)
		switch {
		case st == 303:
			if !login() {
				return
			}
		case st == 200:
			d.count("portal")
			if m := reConsentForm.FindSubmatch(body); m != nil && !bytes.Contains(body, []byte("antwoord tot nu toe")) {
				d.answerConsent(c, p, page+"/instemming", string(m[1]), string(m[2]))
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
		}
	}
}

// reConsentForm finds the consent question on the portal page: its
// answer's id and the handelingsdeel's version.
var reConsentForm = regexp.MustCompile(`action="/ouder/[^"]+/instemming">\s*<input type="hidden" name="request_id" value="([^"]+)">\s*` +
	`<input type="hidden" name="version" value="(\d+)">`)

// answerConsent agrees with the plan, as a parent on the phone does; an
// answer that got no answer or a server error is sent again with the
// same id (one effect).
func (d *drill) answerConsent(c *http.Client, p pupilRef, action, requestID, version string) {
	wait := 200 * time.Millisecond
	deadline := time.Now().Add(4 * time.Minute)
	for attempt := 0; time.Now().Before(deadline); attempt++ {
		at := time.Now()
		resp, err := c.PostForm(action, url.Values{"request_id": {requestID}, "version": {version}, "answer": {"agree"}})
		st, where := 0, ""
		if err == nil {
			st, where = resp.StatusCode, resp.Header.Get("Location")
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		d.record(at, st, attempt > 0, "POST "+action, err)
		if st == 303 && strings.Contains(where, "beantwoord=1") {
			d.mu.Lock()
			d.answers[p.id]++
			d.actions["consent"]++
			d.mu.Unlock()
			return
		}
		if st != 0 && st < 500 {
			fmt.Printf("drill: consent answer for pupil %s: %d\n", p.id, st)
			return
		}
		time.Sleep(wait)
		wait = min(wait*2, 5*time.Second)
	}
}

var reMetric = regexp.MustCompile(`(?m)^(go_goroutines|process_resident_memory_bytes) ([0-9.e+]+)$`)

func (d *drill) sampleMetrics(ctx context.Context) {
	for ctx.Err() == nil {
		for proc, port := range map[string]int{"server": metricsPort, "worker": workerPort} {
			resp, err := probe.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port))
			if err != nil {
				continue
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			m := metricSample{at: time.Now(), proc: proc}
			for _, x := range reMetric.FindAllStringSubmatch(string(b), -1) {
				v, _ := strconv.ParseFloat(x[2], 64)
				if x[1] == "go_goroutines" {
					m.goroutines = v
				} else {
					m.rssMB = v / (1 << 20)
				}
			}
			d.mu.Lock()
			d.metrics = append(d.metrics, m)
			d.mu.Unlock()
		}
		select {
		case <-ctx.Done():
		case <-time.After(15 * time.Second):
		}
	}
}

// inWindow is the fault window a request overlapped (it may have started
// just before the fault), or -1.
func (d *drill) inWindow(r sample) int {
	end := r.at.Add(r.latency)
	for i, w := range d.windows {
		if !end.Before(w.from) && !r.at.After(w.to) {
			return i
		}
	}
	return -1
}

// check settles the run: processes where they should be, one effect per
// action, logbooks whole, failures only inside the fault windows.
func (d *drill) check(ctx context.Context) error {
	fmt.Println("drill: load done; settling 15 s")
	time.Sleep(15 * time.Second)
	var failures []string
	fail := func(f string, a ...any) { failures = append(failures, fmt.Sprintf(f, a...)) }

	// Every dossier in the projection where the clients left it; enrolled
	// pupils counted once per successful enrol (no double from a retry).
	total := 0
	for si := range d.schools {
		s := &d.schools[si]
		conn, err := d.admin(ctx, s.db)
		if err != nil {
			return err
		}
		var pupils int
		_ = conn.QueryRow(ctx, "SELECT count(*) FROM pupil").Scan(&pupils)
		total += pupils
		steps := map[string]string{}
		rows, err := conn.Query(ctx, "SELECT d.pupil_id::text, ps.step FROM dossier d JOIN process_step ps ON ps.entity_id = d.id AND ps.entity_kind = 'dossier'")
		if err == nil {
			for rows.Next() {
				var p, st string
				_ = rows.Scan(&p, &st)
				steps[p] = st
			}
			rows.Close()
		}
		// Logbook lines per advance request: all the same number.
		perReq := map[int]int{}
		rows, err = conn.Query(ctx, `SELECT count(*) FROM logbook WHERE entity = 'dossier' AND action = 'process' AND request_id <> '' GROUP BY request_id`)
		if err == nil {
			for rows.Next() {
				var n int
				_ = rows.Scan(&n)
				perReq[n]++
			}
			rows.Close()
		}
		// The parents' answers in the portal: each stored once.
		stored := map[string]int{}
		rows, err = conn.Query(ctx, `SELECT d.pupil_id::text, count(*) FROM consent_response cr JOIN consent_round r ON r.id = cr.round_id
			JOIN dossier d ON d.id = r.dossier_id WHERE cr.channel = 'portal' GROUP BY d.pupil_id`)
		if err == nil {
			for rows.Next() {
				var p string
				var n int
				_ = rows.Scan(&p, &n)
				stored[p] = n
			}
			rows.Close()
		}
		// One invitation per parent per round: each case's parent had one.
		var twice int
		_ = conn.QueryRow(ctx, `SELECT count(*) FROM (SELECT to_address FROM mail_outbox WHERE dedupe_key LIKE 'consent:%:invitation:%'
			GROUP BY to_address HAVING count(*) > 1) x`).Scan(&twice)
		if twice > 0 {
			fail("%s: %d parents invited twice to give consent", s.db, twice)
		}
		conn.Close(ctx)
		d.mu.Lock()
		for _, p := range d.pupils {
			if p.school == s && stored[p.id] != d.answers[p.id] {
				fail("%s: pupil %s: %d consent answers stored, the parent gave %d", s.db, p.id, stored[p.id], d.answers[p.id])
			}
		}
		for _, m := range d.made {
			if m.school != s {
				continue
			}
			want := m.phase
			if got, ok := steps[m.pupil]; ok && got != want {
				fail("%s: dossier of pupil %s in %q, want %q", s.db, m.pupil, got, want)
			}
		}
		d.mu.Unlock()
		if len(perReq) > 1 {
			fail("%s: logbook lines per advance differ (duplicates?): %v", s.db, perReq)
		}
	}
	// Enrolments: pupils in the databases (counted above) = setup pupils
	// + successful enrols.
	if want := d.guardianN + d.actions["enrol"]; total != want {
		fail("pupils in the databases: %d, want %d (setup %d + enrolled %d): an enrolment had two effects or none", total, want, d.guardianN, d.actions["enrol"])
	}
	// The SWV: one request per school request, one decision per
	// request, every number once and none burned, every walked decision
	// signed.
	if conn, err := d.admin(ctx, d.swv.db); err == nil {
		var doubled, numbered, distinct, unsigned, last int
		_ = conn.QueryRow(ctx, "SELECT count(*) FROM (SELECT school_request_id FROM request GROUP BY school_request_id HAVING count(*) > 1) x").Scan(&doubled)
		_ = conn.QueryRow(ctx, "SELECT count(*), count(DISTINCT number), count(*) FILTER (WHERE signed_pdf IS NULL) FROM decision WHERE number IS NOT NULL").
			Scan(&numbered, &distinct, &unsigned)
		_ = conn.QueryRow(ctx, "SELECT coalesce(sum(last), 0) FROM document_counter").Scan(&last)
		signed := map[string]bool{}
		rows, err := conn.Query(ctx, "SELECT number FROM decision WHERE signed_pdf IS NOT NULL AND number IS NOT NULL")
		if err == nil {
			for rows.Next() {
				var n string
				_ = rows.Scan(&n)
				signed[n] = true
			}
			rows.Close()
		}
		conn.Close(ctx)
		if doubled > 0 {
			fail("SWV: %d school requests arrived twice", doubled)
		}
		if numbered != distinct || last != numbered {
			fail("SWV: %d numbered decisions, %d distinct numbers, %d numbers handed out", numbered, distinct, last)
		}
		for _, w := range d.walks {
			if !signed[w.number] || w.pdf == 0 {
				fail("SWV: decision %s of request %s not signed, or its PDF empty (%d bytes)", w.number, w.swvReq, w.pdf)
			}
		}
		fmt.Printf("drill: SWV: %d decisions numbered and signed (%d by the walks that finished), %d unsigned\n", numbered, len(d.walks), unsigned)
	} else {
		return err
	}
	// Every logbook chain verifies.
	verify := exec.Command(d.bin, "logbook", "verify")
	verify.Env = d.env
	if out, err := verify.CombinedOutput(); err != nil {
		fail("logbook verify: %v\n%s", err, out)
	}
	// Reconciliation: nothing behind, nothing lost.
	c := exec.Command(d.bin, "reconcile")
	c.Env = d.env
	out, err := c.CombinedOutput()
	if err != nil || strings.Contains(string(out), "hersteld:") || strings.Contains(string(out), "proces zonder gegevens") {
		fail("reconcile after the run: %v\n%s", err, out)
	}
	d.report(fail)
	if len(failures) > 0 {
		for _, f := range failures {
			fmt.Println("FAIL:", f)
		}
		return fmt.Errorf("%d checks failed", len(failures))
	}
	fmt.Println("drill: every check passed")
	return nil
}

func pct(l []time.Duration, p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	slices.Sort(l)
	return l[min(len(l)-1, int(float64(len(l))*p))]
}

func (d *drill) report(fail func(string, ...any)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	var lat []time.Duration
	outside5xx, outsideNoAnswer := 0, 0
	perWindow := make([]int, len(d.windows))
	for _, r := range d.reqs {
		if r.status != 0 && r.status < 500 {
			lat = append(lat, r.latency)
		}
		failed := r.status == 0 || r.status >= 500
		if !failed {
			continue
		}
		if w := d.inWindow(r); w >= 0 {
			perWindow[w]++
			continue
		} else if r.status == 0 {
			outsideNoAnswer++
		} else {
			outside5xx++
		}
		if outsideNoAnswer+outside5xx <= 10 {
			fmt.Printf("drill: outside the fault windows at %s (%s): %d %s\n", r.at.Sub(d.start).Round(time.Millisecond),
				r.latency.Round(time.Millisecond), r.status, r.what)
		}
	}
	secs := d.duration.Seconds()
	fmt.Printf("\ndrill: %d staff, %d guardians, %s, %d schools, %d CPU\n", d.staffN, d.guardianN, d.duration, len(d.schools), runtime.NumCPU())
	fmt.Fprintf(tw, "requests\treq/s\tp50 ms\tp99 ms\t5xx outside faults\tno answer outside faults\t\n")
	fmt.Fprintf(tw, "%d\t%.1f\t%.1f\t%.1f\t%d\t%d\t\n", len(d.reqs), float64(len(d.reqs))/secs,
		float64(pct(lat, 0.5).Microseconds())/1000, float64(pct(lat, 0.99).Microseconds())/1000, outside5xx, outsideNoAnswer)
	_ = tw.Flush()
	fmt.Println()
	fmt.Fprintf(tw, "fault\tat s\trecovered in s\tfailed attempts in window (retried)\t\n")
	for i, w := range d.windows {
		fmt.Fprintf(tw, "%s\t%.0f\t%.1f\t%d\t\n", w.fault, w.from.Sub(d.start).Seconds(), w.recovered.Seconds(), perWindow[i])
	}
	_ = tw.Flush()
	fmt.Println()
	fmt.Fprintf(tw, "action\tdone\t\n")
	for _, k := range []string{"enrol", "dossier", "growth", "section", "advance", "offer", "consent", "decision", "request failed", "portal"} {
		fmt.Fprintf(tw, "%s\t%d\t\n", k, d.actions[k])
	}
	_ = tw.Flush()
	// Memory and goroutines of each process from 30 s after its last
	// start (the fault killed the one before) to the end: flat, or the
	// drill fails.
	fmt.Println()
	for _, proc := range []string{"worker", "server"} {
		from := d.start
		for _, w := range d.windows {
			if w.fault == proc+" SIGKILL" {
				from = w.to
			}
		}
		var first, end *metricSample
		for i := range d.metrics {
			if m := &d.metrics[i]; m.proc == proc && m.at.After(from.Add(30*time.Second)) {
				if first == nil {
					first = m
				}
				end = m
			}
		}
		if first == nil || end == first {
			continue
		}
		fmt.Printf("%s after its last start: goroutines %.0f → %.0f, resident memory %.0f MB → %.0f MB (%s apart)\n",
			proc, first.goroutines, end.goroutines, first.rssMB, end.rssMB, end.at.Sub(first.at).Round(time.Second))
		if end.goroutines > first.goroutines*1.5+50 {
			fail("%s: goroutines grew from %.0f to %.0f", proc, first.goroutines, end.goroutines)
		}
		if end.rssMB > first.rssMB*1.5+50 {
			fail("%s: resident memory grew from %.0f MB to %.0f MB", proc, first.rssMB, end.rssMB)
		}
	}
	if outside5xx > 0 || outsideNoAnswer > 0 {
		fail("%d server errors and %d unanswered requests outside the fault windows", outside5xx, outsideNoAnswer)
	}
}
