package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/topdossier/topdossier/db/dbtest"
	"github.com/topdossier/topdossier/internal/poll"
	"github.com/topdossier/topdossier/temporalx/temporaltest"
)

// TestMain lets a test run `topdossier dev` as a process of its own (this
// test binary again), which it can then kill.
func TestMain(m *testing.M) {
	if os.Getenv("TOPDOSSIER_TEST_RUN_DEV") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := run(ctx, []string{"dev"}, os.Getenv, os.Stdout, os.Stderr)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "topdossier:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestDevKilledLeavesNoTemporal (issue 19, fix 9): `topdossier dev` killed
// with SIGKILL takes its Temporal dev server with it; and a Temporal an
// older build left running on the same data is stopped at the next start,
// which then runs its own.
func TestDevKilledLeavesNoTemporal(t *testing.T) {
	platformDB := fmt.Sprintf("tdkill_%d", time.Now().UnixNano())
	t.Cleanup(func() { dbtest.DropLike(t, platformDB) })
	dataDir := t.TempDir()
	temporalAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	httpPort := freePort(t)
	bin := temporaltest.Binary(t)
	env := append(os.Environ(), "TOPDOSSIER_TEST_RUN_DEV=1",
		"DATABASE_URL="+dbtest.URLFor(t, platformDB), "DATA_DIR="+dataDir,
		fmt.Sprintf("HTTP_ADDR=127.0.0.1:%d", httpPort), "METRICS_ADDR=127.0.0.1:0",
		"TEMPORAL_ADDRESS="+temporalAddr, fmt.Sprintf("TEMPORAL_UI_PORT=%d", freePort(t)), "TEMPORAL_BIN="+bin)
	pidFile := filepath.Join(dataDir, "temporal.pid")
	childPid := func() int {
		raw, _ := os.ReadFile(pidFile)
		pid, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
		return pid
	}
	var out syncBuffer
	start := func() *exec.Cmd {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env, cmd.Stdout, cmd.Stderr = env, &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
		waitReady(t, fmt.Sprintf("http://127.0.0.1:%d", httpPort))
		return cmd
	}

	first := start()
	temporal := childPid()
	if temporal == 0 || !alive(temporal) {
		t.Fatalf("no running Temporal child recorded in %s (%d)", pidFile, temporal)
	}
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_, _ = first.Process.Wait()
	if !poll.Until(30*time.Second, func() bool { return !alive(temporal) && !reachable(temporalAddr) }) {
		_ = syscall.Kill(temporal, syscall.SIGKILL)
		t.Fatalf("the Temporal child %d outlived `topdossier dev` killed with SIGKILL", temporal)
	}

	// An orphan as an older build left it: a Temporal on this data folder,
	// recorded in the pid file, whose parent is gone.
	orphan := exec.Command(bin, "server", "start-dev", "--ip", "127.0.0.1", "--port", strings.Split(temporalAddr, ":")[1],
		"--headless", "--db-filename", filepath.Join(dataDir, "temporal.db"), "--log-level", "warn")
	orphan.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := orphan.Start(); err != nil {
		t.Fatal(err)
	}
	orphanDone := make(chan error, 1)
	go func() { orphanDone <- orphan.Wait() }()
	t.Cleanup(func() { _ = orphan.Process.Kill() })
	if err := os.WriteFile(pidFile, []byte(strconv.Itoa(orphan.Process.Pid)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if !poll.Until(time.Minute, func() bool { return reachable(temporalAddr) }) {
		t.Fatal("the stand-in orphan did not start")
	}
	second := start()
	select {
	case <-orphanDone:
	case <-time.After(5 * time.Second):
		t.Fatal("the restart left the orphaned Temporal running and used it")
	}
	if pid := childPid(); pid == 0 || pid == orphan.Process.Pid || !alive(pid) {
		t.Errorf("the restart runs no Temporal child of its own (pid file: %d)", pid)
	}
	if !strings.Contains(out.String(), "Temporal dev server started") {
		t.Errorf("the restart did not start its own Temporal:\n%s", out.String())
	}
	// Ctrl-C still stops both in order, and the pid file goes with them.
	own := childPid()
	_ = second.Process.Signal(os.Interrupt)
	if err := second.Wait(); err != nil {
		t.Errorf("dev after Ctrl-C: %v\n%s", err, out.String())
	}
	if alive(own) {
		t.Errorf("Temporal child %d still runs after Ctrl-C", own)
	}
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Errorf("pid file left after a clean stop: %v", err)
	}
}
