package oso

import (
	"os"
	"strings"
	"testing"
)

// FuzzParse: any input gives a dossier or a file error with a message,
// never a panic; a dossier read previews.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"Voorbeelddossier_PaO_POSWV_full.xml", "Voorbeelddossier_PaO_POSWV_opt_out.xml"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<dossier xmlns="` + Namespace + `"><metadata><overstap>POVO</overstap></metadata></dossier>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data)
		if err != nil {
			if !IsFileError(err) {
				t.Fatalf("not a file error: %T %v", err, err)
			}
			if strings.TrimSpace(err.Error()) == "" {
				t.Fatal("empty message")
			}
			return
		}
		p := d.Preview(data)
		if p.Pupil.FamilyName == "" || p.Digest == "" {
			t.Fatalf("a dossier read without a pupil: %+v", p.Pupil)
		}
	})
}

// TestRules: the profiles as README gives them.
func TestRules(t *testing.T) {
	for _, tc := range []struct{ overstap, cat, want string }{
		{"POSWV", CatOndersteuning, Required},
		{"POSWV", CatEindtoets, Forbidden},
		{"POSWV", CatVOMBO, Forbidden},
		{"POSWV", CatToetsen, Optional},
		{"POVO", CatOverstap, Optional},
		{"POVO", CatEindtoets, Optional},
		{"POPO", CatOverstap, Forbidden},
		{"POPO", CatCijfers, Forbidden},
		{"VOVO", CatEindtoets, Forbidden},
		{"VOVO", CatLeerling, Required},
		{"VOVO", CatVerzorgers, Required},
	} {
		if got := Rules(tc.overstap)[tc.cat]; got != tc.want {
			t.Errorf("%s %s: %s, want %s", tc.overstap, tc.cat, got, tc.want)
		}
	}
}
