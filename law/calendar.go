package law

import (
	"time"
	_ "time/tzdata" // the Dutch zone also on hosts without zoneinfo
)

var netherlands = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic(err) // embedded by time/tzdata: cannot happen
	}
	return loc
}()

// Netherlands is the time zone in which the Dutch terms count their days.
func Netherlands() *time.Location { return netherlands }

// DateOf is the calendar day of t in the Netherlands, as a UTC midnight
// like the dates the database returns: what goes into a date column. A
// moment's own UTC date is a day early between midnight and one or two
// in the night here (an OPP established at 00:15 on 30 November was
// recorded on the 29th).
func DateOf(t time.Time) time.Time { return dateOf(t) }

// dateOf is the calendar day of t in the Netherlands, as a UTC midnight
// like the dates the database returns.
func dateOf(t time.Time) time.Time {
	y, m, d := t.In(netherlands).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// easter is Easter Sunday of year (Gregorian; the anonymous algorithm
// of Meeus/Jones/Butcher).
func easter(year int) time.Time {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}

// GeneralHoliday reports whether the day of date is an algemeen erkende
// feestdag of the Algemene termijnenwet: art. 3 lid 1 (Nieuwjaarsdag,
// tweede Paas- en Pinksterdag, beide Kerstdagen, Hemelvaartsdag,
// Koningsdag, 5 mei) and Goede Vrijdag (lid 2). Days a royal decree adds
// now and then (lid 3) are not in it: the last day shown is never later
// than the law's.
func GeneralHoliday(date time.Time) bool {
	y, m, d := date.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	switch {
	case m == time.January && d == 1, m == time.December && (d == 25 || d == 26), m == time.May && d == 5:
		return true
	case m == time.April && d == kingsDay(y):
		return true
	}
	e := easter(y)
	for _, offset := range []int{-2, 1, 39, 50} { // Goede Vrijdag, tweede Paasdag, Hemelvaartsdag, tweede Pinksterdag
		if day.Equal(e.AddDate(0, 0, offset)) {
			return true
		}
	}
	return false
}

// kingsDay is the April day Koningsdag is celebrated: the 27th, or the
// 26th when the 27th is a Sunday.
func kingsDay(year int) int {
	if time.Date(year, time.April, 27, 0, 0, 0, 0, time.UTC).Weekday() == time.Sunday {
		return 26
	}
	return 27
}

// NoWorkingDay reports whether date is a Saturday, a Sunday or a general
// holiday: a day on which a legal term does not end (Atw art. 1).
func NoWorkingDay(date time.Time) bool {
	wd := date.Weekday()
	return wd == time.Saturday || wd == time.Sunday || GeneralHoliday(date)
}

// ObjectionTerm is the objection term of a decision made known at
// madeKnown: it starts the day after (Awb art. 6:8) and runs window (six
// weeks, Awb art. 6:7); a last day on a Saturday, Sunday or general
// holiday moves to the next working day (Algemene termijnenwet art. 1).
// lastDay is that day (a UTC midnight, like dates from the database),
// endsAt the moment the term has run out: the start of the day after, in
// the Netherlands. A window that is no whole number of days (a test's
// seconds) counts exactly from madeKnown.
func ObjectionTerm(madeKnown time.Time, window time.Duration) (lastDay, endsAt time.Time) {
	if window%Day != 0 {
		endsAt = madeKnown.Add(window)
		return dateOf(endsAt), endsAt
	}
	// Day after bekendmaking + six weeks − 1 day = bekendmaking + 42 days.
	lastDay = dateOf(madeKnown).AddDate(0, 0, int(window/Day))
	for NoWorkingDay(lastDay) {
		lastDay = lastDay.AddDate(0, 0, 1)
	}
	y, m, d := lastDay.AddDate(0, 0, 1).Date()
	return lastDay, time.Date(y, m, d, 0, 0, 0, 0, netherlands)
}
