package cluster

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// composeFile is the part of docker-compose.yml the checks below read.
type composeFile struct {
	Services map[string]struct {
		Image       string   `yaml:"image"`
		Build       any      `yaml:"build"`
		Command     []string `yaml:"command"`
		Restart     string   `yaml:"restart"`
		Volumes     []string `yaml:"volumes"`
		Healthcheck *struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
		DependsOn map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
	} `yaml:"services"`
}

// oneShot names the compose services that run once and exit: they have
// no health check, and what needs them waits for their success.
var oneShot = map[string]bool{"temporal-schema": true, "temporal-namespace": true, "migrate": true}

// TestComposeTopology checks docker-compose.yml against what issue 20
// asks of it and against make cluster: no auto-setup image, Temporal's
// images at the versions pinned in tools/temporal.mod, two workers and
// two servers behind the proxy, a health check on every service that
// stays up, start order by health or by a job's success, and the same
// dynamic configuration as make cluster. No container engine runs here;
// this is what can be checked without one.
func TestComposeTopology(t *testing.T) {
	root := filepath.Join("..", "..")
	raw, err := os.ReadFile(filepath.Join(root, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var f composeFile
	if err := yaml.Unmarshal(raw, &f); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	mod, err := os.ReadFile(filepath.Join(root, "tools", "temporal.mod"))
	if err != nil {
		t.Fatal(err)
	}
	pinned := func(module string) string {
		m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(module) + `\s+v(\S+)`).FindSubmatch(mod)
		if m == nil {
			t.Fatalf("tools/temporal.mod pins no %s", module)
		}
		return string(m[1])
	}
	server, ui := pinned("go.temporal.io/server"), pinned("github.com/temporalio/ui-server/v2")

	var workers, servers []string
	for name, s := range f.Services {
		image, tag, _ := strings.Cut(s.Image, ":")
		switch image {
		case "temporalio/auto-setup":
			t.Errorf("%s: temporalio/auto-setup is deprecated; use temporalio/server with a setup job", name)
		case "temporalio/server", "temporalio/admin-tools":
			if tag != server {
				t.Errorf("%s: %s, but tools/temporal.mod pins Temporal %s", name, s.Image, server)
			}
		case "temporalio/ui":
			if tag != ui {
				t.Errorf("%s: %s, but tools/temporal.mod pins the UI server %s", name, s.Image, ui)
			}
		}
		if s.Image != "" && (tag == "" || tag == "latest") {
			t.Errorf("%s: image %q is not pinned to a version", name, s.Image)
		}
		if s.Build != nil && len(s.Command) == 1 {
			switch s.Command[0] {
			case "worker":
				workers = append(workers, name)
			case "server":
				servers = append(servers, name)
			}
		}
		if oneShot[name] {
			if s.Restart == "unless-stopped" || s.Restart == "always" {
				t.Errorf("%s runs once; restart %q would run it for ever", name, s.Restart)
			}
		} else if s.Healthcheck == nil || len(s.Healthcheck.Test) == 0 {
			t.Errorf("%s stays up but has no health check", name)
		}
		for dep, d := range s.DependsOn {
			if _, ok := f.Services[dep]; !ok {
				t.Errorf("%s depends on %s, which is not a service", name, dep)
				continue
			}
			want := "service_healthy"
			if oneShot[dep] {
				want = "service_completed_successfully"
			}
			if d.Condition != want {
				t.Errorf("%s waits for %s with %q, want %q", name, dep, d.Condition, want)
			}
		}
	}
	slices.Sort(workers)
	slices.Sort(servers)
	if len(workers) != 2 || len(servers) != 2 {
		t.Errorf("workers %v, servers %v: want two of each", workers, servers)
	}
	for _, s := range servers {
		if _, ok := f.Services["proxy"].DependsOn[s]; !ok {
			t.Errorf("the proxy does not wait for %s", s)
		}
	}
	caddy, err := os.ReadFile(filepath.Join(root, "deploy", "Caddyfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range servers {
		if !strings.Contains(string(caddy), s+":8080") {
			t.Errorf("deploy/Caddyfile does not send to %s", s)
		}
	}
	for _, s := range append(workers, servers...) {
		if _, ok := f.Services[s].DependsOn["migrate"]; !ok {
			t.Errorf("%s starts before the migration", s)
		}
	}

	// The same dynamic configuration as make cluster (Options.DynamicConfig).
	var mounted bool
	for _, v := range f.Services["temporal"].Volumes {
		mounted = mounted || strings.HasPrefix(v, "./deploy/temporal-dynamic.yaml:")
	}
	if !mounted {
		t.Error("temporal does not mount deploy/temporal-dynamic.yaml, which make cluster uses")
	}
	if _, err := os.Stat(filepath.Join(root, "deploy", "temporal-dynamic.yaml")); err != nil {
		t.Error(err)
	}
}
