package server

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/topdossier/topdossier/internal/browsertest"
)

// artifactsDir is where tests leave files for people to look at
// (screenshots); TEST_ARTIFACTS_DIR overrides it, CI keeps it.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("TEST_ARTIFACTS_DIR")
	if dir == "" {
		dir = filepath.Join("..", ".artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestDossierInBrowser: an IB'er, on a projector-sized screen (1280×720),
// fills in begrijpen and plannen during the meeting and advances the
// phase, in headless Chromium with the keyboard and mouse only.
func TestDossierInBrowser(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxBodyBytes = 64 << 10 })
	lic := h.school.ID
	pupil := h.createPupil(t, h.cookie, lic, "Beamer", "5a")
	h.openDossier(t, h.cookie, lic, pupil)
	h.addGrowth(t, h.cookie, lic, pupil, "Haakt af bij lange instructie")
	base := fmt.Sprintf("/licenties/%s/leerlingen/%s/dossier", lic, pupil)
	resp, out := h.do(t, "POST", fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier/advance", lic, pupil), "application/json",
		`{"request_id":"browser-1","from":"observe"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("advance to understand: %d %s", resp.StatusCode, out)
	}

	ctx := browsertest.New(t, 2*time.Minute)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 720)); err != nil {
		t.Fatal(err)
	}
	browserLogin(t, h, ctx, "ib@linde.invalid")
	err := chromedp.Do(ctx,
		chromedp.Navigate(h.http.URL+base),
		chromedp.WaitVisible(chromedp.CSS(`textarea[name="promoting_pupil"]`)),
	)
	if err != nil {
		t.Fatalf("log in and open the dossier: %v", err)
	}
	current := func() string {
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.processbar li[aria-current="step"]`)))
		if err != nil {
			t.Fatalf("process bar: %v", err)
		}
		return strings.TrimSpace(s)
	}
	if got := current(); got != "Begrijpen" {
		t.Fatalf("process bar shows %q, want Begrijpen", got)
	}

	// submit clicks a button that submits a form and waits for the page
	// that answers it.
	submit := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		resp, err := chromedp.RunResponse(ctx, steps...)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if resp.Status != 200 {
			page, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
			t.Fatalf("%s: %d\n%s", what, resp.Status, page)
		}
	}
	type_ := func(sel, text string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(sel), text)); err != nil {
			t.Fatalf("type into %s: %v", sel, err)
		}
	}

	// Begrijpen, typed during the meeting, saved, then the phase ends.
	type_(`textarea[name="promoting_pupil"]`, "Wil graag, vraagt hulp")
	type_(`textarea[name="hindering_teaching"]`, "Lange klassikale instructie")
	type_(`textarea[name="educational_needs"]`, "Korte instructie met voorbeeld")
	type_(`textarea[name="support_needs"]`, "Verlengde instructie aan de instructietafel")
	type_(`textarea[name="pupil_view"]`, "Ik snap het als juf het voordoet")
	submit("save begrijpen", chromedp.Click(chromedp.ID("save-understand")))
	submit("end begrijpen", chromedp.Click(chromedp.ID("advance")))
	if got := current(); got != "Plannen" {
		t.Fatalf("after begrijpen the bar shows %q, want Plannen", got)
	}

	// Plannen: perspective, one goal and its support, offered and consented.
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(`select[name="destination"]`), "vmbo_gl_tl")); err != nil {
		t.Fatal(err)
	}
	type_(`textarea[name="rationale"]`, "Bevorderend: motivatie. Belemmerend: lange instructie.")
	submit("save perspective", chromedp.Click(chromedp.ID("save-perspective")))
	type_(`input[name="goal_0_domain"]`, "Begrijpend lezen")
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(`input[name="goal_0_evaluate_on"]`), time.Now().AddDate(0, 3, 0).Format(dateLayout))); err != nil {
		t.Fatal(err)
	}
	type_(`textarea[name="goal_0_goal"]`, "Vat een tekst samen in drie zinnen")
	type_(`textarea[name="goal_0_criterion"]`, "4 van 5 teksten goed")
	type_(`input[name="support_0_what"]`, "Instructietafel")
	type_(`input[name="support_0_who"]`, "Leerkracht")
	type_(`input[name="support_0_how_often"]`, "Dagelijks")
	type_(`input[name="support_0_where"]`, "In de klas")
	submit("save handelingsdeel", chromedp.Click(chromedp.ID("save-action-part")))
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(`input[name="heard_on"]`), time.Now().Format(dateLayout)),
		chromedp.SetValue(chromedp.CSS(`select[name="how"]`), "drawing")); err != nil {
		t.Fatal(err)
	}
	type_(`form[action$="/deel/hearing"] textarea[name="summary"]`, "Tekende zichzelf aan de instructietafel, blij")
	submit("save hearing", chromedp.Click(chromedp.ID("save-hearing")))
	submit("offer for consent", chromedp.Click(chromedp.ID("offer")))
	// The round starts in the background; the page fetches it when it is there.
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("consent-record"))); err != nil {
		t.Fatalf("no consent round on the page: %v", err)
	}
	// The paper answer asks who answered and what: nothing is chosen for her.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelector('select[name="party"]').selectedIndex = 1`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#instemming input[name="answer"][value="agree"]`))); err != nil {
		t.Fatal(err)
	}
	submit("record consent", chromedp.Click(chromedp.ID("consent-record")))
	submit("end plannen", chromedp.Click(chromedp.ID("advance")))
	if got := current(); got != "Realiseren" {
		page, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#proces")))
		t.Fatalf("after plannen the bar shows %q, want Realiseren\n%s", got, page)
	}
	if step := h.waitPhase(t, lic, h.dossierOf(t, lic, pupil), "realise"); step.DueAt == nil {
		t.Errorf("realise without the yearly evaluation deadline")
	}

	// On a projector the page fits the width: no sideways scrolling.
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth"))
	if err != nil || width > 1280 {
		t.Errorf("page is %d px wide (err %v), want at most 1280", width, err)
	}
	checkAccessible(t, ctx, "the dossier in the meeting")
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil || img.Bounds().Dx() != 1280 || img.Bounds().Dy() != 720 {
		t.Fatalf("screenshot %v (err %v), want 1280×720", img.Bounds(), err)
	}
	file := filepath.Join(artifactsDir(t), "dossier-realiseren-1280x720.png")
	if err := os.WriteFile(file, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", file)

	// A draft saves itself a few seconds after typing stops; the form
	// then builds on the saved version, so the save button does not
	// report a conflict with oneself.
	type_(`textarea[name="notes"]`, "Eerste week instructietafel gedaan")
	if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](
		`document.getElementById("autosave-realise").textContent.includes("automatisch opgeslagen")`)); err != nil {
		t.Fatalf("no autosave: %v", err)
	}
	version, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("version-realise").value`))
	if err != nil || version != "2" {
		t.Errorf("form version after autosave %q (err %v), want 2", version, err)
	}
	type_(`textarea[name="notes"]`, ", tweede week ook")
	submit("save realise after autosave", chromedp.Click(chromedp.ID("save-realise")))
	if notice, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("p.notice"))); notice != "Opgeslagen." {
		t.Errorf("save after autosave says %q, want Opgeslagen.", notice)
	}

	// Printed, the page shows every phase's content, also of the closed
	// parts, and no buttons or forms.
	res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{})
	if err != nil {
		t.Fatal(err)
	}
	printed := filepath.Join(artifactsDir(t), "dossier-print.pdf")
	if err := os.WriteFile(printed, res.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	text, err := exec.Command("pdftotext", printed, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Korte instructie met voorbeeld", "Vat een tekst samen in drie zinnen", "Realiseren"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("printed page lacks %q", want)
		}
	}
	for _, unwanted := range []string{"Begrijpen opslaan", "Uitloggen", "afronden →"} {
		if strings.Contains(string(text), unwanted) {
			t.Errorf("printed page shows %q", unwanted)
		}
	}
}
