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
	// RequestStaleAfter: a request nobody at the SWV acted on for a year
	// closes, so its retention term starts: data is kept no longer than
	// needed (AVG art. 5(1)(e)). The law sets no such term; a year is the
	// choice an SWV's legal adviser would make (README).
	RequestStaleAfter = 365 * Day
	// RequestViewWithin: the parents (and the pupil from 16) have two
	// weeks to give their view (zienswijze) on an arrangement or TLV
	// request; their agreement is not needed, so silence does not block
	// it (the SWV's choice of term; README).
	RequestViewWithin = 14 * Day
	// ObjectionDecideWithin: the decision on an objection within six
	// weeks from the end of the objection term, twelve with an advisory
	// committee (the LBBO for a TLV), postponable once by six weeks with
	// notice (Awb art. 7:10 lid 1 and 3).
	ObjectionDecideWithin = 6 * 7 * Day
	// TransferConsentWithin: the parents (or the pupil from 16) have four
	// weeks to agree to the transfer of the plan to the next school; then
	// the transfer lapses and the school asks again. The law sets no term
	// and consent is never assumed from silence (AVG art. 4(11)); four
	// weeks is the SWV's choice (README).
	TransferConsentWithin = 4 * 7 * Day
)

// year is the length a term of whole years is written in (config takes
// durations: RETENTION_DOSSIER=17520h is two years).
const year = 365 * Day

// TermEnd is when a term that runs from from ends. A term of whole years
// (a multiple of 365 days: the retention terms) counts calendar years, so
// a pupil who left on 29-11-2026 is deleted on 29-11-2028 also across the
// leap day of 2028, and 29-02 counts on to 01-03. Any other term (weeks,
// the seconds of a test) counts exactly.
func TermEnd(from time.Time, term time.Duration) time.Time {
	if n := term / year; n > 0 && term%year == 0 {
		return from.AddDate(int(n), 0, 0)
	}
	return from.Add(term)
}

// TermStartedBefore is the start from which a term has ended by now:
// whatever started before it is past its term (the reconciliation's
// bound). It is TermEnd backwards.
func TermStartedBefore(now time.Time, term time.Duration) time.Time {
	if n := term / year; n > 0 && term%year == 0 {
		return now.AddDate(-int(n), 0, 0)
	}
	return now.Add(-term)
}
