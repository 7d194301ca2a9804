// Package las reads what a school's leerlingadministratie (LAS: ParnasSys,
// ESIS, Somtoday, Magister) exports: the pupils, groups and teachers of an
// EDEXML file (Edustandaard, versions 2.0 and 2.1), and the test results
// of a pupil-tracking system (LOVS) as CSV. It compares a file with what
// the school has (Diff) and never touches a database: the store applies
// what the school confirms.
package las

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// MaxFileSize is the largest export read: 1,500 pupils are about 1.5 MB,
// so 20 MB holds the largest school with room; a larger file is refused
// before it is read.
const MaxFileSize = 20 << 20

// File is an EDEXML export as TOP dossier uses it. Everything else in the
// file (BSN, nationality, weights, addresses) is never read: data
// minimisation (AVG art. 5 lid 1 onder c).
type File struct {
	Version    string // xsdversie, "2.0" or "2.1"; "" when the file names none
	SchoolYear string
	RefDate    *time.Time // peildatum
	BRIN       string     // brincode, "99ZZ" (a dependance is the same school)
	Groups     []Group
	Pupils     []Pupil
	Teachers   []Teacher
}

// Group is a class (groep) or a composed group (samengestelde groep).
type Group struct {
	Key       string
	Name      string
	YearGroup string // jaargroep as the LAS writes it: 0–8, 11–16, S, V, C, H …
	Composite bool
	Line      int
}

// Pupil is one leerling of the file.
type Pupil struct {
	Key        string // the LAS's key of the pupil (leerlingnummer)
	ECKID      string
	GivenName  string // roepnaam, else the first of the voornamen
	NameInfix  string
	FamilyName string
	BirthDate  *time.Time
	YearGroup  string
	GroupKey   string
	EnteredOn  *time.Time // instroomdatum
	LeftOn     *time.Time // uitstroomdatum
	Line       int
}

// Teacher is one leerkracht of the file with the keys of their groups.
type Teacher struct {
	Key       string
	ECKID     string
	Name      string
	Email     string
	GroupKeys []string
	Line      int
}

