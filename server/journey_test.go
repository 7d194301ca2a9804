package server

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pquerna/otp/totp"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/internal/browsertest"
	"github.com/topdossier/topdossier/internal/dossiertest"
	"github.com/topdossier/topdossier/internal/poll"
	"github.com/topdossier/topdossier/workflows"
)

// journeyShot keeps a screenshot of one step of a journey in .artifacts,
// named journey-<journey>-<step>.png, for people to look at, and checks
// the page with axe-core against WCAG 2.1 A and AA: any violation fails.
func journeyShot(t *testing.T, ctx context.Context, journey, step string) {
	t.Helper()
	checkAccessible(t, ctx, journey+"-"+step)
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s %s: %v", journey, step, err)
	}
	if err := os.WriteFile(filepath.Join(artifactsDir(t), fmt.Sprintf("journey-%s-%s.png", journey, step)), shot, 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkAccessible runs axe-core on the page in ctx at a desktop (1280)
// and a phone (390) width, then puts the window back as it was; every
// WCAG A/AA violation is an error naming the rule and the elements.
func checkAccessible(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	was, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[window.innerWidth, window.innerHeight, window.devicePixelRatio]`))
	if err != nil || len(was) != 3 {
		t.Fatalf("window size on %s: %v", what, err)
	}
	for _, width := range []int64{1280, 390} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 800)); err != nil {
			t.Fatal(err)
		}
		actx, cancel := context.WithTimeout(ctx, 30*time.Second)
		vs, err := browsertest.Axe(actx)
		cancel()
		if err != nil {
			t.Fatalf("axe on %s at %d px: %v", what, width, err)
		}
		for _, v := range vs {
			t.Errorf("%s at %d px: WCAG: %s", what, width, v)
		}
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(was[0]), int64(was[1]), chromedp.EmulateScale(was[2]))); err != nil {
		t.Fatal(err)
	}
}

// browserLogin signs a member of staff in, in a browser tab.
func browserLogin(t *testing.T, h *harness, ctx context.Context, email string) {
	t.Helper()
	err := chromedp.Do(ctx, chromedp.Navigate(h.http.URL+"/inloggen"),
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), testPassword+"\n"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="code"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="code"]`), h.code(t, email)+"\n"),
		chromedp.WaitVisible(chromedp.CSS("form.logout")))
	if err != nil {
		t.Fatalf("log in %s: %v", email, err)
	}
}

// within runs browser actions with their own time limit, so that the tab
// is still there to look at when they fail.
func within(ctx context.Context, d time.Duration, actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

// noSideways fails when the page in ctx scrolls sideways at its width.
func noSideways(t *testing.T, ctx context.Context, width int, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth"))
	if err != nil || got > width {
		wide, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](fmt.Sprintf(`[...document.querySelectorAll('body *')]
		  .filter(e => e.getBoundingClientRect().right > %d && !(e.parentElement && e.parentElement.closest('.table-scroll')))
		  .slice(-6).map(e => e.tagName.toLowerCase() + (e.name ? '[name=' + e.name + ']' : '') + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))`, width+1)))
		t.Errorf("%s is %d px wide on a %d px screen (err %v): %v", what, got, width, err, wide)
	}
}

