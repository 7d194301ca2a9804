// Command cluster is `make cluster`: the production topology on this
// machine without containers (internal/cluster) — a Temporal server on
// PostgreSQL, two workers, two servers and a reverse proxy — running until
// Ctrl-C. PostgreSQL is the machine's (DATABASE_URL's server) or the
// private cluster scripts/pg-up starts, as for `make run`.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/topdossier/topdossier/internal/cluster"
)

func main() {
	dir := flag.String("dir", ".data/cluster", "working folder (Temporal configuration, payload key, logs)")
	workers := flag.Int("workers", 2, "worker processes")
	servers := flag.Int("servers", 2, "server processes")
	port := flag.Int("port", 7400, "first port (Temporal; servers from +100, the proxy at +99)")
	fresh := flag.Bool("fresh", false, "drop the cluster's databases first")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *dir, *workers, *servers, *port, *fresh); err != nil {
		fmt.Fprintln(os.Stderr, "cluster:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dir string, workers, servers, port int, fresh bool) error {
	opt, err := cluster.Local(dir)
	if err != nil {
		return err
	}
	if err := opt.Check(); err != nil {
		return err
	}
	opt.Workers, opt.Servers, opt.Port, opt.Log = workers, servers, port, os.Stdout
	if fresh {
		if err := cluster.DropDatabases(ctx, opt.AdminURL, opt.Prefix); err != nil {
			return err
		}
	}
	c, err := cluster.Start(ctx, opt)
	if err != nil {
		return err
	}
	defer c.Stop()
	fmt.Printf(`
TOP dossier draait als cluster:
  via de proxy   %s
  servers        %s
  Temporal       %s (bin/temporal workflow list --address %s)
  databases      %s (platform), %s_temporal, %s_temporal_visibility
  logboeken      %s
Stoppen met Ctrl-C.
`, c.Proxy, strings.Join(c.Servers, ", "), c.Temporal, c.Temporal, c.DatabaseURL, opt.Prefix, opt.Prefix, filepath.Join(opt.Dir, "logs"))
	<-ctx.Done()
	fmt.Println("cluster: stoppen")
	return nil
}
