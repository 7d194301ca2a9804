//go:build !linux

package main

import (
	"log/slog"
	"syscall"
)

// childAttr: without Linux's parent-death signal the child only gets its
// own process group; an orphan is stopped at the next start instead.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// stopStaleTemporal has no /proc to check the pid against here, so it
// leaves any process alone.
func stopStaleTemporal(pidFile, dbFile string, logger *slog.Logger) error { return nil }
