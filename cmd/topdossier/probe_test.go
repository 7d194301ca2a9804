package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestProbe: the containers' health check passes on 200 only, and asks
// nothing but this machine.
func TestProbe(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }))
	defer srv.Close()
	probe := func(u string) error {
		return run(context.Background(), []string{"probe", u}, func(string) string { return "" }, io.Discard, io.Discard)
	}
	if err := probe(srv.URL + "/readyz"); err != nil {
		t.Errorf("a server answering 200: %v", err)
	}
	status = http.StatusServiceUnavailable
	if err := probe(srv.URL + "/readyz"); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("a server answering 503: %v, want an error naming it", err)
	}
	for _, u := range []string{"http://example.org/readyz", "https://127.0.0.1/readyz", "file:///etc/passwd"} {
		if err := probe(u); err == nil {
			t.Errorf("probe %s: no error", u)
		}
	}
}
