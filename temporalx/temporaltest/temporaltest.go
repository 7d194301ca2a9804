// Package temporaltest starts the real Temporal dev server for tests, from
// the binary `make temporal` builds (TEMPORAL_BIN), never a download.
package temporaltest

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/topdossier/topdossier/temporalx"
)

// Binary returns the Temporal CLI: TEMPORAL_BIN, or bin/temporal at the
// module root. A test that needs it fails (never skips) without it.
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("TEMPORAL_BIN"); p != "" {
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "bin", "temporal")
			if _, err := os.Stat(p); err != nil {
				t.Fatalf("no Temporal CLI at %s: run `make temporal` or set TEMPORAL_BIN", p)
			}
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("module root not found; set TEMPORAL_BIN")
		}
		dir = parent
	}
}

// Server is a running dev server and what it takes to talk to it.
type Server struct {
	HostPort string
	Key      []byte
	Codec    *temporalx.Codec
	Client   client.Client
}

// Start starts a dev server on a free port with the search attributes
// registered, and a client with a fresh payload key. Both stop at cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	return StartWithKey(t, key)
}

// StartWithKey is Start with a given payload key, for histories that are
// recorded to be replayed later.
func StartWithKey(t testing.TB, key []byte) *Server {
	t.Helper()
	ctx := context.Background()
	srv, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath: Binary(t),
		LogLevel:     "error",
		ClientOptions: &client.Options{
			Logger: log.NewStructuredLogger(slog.New(slog.DiscardHandler)),
		},
		Stdout: io.Discard,
		Stderr: io.Discard,
	})
	if err != nil {
		t.Fatalf("start Temporal dev server: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	codec, err := temporalx.NewCodec(key)
	if err != nil {
		t.Fatal(err)
	}
	c, closeMetrics, err := temporalx.Dial(ctx, temporalx.Options{
		HostPort: srv.FrontendHostPort(), Namespace: "default", Codec: codec,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); closeMetrics() })
	if err := temporalx.EnsureSearchAttributes(ctx, c, "default"); err != nil {
		t.Fatal(err)
	}
	return &Server{HostPort: srv.FrontendHostPort(), Key: key, Codec: codec, Client: c}
}
