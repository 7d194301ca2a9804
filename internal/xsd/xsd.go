// Package xsd validates XML against an embedded XML Schema set with
// libxml2 (cgo), and says libxml2's findings in Dutch with their line.
// The EDEXML (las/schema) and OSO (oso/schema) checks share it.
package xsd

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	xsdvalidate "github.com/terminalstatic/go-xsd-validate"
)

// libxml2 is initialised once per process.
var initOnce struct {
	sync.Once
	err error
}

func initLibxml2() error {
	initOnce.Do(func() { initOnce.err = xsdvalidate.Init() })
	return initOnce.err
}

// Issue is one finding: the line (0: the whole file) and what is wrong,
// in Dutch.
type Issue struct {
	Line int
	Msg  string
}

// MsgMalformed is the finding of a file that is not XML at all.
const MsgMalformed = "het bestand is geen geldige XML"

// Schema is a schema set loaded once, on first use.
type Schema struct {
	files fs.FS
	dir   string // the set's directory in files
	entry string // the file the validation starts from
	patch func(name string, b []byte) []byte
	// root names the format and rootEl its document element, for the
	// message of a file that starts with another ("dit is geen
	// EDEXML-bestand").
	root, rootEl string

	once    sync.Once
	handler *xsdvalidate.XsdHandler
	err     error
}

// New is the schema set in dir of files, starting at entry; patch (may
// be nil) may change a file before it is loaded; kind names the format
// in messages ("EDEXML", "OSO") and rootEl its document element.
func New(files fs.FS, dir, entry, kind, rootEl string, patch func(name string, b []byte) []byte) *Schema {
	return &Schema{files: files, dir: dir, entry: entry, root: kind, rootEl: rootEl, patch: patch}
}

// load writes the set to a private directory (its includes are relative)
// and loads it from there.
func (s *Schema) load() (*xsdvalidate.XsdHandler, error) {
	s.once.Do(func() {
		if s.err = initLibxml2(); s.err != nil {
			return
		}
		tmp, err := os.MkdirTemp("", "xsd-")
		if err != nil {
			s.err = err
			return
		}
		defer os.RemoveAll(tmp)
		entries, err := fs.ReadDir(s.files, s.dir)
		if err != nil {
			s.err = err
			return
		}
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".xsd") {
				continue
			}
			b, err := fs.ReadFile(s.files, path.Join(s.dir, e.Name()))
			if err != nil {
				s.err = err
				return
			}
			if s.patch != nil {
				b = s.patch(e.Name(), b)
			}
			if err := os.WriteFile(filepath.Join(tmp, e.Name()), b, 0o600); err != nil {
				s.err = err
				return
			}
		}
		s.handler, s.err = xsdvalidate.NewXsdHandlerUrl(filepath.Join(tmp, s.entry), xsdvalidate.ParsErrDefault)
	})
	return s.handler, s.err
}

// Validate checks data against the set: nil issues when it is valid, an
// issue with MsgMalformed when it is not XML; an error when the schema
// itself cannot be loaded (the platform's fault, not the file's).
func (s *Schema) Validate(data []byte) ([]Issue, error) {
	h, err := s.load()
	if err != nil {
		return nil, fmt.Errorf("load %s schema: %w", s.root, err)
	}
	err = h.ValidateMem(data, xsdvalidate.ValidErrDefault)
	var verr xsdvalidate.ValidationError
	var perr xsdvalidate.XmlParserError
	switch {
	case err == nil:
		return nil, nil
	case errors.As(err, &verr):
		out := make([]Issue, 0, len(verr.Errors))
		for _, e := range verr.Errors {
			out = append(out, Issue{Line: e.Line, Msg: s.dutch(e.Message)})
		}
		return out, nil
	case errors.As(err, &perr):
		return []Issue{{Msg: MsgMalformed}}, nil
	}
	return nil, fmt.Errorf("validate %s: %w", s.root, err)
}

var (
	reNotExpected = regexp.MustCompile(`^Element '([^']+)': This element is not expected\.(?: Expected is (?:one of )?\( ?([^)]*?) ?\))?`)
	reMissing     = regexp.MustCompile(`^Element '([^']+)': Missing child element\(s\)\. Expected is (?:one of )?\( ?([^)]*?) ?\)`)
	reBadValue    = regexp.MustCompile(`^Element '([^']+)'(?:, attribute '([^']+)')?: (?:\[facet '[^']+'\] )?The value '([^']*)'`)
	reNoKey       = regexp.MustCompile(`^Element '([^']+)'.*No match found for key-sequence \['([^']*)'\]`)
	reDuplicate   = regexp.MustCompile(`^Element '([^']+)'.*Duplicate key-sequence \['([^']*)'\]`)
	reAttr        = regexp.MustCompile(`^Element '([^']+)': The attribute '([^']+)' is (required|not allowed)`)
	reNamespace   = regexp.MustCompile(`\{[^}]*\}`)
)

// dutch says libxml2's English message in Dutch, with the element named;
// a message it does not know keeps its English after the element.
func (s *Schema) dutch(msg string) string {
	msg = reNamespace.ReplaceAllString(strings.TrimSpace(msg), "")
	if m := reNotExpected.FindStringSubmatch(msg); m != nil {
		if m[2] != "" {
			return fmt.Sprintf("element %s wordt hier niet verwacht (verwacht: %s)", m[1], strings.ReplaceAll(m[2], ", ", " of "))
		}
		return fmt.Sprintf("element %s wordt hier niet verwacht", m[1])
	}
	if m := reMissing.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("in element %s ontbreekt %s", m[1], strings.ReplaceAll(m[2], ", ", " of "))
	}
	if m := reNoKey.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("element %s verwijst naar key %s, die niet in het bestand staat", m[1], m[2])
	}
	if m := reDuplicate.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("key %s staat twee keer in het bestand (element %s)", m[2], m[1])
	}
	if m := reAttr.FindStringSubmatch(msg); m != nil {
		if m[3] == "required" {
			return fmt.Sprintf("element %s mist het attribuut %s", m[1], m[2])
		}
		return fmt.Sprintf("element %s heeft een attribuut %s dat hier niet mag", m[1], m[2])
	}
	if m := reBadValue.FindStringSubmatch(msg); m != nil {
		if m[2] != "" {
			return fmt.Sprintf("element %s: attribuut %s heeft een ongeldige waarde %q", m[1], m[2], m[3])
		}
		return fmt.Sprintf("element %s heeft een ongeldige waarde %q", m[1], m[3])
	}
	if strings.Contains(msg, "No matching global declaration available for the validation root") {
		el, _, _ := strings.Cut(strings.TrimPrefix(msg, "Element '"), "'")
		return fmt.Sprintf("dit is geen %s-bestand: het begint met element %s in plaats van %s", s.root, el, s.rootEl)
	}
	if el, rest, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(el, "Element '") {
		return fmt.Sprintf("element %s klopt niet met het schema (%s)", strings.Trim(strings.TrimPrefix(el, "Element "), "'"), rest)
	}
	return "klopt niet met het schema (" + msg + ")"
}
