package requestlog_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/topdossier/topdossier/internal/requestlog"
)

func TestHandlerAddsTheRequestID(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(requestlog.Handler(requestlog.Handler(slog.NewTextHandler(&buf, nil))))
	ctx := requestlog.With(context.Background(), "req-1")
	logger.InfoContext(ctx, "with", "k", "v")
	logger.With("a", 1).InfoContext(context.Background(), "without")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2: %q", len(lines), buf.String())
	}
	if strings.Count(lines[0], "request_id=req-1") != 1 {
		t.Errorf("got %q, want request_id=req-1 once", lines[0])
	}
	if strings.Contains(lines[1], "request_id") {
		t.Errorf("got %q, want no request_id", lines[1])
	}
}
