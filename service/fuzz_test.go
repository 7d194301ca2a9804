package service

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// Fuzz targets for the outside input the service decodes (issue 19, drill
// 13); make fuzz runs each briefly, seeds in f.Add and testdata/fuzz.

// FuzzPupilInput: the form and API decoder of a new pupil never panics,
// and what it accepts fits the database: names within their lengths, a
// birth date in the past, one family name or given name at least.
func FuzzPupilInput(f *testing.F) {
	f.Add("Sem", "van", "Jansen", "2016-05-05", "6a", "2022-08-22", "Eva", "eva@thuis.invalid", "mother")
	f.Add("", "", "", "", "", "", "", "", "")
	f.Add("Ä\u0301", "d'", "O'Brien-\u202eSmit", "29-02-2016", "groep 8", "2024-13-01", "x", "not-an-address", "guardian")
	f.Add(strings.Repeat("a", 300), "", "B", "9999-12-31", "", "0001-01-01", "C", "c@d.e", "father")
	today := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, given, infix, family, birth, group, enrolled, gGiven, gEmail, relation string) {
		in := PupilInput{GivenName: given, NameInfix: infix, FamilyName: family, BirthDate: birth, GroupName: group,
			EnrolledOn: enrolled, Guardians: []GuardianInput{{GivenName: gGiven, FamilyName: family, Email: gEmail, Relation: relation}}}
		p, guardians, errs := in.validate(today)
		if len(errs) > 0 {
			for field, msg := range errs {
				if field == "" || msg == "" {
					t.Fatalf("an error without a field or message: %q %q", field, msg)
				}
			}
			return
		}
		if p.BirthDate.After(today) {
			t.Errorf("accepted a birth date in the future: %v", p.BirthDate)
		}
		for _, s := range []string{p.GivenName, p.FamilyName} {
			if !utf8.ValidString(s) || utf8.RuneCountInString(s) > 200 {
				t.Errorf("accepted a name the database would not hold well: %q", s)
			}
		}
		if len(guardians) != 1 {
			t.Errorf("%d guardians from one", len(guardians))
		}
	})
}

// FuzzSniffAttachment: the type of an upload is read from its bytes only;
// whatever the bytes, the answer is one of the four types or a refusal,
// and a PDF, PNG or JPEG really starts with its signature.
func FuzzSniffAttachment(f *testing.F) {
	f.Add([]byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"))
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
	f.Add([]byte("\xff\xd8\xff\xe0\x00\x10JFIF"))
	f.Add([]byte("MZ\x90\x00 not a document"))
	var docx bytes.Buffer
	zw := zip.NewWriter(&docx)
	for _, name := range []string{"[Content_Types].xml", "word/document.xml"} {
		w, _ := zw.Create(name)
		_, _ = w.Write([]byte("<x/>"))
	}
	_ = zw.Close()
	f.Add(docx.Bytes())
	f.Fuzz(func(t *testing.T, content []byte) {
		typ, ok := sniffAttachment(content)
		if !ok {
			return
		}
		signature := map[string]string{"application/pdf": "%PDF-", "image/png": "\x89PNG\r\n\x1a\n", "image/jpeg": "\xff\xd8\xff"}
		switch typ {
		case docxType:
			if !bytes.HasPrefix(content, []byte("PK")) {
				t.Errorf("a docx that is not a zip: % x", content[:min(8, len(content))])
			}
		case "application/pdf", "image/png", "image/jpeg":
			if !bytes.HasPrefix(content, []byte(signature[typ])) {
				t.Errorf("%s without its signature: % x", typ, content[:min(8, len(content))])
			}
		default:
			t.Errorf("accepted type %q", typ)
		}
	})
}

// FuzzCleanFileName: an uploaded file's name keeps no path, control or
// bidirectional character, no quote, and at most 150 characters.
func FuzzCleanFileName(f *testing.F) {
	f.Add("verslag.pdf")
	f.Add("..\\..\\etc/passwd")
	f.Add("foto\u202egpj.exe")
	f.Add("a\x00b\nc\"d.docx")
	f.Add(strings.Repeat("é", 200) + ".pdf")
	f.Fuzz(func(t *testing.T, name string) {
		got := cleanFileName(name)
		if utf8.RuneCountInString(got) > 150 {
			t.Errorf("%d characters", utf8.RuneCountInString(got))
		}
		for _, r := range got {
			if unicode.IsControl(r) || bidi(r) || r == '"' || r == '/' || r == '\\' {
				t.Errorf("kept %U in %q", r, got)
			}
		}
	})
}
