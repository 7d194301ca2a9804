package cluster

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Local are the options of `make cluster` in this checkout: the binaries
// in bin/ (make builds them), Temporal's schema from the pinned tools
// module, and PostgreSQL at DATABASE_URL's server, started by
// scripts/pg-up when nothing answers there (as `make run` does). dir is
// relative to the checkout's root.
func Local(dir string) (Options, error) {
	root, err := moduleRoot()
	if err != nil {
		return Options{}, err
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	dbURL := os.Getenv("DATABASE_URL")
	if dbURL == "" {
		dbURL = "postgres://postgres@127.0.0.1:5432/topdossier"
	}
	pg := exec.Command(filepath.Join(root, "scripts", "pg-up"))
	pg.Dir = root
	pg.Env = append(os.Environ(), "DATABASE_URL="+dbURL)
	if out, err := pg.CombinedOutput(); err != nil {
		return Options{}, fmt.Errorf("PostgreSQL: %v: %s", err, out)
	}
	admin, err := url.Parse(dbURL)
	if err != nil {
		return Options{}, err
	}
	admin.Path = "/postgres"
	list := exec.Command("go", "list", "-modfile=tools/temporal.mod", "-m", "-f", "{{.Dir}}", "go.temporal.io/server")
	list.Dir = root
	out, err := list.Output()
	if err != nil {
		return Options{}, fmt.Errorf("the Temporal server module (go list): %w", err)
	}
	o := Options{Dir: dir, AdminURL: admin.String(), Prefix: "topdossier_cluster",
		Topdossier: filepath.Join(root, "bin", "topdossier"), TemporalServer: filepath.Join(root, "bin", "temporal-server"),
		SQLTool: filepath.Join(root, "bin", "temporal-sql-tool"), TemporalCLI: filepath.Join(root, "bin", "temporal"),
		SchemaDir:     filepath.Join(strings.TrimSpace(string(out)), "schema", "postgresql", "v12"),
		DynamicConfig: filepath.Join(root, "deploy", "temporal-dynamic.yaml")}
	return o, nil
}

// Check says which binary is missing.
func (o Options) Check() error {
	for _, b := range []string{o.Topdossier, o.TemporalServer, o.SQLTool, o.TemporalCLI} {
		if _, err := os.Stat(b); err != nil {
			return fmt.Errorf("%s is missing: run `make cluster-bin`", b)
		}
	}
	return nil
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("the module root (go.mod) is not above the working folder")
		}
		dir = parent
	}
}
