package documents

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // DecodeConfig reads JPEG logos
	_ "image/png"  // and PNG logos
	"strings"

	"github.com/go-pdf/fpdf"
)

// Letterhead is a school's or SWV's own logo and details, printed at the
// top right of its documents. Empty, nothing is printed (no placeholder).
type Letterhead struct {
	Logo     []byte
	LogoType string // png or jpeg
	Details  string // address, phone, website: a few lines
}

// Limits of a logo: the file and the picture.
const (
	MaxLogoBytes  = 512 << 10
	MaxLogoPixels = 4000
)

// LogoError is a file that is not a usable logo; Reason says why in
// Dutch, for the page.
type LogoError struct{ Reason string }

func (e *LogoError) Error() string { return "unusable logo: " + e.Reason }

// CheckLogo reads an uploaded logo: a PNG or JPEG of at most 512 kB and
// 4000 pixels a side. It returns its type (png, jpeg) or a *LogoError
// with the Dutch reason for anything else, whatever the file's name says.
func CheckLogo(data []byte) (string, error) {
	if len(data) == 0 {
		return "", &LogoError{"Kies een bestand met het logo."}
	}
	if len(data) > MaxLogoBytes {
		return "", &LogoError{"Het logo is te groot (hoogstens 512 kB)."}
	}
	cfg, kind, err := image.DecodeConfig(bytes.NewReader(data))
	switch {
	case err != nil || (kind != "png" && kind != "jpeg"):
		return "", &LogoError{"Het logo moet een PNG- of JPEG-afbeelding zijn."}
	case cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxLogoPixels || cfg.Height > MaxLogoPixels:
		return "", &LogoError{fmt.Sprintf("Het logo mag hoogstens %d pixels breed en hoog zijn.", MaxLogoPixels)}
	}
	return kind, nil
}

// drawLetterhead puts the logo (scaled into w×h mm, keeping its shape)
// and the details under it at x, y; it returns how far down it reached.
func drawLetterhead(pdf *fpdf.Fpdf, lh Letterhead, x, y, w, h float64) float64 {
	bottom := y
	if len(lh.Logo) > 0 && (lh.LogoType == "png" || lh.LogoType == "jpeg") {
		name := fmt.Sprintf("logo-%d", len(lh.Logo))
		opts := fpdf.ImageOptions{ImageType: strings.ToUpper(lh.LogoType), ReadDpi: false}
		info := pdf.RegisterImageOptionsReader(name, opts, bytes.NewReader(lh.Logo))
		if pdf.Ok() && info != nil && info.Width() > 0 && info.Height() > 0 {
			iw, ih := w, w*info.Height()/info.Width()
			if ih > h {
				iw, ih = h*info.Width()/info.Height(), h
			}
			pdf.ImageOptions(name, x+w-iw, y, iw, ih, false, opts, 0, "")
			bottom = y + ih
		} else {
			pdf.ClearError() // a logo that will not print leaves the document as it is
		}
	}
	if d := strings.TrimSpace(lh.Details); d != "" {
		pdf.SetFont("go", "", 7.5)
		pdf.SetTextColor(70, 70, 70)
		for _, line := range strings.Split(d, "\n") {
			bottom += 3.4
			pdf.SetXY(x, bottom-3.4)
			pdf.CellFormat(w, 3.4, strings.TrimSpace(line), "", 0, "R", false, 0, "")
		}
		pdf.SetTextColor(0, 0, 0)
	}
	return bottom
}
