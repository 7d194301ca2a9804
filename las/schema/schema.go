// Package schema checks an EDEXML export against the schema set of
// Edustandaard, with libxml2 (cgo). It is apart from package las so the
// parser and the comparison stay pure Go (and fuzzable).
package schema

import (
	"embed"
	"errors"
	"regexp"
	"time"

	"github.com/topdossier/topdossier/internal/xsd"
	"github.com/topdossier/topdossier/las"
)

// The EDEXML 2.1 schema set of Edustandaard (edexmllib, GPL-3.0: see
// 2.1/LICENSE.edexmllib). A file of version 2.0 is valid under 2.1,
// which only added the eckid and the role TAL.
//
//go:embed 2.1/*.xsd
var schemaFiles embed.FS

// The schema is libxml2's (through cgo, internal/xsd): no Go module
// served here validates XML Schema with line numbers, and libxml2 is what
// the LAS suppliers validate with themselves.
var edexml = xsd.New(schemaFiles, "2.1", "EDEXML.structuur.xsd", "EDEXML", "EDEX",
	func(_ string, b []byte) []byte { return openSchoolYears(b) })

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
	issues, err := edexml.Validate(data)
	if err != nil || len(issues) == 0 {
		return err
	}
	if len(issues) == 1 && issues[0].Line == 0 && issues[0].Msg == xsd.MsgMalformed {
		return &las.Error{Msg: xsd.MsgMalformed}
	}
	out := make(las.Errors, 0, len(issues))
	for _, is := range issues {
		out = append(out, &las.Error{Line: is.Line, Msg: is.Msg})
	}
	return out
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
	return errors.As(err, &e) && e.Line == 0 && e.Msg == xsd.MsgMalformed
}
