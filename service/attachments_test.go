package service

import (
	"archive/zip"
	"bytes"
	"testing"
)

func docx(t *testing.T, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte("<x/>")); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSniffAttachment: the type comes from the bytes, never from the name.
func TestSniffAttachment(t *testing.T) {
	cases := []struct {
		name    string
		content []byte
		want    string
		ok      bool
	}{
		{"pdf", []byte("%PDF-1.7\n..."), "application/pdf", true},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "image/png", true},
		{"jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), "image/jpeg", true},
		{"docx", docx(t, "[Content_Types].xml", "word/document.xml"), docxType, true},
		{"zip that is no Word document", docx(t, "readme.txt"), docxType, false},
		{"html", []byte("<html><script>alert(1)</script></html>"), "", false},
		{"text", []byte("gewoon tekst"), "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := sniffAttachment(c.content)
			if got != c.want || ok != c.ok {
				t.Errorf("got %q %v, want %q %v", got, ok, c.want, c.ok)
			}
		})
	}
}

func TestCleanFileName(t *testing.T) {
	long := string(bytes.Repeat([]byte("a"), 200)) + ".pdf"
	cases := []struct{ in, want string }{
		{"verslag.pdf", "verslag.pdf"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\ib\verslag "juni".pdf`, "verslag juni.pdf"},
		{"naam\x00met\ncontrole.pdf", "naammetcontrole.pdf"},
		{"  spaties.png  ", "spaties.png"},
		{long, string(bytes.Repeat([]byte("a"), 146)) + ".pdf"},
	}
	for _, c := range cases {
		if got := cleanFileName(c.in); got != c.want {
			t.Errorf("cleanFileName(%q): got %q, want %q", c.in, got, c.want)
		}
	}
}
