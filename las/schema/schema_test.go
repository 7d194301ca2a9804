package schema

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/topdossier/topdossier/las"
)

var today = time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)

func sample(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/EDEXML.Voorbeeld.2.1.xml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The schema's error names line and element, in Dutch.
func TestInvalidNamesLineAndElement(t *testing.T) {
	b, err := os.ReadFile("../testdata/EDEXML.invalid_1.xml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Read(b, today)
	if err == nil || err.Error() != "regel 3: element school_incorrect_element wordt hier niet verwacht (verwacht: school)" {
		t.Fatalf("got %v", err)
	}
}

func TestBadFiles(t *testing.T) {
	s := string(sample(t))
	cases := []struct{ name, file, want string }{
		{"version 1.03", strings.Replace(s, "<xsdversie>2.1</xsdversie>", "<xsdversie>1.03</xsdversie>", 1), "versie 1.03"},
		{"malformed", s[:2500], "regel "},
		{"not EDEX", `<?xml version="1.0"?><leerlingen/>`, "regel 1: dit is geen EDEXML-bestand: het begint met element leerlingen"},
		{"empty", "  ", "leeg"},
		{"doctype", strings.Replace(s, "<EDEX ", "<!DOCTYPE EDEX [<!ENTITY a \"b\">]><EDEX ", 1), "DOCTYPE"},
		{"too big", s + strings.Repeat(" ", las.MaxFileSize), "hoogstens 20 MB"},
		{"duplicate key", strings.Replace(s, `<leerling key="00002">`, `<leerling key="00001">`, 1), "twee keer"},
		{"unknown jaargroep", strings.Replace(s, "<jaargroep>H</jaargroep>", "<jaargroep>9</jaargroep>", 1), "regel 112: element jaargroep heeft een ongeldige waarde \"9\""},
		{"birth in the future", strings.Replace(s, "<geboortedatum>2006-06-21</geboortedatum>", "<geboortedatum>2027-06-21</geboortedatum>", 1), "regel 77: leerling 00001: de geboortedatum 21-06-2027 ligt in de toekomst"},
		{"unexpected element", strings.Replace(s, "<mutatiedatum>2014-09-07T08:47:34</mutatiedatum>", "<mutatiedatum>2014-09-07T08:47:34</mutatiedatum><toevoegingen/>", 1), "element toevoegingen wordt hier niet verwacht"},
	}
	for _, c := range cases {
		_, err := Read([]byte(c.file), today)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
		if err != nil && !las.IsFileError(err) {
			t.Errorf("%s: %T is not a file error", c.name, err)
		}
	}
}

// A file of version 2.0 is read as well.
func TestVersion20(t *testing.T) {
	s := strings.Replace(string(sample(t)), "<xsdversie>2.1</xsdversie>", "<xsdversie>2.0</xsdversie>", 1)
	if _, err := Read([]byte(s), today); err != nil {
		t.Fatal(err)
	}
}

func TestReadSample(t *testing.T) {
	f, err := Read(sample(t), today)
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != "2.1" || f.BRIN != "99ZZ" || len(f.Pupils) != 3 || len(f.Groups) != 8 || len(f.Teachers) != 3 {
		t.Fatalf("read %s %s: %d pupils, %d groups, %d teachers", f.Version, f.BRIN, len(f.Pupils), len(f.Groups), len(f.Teachers))
	}
	w := f.Pupils[0]
	if w.Key != "00001" || w.GivenName != "Wimpie" || w.GroupKey != "GRP4B" || w.BirthDate == nil || w.Line != 77 {
		t.Errorf("first pupil %+v", w)
	}
	if f.Pupils[1].GivenName != "Ismaël" { // no roepnaam: the first of the voornamen
		t.Errorf("second pupil's given name %q", f.Pupils[1].GivenName)
	}
	if got := f.Teachers[1]; got.Name != "Uilke Veldman" || len(got.GroupKeys) != 5 {
		t.Errorf("teacher %+v", got)
	}
}

// The published schema lists school years up to 2024-2025; an export of
// this school year is read, a year that is none is not.
func TestSchoolYearOfNow(t *testing.T) {
	s := strings.Replace(string(sample(t)), "<schooljaar>2014-2015</schooljaar>", "<schooljaar>2026-2027</schooljaar>", 1)
	if _, err := Read([]byte(s), today); err != nil {
		t.Fatal(err)
	}
	s = strings.Replace(s, "<schooljaar>2026-2027</schooljaar>", "<schooljaar>2026-2029</schooljaar>", 1)
	if _, err := Read([]byte(s), today); err == nil || !strings.Contains(err.Error(), "geen schooljaar") {
		t.Fatalf("got %v", err)
	}
}

// An export in ISO-8859-1 (older LAS versions) is read: the names come
// out right.
func TestLatin1Export(t *testing.T) {
	s := strings.Replace(string(sample(t)), `encoding="UTF-8"`, `encoding="ISO-8859-1"`, 1)
	latin := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			t.Fatalf("sample has %q, not Latin-1", r)
		}
		latin = append(latin, byte(r))
	}
	f, err := Read(latin, today)
	if err != nil {
		t.Fatal(err)
	}
	if f.Pupils[1].GivenName != "Ismaël" {
		t.Errorf("given name %q", f.Pupils[1].GivenName)
	}
}
