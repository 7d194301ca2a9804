package schema

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/topdossier/topdossier/oso"
	"github.com/topdossier/topdossier/plan"
)

// Edustandaard's samples (oso/testdata, from the OSO repository).
const samples = "../testdata/"

func sample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(samples + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSamples: Edustandaard's PaO samples are valid, pass the profile's
// rules, and preview the pupil, the guardians, the career, the plans and
// the tests; the opt-out sample lacks what the parents kept back.
func TestSamples(t *testing.T) {
	full, err := Read(sample(t, "Voorbeelddossier_PaO_POSWV_full.xml"))
	if err != nil {
		t.Fatalf("full sample: %v", err)
	}
	p := full.Preview(sample(t, "Voorbeelddossier_PaO_POSWV_full.xml"))
	if p.Pupil.FamilyName != "Berg" || p.Pupil.NameInfix != "van de" || p.Pupil.GivenName != "Daan" || p.Pupil.BirthDate != "2003-03-17" {
		t.Errorf("pupil %+v", p.Pupil)
	}
	if len(p.Guardians) != 5 || p.Guardians[0].Relation != "father" || !p.Guardians[0].ParentalAuthority || !p.Guardians[3].Deceased {
		t.Errorf("guardians %+v", p.Guardians)
	}
	if len(p.Loopbaan) != 10 || len(p.Tests) != 5 || p.Profile != oso.ProfilePaO {
		t.Errorf("career %d, tests %d, profile %s", len(p.Loopbaan), len(p.Tests), p.Profile)
	}
	kinds := map[string]int{}
	for _, pl := range p.Plans {
		kinds[pl.Kind]++
	}
	if kinds["opp"] != 1 || kinds["handelingsplan"] != 1 || kinds["tlv"] != 1 || kinds["diagnose"] != 2 {
		t.Errorf("plans %v", kinds)
	}
	optOut, err := Read(sample(t, "Voorbeelddossier_PaO_POSWV_opt_out.xml"))
	if err != nil {
		t.Fatalf("opt-out sample: %v", err)
	}
	q := optOut.Preview(sample(t, "Voorbeelddossier_PaO_POSWV_opt_out.xml"))
	for _, pl := range q.Plans {
		if pl.Kind == "handelingsplan" {
			t.Error("the opt-out sample carries a handelingsplan")
		}
	}
	if len(q.Tests) != 0 || len(q.Documents) >= len(p.Documents) {
		t.Errorf("opt-out: %d tests, %d documents (full %d)", len(q.Tests), len(q.Documents), len(p.Documents))
	}
}

// TestBadDossiers: a file the schema refuses, a profile broken (a BSN
// in a PaO dossier, a category the parents opted out of, a forbidden
// one), an unknown code: each named in Dutch.
func TestBadDossiers(t *testing.T) {
	full := string(sample(t, "Voorbeelddossier_PaO_POSWV_full.xml"))
	for _, tc := range []struct {
		name, data, want string
	}{
		{"not XML", "dit is geen xml", "geen geldige XML"},
		{"another root", `<?xml version="1.0"?><leerlingen/>`, "dit is geen OSO-bestand"},
		{"schema", strings.Replace(full, "<achternaam>Berg</achternaam>", "", 1), "regel 98: element roepnaam wordt hier niet verwacht (verwacht: achternaam)"},
		{"BSN in PaO", strings.Replace(full, "<leerlingid>", "<bsn>123456782</bsn><leerlingid>", 1), "geen BSN"},
		{"opted out yet present", strings.Replace(full, "<cat_verzuim>OPTIONEEL</cat_verzuim>", "<cat_verzuim>OPT-UIT</cat_verzuim>", 1), "niet te delen (OPT-UIT)"},
		{"forbidden category", strings.Replace(full, "<toetslijst>", "<eindtoets_basisonderwijs><deelgenomen>false</deelgenomen></eindtoets_basisonderwijs><toetslijst>", 1),
			"Eindtoets basisonderwijs mag niet"},
		{"unknown transfer", strings.Replace(full, "<overstap>POSWV</overstap>", "<overstap>XYZ</overstap>", 1), "onbekende soort overstap"},
		{"unknown category value", strings.Replace(full, "<cat_vve>OPTIONEEL</cat_vve>", "<cat_vve>MISSCHIEN</cat_vve>", 1), "onbekende waarde"},
		{"unknown relation", strings.Replace(full, "<relatietotkind>6</relatietotkind>", "<relatietotkind>99</relatietotkind>", 1), "onbekende code \"99\""},
		{"DOCTYPE", `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><dossier/>`, "DOCTYPE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read([]byte(tc.data))
			if err == nil || !oso.IsFileError(err) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want a file error with %q", err, tc.want)
			}
		})
	}
}

