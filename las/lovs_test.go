package las

import (
	"os"
	"strings"
	"testing"
	"time"
)

const lovsSample = "\xef\xbb\xbfLeerlingnummer;Naam;Toets;Afnamedatum;Vaardigheidsscore;Niveau\n" +
	"00001;Wimpie;Rekenen-Wiskunde M5;20-01-2026;187;III\n" +
	"00001;Wimpie;Rekenen-Wiskunde E5;12-06-2026;195;II\n" +
	"00001;Wimpie;Spelling;2026-01-20;;IV\n" +
	"00002;Ismaël;Spelling;2026-01-21;120;B\n"

func TestParseLOVS(t *testing.T) {
	head, err := LOVSHeader([]byte(lovsSample))
	if err != nil {
		t.Fatal(err)
	}
	m := GuessMapping(head)
	if m != (LOVSMapping{Key: "Leerlingnummer", Test: "Toets", Date: "Afnamedatum", Score: "Vaardigheidsscore", Level: "Niveau"}) {
		t.Fatalf("mapping %+v", m)
	}
	rows, err := ParseLOVS([]byte(lovsSample), m, today)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0].Line != 2 || rows[0].Key != "00001" || rows[0].Date.Format(time.DateOnly) != "2026-01-20" || rows[2].Level != "IV" {
		t.Fatalf("rows %+v", rows)
	}
	series := Series(map[string][]TestResult{"Rekenen": {{Date: rows[1].Date, Score: "195"}, {Date: rows[0].Date, Score: "187"}},
		"Spelling": {{Date: rows[0].Date, Level: "IV"}, {Date: rows[1].Date, Level: "V"}}})
	if series[0].Test != "Rekenen" || series[0].Trend != "stijgend" || series[0].Results[0].Score != "187" || series[1].Trend != "dalend" {
		t.Errorf("series %+v", series)
	}
}

func TestParseLOVSRefuses(t *testing.T) {
	m := LOVSMapping{Key: "Leerlingnummer", Test: "Toets", Date: "Afnamedatum", Score: "Vaardigheidsscore", Level: "Niveau"}
	cases := []struct{ name, file, want string }{
		{"wrong columns", "Nummer;Toets;Datum\n1;R;20-01-2026\n", `de kolom "Leerlingnummer" (het leerlingnummer) staat niet in de kopregel`},
		{"level", strings.Replace(lovsSample, ";III", ";VI", 1), `regel 2: het niveau "VI" bestaat niet`},
		{"future", strings.Replace(lovsSample, "12-06-2026", "12-06-2027", 1), "regel 3: de datum 12-06-2027 ligt in de toekomst"},
		{"date", strings.Replace(lovsSample, "12-06-2026", "juni", 1), `regel 3: "juni" is geen datum`},
		{"twice", lovsSample + "00001;Wimpie;Spelling;20-01-2026;;IV\n", "regel 6: dezelfde uitslag staat ook op regel 4"},
		{"quote", lovsSample + "00003;\"Wim;Spelling;20-01-2026;;IV\n", "geen geldige CSV"},
		{"empty", "Leerlingnummer;Toets;Afnamedatum;Vaardigheidsscore;Niveau\n", "geen uitslagen"},
	}
	for _, c := range cases {
		_, err := ParseLOVS([]byte(c.file), m, today)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
}

func FuzzParseLOVS(f *testing.F) {
	f.Add([]byte(lovsSample))
	if b, err := os.ReadFile("testdata/lovs.csv"); err == nil {
		f.Add(b)
	}
	m := LOVSMapping{Key: "Leerlingnummer", Test: "Toets", Date: "Afnamedatum", Score: "Vaardigheidsscore", Level: "Niveau"}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ParseLOVS(data, m, today)
		if err != nil {
			if strings.TrimSpace(err.Error()) == "" {
				t.Fatal("empty message")
			}
			return
		}
		for _, r := range rows {
			if r.Key == "" || r.Test == "" || r.Date.After(today) || (r.Level != "" && !levels[r.Level]) {
				t.Fatalf("row accepted: %+v", r)
			}
		}
	})
}