// TestJourneyParentFromMail (issue 15, journey a): the IB'er offers the
// handelingsdeel; the mother, who has no account, gets a mail with one
// link; on her phone it activates her account (password, app code) and
// lands on the question, where she agrees. The IB'er sees her invited,
// then answered. Screenshots: .artifacts/journey-a-*.png.
func TestJourneyParentFromMail(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.DevMailbox = true })
	ctx := context.Background()
	lic := h.school.ID
	body := `{"given_name":"Lotte","family_name":"Reis","group_name":"5","birth_date":"2017-04-12","enrolled_on":"2021-08-23",
	  "guardians":[{"given_name":"Anne","family_name":"Reis","email":"anne@thuis.invalid","relation":"mother","parental_authority":true}]}`
	resp, out := h.do(t, "POST", "/api/v1/licences/"+lic.String()+"/pupils", "application/json", body)
	if resp.StatusCode != 201 {
		t.Fatalf("create pupil: %d %s", resp.StatusCode, out)
	}
	pupil := uuid.MustParse(out[strings.Index(out, `"id":"`)+6 : strings.Index(out, `"id":"`)+42])
	var d school.Dossier
	err := h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
		var err error
		d, err = dossiertest.Complete(ctx, school.New(pool), pupil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.srv.dossiers.Start(ctx, lic, d); err != nil {
		t.Fatal(err)
	}
	h.waitPhase(t, lic, d.ID, "observe")
	api := fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier", lic, pupil)
	for _, from := range []string{"observe", "understand"} {
		if resp, out := h.do(t, "POST", api+"/advance", "application/json", `{"request_id":"`+uuid.NewString()+`","from":"`+from+`"}`); resp.StatusCode != 200 {
			t.Fatalf("advance %s: %d %s", from, resp.StatusCode, out)
		}
	}
	h.waitPhase(t, lic, d.ID, "plan")

	// 1. The IB'er offers the handelingsdeel; the page says at once that it
	// waits for the parents, then that the mother was invited by mail.
	ib := browsertest.New(t, 90*time.Second)
	if err := chromedp.Do(ib, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	browserLogin(t, h, ib, "ib@linde.invalid")
	dossierPage := h.http.URL + dossierURL(lic, pupil)
	// (The plan's version 1 was agreed on before; the IB'er sharpens a goal
	// during the meeting and offers version 2.)
	err = within(ib, 20*time.Second, chromedp.Navigate(dossierPage),
		chromedp.WaitVisible(chromedp.CSS(`textarea[name="goal_0_goal"]`)),
		chromedp.SetValue(chromedp.CSS(`textarea[name="goal_0_goal"]`), "Tafels tot 10, vlot en zonder vingers"),
		chromedp.Click(chromedp.ID("save-action-part")), chromedp.WaitVisible(chromedp.CSS("p.notice")),
		chromedp.Click(chromedp.ID("offer")))
	if err == nil && !poll.Until(20*time.Second, func() bool {
		notice, _ := chromedp.Run(ib, chromedp.Text(chromedp.CSS("p.notice")))
		return strings.Contains(notice, "versie ter instemming")
	}) {
		err = fmt.Errorf("no notice of the offer")
	}
	if err != nil {
		journeyShot(t, ib, "a", "00-failed")
		t.Fatalf("offer: %v", err)
	}
	if text, _ := chromedp.Run(ib, chromedp.Text(chromedp.ID("instemming"))); !strings.Contains(text, "Wacht op de ouders") {
		t.Errorf("right after the offer the consent part says %q, want 'Wacht op de ouders'", text)
	}
	poll.Must(t, 30*time.Second, "the mother invited, on the IB'er's page", func() bool {
		if chromedp.Do(ib, chromedp.Navigate(dossierPage+"#instemming")) != nil {
			return false
		}
		text, _ := chromedp.Run(ib, chromedp.Text(chromedp.ID("instemming")))
		return strings.Contains(text, "Anne Reis") && strings.Contains(text, "uitgenodigd per mail")
	})
	journeyShot(t, ib, "a", "01-ib-aangeboden")

	// 2. The mail, in the school's outbox (the development mailbox).
	var link string
	err = chromedp.Do(ib, chromedp.Navigate(fmt.Sprintf("%s/licenties/%s/postvak", h.http.URL, lic)),
		chromedp.WaitVisible(chromedp.CSS(`article.mail a[href*="/activeren/"]`)))
	if err == nil {
		link, err = chromedp.Run(ib, chromedp.Evaluate[string](`document.querySelector('article.mail a[href*="/activeren/"]').href`))
	}
	if err != nil || !strings.Contains(link, "terug=") {
		t.Fatalf("no activation link that lands on the question in the mail (%q, err %v)", link, err)
	}
	mail, _ := chromedp.Run(ib, chromedp.Text(chromedp.CSS("article.mail")))
	if strings.Contains(mail, "Lotte") || !strings.Contains(mail, "Uw instemming gevraagd") {
		t.Errorf("the mail names the child or is not the consent question:\n%s", mail)
	}
	journeyShot(t, ib, "a", "02-postvak")

	// 3. On her phone: the link, a password, the app code, her codes, the
	// question.
	phone := browsertest.New(t, 3*time.Minute)
	password := "zomer aan zee met de fiets 7"
	err = chromedp.Do(phone, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`input[name="password2"]`)))
	if err != nil {
		t.Fatalf("open the link: %v", err)
	}
	noSideways(t, phone, 390, "the activation page")
	journeyShot(t, phone, "a", "03-activeren")
	err = chromedp.Do(phone, chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
		chromedp.SendKeys(chromedp.CSS(`input[name="password2"]`), password+"\n"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="code"]`)))
	if err != nil {
		t.Fatalf("set the password: %v", err)
	}
	noSideways(t, phone, 390, "the second step with the authenticator key")
	journeyShot(t, phone, "a", "04-app-code")
	secret, err := chromedp.Run(phone, chromedp.Text(chromedp.CSS("main ol code")))
	if err != nil || secret == "" {
		t.Fatalf("no authenticator key to set up (err %v)", err)
	}
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(phone, chromedp.SendKeys(chromedp.CSS(`input[name="code"]`), code+"\n"), chromedp.WaitVisible(chromedp.CSS("ul.codes")))
	if err != nil {
		t.Fatalf("the app code: %v", err)
	}
	journeyShot(t, phone, "a", "05-herstelcodes")
	err = chromedp.Do(phone, chromedp.Click(chromedp.CSS("main a.button")), chromedp.WaitVisible(chromedp.ID("answer")))
	if err != nil {
		t.Fatalf("on to the question: %v", err)
	}
	where, _ := chromedp.Run(phone, chromedp.Evaluate[string]("location.pathname + location.hash"))
	if where != fmt.Sprintf("/ouder/%s/%s#vraag", lic, pupil) {
		t.Errorf("after activating she is at %q, want the question on her child's plan", where)
	}
	noSideways(t, phone, 390, "the plan with the question")
	journeyShot(t, phone, "a", "06-vraag")
	err = chromedp.Do(phone, chromedp.Click(chromedp.CSS(`input[name="answer"][value="agree"]`)), chromedp.Click(chromedp.ID("answer")),
		chromedp.WaitVisible(chromedp.CSS("p.notice")))
	if err != nil {
		t.Fatalf("agree: %v", err)
	}
	if notice, _ := chromedp.Run(phone, chromedp.Text(chromedp.CSS("p.notice"))); !strings.Contains(notice, "uw antwoord is vastgelegd") {
		t.Errorf("after agreeing the page says %q", notice)
	}
	journeyShot(t, phone, "a", "07-akkoord")

	// 4. The IB'er sees her answer.
	if err := chromedp.Do(ib, chromedp.Navigate(dossierPage+"#instemming")); err != nil {
		t.Fatal(err)
	}
	text, _ := chromedp.Run(ib, chromedp.Text(chromedp.ID("instemming")))
	if !strings.Contains(text, "heeft geantwoord: akkoord") || !strings.Contains(text, "Instemming gegeven") {
		t.Errorf("the IB'er's page after her answer:\n%s", text)
	}
	journeyShot(t, ib, "a", "08-ib-instemming")
}

// TestJourneyFormKeepsTyped (issue 15, journey b, the groeidocument; the
// vote is in TestCommitteeInBrowser): a note with a date that cannot be
// right comes back with everything typed — kind, date, text — and the
// message beside the date; nothing is stored. Screenshot:
// .artifacts/journey-b-01-groeidocument-fout.png.
func TestJourneyFormKeepsTyped(t *testing.T) {
	h := newHarness(t)
	lic := h.school.ID
	pupil := h.createPupil(t, h.cookie, lic, "Typfout", "4")
	h.openDossier(t, h.cookie, lic, pupil)
	ctx := browsertest.New(t, 2*time.Minute)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	browserLogin(t, h, ctx, "ib@linde.invalid")
	note := "Gesprek met moeder: thuis leest hij elke avond een kwartier voor."
	err := within(ctx, 20*time.Second, chromedp.Navigate(h.http.URL+dossierURL(lic, pupil)),
		chromedp.WaitVisible(chromedp.CSS(`#groeidocument textarea[name="body"]`)),
		chromedp.SetValue(chromedp.CSS(`#groeidocument select[name="kind"]`), "conversation"),
		chromedp.SetValue(chromedp.CSS(`#groeidocument input[name="occurred_on"]`), "2001-01-01"),
		chromedp.SendKeys(chromedp.CSS(`#groeidocument textarea[name="body"]`), note))
	if err != nil {
		t.Fatalf("fill in the note: %v", err)
	}
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#groeidocument form button`)))
	if err != nil || resp.Status != 422 {
		t.Fatalf("a note dated 2001: %v %v, want 422", resp, err)
	}
	kind, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#groeidocument select[name="kind"]').value`))
	date, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#groeidocument input[name="occurred_on"]').value`))
	body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#groeidocument textarea[name="body"]').value`))
	beside, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#groeidocument input[name="occurred_on"]').closest('label').querySelector('.field-error').textContent`))
	if kind != "conversation" || date != "2001-01-01" || body != note || !strings.Contains(beside, "Deze datum kan niet kloppen") {
		t.Errorf("after the mistake: kind %q, date %q, text %q, beside the date %q", kind, date, body, beside)
	}
	// The mistake is tied to its field for assistive technology, and focus
	// moves to the summary, which links to the field (WCAG 3.3.1, 4.1.3).
	tied, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
	  const f = document.querySelector('#groeidocument input[name="occurred_on"]');
	  const msg = document.getElementById((f.getAttribute('aria-describedby') || '').split(' ').pop());
	  const summary = document.activeElement.closest('.error-summary');
	  return f.getAttribute('aria-invalid') === 'true' && !!msg && msg.textContent.includes('Deze datum kan niet kloppen') &&
	    !!summary && !!summary.querySelector('a[href="#' + f.id + '"]');
	})()`))
	if !tied {
		t.Error("the mistake is not tied to the date field, or focus is not on a summary that links to it")
	}
	journeyShot(t, ctx, "b", "01-groeidocument-fout")
	if page := h.page(t, dossierURL(lic, pupil)); strings.Contains(page, "thuis leest hij elke avond") && !strings.Contains(page, "Nog geen notities") {
		t.Error("the wrong note was stored")
	}
}

// TestJourneyExpertToDo (issue 15, journey c): an expert asked to advise
// finds it on their home page, follows it to the request, gives the advice
// with its conclusion, and the form and the to-do are gone. An advice
// without a conclusion is refused with the message beside it. Screenshots:
// .artifacts/journey-c-*.png.
func TestJourneyExpertToDo(t *testing.T) {
	h := newHarness(t)
	f := newSWVFixture(t, h)
	_, _, _, r := submittedTLV(t, h, f, "Deskundig")
	if status, out := f.act(t, h, r, "directeur@swv.invalid", "/intake", "accept", "1"); status != 303 {
		t.Fatalf("intake: %d %s", status, out)
	}
	for _, e := range []string{"ortho@swv.invalid", "psy@swv.invalid"} {
		if status, out := f.act(t, h, r, "directeur@swv.invalid", "/deskundige", "expert", userID(t, h, e).String()); status != 303 {
			t.Fatalf("ask %s: %d %s", e, status, out)
		}
	}
	if status, out := f.act(t, h, r, "psy@swv.invalid", "/advies", "advice", "Zonder conclusie."); status != 422 || !strings.Contains(out, "Kies uw conclusie") ||
		!strings.Contains(out, "Zonder conclusie.") {
		t.Errorf("advice without a conclusion: %d, want 422 with the text kept", status)
	}
	if _, home := f.as(t, h, "lid@swv.invalid", "GET", "/"); strings.Contains(home, "Advies gevraagd") {
		t.Error("a committee member who was not asked has the advice on their to-do list")
	}

	ctx := browsertest.New(t, 2*time.Minute)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	browserLogin(t, h, ctx, "ortho@swv.invalid")
	err := within(ctx, 20*time.Second, chromedp.Navigate(h.http.URL+"/"), chromedp.WaitVisible(chromedp.CSS("ul.todo-advice a")))
	if err != nil {
		t.Fatalf("the to-do list on the home page: %v", err)
	}
	todo, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("ul.todo-advice")))
	if !strings.Contains(todo, "Deskundig Aanvraag") || !strings.Contains(todo, "nog niet op een vergadering") {
		t.Errorf("the to-do says %q", todo)
	}
	journeyShot(t, ctx, "c", "01-te-doen")
	advice := "Een kleine groep met vaste structuur is nodig; de reguliere school heeft dat geprobeerd."
	err = within(ctx, 20*time.Second, chromedp.Click(chromedp.CSS("ul.todo-advice a")), chromedp.WaitVisible(chromedp.ID("advies")),
		chromedp.Click(chromedp.CSS(`#advies input[name="outcome"][value="positief"]`)),
		chromedp.SendKeys(chromedp.CSS(`#advies textarea[name="advice"]`), advice))
	if err != nil {
		t.Fatalf("to the advice: %v", err)
	}
	journeyShot(t, ctx, "c", "02-advies")
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("#advies button")))
	if err != nil || resp.Status != 200 {
		t.Fatalf("advise: %v %v", resp, err)
	}
	main, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	gone, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('advies') === null`))
	if !gone || !strings.Contains(main, "conclusie positief (toekennen)") || !strings.Contains(main, advice) {
		t.Errorf("after advising: form gone %v, page shows the advice with its conclusion: %v", gone, strings.Contains(main, advice))
	}
	journeyShot(t, ctx, "c", "03-gegeven")
	if err := within(ctx, 20*time.Second, chromedp.Navigate(h.http.URL+"/"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('ul.todo-advice li').length`)); n != 0 {
		t.Errorf("%d advices still on the to-do list after advising", n)
	}
}

