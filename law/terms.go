package law

import "time"

// Day is a calendar day as the terms below count it.
const Day = 24 * time.Hour

// The terms the law sets or the sector agreed, the defaults of their
// settings (config), of the workflows' timers and of the server. README's
// "Domain rules" gives each with its source.
const (
	// OPPWithin: the school establishes the OPP within six weeks after the
	// pupil's admission (WPO art. 40a, WEC art. 41a, WVO 2020).
	OPPWithin = 6 * 7 * Day
	// EvaluationEvery: the OPP is evaluated at least once a school year
	// with the parents (WPO art. 40a, WEC art. 41a, WVO 2020).
	EvaluationEvery = 365 * Day
	// ObjectionWindow: bezwaar within six weeks (Awb art. 6:7).
	ObjectionWindow = 6 * 7 * Day
	// AVGRespondWithin: a request under AVG art. 15–21 is answered within
	// one month (AVG art. 12(3)); four weeks keeps every month safe.
	AVGRespondWithin = 4 * 7 * Day
	// RetentionDossier: the pupil dossier is kept two years after the
	// pupil left (sector term, former Vrijstellingsbesluit Wbp art. 19).
	RetentionDossier = 2 * 365 * Day
	// RetentionEnrolment: the enrolment administration, five years after
	// leaving (Besluit bekostiging WPO; former Vrijstellingsbesluit).
	RetentionEnrolment = 5 * 365 * Day
	// RetentionTLV: the SWV keeps a request three years after its TLV
	// ended (sector term, the SWV's choice; README).
	RetentionTLV = 3 * 365 * Day
)