// TestExportsValidate: an export of each kind of transfer validates
// against the schema, honours the profile (PaO: support required, no
// BSN; OV POPO: no final test) and leaves out what the parents opted out
// of; an opt-out of a required category is refused.
func TestExportsValidate(t *testing.T) {
	year := int16(8)
	left := time.Date(2027, 7, 15, 0, 0, 0, 0, time.UTC)
	base := oso.ExportInput{Today: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), Version: "test", SchoolName: "Basisschool De Linde",
		BRIN: "12AB", SchoolType: "BAO",
		Pupil:  plan.TransferPupil{GivenName: "Noor", NameInfix: "de", FamilyName: "Vries", BirthDate: "2015-04-01", Group: "8b"},
		LASKey: "L123", EnrolledOn: time.Date(2019, 8, 20, 0, 0, 0, 0, time.UTC), LeftOn: &left, YearGroup: &year,
		Guardians: []plan.TransferGuardian{{GivenName: "Anne", FamilyName: "Vries", Email: "anne@thuis.invalid", Relation: "mother", ParentalAuthority: true}},
		Needs:     "Verlengde instructie bij rekenen.", OPP: "Perspectief: vmbo kader.", OPPFrom: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
		ActionParts: []plan.TransferVersion{{Number: 1, Cycle: 1, FrozenOn: "2026-10-01", ConsentStatus: "given",
			Content: plan.ActionPart{Goals: []plan.Goal{{Domain: "Rekenen", Goal: "Tafels tot 10"}}}}},
		Tests:       []plan.SnapshotTest{{Instrument: "Cito rekenen M7", TakenOn: "2026-01-20", Score: "45", Level: "C"}},
		Attachments: []ExportDocumentAlias{{Name: "verslag.pdf", Description: "Verslag", Content: []byte("%PDF-1.4 test")}},
	}
	for _, overstap := range []string{"POPO", "POVO", "VOVO", "POSWV", "VOSWV"} {
		for _, optOut := range [][]string{nil, {oso.CatToetsen, oso.CatBijlagen, oso.CatHandeling}} {
			in := base
			in.Overstap, in.OptOut = overstap, optOut
			d, err := oso.Export(in)
			if err != nil {
				t.Fatalf("%s: %v", overstap, err)
			}
			data, err := oso.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			if err := Validate(data); err != nil {
				t.Fatalf("%s (opt-out %v) does not validate: %v\n%s", overstap, optOut, err, data)
			}
			back, err := oso.Parse(data)
			if err != nil {
				t.Fatalf("%s: our own export breaks the profile: %v", overstap, err)
			}
			if bytes.Contains(data, []byte("<bsn>")) || bytes.Contains(data, []byte("<onderwijsnummer>")) {
				t.Errorf("%s carries a BSN or onderwijsnummer", overstap)
			}
			present := back.Present()
			if optOut != nil && (present[oso.CatToetsen] || present[oso.CatBijlagen] || present[oso.CatHandeling]) {
				t.Errorf("%s: opted out yet present: %v", overstap, present)
			}
			if optOut == nil && (!present[oso.CatToetsen] || !present[oso.CatBijlagen]) {
				t.Errorf("%s: tests or attachments missing", overstap)
			}
			if oso.ProfileOf(overstap) == oso.ProfilePaO && !present[oso.CatOndersteuning] {
				t.Errorf("%s lacks the support its profile requires", overstap)
			}
		}
	}
	in := base
	in.Overstap, in.OptOut = "POSWV", []string{oso.CatOndersteuning}
	if _, err := oso.Export(in); err == nil || !strings.Contains(err.Error(), "alleen een optionele categorie") {
		t.Errorf("opting out of the support in a PaO dossier: %v", err)
	}
	in.Overstap, in.OptOut, in.BRIN = "POVO", nil, ""
	var es oso.Errors
	if _, err := oso.Export(in); !errors.As(err, &es) || !strings.Contains(err.Error(), "BRIN") {
		t.Errorf("an export without a BRIN: %v", err)
	}
}

type ExportDocumentAlias = oso.ExportDocument

// BenchmarkReadFull: the schema check, the profile's rules and the
// preview of Edustandaard's full PaO sample (137 kB, five documents).
func BenchmarkReadFull(b *testing.B) {
	data, err := os.ReadFile(samples + "Voorbeelddossier_PaO_POSWV_full.xml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		d, err := Read(data)
		if err != nil {
			b.Fatal(err)
		}
		_ = d.Preview(data)
	}
}