// Error is what is wrong with a file, where: a line (0 when the file as a
// whole) and, in Dutch, what.
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("regel %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// Errors is every problem found in a file, in the order of the file.
type Errors []*Error

func (es Errors) Error() string {
	parts := make([]string, 0, len(es))
	for i, e := range es {
		if i == 10 {
			parts = append(parts, fmt.Sprintf("en nog %d andere", len(es)-10))
			break
		}
		parts = append(parts, e.Error())
	}
	return strings.Join(parts, "; ")
}

// IsFileError reports whether err is what is wrong with a file (an Error
// or Errors), not a failure of the platform.
func IsFileError(err error) bool {
	var e *Error
	var es Errors
	return errors.As(err, &e) || errors.As(err, &es)
}

func fileErr(line int, format string, args ...any) *Error {
	return &Error{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// xml shapes of the parts read.
type (
	xSchool struct {
		Schooljaar     string `xml:"schooljaar"`
		Peildatum      string `xml:"peildatum"`
		Brincode       string `xml:"brincode"`
		Dependancecode string `xml:"dependancecode"`
		Xsdversie      string `xml:"xsdversie"`
	}
	xGroup struct {
		Key       string `xml:"key,attr"`
		Naam      string `xml:"naam"`
		Jaargroep string `xml:"jaargroep"`
	}
	xRef struct {
		Key string `xml:"key,attr"`
	}
	xPupil struct {
		Key           string `xml:"key,attr"`
		ECKID         string `xml:"eckid,attr"`
		Achternaam    string `xml:"achternaam"`
		Voorvoegsel   string `xml:"voorvoegsel"`
		Voornamen     string `xml:"voornamen"`
		Roepnaam      string `xml:"roepnaam"`
		Geboortedatum string `xml:"geboortedatum"`
		Jaargroep     string `xml:"jaargroep"`
		Groep         xRef   `xml:"groep"`
		Instroomdatum string `xml:"instroomdatum"`
		Uitstroom     string `xml:"uitstroomdatum"`
	}
	xTeacher struct {
		Key         string `xml:"key,attr"`
		ECKID       string `xml:"eckid,attr"`
		Achternaam  string `xml:"achternaam"`
		Voorvoegsel string `xml:"voorvoegsel"`
		Voorletters string `xml:"voorletters-1"`
		Roepnaam    string `xml:"roepnaam"`
		Emailadres  string `xml:"emailadres"`
		Groepen     struct {
			Groups []xRef `xml:",any"`
		} `xml:"groepen"`
	}
)

var versionRe = regexp.MustCompile(`^\s*(\d+)\.(\d+)`)

// Parse reads an EDEXML export: well-formed XML with root EDEX, of version
// 2.0 or 2.1 (another version is refused by name). It does not check the
// schema (Validate does) but everything TOP dossier relies on: keys once,
// dates that can be, references to groups that exist.
func Parse(data []byte, today time.Time) (*File, error) {
	if err := Precheck(data); err != nil {
		return nil, err
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.CharsetReader = charsetReader
	f := &File{}
	var errs Errors
	var path []string
	line := func() int { l, _ := d.InputPos(); return l }
	for {
		start := line()
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, syntaxErr(err, start)
		}
		switch t := tok.(type) {
		case xml.Directive:
			// A DOCTYPE could declare entities; an export never has one.
			return nil, fileErr(start, "een DOCTYPE-declaratie hoort niet in een EDEXML-bestand")
		case xml.EndElement:
			path = path[:len(path)-1]
		case xml.StartElement:
			at := strings.Join(path, "/")
			name := t.Name.Local
			switch {
			case at == "" && name != "EDEX":
				return nil, fileErr(start, "dit is geen EDEXML-bestand: het begint met element %s in plaats van EDEX", name)
			case at == "EDEX" && name == "school":
				var s xSchool
				if err := d.DecodeElement(&s, &t); err != nil {
					return nil, syntaxErr(err, start)
				}
				if err := f.school(s, start); err != nil {
					return nil, err
				}
				continue
			case at == "EDEX/groepen" && (name == "groep" || name == "samengestelde_groep"):
				var g xGroup
				if err := d.DecodeElement(&g, &t); err != nil {
					return nil, syntaxErr(err, start)
				}
				f.Groups = append(f.Groups, Group{Key: strings.TrimSpace(g.Key), Name: strings.TrimSpace(g.Naam),
					YearGroup: strings.TrimSpace(g.Jaargroep), Composite: name == "samengestelde_groep", Line: start})
				continue
			case at == "EDEX/leerlingen" && name == "leerling":
				var p xPupil
				if err := d.DecodeElement(&p, &t); err != nil {
					return nil, syntaxErr(err, start)
				}
				f.Pupils = append(f.Pupils, pupilOf(p, start, &errs))
				continue
			case at == "EDEX/leerkrachten" && name == "leerkracht":
				var x xTeacher
				if err := d.DecodeElement(&x, &t); err != nil {
					return nil, syntaxErr(err, start)
				}
				f.Teachers = append(f.Teachers, teacherOf(x, start))
				continue
			}
			path = append(path, name)
		}
	}
	if f.BRIN == "" {
		return nil, fileErr(0, "het bestand heeft geen element school met de brincode")
	}
	if f.Version != "" {
		if !supported(f.Version) {
			return nil, fileErr(0, "dit is een EDEXML-bestand van versie %s; TOP dossier leest versie 2.0 en 2.1. Exporteer het opnieuw als EDEXML 2.1", f.Version)
		}
	}
	f.check(today, &errs)
	if len(errs) > 0 {
		return nil, errs
	}
	return f, nil
}

func (f *File) school(s xSchool, line int) error {
	f.Version = strings.TrimSpace(s.Xsdversie)
	f.SchoolYear = strings.TrimSpace(s.Schooljaar)
	var from, to int
	if n, _ := fmt.Sscanf(f.SchoolYear, "%d-%d", &from, &to); n != 2 || to != from+1 {
		return fileErr(line, "het schooljaar %q is geen schooljaar (bijvoorbeeld 2026-2027)", s.Schooljaar)
	}
	f.BRIN = strings.ToUpper(strings.TrimSpace(s.Brincode))
	if s.Peildatum != "" {
		t, err := time.Parse(time.DateOnly, strings.TrimSpace(s.Peildatum))
		if err != nil {
			return fileErr(line, "de peildatum %q is geen datum", s.Peildatum)
		}
		f.RefDate = &t
	}
	return nil
}

func pupilOf(p xPupil, line int, errs *Errors) Pupil {
	out := Pupil{Key: strings.TrimSpace(p.Key), ECKID: strings.TrimSpace(p.ECKID), FamilyName: strings.TrimSpace(p.Achternaam),
		NameInfix: strings.TrimSpace(p.Voorvoegsel), GivenName: strings.TrimSpace(p.Roepnaam),
		YearGroup: strings.TrimSpace(p.Jaargroep), GroupKey: strings.TrimSpace(p.Groep.Key), Line: line}
	if out.GivenName == "" {
		out.GivenName, _, _ = strings.Cut(strings.TrimSpace(p.Voornamen), " ")
	}
	date := func(v, element string) *time.Time {
		if strings.TrimSpace(v) == "" {
			return nil
		}
		t, err := time.Parse(time.DateOnly, strings.TrimSpace(v))
		if err != nil {
			*errs = append(*errs, fileErr(line, "leerling %s: %s %q is geen datum (jjjj-mm-dd)", out.Key, element, v))
			return nil
		}
		return &t
	}
	out.BirthDate = date(p.Geboortedatum, "geboortedatum")
	out.EnteredOn = date(p.Instroomdatum, "instroomdatum")
	out.LeftOn = date(p.Uitstroom, "uitstroomdatum")
	return out
}

func teacherOf(x xTeacher, line int) Teacher {
	given := strings.TrimSpace(x.Roepnaam)
	if given == "" {
		given = strings.TrimSpace(x.Voorletters)
	}
	name := strings.Join(strings.Fields(strings.Join([]string{given, x.Voorvoegsel, x.Achternaam}, " ")), " ")
	t := Teacher{Key: strings.TrimSpace(x.Key), ECKID: strings.TrimSpace(x.ECKID), Name: name,
		Email: strings.ToLower(strings.TrimSpace(x.Emailadres)), Line: line}
	for _, g := range x.Groepen.Groups {
		if k := strings.TrimSpace(g.Key); k != "" {
			t.GroupKeys = append(t.GroupKeys, k)
		}
	}
	return t
}

// yearGroups are the jaargroep values of EDEXML 2.x (EDEXJaargroepType).
var yearGroups = map[string]bool{"B": true, "D": true, "0": true, "1": true, "2": true, "3": true, "4": true, "5": true,
	"6": true, "7": true, "8": true, "11": true, "12": true, "13": true, "14": true, "15": true, "16": true, "S": true,
	"V": true, "C": true, "N": true, "H": true}

// check finds what the schema cannot: a key twice, a group that is not
// there, a birth date in the future, a jaargroep TOP dossier does not know.
func (f *File) check(today time.Time, errs *Errors) {
	groups := map[string]bool{}
	for _, g := range f.Groups {
		switch {
		case g.Key == "":
			*errs = append(*errs, fileErr(g.Line, "groep %q heeft geen key", g.Name))
		case groups[g.Key]:
			*errs = append(*errs, fileErr(g.Line, "de groep met key %s staat twee keer in het bestand", g.Key))
		case g.Name == "":
			*errs = append(*errs, fileErr(g.Line, "groep %s heeft geen naam", g.Key))
		case len([]rune(g.Name)) > 20:
			*errs = append(*errs, fileErr(g.Line, "de groepsnaam %q is langer dan 20 tekens", g.Name))
		case !g.Composite && !yearGroups[g.YearGroup]:
			*errs = append(*errs, fileErr(g.Line, "groep %s: jaargroep %q bestaat niet in EDEXML", g.Key, g.YearGroup))
		}
		groups[g.Key] = true
	}
	keys, eckids := map[string]bool{}, map[string]bool{}
	for _, p := range f.Pupils {
		switch {
		case p.Key == "":
			*errs = append(*errs, fileErr(p.Line, "een leerling heeft geen key"))
		case keys[p.Key]:
			*errs = append(*errs, fileErr(p.Line, "de leerling met key %s staat twee keer in het bestand", p.Key))
		case len(p.Key) > 50:
			*errs = append(*errs, fileErr(p.Line, "de key van een leerling is langer dan 50 tekens"))
		case p.ECKID != "" && eckids[p.ECKID]:
			*errs = append(*errs, fileErr(p.Line, "leerling %s heeft hetzelfde eckid als een andere leerling", p.Key))
		case p.YearGroup != "" && !yearGroups[p.YearGroup]:
			*errs = append(*errs, fileErr(p.Line, "leerling %s: jaargroep %q bestaat niet in EDEXML", p.Key, p.YearGroup))
		case p.GroupKey != "" && !groups[p.GroupKey]:
			*errs = append(*errs, fileErr(p.Line, "leerling %s hoort bij groep %s, die niet in het bestand staat", p.Key, p.GroupKey))
		case p.BirthDate != nil && p.BirthDate.After(today):
			*errs = append(*errs, fileErr(p.Line, "leerling %s: de geboortedatum %s ligt in de toekomst", p.Key, p.BirthDate.Format("02-01-2006")))
		case p.BirthDate != nil && p.BirthDate.Before(today.AddDate(-30, 0, 0)):
			*errs = append(*errs, fileErr(p.Line, "leerling %s: de geboortedatum %s kan niet kloppen", p.Key, p.BirthDate.Format("02-01-2006")))
		case p.EnteredOn != nil && p.EnteredOn.After(today.AddDate(1, 0, 0)):
			*errs = append(*errs, fileErr(p.Line, "leerling %s: de instroomdatum %s ligt te ver in de toekomst", p.Key, p.EnteredOn.Format("02-01-2006")))
		case len([]rune(p.GivenName)) > 100 || len([]rune(p.FamilyName)) > 100 || len([]rune(p.NameInfix)) > 20:
			*errs = append(*errs, fileErr(p.Line, "leerling %s: een naam is te lang", p.Key))
		}
		keys[p.Key] = true
		if p.ECKID != "" {
			eckids[p.ECKID] = true
		}
	}
	teachers := map[string]bool{}
	for _, t := range f.Teachers {
		switch {
		case t.Key == "":
			*errs = append(*errs, fileErr(t.Line, "een leerkracht heeft geen key"))
		case teachers[t.Key]:
			*errs = append(*errs, fileErr(t.Line, "de leerkracht met key %s staat twee keer in het bestand", t.Key))
		}
		teachers[t.Key] = true
		for _, g := range t.GroupKeys {
			if !groups[g] {
				*errs = append(*errs, fileErr(t.Line, "leerkracht %s hoort bij groep %s, die niet in het bestand staat", t.Key, g))
			}
		}
	}
}

// syntaxErr makes a decoder's error Dutch, with its line.
func syntaxErr(err error, line int) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fileErr(se.Line, "het bestand is geen geldige XML (%s)", se.Msg)
	}
	return fileErr(line, "het bestand is geen geldige XML (%v)", err)
}

func size(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d kB", n>>10)
}

var reVersion = regexp.MustCompile(`<xsdversie>\s*([^<]*?)\s*</xsdversie>`)

// Precheck refuses what must not reach the XML parsers at all.
func Precheck(data []byte) error {
	if len(data) > MaxFileSize {
		return fileErr(0, "het bestand is %s; een export uit de leerlingadministratie is hoogstens %d MB", size(len(data)), MaxFileSize>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return fileErr(0, "het bestand is leeg")
	}
	head := data[:min(len(data), 64<<10)]
	if bytes.Contains(head, []byte("<!DOCTYPE")) {
		return fileErr(0, "een DOCTYPE-declaratie hoort niet in een EDEXML-bestand")
	}
	if m := reVersion.FindSubmatch(head); m != nil && !supported(string(m[1])) {
		return fileErr(0, "dit is een EDEXML-bestand van versie %s; TOP dossier leest versie 2.0 en 2.1. Exporteer het opnieuw als EDEXML 2.1", m[1])
	}
	return nil
}

// supported reports whether an xsdversie is 2.0 or 2.1 (2.1.3 too).
func supported(v string) bool {
	m := versionRe.FindStringSubmatch(v)
	return m != nil && m[1] == "2" && (m[2] == "0" || m[2] == "1")
}
