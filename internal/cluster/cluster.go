// Package cluster runs the production topology on one machine, without
// containers (issue 20): a Temporal server (frontend, history, matching
// and worker services in one process, built from the Go module proxy)
// with its persistence and visibility in PostgreSQL, schema set up by
// Temporal's own SQL tool; then TOP dossier's migration, several
// `topdossier worker` and `topdossier server` processes on their own
// ports, and a small reverse proxy in front of the servers. `make
// cluster` (cmd/cluster) runs it until stopped; the smoke test and the
// cluster benchmarks start it too.
package cluster

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"text/template"
	"time"

	"github.com/jackc/pgx/v5"
)

// Options say where the cluster lives and what it runs.
type Options struct {
	// Dir keeps the Temporal configuration, the payload key and the logs.
	Dir string
	// AdminURL is a PostgreSQL URL of a user that may create databases;
	// its database part is ignored.
	AdminURL string
	// Prefix names the databases: <prefix> (the platform, its licences
	// <prefix>_…), <prefix>_temporal and <prefix>_temporal_visibility.
	Prefix string
	// Workers and Servers are how many topdossier processes of each run.
	Workers, Servers int
	// Port is the first of the ports the cluster uses (Temporal's from
	// Port, the servers' from Port+100, the proxy at Port+99); Temporal's
	// membership ports are Port-1000… and must stay below 32768.
	Port int
	// Shards is Temporal's number of history shards (fixed once the
	// database exists).
	Shards int
	// Topdossier, TemporalServer, SQLTool and TemporalCLI are binaries;
	// SchemaDir is the Temporal server module's schema/postgresql/v12;
	// DynamicConfig is Temporal's dynamic configuration file
	// (deploy/temporal-dynamic.yaml).
	Topdossier, TemporalServer, SQLTool, TemporalCLI, SchemaDir, DynamicConfig string
	// Env is added to every topdossier process's environment, and
	// WorkerEnv(i) to worker i's (may be nil).
	Env       []string
	WorkerEnv func(i int) []string
	// Log receives the cluster's own lines (nil: none).
	Log io.Writer
}

// Cluster is a running topology.
type Cluster struct {
	opt      Options
	env      []string
	Temporal string // host:port of the frontend
	// Servers are the servers' base URLs, Proxy the proxy's.
	Servers []string
	Proxy   string
	// DatabaseURL is the platform database.
	DatabaseURL string

	admin *url.URL // AdminURL, parsed
	mu    sync.Mutex
	procs map[string]*exec.Cmd
	proxy *http.Server
}

