// Package law holds the rules the law sets, with their sources: the ages
// at which a pupil's rights change and the legal terms. Pure, imported by
// every layer.
package law

import "time"

// The ages at which a pupil's rights change. They are the law's, not a
// setting: an SWV sets terms, never ages (README, "Domain rules").
const (
	// ShareAge: from 16 the pupil gives their own toestemming to share
	// their data; below it the guardians do (UAVG art. 5, AVG art. 8).
	ShareAge = 16
	// DecideAge: from 18 the pupil is of age (BW 1:233) and decides on
	// the handelingsdeel instead of the guardians (WPO art. 40a lid 2,
	// WEC art. 41a, WVO art. 17a: "de ouders, of de meerderjarige en
	// handelingsbekwame leerling").
	DecideAge = 18
)

// ConsentAges are the ages at which the pupil's rights change: from Share
// the pupil's own toestemming is needed to share the dossier, from Decide
// the pupil decides on the handelingsdeel instead of the guardians. The
// workflows carry them in their inputs (as they did when an SWV could set
// them); they are always Ages().
type ConsentAges struct {
	Share, Decide int
}

// Reached reports whether someone born on birth is age or older on day
// (from the birthday on; 29 February counts on to 1 March).
func Reached(birth time.Time, age int, day time.Time) bool {
	return !day.Before(birth.AddDate(age, 0, 0))
}

// Ages are the ages of Dutch law: 16 and 18.
func Ages() ConsentAges { return ConsentAges{Share: ShareAge, Decide: DecideAge} }
