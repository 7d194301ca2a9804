package server

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/topdossier/topdossier/internal/browsertest"
)

// TestTransferBrowser walks a transfer from both sides in Chromium, as
// people would: the PO school's IB'er finds the VO school and starts the
// transfer; the mother reads what goes and agrees on her phone; the VO
// school's IB'er accepts and finds the plan's history in its dossier;
// the PO school sees it done. Screenshots: .artifacts/journey-transfer-*.png
// (each page also checked against WCAG 2.1 A/AA).
func TestTransferBrowser(t *testing.T) {
	f := newTransferFixture(t, "Browser")
	h := f.h
	lic := h.school.ID

	// The PO school's IB'er.
	ib := browsertest.New(t, 3*time.Minute)
	browserLogin(t, h, ib, "ib@linde.invalid")
	err := within(ib, 30*time.Second, chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(h.http.URL+f.transferPage),
		chromedp.SendKeys(chromedp.CSS(`input[name="zoek"]`), "brug"),
		chromedp.Click(chromedp.ID("search")),
		chromedp.WaitVisible(chromedp.CSS(`input[name="to_licence"]`)),
		chromedp.Click(chromedp.CSS(`input[name="to_licence"]`)),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="attachment"][value="%s"]`, f.attachmentIDs[0]))))
	if err != nil {
		t.Fatalf("find the school: %v", err)
	}
	journeyShot(t, ib, "transfer", "1-school-chooses")
	if err := within(ib, 30*time.Second, chromedp.Click(chromedp.ID("start-transfer")), chromedp.WaitVisible(chromedp.ID("withdraw"))); err != nil {
		t.Fatalf("start the transfer: %v", err)
	}
	journeyShot(t, ib, "transfer", "2-school-waits")
	id := f.transferIDs(t)[0]

	// The mother, on her phone.
	mother := browsertest.New(t, 3*time.Minute)
	if err := within(mother, 10*time.Second, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	browserLogin(t, h, mother, f.mother)
	err = within(mother, 30*time.Second, chromedp.Navigate(fmt.Sprintf("%s/ouder/%s/%s#overdracht-%s", h.http.URL, lic, f.pupil, id)),
		chromedp.WaitVisible(chromedp.ID("transfer-answer")),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="share_%s"]`, f.attachmentIDs[0]))),
		chromedp.Click(chromedp.CSS(`#overdracht-`+id.String()+` input[name="answer"][value="agree"]`)))
	if err != nil {
		t.Fatalf("the mother reads the transfer: %v", err)
	}
	journeyShot(t, mother, "transfer", "3-parent-agrees")
	if err := within(mother, 30*time.Second, chromedp.Click(chromedp.ID("transfer-answer")), chromedp.WaitVisible(chromedp.CSS("p.notice"))); err != nil {
		t.Fatalf("the mother answers: %v", err)
	}
	f.waitStatus(t, id, "offered")

	// The VO school's IB'er.
	vo := browsertest.New(t, 3*time.Minute)
	browserLogin(t, h, vo, "ib@debrug.invalid")
	err = within(vo, 30*time.Second, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(h.http.URL+f.voTransfers),
		chromedp.WaitVisible(chromedp.ID("decide-"+id.String())),
		chromedp.Click(chromedp.CSS(`input[name="decision"][value="accept"]`)))
	if err != nil {
		t.Fatalf("the VO school reads the offer: %v", err)
	}
	journeyShot(t, vo, "transfer", "4-receiving-school-decides")
	err = within(vo, 60*time.Second, chromedp.Click(chromedp.ID("decide-"+id.String())),
		chromedp.WaitVisible(chromedp.CSS("details.history")),
		chromedp.Click(chromedp.CSS("details.history > summary")))
	if err != nil {
		t.Fatalf("the VO school accepts: %v", err)
	}
	page, err := chromedp.Run(vo, chromedp.Evaluate[string]("document.body.innerText"))
	if err != nil || !strings.Contains(page, "Uit het dossier van Basisschool De Linde") || !strings.Contains(page, "Tafels tot 10") {
		t.Errorf("the VO dossier after accepting (err %v):\n%s", err, page)
	}
	journeyShot(t, vo, "transfer", "5-receiving-school-dossier")

	// The PO school sees it done.
	f.waitStatus(t, id, "accepted")
	if err := within(ib, 30*time.Second, chromedp.Navigate(h.http.URL+f.transferPage), chromedp.WaitVisible(chromedp.CSS("section.transfer"))); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ib, chromedp.Evaluate[string]("document.body.innerText"))
	if err != nil || !strings.Contains(text, "aangenomen: het plan is overgedragen") {
		t.Errorf("the PO page after acceptance (err %v):\n%s", err, text)
	}
	journeyShot(t, ib, "transfer", "6-school-done")
}