func (o *Options) defaults() {
	if o.Workers == 0 {
		o.Workers = 2
	}
	if o.Servers == 0 {
		o.Servers = 2
	}
	if o.Port == 0 {
		o.Port = 7400
	}
	if o.Shards == 0 {
		o.Shards = 16
	}
	if o.Prefix == "" {
		o.Prefix = "topdossier_cluster"
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
}

// Start brings the topology up: databases and schema, Temporal, the
// namespace, the migration, workers, servers and the proxy. On an error
// what started is stopped.
func Start(ctx context.Context, opt Options) (_ *Cluster, err error) {
	opt.defaults()
	if opt.Port-1000+3 >= 32768 || opt.Port < 1100 {
		return nil, fmt.Errorf("cluster: port %d leaves Temporal's membership ports outside 100–32767", opt.Port)
	}
	if err := os.MkdirAll(filepath.Join(opt.Dir, "logs"), 0o755); err != nil {
		return nil, err
	}
	c := &Cluster{opt: opt, procs: map[string]*exec.Cmd{}, Temporal: fmt.Sprintf("127.0.0.1:%d", opt.Port)}
	defer func() {
		if err != nil {
			c.Stop()
		}
	}()
	admin, err := url.Parse(opt.AdminURL)
	if err != nil {
		return nil, fmt.Errorf("cluster: admin URL: %w", err)
	}
	platform := *admin
	platform.Path = "/" + opt.Prefix
	c.DatabaseURL = platform.String()
	step := func(what string, f func() error) error {
		t := time.Now()
		err := f()
		fmt.Fprintf(opt.Log, "cluster: %-40s %6.1fs\n", what, time.Since(t).Seconds())
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	}
	c.admin = admin
	if err := step("Temporal's databases and schema", func() error { return c.schema(ctx) }); err != nil {
		return nil, err
	}
	if err := step("Temporal server on PostgreSQL", c.startTemporal); err != nil {
		return nil, err
	}
	if err := step("namespace default", func() error { return c.namespace(ctx) }); err != nil {
		return nil, err
	}
	key, err := c.payloadKey()
	if err != nil {
		return nil, err
	}
	c.env = append(os.Environ(), "DATABASE_URL="+c.DatabaseURL, "TEMPORAL_ADDRESS="+c.Temporal, "PAYLOAD_KEY="+key,
		"DATA_DIR="+opt.Dir, fmt.Sprintf("SITE_URL=http://127.0.0.1:%d", opt.Port+99), "LOG_LEVEL=warn")
	c.env = append(c.env, opt.Env...)
	if err := step("migrate", func() error {
		out, err := c.command(opt.Topdossier, "migrate").CombinedOutput()
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := step(fmt.Sprintf("%d workers, %d servers", opt.Workers, opt.Servers), func() error {
		for i := range opt.Workers {
			if err := c.StartWorker(i); err != nil {
				return err
			}
		}
		for i := range opt.Servers {
			if err := c.StartServer(i); err != nil {
				return err
			}
			c.Servers = append(c.Servers, fmt.Sprintf("http://127.0.0.1:%d", opt.Port+100+i))
		}
		for i := range opt.Servers {
			if err := waitFor(2*time.Minute, func() bool { return c.ServerReady(i) }); err != nil {
				return fmt.Errorf("server %d: %w (see %s)", i+1, err, c.logPath(fmt.Sprintf("server-%d", i+1)))
			}
		}
		for i := range opt.Workers {
			if err := waitFor(2*time.Minute, func() bool { return c.WorkerReady(i) }); err != nil {
				return fmt.Errorf("worker %d: %w (see %s)", i+1, err, c.logPath(fmt.Sprintf("worker-%d", i+1)))
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := step("reverse proxy", c.startProxy); err != nil {
		return nil, err
	}
	return c, nil
}

// schema makes Temporal's two databases when they are missing and brings
// their schema up to the server's version with Temporal's SQL tool.
func (c *Cluster) schema(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, c.admin.String())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	host, port, user, password := c.server()
	for _, db := range []struct{ name, dir string }{
		{c.opt.Prefix + "_temporal", "temporal"},
		{c.opt.Prefix + "_temporal_visibility", "visibility"},
	} {
		var exists bool
		if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", db.name).Scan(&exists); err != nil {
			return err
		}
		tool := func(args ...string) error {
			base := []string{"--plugin", "postgres12", "--ep", host, "-p", port, "-u", user, "--db", db.name}
			if password != "" {
				base = append(base, "--pw", password)
			}
			cmd := exec.Command(c.opt.SQLTool, append(base, args...)...)
			out, err := cmd.CombinedOutput()
			if err != nil {
				return fmt.Errorf("temporal-sql-tool %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			return nil
		}
		if !exists {
			if err := tool("create-database"); err != nil {
				return err
			}
			if err := tool("setup-schema", "-v", "0.0"); err != nil {
				return err
			}
		}
		if err := tool("update-schema", "-d", filepath.Join(c.opt.SchemaDir, db.dir, "versioned")); err != nil {
			return err
		}
	}
	return nil
}

// server is the PostgreSQL server of AdminURL: host, port (5432 when the
// URL names none), user and password.
func (c *Cluster) server() (host, port, user, password string) {
	port = c.admin.Port()
	if port == "" {
		port = "5432"
	}
	password, _ = c.admin.User.Password()
	return c.admin.Hostname(), port, c.admin.User.Username(), password
}

// temporalConfig is the server's configuration: Temporal's
// development-postgres12.yaml with this cluster's databases and ports,
// without archival (it needs providers), metrics for Prometheus.
var temporalConfig = template.Must(template.New("temporal").Parse(`log:
  stdout: true
  level: warn

persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: {{.Shards}}
  datastores:
    postgres-default:
      sql:
        pluginName: "postgres12"
        databaseName: "{{.Prefix}}_temporal"
        connectAddr: "{{.DBAddr}}"
        connectProtocol: "tcp"
        user: "{{.DBUser}}"
        password: "{{.DBPassword}}"
        maxConns: 40
        maxIdleConns: 40
        maxConnLifetime: "1h"
    postgres-visibility:
      sql:
        pluginName: "postgres12"
        databaseName: "{{.Prefix}}_temporal_visibility"
        connectAddr: "{{.DBAddr}}"
        connectProtocol: "tcp"
        user: "{{.DBUser}}"
        password: "{{.DBPassword}}"
        maxConns: 10
        maxIdleConns: 10
        maxConnLifetime: "1h"

global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
  metrics:
    prometheus:
      framework: "tally"
      timerType: "histogram"
      listenAddress: "127.0.0.1:{{.Metrics}}"

services:
  frontend:
    rpc:
      grpcPort: {{.Frontend}}
      membershipPort: {{.MFrontend}}
      bindOnLocalHost: true
      httpPort: {{.HTTP}}
  history:
    rpc:
      grpcPort: {{.History}}
      membershipPort: {{.MHistory}}
      bindOnLocalHost: true
  matching:
    rpc:
      grpcPort: {{.Matching}}
      membershipPort: {{.MMatching}}
      bindOnLocalHost: true
  worker:
    rpc:
      grpcPort: {{.Worker}}
      membershipPort: {{.MWorker}}
      bindOnLocalHost: true

clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:{{.Frontend}}"

dcRedirectionPolicy:
  policy: "noop"

dynamicConfigClient:
  filepath: "{{.Dynamic}}"
  pollInterval: "10s"
`))

func (c *Cluster) startTemporal() error {
	host, port, user, password := c.server()
	root := filepath.Join(c.opt.Dir, "temporal")
	if err := os.MkdirAll(filepath.Join(root, "config"), 0o755); err != nil {
		return err
	}
	// Temporal's dynamic configuration is the deployment's own
	// (deploy/temporal-dynamic.yaml), copied so that it stays as started.
	dynamicConfig, err := os.ReadFile(c.opt.DynamicConfig)
	if err != nil {
		return fmt.Errorf("temporal dynamic config: %w", err)
	}
	dynamic := filepath.Join(root, "config", "dynamic.yaml")
	if err := os.WriteFile(dynamic, dynamicConfig, 0o644); err != nil {
		return err
	}
	p := c.opt.Port
	var buf bytes.Buffer
	if err := temporalConfig.Execute(&buf, map[string]any{
		"Shards": c.opt.Shards, "Prefix": c.opt.Prefix, "DBAddr": net.JoinHostPort(host, port),
		"DBUser": user, "DBPassword": password, "Dynamic": dynamic,
		"Frontend": p, "HTTP": p + 1, "History": p + 2, "Matching": p + 3, "Worker": p + 4, "Metrics": p + 5,
		"MFrontend": p - 1000, "MHistory": p - 999, "MMatching": p - 998, "MWorker": p - 997,
	}); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(root, "config", "development.yaml"), buf.Bytes(), 0o600); err != nil {
		return err
	}
	if err := c.start("temporal", c.opt.TemporalServer, nil, "--root", root, "--config", "config", "--env", "development",
		"--allow-no-auth", "start"); err != nil {
		return err
	}
	return waitFor(2*time.Minute, func() bool {
		if !c.Alive("temporal") {
			return true
		}
		return c.cli("operator", "cluster", "health") == nil
	})
}

// namespace makes the default namespace once (three days of history
// after a workflow closes, as the dev server keeps).
func (c *Cluster) namespace(ctx context.Context) error {
	if !c.Alive("temporal") {
		return fmt.Errorf("the Temporal server stopped at start (see %s)", c.logPath("temporal"))
	}
	if c.cli("operator", "namespace", "describe", "--namespace", "default") == nil {
		return nil
	}
	if err := c.cli("operator", "namespace", "create", "--namespace", "default", "--retention", "72h"); err != nil {
		return err
	}
	// A new namespace reaches every service within seconds.
	return waitFor(time.Minute, func() bool {
		return ctx.Err() != nil || c.cli("workflow", "list", "--namespace", "default", "--limit", "1") == nil
	})
}

func (c *Cluster) cli(args ...string) error {
	cmd := exec.Command(c.opt.TemporalCLI, append(args, "--address", c.Temporal)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("temporal %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// payloadKey is the cluster's payload key, made once and kept in Dir so
// a restarted cluster reads its running workflows.
func (c *Cluster) payloadKey() (string, error) {
	path := filepath.Join(c.opt.Dir, "payload.key")
	if b, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return "", err
	}
	s := base64.StdEncoding.EncodeToString(k)
	return s, os.WriteFile(path, []byte(s+"\n"), 0o600)
}

// StartWorker starts worker i (0-based) again, e.g. after Kill.
func (c *Cluster) StartWorker(i int) error {
	env := []string{fmt.Sprintf("WORKER_METRICS_ADDR=127.0.0.1:%d", c.opt.Port+200+i)}
	if c.opt.WorkerEnv != nil {
		env = append(env, c.opt.WorkerEnv(i)...)
	}
	return c.start(fmt.Sprintf("worker-%d", i+1), c.opt.Topdossier, env, "worker")
}

// Topdossier runs one of topdossier's commands (licence create, reconcile
// …) against the cluster and returns what it printed.
func (c *Cluster) Topdossier(args ...string) ([]byte, error) {
	return c.command(c.opt.Topdossier, args...).CombinedOutput()
}

// StartServer starts server i (0-based) again.
func (c *Cluster) StartServer(i int) error {
	return c.start(fmt.Sprintf("server-%d", i+1), c.opt.Topdossier,
		[]string{fmt.Sprintf("HTTP_ADDR=127.0.0.1:%d", c.opt.Port+100+i), fmt.Sprintf("METRICS_ADDR=127.0.0.1:%d", c.opt.Port+150+i)}, "server")
}

// WorkerMetrics is worker i's /metrics address, ServerMetrics server i's.
func (c *Cluster) WorkerMetrics(i int) string {
	return fmt.Sprintf("http://127.0.0.1:%d/metrics", c.opt.Port+200+i)
}

func (c *Cluster) ServerMetrics(i int) string {
	return fmt.Sprintf("http://127.0.0.1:%d/metrics", c.opt.Port+150+i)
}

var probe = &http.Client{Timeout: 3 * time.Second}

func ok(u string) bool {
	resp, err := probe.Get(u)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// ServerReady: server i answers /readyz (PostgreSQL and Temporal reached).
func (c *Cluster) ServerReady(i int) bool {
	return ok(fmt.Sprintf("http://127.0.0.1:%d/readyz", c.opt.Port+100+i))
}

// WorkerReady: worker i serves its metrics (it does once it polls).
func (c *Cluster) WorkerReady(i int) bool { return ok(c.WorkerMetrics(i)) }

func (c *Cluster) logPath(name string) string { return filepath.Join(c.opt.Dir, "logs", name+".log") }

func (c *Cluster) command(bin string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Env = c.env
	return cmd
}

// start runs a process of the cluster with its output in logs/<name>.log;
// it dies with the process that started it.
func (c *Cluster) start(name, bin string, env []string, args ...string) error {
	log, err := os.OpenFile(c.logPath(name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := c.command(bin, args...)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		log.Close()
		return err
	}
	c.mu.Lock()
	c.procs[name] = cmd
	c.mu.Unlock()
	go func() { _ = cmd.Wait(); log.Close() }()
	return nil
}

// Kill SIGKILLs a process of the cluster ("temporal", "worker-1",
// "server-2") and waits until it is gone.
func (c *Cluster) Kill(name string) {
	cmd := c.proc(name)
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	for i := 0; i < 1200 && ProcessAlive(cmd.Process.Pid); i++ {
		time.Sleep(50 * time.Millisecond)
	}
}

// terminate stops a process of the cluster as a deployment does:
// SIGTERM, SIGKILL after ten seconds.
func (c *Cluster) terminate(name string) {
	if cmd := c.proc(name); cmd != nil {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = waitFor(10*time.Second, func() bool { return !c.Alive(name) })
		c.Kill(name)
	}
}

// RestartTemporal stops the Temporal server and starts it again: every
// workflow state it cached is gone.
func (c *Cluster) RestartTemporal() error {
	c.terminate("temporal")
	return c.startTemporal()
}

// RestartWorker stops worker i (0-based), starts it again and waits until
// it polls: every workflow it cached is gone.
func (c *Cluster) RestartWorker(i int) error {
	c.terminate(fmt.Sprintf("worker-%d", i+1))
	if err := c.StartWorker(i); err != nil {
		return err
	}
	return waitFor(2*time.Minute, func() bool { return c.WorkerReady(i) })
}

// Alive reports whether a process of the cluster runs.
func (c *Cluster) Alive(name string) bool {
	cmd := c.proc(name)
	return cmd != nil && ProcessAlive(cmd.Process.Pid)
}

// proc is the started process of the cluster by that name, or nil.
func (c *Cluster) proc(name string) *exec.Cmd {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cmd := c.procs[name]; cmd != nil && cmd.Process != nil {
		return cmd
	}
	return nil
}

// ProcessAlive reports whether process pid runs (a zombie does not).
func ProcessAlive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i > 0 && i+2 < len(b) && b[i+2] != 'Z'
}

// Stop ends the proxy and every process: SIGTERM, then SIGKILL for what
// did not stop within ten seconds. The databases stay.
func (c *Cluster) Stop() {
	if c.proxy != nil {
		_ = c.proxy.Close()
	}
	c.mu.Lock()
	var names []string
	for n, cmd := range c.procs {
		if cmd.Process != nil {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			names = append(names, n)
		}
	}
	c.mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for _, n := range names {
		for c.Alive(n) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		c.Kill(n)
	}
}

func waitFor(limit time.Duration, cond func() bool) error {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready within %s", limit)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return nil
}

// DropDatabases removes the cluster's databases (a fresh start), the
// licences' too; nothing may be connected.
func DropDatabases(ctx context.Context, adminURL, prefix string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT datname FROM pg_database WHERE datname = $1 OR starts_with(datname, $1 || '_')", prefix)
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	var errs []error
	for _, n := range names {
		if _, err := conn.Exec(ctx, "DROP DATABASE "+pgx.Identifier{n}.Sanitize()+" WITH (FORCE)"); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
