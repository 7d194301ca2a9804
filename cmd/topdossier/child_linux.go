package main

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// childAttr makes the Temporal dev server its own process group (our
// Ctrl-C handling stops it, in order) and asks the kernel to send it
// SIGTERM when the thread that started it dies: `topdossier dev` killed
// with SIGKILL leaves no Temporal behind (issue 19, fix 9). The caller
// starts the child from a goroutine locked to its thread for the child's
// whole life, since the signal follows the thread, not the process.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// stopStaleTemporal ends a Temporal dev server an earlier `topdossier dev`
// started on this data folder (its pid in pidFile) and that outlived it, so
// a restart runs its own child and never depends on an orphan. The pid is
// only signalled when its command line still names this database file: a
// pid reused by another program is left alone.
func stopStaleTemporal(pidFile, dbFile string, logger *slog.Logger) error {
	raw, err := os.ReadFile(pidFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil || pid <= 1 {
		return os.Remove(pidFile)
	}
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || !bytes.Contains(cmdline, []byte(dbFile)) {
		return os.Remove(pidFile)
	}
	logger.Warn("stopping a Temporal dev server left by an earlier run", "pid", pid)
	_ = syscall.Kill(pid, syscall.SIGTERM)
	for deadline := time.Now().Add(15 * time.Second); alive(pid); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			deadline = time.Now().Add(5 * time.Second)
		}
	}
	return os.Remove(pidFile)
}

// alive reports whether pid is a process that has not exited (a zombie,
// exited but not yet reaped by its parent, counts as gone).
func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// pid (comm) state ...: the state follows the last ')'.
	i := bytes.LastIndexByte(stat, ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}
