package service

import (
	"strings"
	"testing"
)

// TestCheckRequestID: one rule for the request id of pages and API.
func TestCheckRequestID(t *testing.T) {
	cases := []struct {
		id string
		ok bool
	}{
		{"3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b", true}, // what a page puts in its form
		{"las-import-2026-11-29-0001", true},           // what an API client may choose
		{strings.Repeat("x", 100), true},
		{"", false},
		{strings.Repeat("x", 101), false},
		{"twee woorden", false},
		{"tab\tin", false},
		{"nieuwe\nregel", false},
	}
	for _, c := range cases {
		if err := CheckRequestID(c.id); (err == nil) != c.ok {
			t.Errorf("CheckRequestID(%q): got %v, want ok %v", c.id, err, c.ok)
		}
	}
}
