package oso

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxFileSize is the largest dossier read: documents travel base64
// inside it.
const MaxFileSize = 30 << 20

// Error is one problem of a file, in Dutch.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// Errors are every problem of a file at once.
type Errors []*Error

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Msg
	}
	return strings.Join(msgs, "; ")
}

// IsFileError reports whether err is about the file (the person's to
// fix), not the platform.
func IsFileError(err error) bool {
	var e *Error
	var es Errors
	return errors.As(err, &e) || errors.As(err, &es)
}

var reDoctype = regexp.MustCompile(`(?i)<!DOCTYPE`)

// Precheck refuses what is not read at all: too big, empty, a DOCTYPE
// (entities are never expanded).
func Precheck(data []byte) error {
	switch {
	case len(data) > MaxFileSize:
		return &Error{Msg: fmt.Sprintf("het bestand is %d MB; een OSO-dossier mag hier hoogstens %d MB zijn", len(data)>>20, MaxFileSize>>20)}
	case len(bytes.TrimSpace(data)) == 0:
		return &Error{Msg: "het bestand is leeg"}
	case reDoctype.Match(data):
		return &Error{Msg: "het bestand bevat een DOCTYPE; een OSO-dossier heeft er geen"}
	}
	return nil
}

// Parse reads a dossier and checks what the schema cannot: the profile's
// rules per category (Check). It never panics on any input.
func Parse(data []byte) (*Dossier, error) {
	if err := Precheck(data); err != nil {
		return nil, err
	}
	if !utf8.Valid(data) {
		return nil, &Error{Msg: "het bestand is geen UTF-8; een OSO-dossier is UTF-8"}
	}
	var d Dossier
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	if err := dec.Decode(&d); err != nil {
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return nil, &Error{Msg: fmt.Sprintf("regel %d: het bestand is geen geldige XML", se.Line)}
		}
		if strings.Contains(err.Error(), "expected element type") {
			return nil, &Error{Msg: "dit is geen OSO-dossier van versie 2019: het begint niet met dossier in namespace " + Namespace}
		}
		return nil, &Error{Msg: "het bestand is geen OSO-dossier (" + err.Error() + ")"}
	}
	if errs := d.Check(); len(errs) > 0 {
		return &d, errs
	}
	return &d, nil
}

// Present is, per category, whether the dossier carries it.
func (d *Dossier) Present() map[string]bool {
	l := d.School.Leerling
	o := l.Ondersteuning
	return map[string]bool{
		CatMetadata:      true,
		CatInzage:        d.Inzage != nil,
		CatSchool:        true,
		CatLeerling:      true,
		CatVerzorgers:    len(l.Verzorgers) > 0,
		CatVVE:           l.VanPeuter != nil || l.NaamPeuter != "" || l.Voorschools != nil || len(l.Vroegschools) > 0,
		CatLoopbaan:      l.Loopbaan != nil,
		CatOverstap:      l.Overstapadvies != nil,
		CatOndersteuning: o != nil,
		CatVerzuim:       l.Verzuim != nil,
		CatEindtoets:     l.Eindtoets != nil,
		CatToetsen:       l.Toetsen != nil,
		CatHandeling:     o != nil && len(o.Handelingsplans) > 0,
		CatCijfers:       l.Cijferlijsten != nil,
		CatVOMBO: l.Bevorderd != nil || l.Examen != nil || len(l.VakkenVO) > 0 || len(l.Certificaat) > 0 || len(l.Competenties) > 0 ||
			len(l.Stage) > 0 || l.OverigVOMBO != nil,
		CatBijlagen: l.Overig != nil,
	}
}

var categoryValues = []string{Required, Optional, Forbidden, OptedOut}

