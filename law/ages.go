// Package law holds the rules the law sets, with their sources: the ages
// at which a pupil's rights change. Pure, imported by every layer.
package law

// ConsentAges are the ages at which the pupil's rights change: from Share
// the pupil's own toestemming is needed to share the dossier, from Decide
// the pupil decides on the handelingsdeel instead of the guardians.
type ConsentAges struct {
	Share, Decide int
}

// DefaultConsentAges are the ages of Dutch law: 16 and 18.
func DefaultConsentAges() ConsentAges { return ConsentAges{Share: 16, Decide: 18} }
