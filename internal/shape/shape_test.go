// Package shape holds the test that keeps the code's layering: the
// domain at the bottom, workflows free of the database, the server free
// of the activities, gin only in the server. README's "Where things live"
// describes the same.
package shape

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/topdossier/topdossier"

type pkg struct {
	ImportPath   string
	Standard     bool
	Imports      []string
	TestImports  []string
	XTestImports []string
	Deps         []string
}

// list runs go list -json on patterns, with the dependencies when deps.
func list(t *testing.T, deps bool, patterns ...string) []pkg {
	t.Helper()
	args := []string{"list", "-json"}
	if deps {
		args = append(args, "-deps")
	}
	cmd := exec.Command("go", append(args, patterns...)...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("go list: %v\n%s", err, exit.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func ours(path string) bool { return path == module || strings.HasPrefix(path, module+"/") }

func rel(path string) string { return strings.TrimPrefix(strings.TrimPrefix(path, module), "/") }

// allImports are a package's imports, its tests' included.
func (p pkg) allImports() []string {
	return slices.Concat(p.Imports, p.TestImports, p.XTestImports)
}

// TestWorkflowsDoNotReachTheDatabase: workflow code is deterministic and
// replayed; it names activities, it never links the database layer.
func TestWorkflowsDoNotReachTheDatabase(t *testing.T) {
	for _, p := range list(t, true, "./workflows") {
		if strings.HasPrefix(p.ImportPath, module+"/db") || strings.HasPrefix(p.ImportPath, "github.com/jackc/pgx") ||
			p.ImportPath == module+"/activities" {
			t.Errorf("workflows depends on %s", p.ImportPath)
		}
	}
}

// TestLayers checks each package's direct imports against the direction
// cmd → server → services → db and cmd → worker → workflows → activities
// → db, with the domain packages under everything.
func TestLayers(t *testing.T) {
	domain := []string{"plan", "law", "documents", "fault", "las", "oso", "monitor"}
	// What a domain package may use besides the standard library and the
	// other domain packages: uuid for ids, and for documents the PDF and
	// signing libraries with the font.
	domainExternal := []string{"github.com/google/uuid", "github.com/go-pdf/fpdf", "github.com/digitorus/pdf",
		"github.com/digitorus/pdfsign", "golang.org/x/image/font/gofont", "software.sslmate.com/src/go-pkcs12",
		// the EDEXML and OSO schema checks (internal/xsd), a pure function over libxml2
		"github.com/terminalstatic/go-xsd-validate"}
	pkgs := list(t, false, "./...")
	std := map[string]bool{}
	for _, p := range list(t, true, "./...") {
		std[p.ImportPath] = p.Standard
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages", len(pkgs))
	}
	for _, p := range pkgs {
		name := rel(p.ImportPath)
		top, _, _ := strings.Cut(name, "/")
		for _, imp := range p.allImports() {
			target := rel(imp)
			if imp == "github.com/gin-gonic/gin" || strings.HasPrefix(imp, "github.com/gin-") {
				if top != "server" {
					t.Errorf("%s imports %s: only the server speaks HTTP through gin", name, imp)
				}
			}
			if name == "server" && ours(imp) && target == "activities" {
				t.Errorf("server imports activities: pages reach the processes through the services and Temporal")
			}
		}
		for _, imp := range p.Imports {
			target := rel(imp)
			if slices.Contains(domain, top) {
				switch {
				case std[imp] || !strings.Contains(strings.Split(imp, "/")[0], "."):
				case ours(imp) && slices.Contains(domain, strings.Split(target, "/")[0]):
				case ours(imp) && target == "internal/xsd": // the schema checks (las/schema, oso/schema)
				case slices.ContainsFunc(domainExternal, func(e string) bool { return imp == e || strings.HasPrefix(imp, e+"/") }):
				default:
					t.Errorf("%s (domain) imports %s: the domain imports only the standard library and itself", name, imp)
				}
			}
			// Nothing imports cmd, server or worker, but cmd.
			target, _, _ = strings.Cut(target, "/")
			if ours(imp) && (target == "cmd" || target == "server" || target == "worker") && top != "cmd" {
				t.Errorf("%s imports %s: only cmd wires the server and the worker", name, rel(imp))
			}
			if ours(imp) && target == "activities" && top != "worker" && top != "activities" {
				t.Errorf("%s imports activities: only the worker registers them; workflows name them through workflows.Activities", name)
			}
			if ours(imp) && top == "db" && target != "db" && !slices.Contains(domain, target) {
				t.Errorf("%s imports %s: db imports only itself and the domain", name, rel(imp))
			}
		}
	}
}

// TestServerOpensNoTenantDatabase: the pages reach a school's or an SWV's
// database only through the services (one write path per operation, with
// its logbook line and the restriction check); the server itself reads
// the platform database for who is signed in, nothing else.
func TestServerOpensNoTenantDatabase(t *testing.T) {
	for _, p := range list(t, false, "./server") {
		for _, imp := range p.Imports {
			if imp == "github.com/jackc/pgx/v5/pgxpool" {
				t.Errorf("server imports %s: reading or writing a tenant's database belongs in service", imp)
			}
		}
	}
}
