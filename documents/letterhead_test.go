package documents

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func testImage(t *testing.T, encode func(*bytes.Buffer, image.Image) error, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, h/2, color.RGBA{R: 200, A: 255})
	}
	var buf bytes.Buffer
	if err := encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// refused reports whether err is a logo refusal whose Dutch reason names
// why.
func refused(err error, why string) bool {
	var le *LogoError
	return errors.As(err, &le) && strings.Contains(le.Reason, why)
}

// TestCheckLogo: only a PNG or JPEG of sensible size is a logo, whatever
// the file is called; the reason is Dutch.
func TestCheckLogo(t *testing.T) {
	pngLogo := testImage(t, func(b *bytes.Buffer, i image.Image) error { return png.Encode(b, i) }, 120, 40)
	jpegLogo := testImage(t, func(b *bytes.Buffer, i image.Image) error { return jpeg.Encode(b, i, nil) }, 120, 40)
	gifLogo := testImage(t, func(b *bytes.Buffer, i image.Image) error { return gif.Encode(b, i, nil) }, 120, 40)
	wide := testImage(t, func(b *bytes.Buffer, i image.Image) error { return png.Encode(b, i) }, MaxLogoPixels+1, 2)
	for _, tc := range []struct {
		name string
		data []byte
		kind string
		why  string
	}{
		{"png", pngLogo, "png", ""},
		{"jpeg", jpegLogo, "jpeg", ""},
		{"gif", gifLogo, "", "PNG- of JPEG"},
		{"a pdf called logo.png", []byte("%PDF-1.7\n..."), "", "PNG- of JPEG"},
		{"empty", nil, "", "Kies een bestand"},
		{"too large", append(bytes.Clone(pngLogo), make([]byte, MaxLogoBytes)...), "", "512 kB"},
		{"too wide", wide, "", "pixels"},
	} {
		kind, err := CheckLogo(tc.data)
		switch {
		case tc.why == "" && (err != nil || kind != tc.kind):
			t.Errorf("%s: %q, %v; want %s", tc.name, kind, err, tc.kind)
		case tc.why != "" && !refused(err, tc.why):
			t.Errorf("%s: %v, want a refusal naming %q", tc.name, err, tc.why)
		}
	}
}

// TestLetterheadOnDocuments: the school's logo and details are printed on
// the OPP; without them there is no placeholder.
func TestLetterheadOnDocuments(t *testing.T) {
	logo := testImage(t, func(b *bytes.Buffer, i image.Image) error { return png.Encode(b, i) }, 300, 100)
	render := func(lh Letterhead) (string, []byte) {
		var buf bytes.Buffer
		if err := RenderOPPPDF(&buf, OPPDocument{School: "Basisschool De Linde", Pupil: "Kind Test", Generated: time.Now(), Letterhead: lh}); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("pdftotext", "-", "-")
		cmd.Stdin = bytes.NewReader(buf.Bytes())
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		return string(out), buf.Bytes()
	}
	text, pdf := render(Letterhead{Logo: logo, LogoType: "png", Details: "Lindelaan 1, 4001 AA Tiel\n0344 123 456"})
	if !strings.Contains(text, "Lindelaan 1, 4001 AA Tiel") || !strings.Contains(text, "0344 123 456") || !bytes.Contains(pdf, []byte("/Subtype /Image")) {
		t.Errorf("the OPP lacks the school's details or its logo")
	}
	text, pdf = render(Letterhead{})
	if strings.Contains(text, "logo") || bytes.Contains(pdf, []byte("/Subtype /Image")) {
		t.Errorf("an OPP without a letterhead shows a placeholder")
	}
	// The SWV's decision carries the SWV's.
	dec, err := RenderDecisionPDF(DecisionDocument{Kind: "tlv", Number: "TLV-2026-0001", SWV: "SWV Rivierenland", Pupil: "Kind Test",
		School: "De Linde", SchoolType: "so", Printed: time.Now(), Letterhead: Letterhead{Logo: logo, LogoType: "png", Details: "Postbus 12, 4000 AA Tiel"}})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("pdftotext", "-", "-")
	cmd.Stdin = bytes.NewReader(dec)
	out, err := cmd.Output()
	if err != nil || !strings.Contains(string(out), "Postbus 12, 4000 AA Tiel") || !bytes.Contains(dec, []byte("/Subtype /Image")) {
		t.Errorf("the decision lacks the SWV's letterhead (err %v)", err)
	}
}
