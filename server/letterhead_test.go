package server

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"mime/multipart"
	"strings"
	"testing"

	"github.com/topdossier/topdossier/auth"
)

// TestLetterhead: the school admin uploads the school's logo and details;
// the OPP carries them (and no placeholder before); a GIF is refused with
// the details kept; the IB'er may not change them.
func TestLetterhead(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxBodyBytes = 1 << 20 })
	lic := h.school.ID
	h.user(t, "directie@linde.invalid", "staff", member{auth.RoleSchoolAdmin, &lic})
	admin := h.login(t, "directie@linde.invalid")
	pupil := h.createPupil(t, h.cookie, lic, "Briefpapier", "6")
	h.openDossier(t, h.cookie, lic, pupil)
	opp := dossierURL(lic, pupil) + "/opp.pdf"
	if _, body := h.do(t, "GET", opp, "", ""); strings.Contains(body, "/Subtype /Image") || strings.Contains(h.pdfText(t, opp), "logo") {
		t.Error("an OPP without a logo shows a placeholder or an image")
	}

	upload := func(cookie string, img func(*bytes.Buffer) error, details string) (int, string) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		if img != nil {
			fw, _ := mw.CreateFormFile("logo", "logo.png")
			var b bytes.Buffer
			if err := img(&b); err != nil {
				t.Fatal(err)
			}
			_, _ = fw.Write(b.Bytes())
		}
		_ = mw.WriteField("details", details)
		_ = mw.Close()
		resp, out := h.doAs(t, cookie, "POST", fmt.Sprintf("/licenties/%s/huisstijl", lic), mw.FormDataContentType(), body.String())
		return resp.StatusCode, out
	}
	pic := image.NewRGBA(image.Rect(0, 0, 240, 80))
	pic.Set(10, 10, color.RGBA{B: 200, A: 255})
	asPNG := func(b *bytes.Buffer) error { return png.Encode(b, pic) }
	asGIF := func(b *bytes.Buffer) error { return gif.Encode(b, pic, nil) }
	details := "Lindelaan 1, 4001 AA Tiel\n0344 123 456"

	if status, _ := upload(h.cookie, asPNG, details); status != 404 {
		t.Errorf("the IB'er changes the letterhead: %d, want 404", status)
	}
	if status, out := upload(admin, asGIF, details); status != 422 || !strings.Contains(out, "PNG- of JPEG") || !strings.Contains(out, "Lindelaan 1, 4001 AA Tiel") {
		t.Errorf("a GIF logo: %d, want 422 naming PNG/JPEG with the details kept", status)
	}
	if status, out := upload(admin, asPNG, details); status != 303 {
		t.Fatalf("upload: %d %s", status, out)
	}
	if resp, _ := h.doAs(t, admin, "GET", fmt.Sprintf("/licenties/%s/huisstijl/logo", lic), "", ""); resp.StatusCode != 200 ||
		resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("the logo preview: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if _, body := h.do(t, "GET", opp, "", ""); !strings.Contains(body, "/Subtype /Image") {
		t.Error("the OPP does not carry the school's logo")
	}
	if text := h.pdfText(t, opp); !strings.Contains(text, "Lindelaan 1, 4001 AA Tiel") || !strings.Contains(text, "0344 123 456") {
		t.Error("the OPP does not carry the school's details")
	}
	// Details only: the logo stays.
	if status, _ := upload(admin, nil, "Lindelaan 2, 4001 AA Tiel"); status != 303 {
		t.Fatal("details only")
	}
	if _, body := h.do(t, "GET", opp, "", ""); !strings.Contains(body, "/Subtype /Image") || !strings.Contains(h.pdfText(t, opp), "Lindelaan 2") {
		t.Error("changing the details lost the logo or kept the old details")
	}
}
