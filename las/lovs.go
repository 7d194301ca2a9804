package las

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// LOVS is the test results of the school's pupil-tracking system (Cito,
// IEP, DIA …), exported as CSV: one row per pupil, test and date.

// LOVSMapping names the CSV's columns, as the school chose them once.
type LOVSMapping struct {
	Key   string `json:"key"`   // the pupil's LAS key (leerlingnummer)
	Test  string `json:"test"`  // the test (Rekenen-Wiskunde M5 …)
	Date  string `json:"date"`  // the day taken
	Score string `json:"score"` // the score (vaardigheidsscore), may be empty
	Level string `json:"level"` // I–V or A–E, may be empty
}

// LOVSRow is one result read.
type LOVSRow struct {
	Line  int
	Key   string
	Test  string
	Date  time.Time
	Score string
	Level string
}

// MaxLOVSSize bounds a results file.
const MaxLOVSSize = 5 << 20

// levels are the LOVS levels: I–V (Cito since 2014) and A–E.
var levels = map[string]bool{"I": true, "II": true, "III": true, "IV": true, "V": true, "A": true, "B": true, "C": true, "D": true, "E": true}

// csvReader reads a LOVS export: UTF-8 (a BOM dropped) or, when not valid
// UTF-8, Windows-1252 as Excel writes it; separated by ; , or tab, as the
// header line shows.
func csvReader(data []byte) *csv.Reader {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		var b strings.Builder
		for _, c := range data {
			b.WriteRune(rune(c)) // Latin-1; the letters of names and tests
		}
		data = []byte(b.String())
	}
	head, _, _ := bytes.Cut(data, []byte("\n"))
	sep := ';'
	switch {
	case bytes.Count(head, []byte("\t")) > bytes.Count(head, []byte(";")):
		sep = '\t'
	case bytes.Count(head, []byte(",")) > bytes.Count(head, []byte(";")):
		sep = ','
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = sep
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	r.ReuseRecord = false
	return r
}

// LOVSHeader reads a file's column names, for choosing the mapping.
func LOVSHeader(data []byte) ([]string, error) {
	if len(data) > MaxLOVSSize {
		return nil, fileErr(0, "het bestand is %s; een toetsexport is hoogstens %d MB", size(len(data)), MaxLOVSSize>>20)
	}
	head, err := csvReader(data).Read()
	if err != nil {
		return nil, fileErr(1, "de eerste regel is geen kopregel met kolomnamen")
	}
	for i := range head {
		head[i] = strings.TrimSpace(head[i])
	}
	return head, nil
}

// GuessMapping proposes a mapping from common column names; the school
// confirms or changes it.
func GuessMapping(head []string) LOVSMapping {
	var m LOVSMapping
	for _, h := range head {
		l := strings.ToLower(h)
		switch {
		case m.Key == "" && (strings.Contains(l, "leerlingnummer") || l == "llnr" || strings.Contains(l, "leerling id") || l == "key"):
			m.Key = h
		case m.Test == "" && (strings.Contains(l, "toets") || l == "test"):
			m.Test = h
		case m.Date == "" && strings.Contains(l, "datum"):
			m.Date = h
		case m.Score == "" && strings.Contains(l, "score"):
			m.Score = h
		case m.Level == "" && strings.Contains(l, "niveau"):
			m.Level = h
		}
	}
	return m
}

