// Package schema checks an OSO dossier against Edustandaard's OSO
// gegevensset 2019.1 schema, with libxml2 (internal/xsd). It is apart
// from package oso so the reader stays pure Go (and fuzzable).
package schema

import (
	"embed"
	"fmt"

	"github.com/topdossier/topdossier/internal/xsd"
	"github.com/topdossier/topdossier/oso"
)

// The OSO gegevensset 2019.1 schema as Edustandaard publishes it (see
// 2019.1/README.edustandaard.md), unchanged.
//
//go:embed 2019.1/*.xsd
var schemaFiles embed.FS

var osoSchema = xsd.New(schemaFiles, "2019.1", "OSO_gegevensset_2019.1.xsd", "OSO", "dossier", nil)

// Validate checks data against the schema: nil when valid, oso.Errors
// (with the line) when not; an error of the platform when the schema
// cannot be loaded.
func Validate(data []byte) error {
	issues, err := osoSchema.Validate(data)
	if err != nil || len(issues) == 0 {
		return err
	}
	out := make(oso.Errors, 0, len(issues))
	for _, is := range issues {
		msg := is.Msg
		if is.Line > 0 {
			msg = fmt.Sprintf("regel %d: %s", is.Line, msg)
		}
		out = append(out, &oso.Error{Msg: msg})
	}
	return out
}

// Read is the whole check of a received dossier: size and DOCTYPE, the
// schema (with the line of each violation), then the profile's rules and
// what TOP dossier relies on (oso.Parse).
func Read(data []byte) (*oso.Dossier, error) {
	if err := oso.Precheck(data); err != nil {
		return nil, err
	}
	if err := Validate(data); err != nil {
		return nil, err
	}
	return oso.Parse(data)
}
