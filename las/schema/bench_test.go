package schema

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/topdossier/topdossier/las"
)

// bigExport is an EDEXML 2.1 file of a large school: pupils pupils in
// groups groups, teachers teachers, as a LAS writes it.
func bigExport(pupils, groups, teachers int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<EDEX><school><schooljaar>2026-2027</schooljaar><peildatum>2026-10-01</peildatum><brincode>12AB</brincode><dependancecode>00</dependancecode><xsdversie>2.1</xsdversie></school><groepen>`)
	for g := range groups {
		fmt.Fprintf(&b, `<groep key="G%d"><naam>%d%c</naam><jaargroep>%d</jaargroep></groep>`, g, g%8+1, 'a'+rune(g/8), g%8+1)
	}
	b.WriteString(`</groepen><leerlingen>`)
	for p := range pupils {
		fmt.Fprintf(&b, `<leerling key="L%05d" eckid="https://id.school/LL_%032d"><achternaam>Achternaam%d</achternaam><voorvoegsel>van</voorvoegsel><voornamen>Voornaam Tweede</voornamen><roepnaam>Roep%d</roepnaam><geboortedatum>%s</geboortedatum><geslacht>1</geslacht><jaargroep>%d</jaargroep><groep key="G%d"/><bsn>123456782</bsn><instroomdatum>2020-08-17</instroomdatum><mutatiedatum>2026-09-01T08:00:00</mutatiedatum></leerling>`,
			p, p, p, p, time.Date(2014+p%8, time.Month(p%12+1), p%28+1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), p%groups%8+1, p%groups)
	}
	b.WriteString(`</leerlingen><leerkrachten>`)
	for k := range teachers {
		fmt.Fprintf(&b, `<leerkracht key="K%d"><achternaam>Leerkracht%d</achternaam><roepnaam>Juf</roepnaam><emailadres>k%d@school.invalid</emailadres><groepen><groep key="G%d"/></groepen></leerkracht>`, k, k, k, k%groups)
	}
	b.WriteString(`</leerkrachten></EDEX>`)
	return b.Bytes()
}

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
	data := bigExport(1500, 60, 80)
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
	data := bigExport(1500, 60, 80)
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
	data := bigExport(1500, 60, 80)
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
