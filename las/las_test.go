package las

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

var today = time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)

func sample(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/EDEXML.Voorbeeld.2.1.xml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDiff(t *testing.T) {
	f, err := Parse(sample(t), today)
	if err != nil {
		t.Fatal(err)
	}
	first := Diff(f, Current{}, nil, today)
	// Wimpie is new; Ismaël has no birth date; Gradje left in 2014.
	if len(first.New) != 1 || first.New[0].Key != "00001" || len(first.Skipped) != 2 || len(first.Changed) != 0 {
		t.Fatalf("first import: %s", Summary(first))
	}
	if len(first.Groups) != 8 || len(first.Teachers) != 3 {
		t.Fatalf("groups %d, teachers %d", len(first.Groups), len(first.Teachers))
	}
	// As applied: Wimpie is a pupil; the next import of a changed file
	// shows exactly the changes.
	wid := uuid.New()
	typed := uuid.New()
	cur := Current{Pupils: []CurrentPupil{
		{ID: wid, Key: "00001", ECKID: f.Pupils[0].ECKID, GivenName: "Wimpie", BirthDate: *f.Pupils[0].BirthDate, GroupName: "4B", YearGroup: YearGroupNumber("4")},
		{ID: uuid.New(), Key: "00077", GivenName: "Oud", FamilyName: "Leerling", BirthDate: today.AddDate(-9, 0, 0)},
		{ID: typed, GivenName: "Ismaël", FamilyName: "Assati", BirthDate: time.Date(2007, 1, 2, 0, 0, 0, 0, time.UTC)},
	}}
	for _, g := range f.Groups {
		cur.Groups = append(cur.Groups, CurrentGroup{Key: g.Key, Name: g.Name})
	}
	s := string(sample(t))
	s = strings.Replace(s, "<naam>4B</naam>", "<naam>4-Blauw</naam>", 1)
	s = strings.Replace(s, `<groep key="GRP4B"/>`, `<groep key="GRP4A"/>`, 1)
	s = strings.Replace(s, "<geboortedatum>2006-06-21</geboortedatum>", "<geboortedatum>2006-06-12</geboortedatum>", 1)
	s = strings.Replace(s, "<voorletters-1>IH</voorletters-1>", "<voorletters-1>IH</voorletters-1><roepnaam>Ismaël</roepnaam><geboortedatum>2007-01-02</geboortedatum>", 1)
	f2, err := Parse([]byte(s), today)
	if err != nil {
		t.Fatal(err)
	}
	next := Diff(f2, cur, []Account{{UserID: uuid.New(), Email: "x@school.nl"}}, today)
	if len(next.Changed) != 1 || *next.Changed[0].PupilID != wid {
		t.Fatalf("changed: %s", Summary(next))
	}
	got := map[string]string{}
	for _, fc := range next.Changed[0].Fields {
		got[fc.Field] = fc.From + "→" + fc.To
	}
	if len(got) != 2 || got["birth_date"] != "2006-06-21→2006-06-12" || got["group_name"] != "4B→4A" {
		t.Errorf("fields %v", got)
	}
	if len(next.Gone) != 1 || next.Gone[0].Key != "00077" {
		t.Errorf("gone %+v", next.Gone)
	}
	if len(next.New) != 1 || next.New[0].Key != "00002" || len(next.Similar) != 1 || *next.Similar[0].PupilID != typed {
		t.Errorf("new %+v similar %+v", next.New, next.Similar)
	}
	if len(next.Groups) != 1 || next.Groups[0].Change != "renamed" || next.Groups[0].From != "4B" || next.Groups[0].Name != "4-Blauw" {
		t.Errorf("groups %+v", next.Groups)
	}
	if next.Digest() == first.Digest() || next.Digest() != Diff(f2, cur, []Account{{UserID: uuid.New(), Email: "x@school.nl"}}, today).Digest() {
		t.Error("digest not stable or not distinct")
	}
	// The same file again changes nothing.
	if again := Diff(f, Current{Pupils: cur.Pupils[:1], Groups: cur.Groups}, nil, today); len(again.Changed) != 0 || len(again.New) != 0 {
		t.Errorf("same file: %s", Summary(again))
	}
}

// FuzzParse fuzzes the Go side of reading an export: Parse and Diff.
// The schema check is libxml2's, fuzzed upstream (OSS-Fuzz); under Go's
// fuzzer its cgo calls slow the workers to a standstill.
func FuzzParse(f *testing.F) {
	f.Add(sample(f))
	b, _ := os.ReadFile("testdata/EDEXML.invalid_1.xml")
	f.Add(b)
	f.Add([]byte(`<EDEX><school><schooljaar>2026-2027</schooljaar><brincode>99ZZ</brincode></school><leerlingen/></EDEX>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data, today)
		if err != nil {
			if !IsFileError(err) {
				t.Fatalf("not a file error: %T %v", err, err)
			}
			if strings.TrimSpace(err.Error()) == "" {
				t.Fatal("empty message")
			}
			return
		}
		p := Diff(file, Current{}, nil, today)
		if len(p.New)+len(p.Skipped) != len(file.Pupils) {
			t.Fatalf("%d pupils, %d new, %d skipped", len(file.Pupils), len(p.New), len(p.Skipped))
		}
	})
}