// Check is the profile's rules: a known kind of transfer, known
// category values, no category the profile forbids or the parents opted
// out of, every category it requires, no BSN or onderwijsnummer in a
// dossier for the SWV, known codes and real dates.
func (d *Dossier) Check() Errors {
	var errs Errors
	add := func(format string, a ...any) { errs = append(errs, &Error{Msg: fmt.Sprintf(format, a...)}) }
	m := d.Metadata
	if m.Standaardversie != "" && !strings.HasPrefix(m.Standaardversie, "2019") {
		add("dit is een OSO-dossier van versie %s; TOP dossier leest versie 2019.1", m.Standaardversie)
	}
	profile := ProfileOf(m.Overstap)
	if profile == "" {
		add("onbekende soort overstap %q: TOP dossier kent POPO, POVO en VOVO (overstapdossier) en POSWV en VOSWV (samenwerkingsverband)", m.Overstap)
		return errs
	}
	rules := Rules(m.Overstap)
	declared := map[string]string{}
	if m.Categorieen != nil {
		declared = m.Categorieen.Map()
		for _, c := range Categories() {
			if v := declared[c]; !slices.Contains(categoryValues, v) {
				add("categorie %s heeft een onbekende waarde %q (verwacht VERPLICHT, OPTIONEEL, VERBODEN of OPT-UIT)", CategoryLabel(c), v)
			}
		}
	}
	present := d.Present()
	for _, c := range Categories() {
		rule, decl := rules[c], declared[c]
		switch {
		case present[c] && rule == Forbidden:
			add("categorie %s mag niet in een %s-dossier (%s), maar staat erin", CategoryLabel(c), profile, m.Overstap)
		case present[c] && decl == OptedOut:
			add("de ouders kozen voor categorie %s niet te delen (OPT-UIT), maar het dossier bevat die", CategoryLabel(c))
		case present[c] && decl == Forbidden:
			add("categorie %s staat als VERBODEN in het dossier, maar staat erin", CategoryLabel(c))
		case !present[c] && rule == Required:
			add("het dossier mist de categorie %s, die in een %s-dossier verplicht is", CategoryLabel(c), profile)
		case decl == OptedOut && rule == Required:
			add("categorie %s is verplicht in een %s-dossier; de ouders kunnen daarvoor geen opt-out kiezen", CategoryLabel(c), profile)
		}
	}
	l := d.School.Leerling
	if profile == ProfilePaO && (l.BSN != "" || l.Onderwijsnummer != "") {
		add("een dossier voor het samenwerkingsverband (PaO) mag geen BSN of onderwijsnummer bevatten")
	}
	if strings.TrimSpace(l.Achternaam) == "" {
		add("de leerling heeft geen achternaam")
	}
	if _, err := time.Parse(time.DateOnly, l.Geboortedatum); err != nil {
		add("de geboortedatum van de leerling ontbreekt of is geen datum (%q); TOP dossier heeft de volledige datum nodig", l.Geboortedatum)
	}
	for _, v := range l.Verzorgers {
		if v.Relatie != "" {
			if _, ok := relations[v.Relatie]; !ok {
				add("onbekende code %q voor de relatie van %s tot het kind", v.Relatie, personName(v.Voornaam, v.Voorvoegsel, v.Achternaam))
			}
		}
	}
	for _, doc := range d.documents() {
		if _, err := base64.StdEncoding.DecodeString(compact(doc.Inhoud)); err != nil {
			add("document %q is niet goed gecodeerd (base64)", doc.Bestandsnaam)
		}
	}
	return errs
}

// relations maps codelijst "relatie tot kind" onto the relations TOP
// dossier keeps (README: OSO): vader, moeder, stiefouders and
// grootouders, pleegouders, voogd; any other known code is "other".
var relations = map[string]string{"1": "father", "2": "mother", "3": "other", "4": "other", "5": "foster_parent",
	"6": "foster_parent", "7": "legal_guardian", "8": "other", "9": "other", "10": "other", "11": "other", "12": "carer"}

// RelationOf is the TOP dossier relation of a code ("other" when absent).
func RelationOf(code string) string {
	if r, ok := relations[code]; ok {
		return r
	}
	return "other"
}

// RelationCode is the code of a TOP dossier relation, "" where the list
// has no one code for it (a parent, a carer).
func RelationCode(relation string) string {
	switch relation {
	case "father":
		return "1"
	case "mother":
		return "2"
	case "legal_guardian":
		return "7"
	}
	return ""
}

func personName(first []string, infix, family string) string {
	return strings.Join(strings.Fields(strings.Join(first, " ")+" "+infix+" "+family), " ")
}

func compact(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s)
}

// documents are every document of the parts TOP dossier keeps.
func (d *Dossier) documents() []Document {
	l := d.School.Leerling
	var out []Document
	if o := l.Ondersteuning; o != nil {
		if o.Toelichting != nil {
			out = append(out, o.Toelichting.Document)
		}
		for _, dg := range o.Diagnoses {
			out = append(out, dg.Documents...)
		}
		for _, h := range o.Handelingsplans {
			if h.Document != nil {
				out = append(out, *h.Document)
			}
		}
		if o.OPP != nil {
			out = append(out, o.OPP.Documents...)
		}
		for _, t := range o.TLVs {
			if t.Document != nil {
				out = append(out, *t.Document)
			}
		}
	}
	if l.Toetsen != nil {
		for _, t := range l.Toetsen.Toetsen {
			if t.Resultaat.Document != nil {
				out = append(out, *t.Resultaat.Document)
			}
		}
	}
	if l.Overig != nil {
		out = append(out, l.Overig.Documents...)
	}
	return out
}