// TestJourneyLeaving (issue 15, journey d): the IB'er plans a pupil's
// leaving for tomorrow; the page first says what will happen, then that it
// is planned, and nothing stops yet. When the day comes (here: the plan
// moved to today and its process started again, as after a restart) the
// process records the leaving: the dossier is closed where it stood, the
// page says so and ticks only the phases done; actions that no longer
// apply are gone. Screenshots: .artifacts/journey-d-*.png.
func TestJourneyLeaving(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	lic := h.school.ID
	pupil := h.createPupil(t, h.cookie, lic, "Vertrek", "7")
	dossierID := h.openDossier(t, h.cookie, lic, pupil)
	h.addGrowth(t, h.cookie, lic, pupil, "Leest vlot voor")
	api := fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier", lic, pupil)
	if resp, out := h.do(t, "POST", api+"/advance", "application/json", `{"request_id":"`+uuid.NewString()+`","from":"observe"}`); resp.StatusCode != 200 {
		t.Fatalf("advance: %d %s", resp.StatusCode, out)
	}
	h.waitPhase(t, lic, dossierID, "understand")

	browser := browsertest.New(t, 2*time.Minute)
	if err := chromedp.Do(browser, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	browserLogin(t, h, browser, "ib@linde.invalid")
	pupilPage := h.http.URL + fmt.Sprintf("/licenties/%s/leerlingen/%s", lic, pupil)
	tomorrow := time.Now().In(h.srv.location).AddDate(0, 0, 1)
	err := within(browser, 20*time.Second, chromedp.Navigate(pupilPage), chromedp.Click(chromedp.CSS("#uitschrijven summary")),
		chromedp.SetValue(chromedp.CSS(`#uitschrijven input[name="left_on"]`), tomorrow.Format("2006-01-02")),
		chromedp.Click(chromedp.ID("uitschrijven-start")), chromedp.WaitVisible(chromedp.ID("uitschrijven-bevestigen")))
	if err != nil {
		t.Fatalf("to the confirmation: %v", err)
	}
	confirm, _ := chromedp.Run(browser, chromedp.Text(chromedp.ID("uitschrijven-bevestigen")))
	for _, want := range []string{"Uitschrijving plannen op " + tomorrow.Format("02-01-2006"), "Het open dossier sluit (nu in de fase Begrijpen)",
		"Het dossier wordt verwijderd op " + tomorrow.AddDate(2, 0, 0).Format("02-01-2006")} {
		if !strings.Contains(confirm, want) {
			t.Errorf("the confirmation lacks %q:\n%s", want, confirm)
		}
	}
	journeyShot(t, browser, "d", "01-bevestigen")
	err = within(browser, 20*time.Second, chromedp.Click(chromedp.ID("uitschrijven-ja")), chromedp.WaitVisible(chromedp.ID("uitschrijving-gepland")))
	if err != nil {
		t.Fatalf("confirm: %v", err)
	}
	journeyShot(t, browser, "d", "02-gepland")
	if _, out := h.do(t, "GET", api, "", ""); !strings.Contains(out, `"phase":"understand"`) {
		t.Errorf("the dossier stopped before the day: %s", out)
	}

	// The day comes.
	err = h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
		_, err := pool.Exec(ctx, `UPDATE pupil SET leaving_on = current_date WHERE id = $1`, pupil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := workflows.StartLeaving(ctx, h.srv.temporal, workflows.LeavingInput{LicenceID: lic.String(), PupilID: pupil.String(),
		RequestID: uuid.NewString()}); err != nil {
		t.Fatal(err)
	}
	poll.Must(t, 30*time.Second, "the planned leaving carried out", func() bool {
		_, out := h.do(t, "GET", api, "", "")
		return strings.Contains(out, `"phase":"closed"`)
	})
	closed := "Dit dossier is gesloten in Begrijpen op " + time.Now().In(h.srv.location).Format("02-01-2006") + ", reden: uitgeschreven"
	err = within(browser, 20*time.Second, chromedp.Navigate(h.http.URL+dossierURL(lic, pupil)), chromedp.WaitVisible(chromedp.ID("gesloten")))
	if err != nil {
		t.Fatal(err)
	}
	notice, _ := chromedp.Run(browser, chromedp.Text(chromedp.ID("gesloten")))
	done, _ := chromedp.Run(browser, chromedp.Evaluate[int](`document.querySelectorAll('.processbar li.done').length`))
	stopped, _ := chromedp.Run(browser, chromedp.Evaluate[string](`document.querySelector('.processbar li.stopped')?.textContent ?? ''`))
	if !strings.Contains(notice, closed) || done != 1 || !strings.Contains(stopped, "Begrijpen") {
		t.Errorf("the closed dossier: %q, %d phases done (want 1: Waarnemen), stopped in %q", notice, done, stopped)
	}
	journeyShot(t, browser, "d", "03-dossier-gesloten")
	err = within(browser, 20*time.Second, chromedp.Navigate(pupilPage), chromedp.WaitVisible(chromedp.CSS("h1")))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := chromedp.Run(browser, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(page, "Uitgeschreven") || strings.Contains(page, "Uitnodigen voor het ouderportaal") || strings.Contains(page, "Uitschrijven") {
		t.Errorf("after leaving the pupil page still offers what no longer applies:\n%s", page)
	}
	journeyShot(t, browser, "d", "04-leerling-uitgeschreven")
}

// TestJourneyLASImport: the school admin reads the LAS's export in the
// browser: chooses the file, sees what it changes, confirms, and finds
// the pupils in the list (screenshots in .artifacts).
func TestJourneyLASImport(t *testing.T) {
	h := newHarness(t)
	lic := h.school.ID
	h.user(t, "directie@linde.invalid", "staff", member{auth.RoleSchoolAdmin, &lic})
	file := filepath.Join(t.TempDir(), "export.xml")
	if err := os.WriteFile(file, []byte(edexml(t, "<voorletters-1>IH</voorletters-1>",
		"<voorletters-1>IH</voorletters-1><geboortedatum>2007-01-02</geboortedatum>")), 0o600); err != nil {
		t.Fatal(err)
	}
	browser := browsertest.New(t, 2*time.Minute)
	if err := chromedp.Do(browser, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	browserLogin(t, h, browser, "directie@linde.invalid")
	err := within(browser, 20*time.Second, chromedp.Navigate(h.http.URL+"/"),
		chromedp.Click(chromedp.CSS(`a[href$="/leerlingadministratie"]`)), chromedp.WaitVisible(chromedp.CSS(`input[name="file"]`)),
		chromedp.SetUploadFiles(chromedp.CSS(`input[name="file"]`), []string{file}),
		chromedp.Click(chromedp.Search(`//button[normalize-space()="Inlezen en bekijken"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Wat deze import verandert"]`)))
	if err != nil {
		t.Fatalf("to the preview: %v", err)
	}
	preview, _ := chromedp.Run(browser, chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"2 nieuwe leerlingen", "Wimpie", "Ismaël Assati", "al uitgeschreven in de leerlingadministratie"} {
		if !strings.Contains(preview, want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	journeyShot(t, browser, "las", "01-voorstel")
	err = within(browser, 20*time.Second, chromedp.Click(chromedp.Search(`//button[normalize-space()="Verwerken"]`)),
		chromedp.WaitVisible(chromedp.Search(`//p[normalize-space()="De import is verwerkt."]`)))
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	journeyShot(t, browser, "las", "02-verwerkt")
	err = within(browser, 20*time.Second, chromedp.Navigate(h.http.URL+fmt.Sprintf("/licenties/%s/leerlingen", lic)),
		chromedp.WaitVisible(chromedp.CSS("h1")))
	if err != nil {
		t.Fatal(err)
	}
	list, _ := chromedp.Run(browser, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(list, "Wimpie") || !strings.Contains(list, "Assati") {
		t.Errorf("the pupils are not in the list:\n%s", list)
	}
}
