package documents

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"testing"
)

// FuzzCheckLogo: an uploaded logo is a PNG or JPEG within the limits or a
// *LogoError with a Dutch reason; nothing panics, nothing else is accepted.
func FuzzCheckLogo(f *testing.F) {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 2, 2)))
	f.Add(b.Bytes())
	f.Add([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"))
	f.Add([]byte("GIF89a\x01\x00\x01\x00"))
	f.Add([]byte("<svg xmlns='http://www.w3.org/2000/svg'/>"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		kind, err := CheckLogo(data)
		if err != nil {
			var refused *LogoError
			if !errors.As(err, &refused) || refused.Reason == "" {
				t.Fatalf("not a reason for people: %v", err)
			}
			return
		}
		if kind != "png" && kind != "jpeg" {
			t.Fatalf("accepted %q", kind)
		}
		if len(data) > MaxLogoBytes {
			t.Fatalf("accepted %d bytes", len(data))
		}
	})
}
