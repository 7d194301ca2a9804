package server

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLogbookEntitiesHaveLabels: every logbook line the code writes has a
// Dutch name for what it is about, so no page or PDF shows an internal
// code ("bekeken: swv_request"). Entities built from a prefix are checked
// by their prefix elsewhere (consent_, retention_, request_).
func TestLogbookEntitiesHaveLabels(t *testing.T) {
	literal := regexp.MustCompile(`(?:logbook\.Action[A-Za-z]+, "([a-z_]+)"|Entity: +"([a-z_]+)")`)
	seen := 0
	for _, dir := range []string{"../service", "../activities", "../server", "../store"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
				entity := m[1] + m[2]
				if strings.HasSuffix(entity, "_") {
					continue
				}
				seen++
				if entityLabels[entity] == "" {
					t.Errorf("%s: logbook entity %q has no Dutch label in entityLabels", f, entity)
				}
			}
		}
	}
	if seen < 50 {
		t.Errorf("found %d logbook entities in the code, want the 50 or more there are: the pattern no longer matches", seen)
	}
}
