package schema

import (
	"encoding/xml"
	"testing"

	"github.com/google/uuid"

	"github.com/topdossier/topdossier/las"
	"github.com/topdossier/topdossier/las/lastest"
)

// current is the school as after the first import of data, with every
// tenth pupil's group changed since.
func current(f *las.File) las.Current {
	var cur las.Current
	names := map[string]string{}
	for _, g := range f.Groups {
		names[g.Key] = g.Name
		cur.Groups = append(cur.Groups, las.CurrentGroup{Key: g.Key, Name: g.Name})
	}
	for i, p := range f.Pupils {
		group := names[p.GroupKey]
		if i%10 == 0 {
			group = "oud"
		}
		cur.Pupils = append(cur.Pupils, las.CurrentPupil{ID: uuid.New(), Key: p.Key, ECKID: p.ECKID, GivenName: p.GivenName,
			NameInfix: p.NameInfix, FamilyName: p.FamilyName, BirthDate: *p.BirthDate, GroupName: group, YearGroup: las.YearGroupNumber(p.YearGroup)})
	}
	return cur
}

// BenchmarkImport1500 is the check and preview of a 1,500-pupil export:
// schema, parse and comparison with the school's 1,500 pupils.
func BenchmarkImport1500(b *testing.B) {
	data := lastest.Export("12AB", 1500, 60, 80, 0)
	f, err := Read(data, today)
	if err != nil {
		b.Fatal(err)
	}
	cur := current(f)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		f, err := Read(data, today)
		if err != nil {
			b.Fatal(err)
		}
		if p := las.Diff(f, cur, nil, today); len(p.Changed) != 150 {
			b.Fatalf("%d changed", len(p.Changed))
		}
	}
}

// BenchmarkXMLDecode1500 is the yardstick: a bare encoding/xml decode of
// the same file into the elements read.
func BenchmarkXMLDecode1500(b *testing.B) {
	data := lastest.Export("12AB", 1500, 60, 80, 0)
	type ref struct {
		Key string `xml:"key,attr"`
	}
	var v struct {
		Groups []struct {
			Key  string `xml:"key,attr"`
			Naam string `xml:"naam"`
		} `xml:"groepen>groep"`
		Pupils []struct {
			Key           string `xml:"key,attr"`
			Achternaam    string `xml:"achternaam"`
			Roepnaam      string `xml:"roepnaam"`
			Geboortedatum string `xml:"geboortedatum"`
			Groep         ref    `xml:"groep"`
		} `xml:"leerlingen>leerling"`
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := xml.Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParts splits the import's cost: schema, parse, comparison.
func BenchmarkParts(b *testing.B) {
	data := lastest.Export("12AB", 1500, 60, 80, 0)
	f, _ := las.Parse(data, today)
	cur := current(f)
	b.Run("schema", func(b *testing.B) {
		for b.Loop() {
			if err := Validate(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse", func(b *testing.B) {
		for b.Loop() {
			if _, err := las.Parse(data, today); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("diff", func(b *testing.B) {
		for b.Loop() {
			las.Diff(f, cur, nil, today)
		}
	})
}
