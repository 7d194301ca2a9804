// Package schema checks an EDEXML export against the schema set of
// Edustandaard, with libxml2 (cgo). It is apart from package las so the
// parser and the comparison stay pure Go (and fuzzable).
package schema

import (
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	xsdvalidate "github.com/terminalstatic/go-xsd-validate"

	"github.com/topdossier/topdossier/las"
)

// The EDEXML 2.1 schema set of Edustandaard (edexmllib, GPL-3.0: see
// 2.1/LICENSE.edexmllib). A file of version 2.0 is valid under 2.1,
// which only added the eckid and the role TAL.
//
//go:embed 2.1/*.xsd
var schemaFiles embed.FS

// The schema is libxml2's (through cgo): no Go module served here
// validates XML Schema with line numbers, and libxml2 is what the LAS
// suppliers validate with themselves. Its includes are relative, so the
// set is written to a private directory once and loaded from there.
var schema struct {
	once    sync.Once
	handler *xsdvalidate.XsdHandler
	err     error
}

func loadSchema() (*xsdvalidate.XsdHandler, error) {
	schema.once.Do(func() {
		if err := xsdvalidate.Init(); err != nil {
			schema.err = err
			return
		}
		dir, err := os.MkdirTemp("", "edexml-xsd-")
		if err != nil {
			schema.err = err
			return
		}
		defer os.RemoveAll(dir)
		entries, err := schemaFiles.ReadDir("2.1")
		if err != nil {
			schema.err = err
			return
		}
		for _, e := range entries {
			b, err := schemaFiles.ReadFile("2.1/" + e.Name())
			if err != nil {
				schema.err = err
				return
			}
			b = openSchoolYears(b)
			if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o600); err != nil {
				schema.err = err
				return
			}
		}
		schema.handler, schema.err = xsdvalidate.NewXsdHandlerUrl(filepath.Join(dir, "EDEXML.structuur.xsd"), xsdvalidate.ParsErrDefault)
	})
	return schema.handler, schema.err
}

// reSchoolYears is the published list of school years (1991-1992 up to
// 2024-2025).
var reSchoolYears = regexp.MustCompile(`(?s)(<xs:simpleType name="EDEXSchooljaarType">\s*<xs:restriction base="xs:string">).*?(</xs:restriction>)`)

// openSchoolYears replaces the schema's list of school years, which ends
// at 2024-2025, by their form: an export of this school year is valid.
// Parse checks that the two years follow each other.
func openSchoolYears(xsd []byte) []byte {
	return reSchoolYears.ReplaceAll(xsd, []byte(`$1<xs:pattern value="(19|20)\d{2}-(19|20)\d{2}"/>$2`))
}

// Validate checks data against the EDEXML schema. Every violation comes
// back as an Error with its line, in Dutch (Errors); a schema that cannot
// be loaded is an error of the platform, not of the file.
func Validate(data []byte) error {
	h, err := loadSchema()
	if err != nil {
		return fmt.Errorf("load EDEXML schema: %w", err)
	}
	err = h.ValidateMem(data, xsdvalidate.ValidErrDefault)
	var verr xsdvalidate.ValidationError
	var perr xsdvalidate.XmlParserError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &verr):
		out := make(las.Errors, 0, len(verr.Errors))
		for _, e := range verr.Errors {
			out = append(out, &las.Error{Line: e.Line, Msg: dutch(e.Message)})
		}
		return out
	case errors.As(err, &perr):
		return &las.Error{Msg: msgMalformed}
	}
	return fmt.Errorf("validate EDEXML: %w", err)
}

const msgMalformed = "het bestand is geen geldige XML"

var (
	reNotExpected = regexp.MustCompile(`^Element '([^']+)': This element is not expected\.(?: Expected is (?:one of )?\( ?([^)]*?) ?\))?`)
	reMissing     = regexp.MustCompile(`^Element '([^']+)': Missing child element\(s\)\. Expected is (?:one of )?\( ?([^)]*?) ?\)`)
	reBadValue    = regexp.MustCompile(`^Element '([^']+)'(?:, attribute '([^']+)')?: (?:\[facet '[^']+'\] )?The value '([^']*)'`)
	reNoKey       = regexp.MustCompile(`^Element '([^']+)'.*No match found for key-sequence \['([^']*)'\]`)
	reDuplicate   = regexp.MustCompile(`^Element '([^']+)'.*Duplicate key-sequence \['([^']*)'\]`)
	reAttr        = regexp.MustCompile(`^Element '([^']+)': The attribute '([^']+)' is (required|not allowed)`)
)

// dutch says libxml2's English message in Dutch, with the element named;
// a message it does not know keeps its English after the element.
func dutch(msg string) string {
	msg = strings.TrimSpace(msg)
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
		return fmt.Sprintf("dit is geen EDEXML-bestand: het begint met element %s in plaats van EDEX", el)
	}
	if el, rest, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(el, "Element '") {
		return fmt.Sprintf("element %s klopt niet met het schema (%s)", strings.Trim(strings.TrimPrefix(el, "Element "), "'"), rest)
	}
	return "klopt niet met het schema (" + msg + ")"
}

// Read is the whole check of an export, in the order that costs least
// for a bad file: size, DOCTYPE and version first, then the schema (which
// names the line and element of a structural error), then what TOP
// dossier relies on beyond it (Parse). A file libxml2 finds not well
// formed is read by Parse for the line of the error.
func Read(data []byte, today time.Time) (*las.File, error) {
	if err := las.Precheck(data); err != nil {
		return nil, err
	}
	if err := Validate(data); err != nil {
		var es las.Errors
		if !errors.As(err, &es) && !isMalformed(err) {
			return nil, err
		}
		if _, perr := las.Parse(data, today); perr != nil && isMalformed(err) {
			return nil, perr
		}
		return nil, err
	}
	return las.Parse(data, today)
}

func isMalformed(err error) bool {
	var e *las.Error
	return errors.As(err, &e) && e.Line == 0 && e.Msg == msgMalformed
}
