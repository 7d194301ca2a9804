package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	sdkworker "go.temporal.io/sdk/worker"

	"github.com/topdossier/topdossier/config"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/worker"
)

// runDev runs everything in one process for a developer or a demo: it
// starts the Temporal dev server (unless one answers already), migrates,
// seeds demo data once, and runs worker and server until ctx is done.
// PostgreSQL must answer at DATABASE_URL; `make run` sees to that.
func runDev(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("make data folder: %w", err)
	}
	if len(cfg.PayloadKey) == 0 {
		if cfg.PayloadKey, err = devPayloadKey(filepath.Join(cfg.DataDir, "payload.key")); err != nil {
			return err
		}
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if cfg.WebAuthnRPID == "" {
		// Passkeys need a host name: in dev, localhost on the server's port.
		_, port, _ := net.SplitHostPort(cfg.HTTPAddr)
		cfg.WebAuthnRPID, cfg.WebAuthnOrigins = "localhost", []string{"http://localhost:" + port}
		if os.Getenv("SITE_URL") == "" {
			cfg.SiteURL = cfg.WebAuthnOrigins[0] // links in mails open where passkeys work
		}
	}

	stopTemporal, err := startTemporalDev(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer stopTemporal()

	if err := db.EnsureDatabase(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	dbs, err := openDatabases(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer dbs.Close()
	if _, err := migrateAll(ctx, cfg, dbs); err != nil {
		return err
	}
	// A database sealed with another key (a second checkout, a removed
	// .data) stops here with what to do, not later with a 500.
	if err := store.CheckPayloadKey(ctx, platform.New(dbs.platform), cfg.PayloadKey, filepath.Join(cfg.DataDir, "payload.key")); err != nil {
		return err
	}

	reg := newRegistry()
	tc, closeTemporal, err := dialTemporal(ctx, cfg, logger, reg)
	if err != nil {
		return err
	}
	defer closeTemporal()
	if err := registerWithTemporal(ctx, cfg, tc, logger); err != nil {
		return err
	}
	if err := importSigning(ctx, cfg, dbs.tenants.Platform(), logger); err != nil {
		return err
	}

	deps, err := leaver(cfg, dbs.tenants, tc, logger)
	if err != nil {
		return err
	}
	sdkworker.SetStickyWorkflowCacheSize(cfg.WorkerWorkflowCache)
	deps.ExpiryConcurrency = cfg.WorkerExpiryConcurrency
	w := worker.New(tc, deps)
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	defer w.Stop()

	seeded, err := seedDemo(ctx, cfg, dbs, tc)
	if err != nil {
		return fmt.Errorf("seed demo data: %w", err)
	}
	if err := ensureDemoSigning(ctx, cfg, dbs); err != nil {
		return fmt.Errorf("demo signing certificates: %w", err)
	}

	cfg.DevMailbox = true
	h, err := newHandler(cfg, logger, dbs, tc, reg)
	if err != nil {
		return err
	}
	return withMetrics(ctx, cfg.MetricsAddr, reg, func(ctx context.Context) error {
		return serveHTTP(ctx, cfg.HTTPAddr, h, func(a net.Addr) {
			fmt.Fprintf(stdout, `
TOP dossier draait.

  Applicatie   http://%s/  (passkeys: via http://localhost)
  API          http://%s/api/v1/openapi.json
  Gereed?      http://%s/readyz
  Metrics      http://%s/metrics
  Temporal UI  http://127.0.0.1:%d/

Demodata: %s
%s

Stoppen met Ctrl-C; opnieuw starten gaat verder met dezelfde gegevens.
`, a, a, a, cfg.MetricsAddr, cfg.TemporalUIPort, seeded, demoLogins())
		})
	})
}

// devPayloadKey reads the dev payload key, creating it on first use. It
// stays under .data, so workflows started in an earlier run stay readable.
func devPayloadKey(path string) ([]byte, error) {
	if raw, err := os.ReadFile(path); err == nil {
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
		if err != nil || len(key) != 32 {
			return nil, fmt.Errorf("%s is not a base64 32-byte key", path)
		}
		return key, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write dev payload key: %w", err)
	}
	return key, nil
}

// startTemporalDev starts `temporal server start-dev` with its state in the
// data folder, unless something answers at TEMPORAL_ADDRESS already. The
// returned stop function ends the child and waits for it. The child dies
// with this process, even when it is killed (childAttr), and a child an
// earlier run left behind is stopped first (stopStaleTemporal).
func startTemporalDev(ctx context.Context, cfg config.Config, logger *slog.Logger) (func(), error) {
	pidFile, dbFile := filepath.Join(cfg.DataDir, "temporal.pid"), filepath.Join(cfg.DataDir, "temporal.db")
	if err := stopStaleTemporal(pidFile, dbFile, logger); err != nil {
		return nil, fmt.Errorf("stop the Temporal dev server of an earlier run: %w", err)
	}
	if reachable(cfg.TemporalAddress) {
		logger.Info("using running Temporal", "addr", cfg.TemporalAddress)
		return func() {}, nil
	}
	host, port, err := net.SplitHostPort(cfg.TemporalAddress)
	if err != nil {
		return nil, fmt.Errorf("TEMPORAL_ADDRESS: %w", err)
	}
	if _, err := os.Stat(cfg.TemporalBin); err != nil {
		return nil, fmt.Errorf("no Temporal CLI at %s: build it with `make temporal`", cfg.TemporalBin)
	}
	logFile, err := os.OpenFile(filepath.Join(cfg.DataDir, "temporal.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(cfg.TemporalBin, "server", "start-dev",
		"--ip", host, "--port", port,
		"--ui-port", fmt.Sprint(cfg.TemporalUIPort),
		"--db-filename", dbFile,
		"--namespace", cfg.TemporalNamespace,
		"--log-level", "warn")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = childAttr()
	started, exited := make(chan error, 1), make(chan error, 1)
	go func() {
		// The parent-death signal is tied to the thread that forks: this
		// goroutine keeps that thread, locked, until the child has exited.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		exited <- cmd.Wait()
	}()
	if err := <-started; err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start Temporal dev server: %w", err)
	}
	if err := os.WriteFile(pidFile, []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o600); err != nil {
		logger.Warn("could not record the Temporal dev server's pid", "err", err)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			_ = cmd.Process.Signal(os.Interrupt)
			select {
			case <-exited:
			case <-time.After(15 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
			}
			_ = os.Remove(pidFile)
			logFile.Close()
		})
	}
	deadline := time.Now().Add(90 * time.Second)
	for !reachable(cfg.TemporalAddress) {
		select {
		case err := <-exited:
			exited <- err
			stop()
			return nil, fmt.Errorf("temporal dev server stopped at start (%v); see %s", err, logFile.Name())
		case <-ctx.Done():
			stop()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("temporal dev server did not answer within 90 s; see %s", logFile.Name())
		}
	}
	logger.Info("Temporal dev server started", "addr", cfg.TemporalAddress, "ui_port", cfg.TemporalUIPort)
	return stop, nil
}

func reachable(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}