// ParseLOVS reads every result of a file by the mapping. A problem is
// named with its line; any problem refuses the whole file.
func ParseLOVS(data []byte, m LOVSMapping, today time.Time) ([]LOVSRow, error) {
	head, err := LOVSHeader(data)
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(h)] = i
	}
	var errs Errors
	index := func(name, what string, required bool) int {
		if strings.TrimSpace(name) == "" {
			if required {
				errs = append(errs, fileErr(0, "kies de kolom met %s", what))
			}
			return -1
		}
		i, ok := col[strings.ToLower(strings.TrimSpace(name))]
		if !ok {
			errs = append(errs, fileErr(1, "de kolom %q (%s) staat niet in de kopregel", name, what))
			return -1
		}
		return i
	}
	ki, ti, di := index(m.Key, "het leerlingnummer", true), index(m.Test, "de toets", true), index(m.Date, "de datum", true)
	si, li := index(m.Score, "de score", false), index(m.Level, "het niveau", false)
	if si < 0 && li < 0 && len(errs) == 0 {
		errs = append(errs, fileErr(0, "kies de kolom met de score of met het niveau"))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	r := csvReader(data)
	if _, err := r.Read(); err != nil {
		return nil, fileErr(1, "de kopregel is niet te lezen")
	}
	var out []LOVSRow
	seen := map[string]int{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, fileErr(line, "deze regel is geen geldige CSV")
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		field := func(i int) string {
			if i < 0 || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		row := LOVSRow{Line: line, Key: field(ki), Test: field(ti), Score: field(si), Level: strings.ToUpper(field(li))}
		var when time.Time
		var derr error
		for _, layout := range []string{"2-1-2006", "2006-01-02", "02-01-2006", "2/1/2006"} {
			if when, derr = time.Parse(layout, field(di)); derr == nil {
				break
			}
		}
		switch {
		case row.Key == "":
			errs = append(errs, fileErr(line, "het leerlingnummer ontbreekt"))
		case row.Test == "" || len([]rune(row.Test)) > 60:
			errs = append(errs, fileErr(line, "de naam van de toets ontbreekt of is langer dan 60 tekens"))
		case derr != nil:
			errs = append(errs, fileErr(line, "%q is geen datum (dd-mm-jjjj)", field(di)))
		case when.After(today):
			errs = append(errs, fileErr(line, "de datum %s ligt in de toekomst", when.Format("02-01-2006")))
		case row.Score == "" && row.Level == "":
			errs = append(errs, fileErr(line, "score en niveau ontbreken allebei"))
		case len(row.Score) > 20:
			errs = append(errs, fileErr(line, "de score %q is te lang", row.Score))
		case row.Level != "" && !levels[row.Level]:
			errs = append(errs, fileErr(line, "het niveau %q bestaat niet (I tot en met V, of A tot en met E)", row.Level))
		}
		row.Date = when
		k := row.Key + "\x00" + row.Test + "\x00" + when.Format(time.DateOnly)
		if prev, ok := seen[k]; ok && derr == nil {
			errs = append(errs, fileErr(line, "dezelfde uitslag staat ook op regel %d", prev))
		}
		seen[k] = line
		out = append(out, row)
		if len(errs) >= 50 {
			break
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(out) == 0 {
		return nil, fileErr(0, "het bestand heeft geen uitslagen")
	}
	return out, nil
}

// TestResult is one result of a pupil's test.
type TestResult struct {
	Date  time.Time
	Score string
	Level string
}

// TestSeries is a pupil's results of one test, oldest first, with the
// trend of the last two.
type TestSeries struct {
	Test    string
	Results []TestResult
	Trend   string // "stijgend", "dalend", "gelijk" or "" (one result, or not comparable)
}

// Series groups results by test and gives each its trend: by score where
// both are numbers, else by level (I and A are the highest).
func Series(results map[string][]TestResult) []TestSeries {
	out := make([]TestSeries, 0, len(results))
	for test, rs := range results {
		sort.Slice(rs, func(i, j int) bool { return rs[i].Date.Before(rs[j].Date) })
		s := TestSeries{Test: test, Results: rs}
		if n := len(rs); n >= 2 {
			s.Trend = trend(rs[n-2], rs[n-1])
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Test < out[j].Test })
	return out
}

var levelRank = map[string]int{"I": 5, "II": 4, "III": 3, "IV": 2, "V": 1, "A": 5, "B": 4, "C": 3, "D": 2, "E": 1}

func trend(a, b TestResult) string {
	cmp := func(x, y float64) string {
		switch {
		case y > x:
			return "stijgend"
		case y < x:
			return "dalend"
		}
		return "gelijk"
	}
	x, xerr := strconv.ParseFloat(strings.ReplaceAll(a.Score, ",", "."), 64)
	y, yerr := strconv.ParseFloat(strings.ReplaceAll(b.Score, ",", "."), 64)
	if xerr == nil && yerr == nil {
		return cmp(x, y)
	}
	if levelRank[a.Level] > 0 && levelRank[b.Level] > 0 {
		return cmp(float64(levelRank[a.Level]), float64(levelRank[b.Level]))
	}
	return ""
}
