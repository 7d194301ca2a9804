package server

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pquerna/otp/totp"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/internal/browsertest"
	"github.com/topdossier/topdossier/internal/dossiertest"
	"github.com/topdossier/topdossier/internal/poll"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/store"
)

// TestPortalGuardianConsents: the school invites a mother to the portal;
// she logs in, reads the plan, answers the consent question herself, and
// the dossier may go on to realiseren. Another guardian account sees
// nothing of this child.
func TestPortalGuardianConsents(t *testing.T) {
	h := newHarness(t)
	lic, pupil := portalFixture(t, h)
	api := fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier", lic, pupil)
	h.user(t, "andere@thuis.invalid", "guardian")

	// She logs in and sees her child, the plan and the question.
	mother := h.login(t, "mirjam@thuis.invalid")
	child := fmt.Sprintf("/ouder/%s/%s", lic, pupil)
	// Her first screen is her child: home and the portal lead straight to
	// the plan; the list is one link back.
	for _, first := range []string{"/", "/ouder"} {
		if resp, _ := h.doAs(t, mother, "GET", first, "", ""); resp.StatusCode != 303 ||
			(first == "/ouder" && resp.Header.Get("Location") != child) || (first == "/" && resp.Header.Get("Location") != "/ouder") {
			t.Errorf("GET %s: %d to %q, want the way to her child's plan", first, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	_, home := h.doAs(t, mother, "GET", "/ouder?alle=1", "", "")
	if !strings.Contains(home, "Noah Portaal") || !strings.Contains(home, "Basisschool De Linde") {
		t.Fatalf("portal home lacks the child:\n%s", home)
	}
	var plan string
	poll.Must(t, 20*time.Second, "the question on the portal", func() bool {
		_, plan = h.doAs(t, mother, "GET", child, "", "")
		return strings.Contains(plan, "De school vraagt uw instemming")
	})
	if !strings.Contains(plan, "Tafels tot 10, vlot en zonder vingers") || !strings.Contains(plan, "Vmbo kaderberoepsgerichte leerweg") {
		t.Errorf("portal does not show the offered handelingsdeel and perspective")
	}
	if !strings.Contains(plan, "Test ib") {
		t.Errorf("'wie heeft het dossier bekeken' does not name the IB'er")
	}
	answer := func(a, remark string) (*http.Response, string) {
		return h.doAs(t, mother, "POST", child+"/instemming", formType, form("request_id", uuid.NewString(), "version", "2",
			"answer", a, "remark", remark))
	}
	if resp, out := answer("disagree", ""); resp.StatusCode != 422 || !strings.Contains(out, "Schrijf bij niet akkoord op waarom") {
		t.Errorf("niet akkoord without a reason: %d", resp.StatusCode)
	}
	if resp, _ := answer("agree", ""); resp.StatusCode != 303 {
		t.Fatalf("agree: %d", resp.StatusCode)
	}
	if _, out := h.doAs(t, mother, "GET", child+"?beantwoord=1", "", ""); !strings.Contains(out, "uw antwoord is vastgelegd") ||
		strings.Contains(out, `id="answer"`) {
		t.Errorf("after answering: want the thanks and no open question")
	}

	// Her consent lets the school go on to realiseren.
	if resp, out := h.do(t, "POST", api+"/advance", "application/json", `{"request_id":"`+uuid.NewString()+`","from":"plan"}`); resp.StatusCode != 200 ||
		!strings.Contains(out, `"phase":"realise"`) {
		t.Fatalf("advance plan after her consent: %d %s", resp.StatusCode, out)
	}
	// Her AVG copy: everything as JSON, and as PDF, both logged.
	if resp, body := h.doAs(t, mother, "GET", child+"/gegevens.json", "", ""); resp.StatusCode != 200 ||
		!strings.Contains(body, `"GivenName": "Noah"`) || !strings.Contains(body, "Tafels tot 10, vlot en zonder vingers") ||
		!strings.Contains(body, `"logbook"`) || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("AVG copy as JSON: %d", resp.StatusCode)
	}
	// The PDF: the plan, then the appendix with the rest of what is kept.
	text := strings.Join(strings.Fields(h.pdfTextAs(t, mother, child+"/gegevens.pdf")), " ")
	for _, want := range []string{"Ontwikkelingsperspectiefplan", "Tafels tot 10, vlot en zonder vingers",
		"Bijlage: alle gegevens die de school over de leerling bewaart", "Mirjam Portaal · moeder · met ouderlijk gezag · mirjam@thuis.invalid",
		"Instemming met het handelingsdeel", "Logboek: wie de gegevens zag of wijzigde"} {
		if !strings.Contains(text, want) {
			t.Errorf("the AVG copy as PDF lacks %q", want)
		}
	}
	lines := h.logbookActions(t, lic, pupil)
	for _, want := range []string{"share portal_invitation", "view dossier", "consent consent_response", "export avg_copy_json", "export avg_copy_pdf"} {
		if !strings.Contains(lines, want) {
			t.Errorf("logbook lacks %q", want)
		}
	}
	if n := logbookCount(t, h, lic); n == 0 {
		t.Error("logbook chain does not verify")
	}

	// Another guardian's account sees nothing of this child.
	other := h.login(t, "andere@thuis.invalid")
	if resp, out := h.doAs(t, other, "GET", child, "", ""); resp.StatusCode != 404 || strings.Contains(out, "Noah") {
		t.Errorf("unlinked guardian: %d", resp.StatusCode)
	}
	if _, out := h.doAs(t, other, "GET", "/ouder", "", ""); strings.Contains(out, "Noah") {
		t.Errorf("unlinked guardian's portal lists the child")
	}
}

// portalFixture: a pupil whose mother (mirjam@thuis.invalid, with an
// account) is invited to the portal, and whose dossier in plannen has
// handelingsdeel version 2 waiting for her answer.
func portalFixture(t *testing.T, h *harness) (uuid.UUID, uuid.UUID) {
	t.Helper()
	lic := h.school.ID
	body := `{"given_name":"Noah","family_name":"Portaal","group_name":"4","birth_date":"2018-02-03","enrolled_on":"2023-08-21",
	  "guardians":[{"given_name":"Mirjam","family_name":"Portaal","email":"mirjam@thuis.invalid","relation":"mother","parental_authority":true}]}`
	resp, out := h.do(t, "POST", "/api/v1/licences/"+lic.String()+"/pupils", "application/json", body)
	if resp.StatusCode != 201 {
		t.Fatalf("create pupil: %d %s", resp.StatusCode, out)
	}
	pupil := uuid.MustParse(regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(out)[1])
	h.user(t, "mirjam@thuis.invalid", "guardian")

	// The IB'er invites her from the pupil page.
	page := h.page(t, fmt.Sprintf("/licenties/%s/leerlingen/%s", lic, pupil))
	invite := regexp.MustCompile(`action="([^"]+/uitnodigen)"`).FindStringSubmatch(page)
	if invite == nil {
		t.Fatal("no invite button for the guardian")
	}
	if resp, _ := h.do(t, "POST", invite[1], formType, ""); resp.StatusCode != 303 {
		t.Fatalf("invite: %d", resp.StatusCode)
	}

	awaitConsent(t, h, lic, pupil, "mirjam@thuis.invalid")
	return lic, pupil
}

// TestPortalOnPhone: the mother answers on a phone-sized screen (390×844)
// in headless Chromium: login with password and app code, her child, the
// question, akkoord; screenshot kept in .artifacts.
func TestPortalOnPhone(t *testing.T) {
	h := newHarness(t)
	lic, pupil := portalFixture(t, h)
	ctx := browsertest.New(t, 2*time.Minute)
	err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		chromedp.Navigate(h.http.URL+"/inloggen"),
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), "mirjam@thuis.invalid"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), testPassword+"\n"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="code"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="code"]`), h.code(t, "mirjam@thuis.invalid")+"\n"),
		chromedp.WaitVisible(chromedp.ID("answer")), // her first screen is her child's plan
	)
	if err != nil {
		t.Fatalf("log in and open the question: %v", err)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth"))
	if err != nil || width > 390 {
		wide, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 392).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))`))
		t.Errorf("page is %d px wide on a 390 px phone (err %v): %v", width, err, wide)
	}
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`input[name="answer"][value="agree"]`)),
		chromedp.Click(chromedp.ID("answer")))
	if err != nil || resp.Status != 200 {
		t.Fatalf("answer: %v %v", resp, err)
	}
	notice, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("p.notice")))
	if err != nil || !strings.Contains(notice, "uw antwoord is vastgelegd") {
		t.Errorf("after answering the page says %q (err %v)", notice, err)
	}
	checkAccessible(t, ctx, "the portal on a phone")
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(artifactsDir(t), "ouderportaal-390x844.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
	api := fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier", lic, pupil)
	if resp, out := h.do(t, "POST", api+"/advance", "application/json", `{"request_id":"`+uuid.NewString()+`","from":"plan"}`); resp.StatusCode != 200 {
		t.Errorf("advance after her answer on the phone: %d %s", resp.StatusCode, out)
	}
}

// TestPortalInviteNewGuardian: a guardian without an account gets a mail
// with a one-time activation link; it sets her password once, and a second
// invitation tells her to log in instead.
func TestPortalInviteNewGuardian(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	lic := h.school.ID
	body := `{"given_name":"Lina","family_name":"Nieuw","group_name":"2","birth_date":"2019-02-03","enrolled_on":"2024-08-21",
	  "guardians":[{"given_name":"Sara","family_name":"Nieuw","email":"sara@thuis.invalid","relation":"mother","parental_authority":true}]}`
	resp, out := h.do(t, "POST", "/api/v1/licences/"+lic.String()+"/pupils", "application/json", body)
	if resp.StatusCode != 201 {
		t.Fatalf("create pupil: %d %s", resp.StatusCode, out)
	}
	pupil := uuid.MustParse(regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(out)[1])
	invite := func() string {
		t.Helper()
		page := h.page(t, fmt.Sprintf("/licenties/%s/leerlingen/%s", lic, pupil))
		m := regexp.MustCompile(`action="([^"]+/uitnodigen)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatal("no invite button")
		}
		if resp, _ := h.do(t, "POST", m[1], formType, ""); resp.StatusCode != 303 {
			t.Fatalf("invite: %d", resp.StatusCode)
		}
		var mails []school.MailOutbox
		err := h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
			var err error
			mails, err = school.New(pool).ListOutbox(ctx, 1)
			return err
		})
		if err != nil || len(mails) != 1 || mails[0].ToAddress != "sara@thuis.invalid" {
			t.Fatalf("outbox %+v (err %v)", mails, err)
		}
		return mails[0].Body
	}
	first := invite()
	link := regexp.MustCompile(`https?://[^/]+(/activeren/\S+)`).FindStringSubmatch(first)
	if link == nil {
		t.Fatalf("invitation without an activation link:\n%s", first)
	}
	if _, page := h.doAs(t, "", "GET", link[1], "", ""); !strings.Contains(page, "sara@thuis.invalid") {
		t.Fatalf("activation page does not name her address")
	}
	pw := form("password", "paarse olifant fietst naar huis", "password2", "paarse olifant fietst naar huis")
	if resp, _ := h.doAs(t, "", "POST", link[1], formType, pw); resp.StatusCode != 303 {
		t.Fatalf("activate: %d", resp.StatusCode)
	}
	if resp, _ := h.doAs(t, "", "POST", link[1], formType, pw); resp.StatusCode != 404 {
		t.Errorf("activation link used twice: %d, want 404", resp.StatusCode)
	}
	if second := invite(); strings.Contains(second, "/activeren/") || !strings.Contains(second, "U heeft al een account") {
		t.Errorf("second invitation:\n%s\nwant a login hint, no new link", second)
	}
}

// awaitConsent opens a dossier in plannen for the pupil whose
// handelingsdeel version 2 waits for an answer, and waits until the
// consent question is in the outbox for each address (the portal
// invitation, if any, is there too).
func awaitConsent(t *testing.T, h *harness, lic, pupil uuid.UUID, addresses ...string) {
	t.Helper()
	ctx := context.Background()
	var d school.Dossier
	err := h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		var err error
		if d, err = dossiertest.Complete(ctx, q, pupil); err != nil {
			return err
		}
		sec, err := q.GetSection(ctx, school.GetSectionParams{DossierID: d.ID, Cycle: 1, Section: plan.SectionActionPart})
		if err != nil {
			return err
		}
		content := strings.Replace(string(sec.Content), "Tafels tot 10", "Tafels tot 10, vlot en zonder vingers", 1)
		if _, err := q.SaveSection(ctx, school.SaveSectionParams{DossierID: d.ID, Cycle: 1, Section: plan.SectionActionPart,
			Content: []byte(content), Version: sec.Version}); err != nil {
			return err
		}
		_, err = q.FreezeActionPart(ctx, school.FreezeActionPartParams{DossierID: d.ID, Cycle: 1})
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
	if err := h.srv.dossiers.StartConsent(ctx, lic, d, 2); err != nil {
		t.Fatal(err)
	}
	for _, addr := range addresses {
		poll.Must(t, 20*time.Second, "the consent question to "+addr, func() bool {
			for _, m := range outboxTo(t, h, lic, addr) {
				if strings.Contains(m.Subject, "instemming") || strings.Contains(m.Subject, "plan vindt") {
					return true
				}
			}
			return false
		})
	}
}

// outboxTo lists the mails in the school's outbox to addr.
func outboxTo(t *testing.T, h *harness, lic uuid.UUID, addr string) []school.MailOutbox {
	t.Helper()
	ctx := context.Background()
	var out []school.MailOutbox
	err := h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
		mails, err := school.New(pool).ListOutbox(ctx, 100)
		for _, m := range mails {
			if m.ToAddress == addr {
				out = append(out, m)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPortalPupilOwnAccount: a pupil of 17 gets their own portal account
// from the enrolment workflow, with no staff action; they read their plan
// and give their view, which does not decide while the mother does. A
// pupil of 15 cannot be invited yet. A father without parental authority
// reads the plan only where the school allows it, and is never asked.
func TestPortalPupilOwnAccount(t *testing.T) {
	h := newHarness(t)
	lic := h.school.ID
	today := time.Now()
	born := today.AddDate(-17, -2, 0).Format("2006-01-02")
	body := `{"given_name":"Daan","family_name":"Zeventien","group_name":"5h","birth_date":"` + born + `","enrolled_on":"2022-08-22",
	  "email":"Daan@Leerling.invalid",
	  "guardians":[{"given_name":"Eva","family_name":"Zeventien","email":"eva@thuis.invalid","relation":"mother","parental_authority":true},
	               {"given_name":"Karel","family_name":"Zeventien","email":"karel@thuis.invalid","relation":"father","parental_authority":false}]}`
	resp, out := h.do(t, "POST", "/api/v1/licences/"+lic.String()+"/pupils", "application/json", body)
	if resp.StatusCode != 201 {
		t.Fatalf("create pupil: %d %s", resp.StatusCode, out)
	}
	pupil := uuid.MustParse(regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(out)[1])

	// The enrolment workflow invites Daan on its own: he is past 16.
	var invitation string
	poll.Must(t, 20*time.Second, "Daan's own invitation", func() bool {
		for _, m := range outboxTo(t, h, lic, "daan@leerling.invalid") {
			invitation = m.Body
		}
		return invitation != ""
	})
	link := regexp.MustCompile(`https?://[^/]+(/activeren/\S+)`).FindStringSubmatch(invitation)
	if link == nil || !strings.HasPrefix(invitation, "Hoi Daan") {
		t.Fatalf("pupil invitation:\n%s", invitation)
	}
	if resp, _ := h.doAs(t, "", "POST", link[1], formType, form("password", testPassword, "password2", testPassword)); resp.StatusCode != 303 {
		t.Fatalf("activate: %d", resp.StatusCode)
	}
	var daanID uuid.UUID
	if err := h.platform.Pool.QueryRow(context.Background(), "SELECT id FROM app_user WHERE email = 'daan@leerling.invalid' AND kind = 'pupil'").Scan(&daanID); err != nil {
		t.Fatal(err)
	}
	h.setTOTP(t, daanID)

	h.user(t, "eva@thuis.invalid", "guardian")
	h.user(t, "karel@thuis.invalid", "guardian")
	pupilPage := h.page(t, fmt.Sprintf("/licenties/%s/leerlingen/%s", lic, pupil))
	invites := regexp.MustCompile(`action="([^"]+/ouders/[^"]+/uitnodigen)"`).FindAllStringSubmatch(pupilPage, -1)
	if len(invites) != 2 || !strings.Contains(pupilPage, "Eigen account van de leerling") {
		t.Fatalf("pupil page: %d invite buttons, own-account section %v", len(invites), strings.Contains(pupilPage, "Eigen account van de leerling"))
	}
	// Eva is invited; Karel, without authority, not while the school
	// does not share the plan with guardians without authority.
	var karelInvite string
	for _, inv := range invites {
		resp, out := h.do(t, "POST", inv[1], formType, "")
		switch {
		case resp.StatusCode == 303:
		case resp.StatusCode == 422 && strings.Contains(out, "geen gezag"):
			karelInvite = inv[1]
		default:
			t.Errorf("invite: %d %s", resp.StatusCode, out)
		}
	}
	if karelInvite == "" || len(outboxTo(t, h, lic, "karel@thuis.invalid")) != 0 {
		t.Fatal("the guardian without authority was invited")
	}
	awaitConsent(t, h, lic, pupil, "eva@thuis.invalid", "daan@leerling.invalid")

	// Daan reads his own plan and gives his view.
	daan := h.login(t, "daan@leerling.invalid")
	if _, home := h.doAs(t, daan, "GET", "/ouder?alle=1", "", ""); !strings.Contains(home, "Mijn plan") || !strings.Contains(home, "Daan Zeventien") {
		t.Fatalf("pupil portal home:\n%s", home)
	}
	own := fmt.Sprintf("/ouder/%s/%s", lic, pupil)
	_, plan := h.doAs(t, daan, "GET", own, "", "")
	if !strings.Contains(plan, "Wat vind jij van dit plan?") || !strings.Contains(plan, "Tafels tot 10, vlot en zonder vingers") {
		t.Fatalf("pupil's plan page lacks the question or the goals")
	}
	if resp, out := h.doAs(t, daan, "POST", own+"/instemming", formType, form("request_id", uuid.NewString(), "version", "2", "answer", "agree")); resp.StatusCode != 303 {
		t.Fatalf("pupil answers: %d %s", resp.StatusCode, out)
	}
	if _, out := h.doAs(t, daan, "GET", own+"?beantwoord=1", "", ""); !strings.Contains(out, "je antwoord is vastgelegd") {
		t.Errorf("pupil's thanks missing")
	}
	api := fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier", lic, pupil)
	if resp, out := h.do(t, "POST", api+"/advance", "application/json", `{"request_id":"`+uuid.NewString()+`","from":"plan"}`); resp.StatusCode != 422 {
		t.Errorf("advance after only the pupil's view (the mother decides): %d %s", resp.StatusCode, out)
	}
	lines := h.logbookActions(t, lic, pupil)
	for _, want := range []string{"process pupil_portal_invitation", "view dossier", "consent consent_response"} {
		if !strings.Contains(lines, want) {
			t.Errorf("logbook lacks %q:\n%s", want, lines)
		}
	}

	// Karel: once the school allows it he is invited and reads the plan,
	// but is never asked; when the school stops sharing, he sees why.
	h.user(t, "directie@linde.invalid", "staff", member{auth.RoleSchoolAdmin, &lic})
	admin := h.login(t, "directie@linde.invalid")
	if resp, _ := h.do(t, "POST", "/licenties/"+lic.String()+"/instellingen", formType, form("view_without_authority", "1")); resp.StatusCode != 404 {
		t.Errorf("the IB'er changes the school's settings: %d, want 404", resp.StatusCode)
	}
	setting := func(on string) {
		t.Helper()
		if resp, _ := h.doAs(t, admin, "POST", "/licenties/"+lic.String()+"/instellingen", formType, form("view_without_authority", on)); resp.StatusCode != 303 {
			t.Fatalf("school setting: %d", resp.StatusCode)
		}
	}
	setting("1")
	if _, page := h.doAs(t, admin, "GET", "/licenties/"+lic.String()+"/instellingen?opgeslagen=1", "", ""); !strings.Contains(page, "zijn opgeslagen") ||
		!strings.Contains(page, `value="1" checked`) {
		t.Errorf("settings page does not show the saved choice")
	}
	if resp, _ := h.do(t, "POST", karelInvite, formType, ""); resp.StatusCode != 303 {
		t.Fatalf("invite Karel once the school shares: %d", resp.StatusCode)
	}
	karel := h.login(t, "karel@thuis.invalid")
	resp, plan = h.doAs(t, karel, "GET", own, "", "")
	if resp.StatusCode != 200 || !strings.Contains(plan, "Tafels tot 10") || strings.Contains(plan, `id="answer"`) {
		t.Errorf("father without authority, school sharing: %d, question shown %v", resp.StatusCode, strings.Contains(plan, `id="answer"`))
	}
	if resp, _ := h.doAs(t, karel, "POST", own+"/instemming", formType, form("request_id", uuid.NewString(), "version", "2", "answer", "agree")); resp.StatusCode != 404 {
		t.Errorf("answer by a guardian without authority: %d, want 404", resp.StatusCode)
	}
	if resp, _ := h.doAs(t, karel, "GET", own+"/gegevens.json", "", ""); resp.StatusCode != 404 {
		t.Errorf("AVG copy for a guardian without authority: %d, want 404", resp.StatusCode)
	}
	if resp, body := h.doAs(t, daan, "GET", own+"/gegevens.json", "", ""); resp.StatusCode != 200 || !strings.Contains(body, "Daan") {
		t.Errorf("the pupil's own AVG copy: %d", resp.StatusCode)
	}
	setting("0")
	if resp, out := h.doAs(t, karel, "GET", own, "", ""); resp.StatusCode != 404 || strings.Contains(out, "Tafels") {
		t.Errorf("father without authority, school not sharing: %d", resp.StatusCode)
	}
	if _, out := h.doAs(t, karel, "GET", "/ouder", "", ""); !strings.Contains(out, "alleen met ouders met gezag") {
		t.Errorf("his portal home does not say why the plan is closed")
	}

	// A pupil of 15 cannot have an account yet; no mail is written.
	body = strings.NewReplacer("Daan", "Fenna", "Zeventien", "Vijftien", born, today.AddDate(-15, 0, 0).Format("2006-01-02"),
		"daan@leerling", "fenna@leerling", "eva@", "eva15@", "karel@", "karel15@").Replace(body)
	resp, out = h.do(t, "POST", "/api/v1/licences/"+lic.String()+"/pupils", "application/json", body)
	if resp.StatusCode != 201 {
		t.Fatalf("create pupil: %d %s", resp.StatusCode, out)
	}
	young := regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(out)[1]
	resp, out = h.do(t, "POST", fmt.Sprintf("/licenties/%s/leerlingen/%s/leerlingportaal", lic, young), formType, form("email", "fenna@leerling.invalid"))
	if resp.StatusCode != 422 || !strings.Contains(out, "vanaf 16 jaar") {
		t.Errorf("invite a pupil of 15: %d", resp.StatusCode)
	}
	if n := len(outboxTo(t, h, lic, "fenna@leerling.invalid")); n != 0 {
		t.Errorf("%d mails to a pupil of 15", n)
	}
}

// TestPortalPupilOnPhoneWithPasskey: a pupil of 17, invited by the
// enrolment workflow, does everything on a phone-sized screen (390×844) in
// headless Chromium: activation link, password, authenticator app, a
// passkey (virtual authenticator), logging in again with the passkey
// alone, and their answer to the question. Screenshot kept in .artifacts.
func TestPortalPupilOnPhoneWithPasskey(t *testing.T) {
	h := newHarness(t)
	base := strings.Replace(h.http.URL, "127.0.0.1", "localhost", 1)
	h.srv.cfg.WebAuthn = WebAuthnConfig{RPID: "localhost", Origins: []string{base}}
	lic := h.school.ID
	body := `{"given_name":"Sem","family_name":"Telefoon","group_name":"4v","birth_date":"` + time.Now().AddDate(-17, 0, -10).Format("2006-01-02") +
		`","enrolled_on":"2022-08-22","email":"sem@leerling.invalid",
	  "guardians":[{"given_name":"Iris","family_name":"Telefoon","email":"iris@thuis.invalid","relation":"mother","parental_authority":true}]}`
	resp, out := h.do(t, "POST", "/api/v1/licences/"+lic.String()+"/pupils", "application/json", body)
	if resp.StatusCode != 201 {
		t.Fatalf("create pupil: %d %s", resp.StatusCode, out)
	}
	pupil := uuid.MustParse(regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(out)[1])
	var link []string
	poll.Must(t, 20*time.Second, "Sem's invitation", func() bool {
		for _, m := range outboxTo(t, h, lic, "sem@leerling.invalid") {
			link = regexp.MustCompile(`https?://[^/]+(/activeren/\S+)`).FindStringSubmatch(m.Body)
		}
		return link != nil
	})
	awaitConsent(t, h, lic, pupil, "iris@thuis.invalid", "sem@leerling.invalid")

	ctx := browsertest.New(t, 2*time.Minute)
	if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		t.Fatalf("enable webauthn: %v", err)
	}
	_, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{Protocol: webauthn.AuthenticatorProtocolCtap2,
			Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
			IsUserVerified: true, AutomaticPresenceSimulation: true},
	})
	if err != nil {
		t.Fatalf("add virtual authenticator: %v", err)
	}
	password := "mijn eigen lange wachtwoord 17"
	err = chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		chromedp.Navigate(base+link[1]),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
		chromedp.SendKeys(chromedp.CSS(`input[name="password2"]`), password+"\n"),
		// The link proved the address: in at once, the second step next.
		chromedp.WaitVisible(chromedp.CSS(`input[name="code"]`)),
	)
	if err != nil {
		t.Fatalf("activate and log in: %v", err)
	}
	// First login: the authenticator app, from the key on the page.
	secret, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main ol code")))
	if err != nil || secret == "" {
		t.Fatalf("no authenticator key on the first login (err %v)", err)
	}
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`input[name="code"]`), code+"\n"),
		chromedp.WaitVisible(chromedp.CSS("ul.codes")),
		chromedp.Navigate(base+"/account"),
		chromedp.Click(chromedp.ID("passkey-add")),
	)
	if err != nil {
		t.Fatalf("authenticator and passkey: %v", err)
	}
	poll.Must(t, 20*time.Second, "the passkey on the account page", func() bool {
		table, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("table")))
		return strings.Contains(table, "Passkey van")
	})
	// Out, and in again with the passkey alone; then the question.
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS("form.logout button")),
		chromedp.WaitVisible(chromedp.ID("passkey-login")),
		chromedp.Click(chromedp.ID("passkey-login")),
		chromedp.WaitVisible(chromedp.ID("answer")), // her first screen is her child's plan
	)
	if err != nil {
		msg, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		t.Fatalf("passkey login and the question: %v (page says %q)", err, msg)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#vraag h2")))
	if err != nil || heading != "Wat vind jij van dit plan?" {
		t.Errorf("question heading %q (err %v)", heading, err)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth"))
	if err != nil || width > 390 {
		t.Errorf("page is %d px wide on a 390 px phone (err %v)", width, err)
	}
	resp2, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`input[name="answer"][value="agree"]`)),
		chromedp.Click(chromedp.ID("answer")))
	if err != nil || resp2.Status != 200 {
		t.Fatalf("answer: %v %v", resp2, err)
	}
	notice, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("p.notice")))
	if err != nil || !strings.Contains(notice, "je antwoord is vastgelegd") {
		t.Errorf("after answering the page says %q (err %v)", notice, err)
	}
	checkAccessible(t, ctx, "the portal on a phone")
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(artifactsDir(t), "leerlingportaal-passkey-390x844.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.logbookActions(t, lic, pupil), "consent consent_response") {
		t.Error("the pupil's answer is not in the logbook")
	}
}

// TestPortalTwoSchools: a mother with a child at each of two schools,
// invited by both, sees both children after one login, each only through
// her link at that school.
func TestPortalTwoSchools(t *testing.T) {
	h := newHarness(t)
	second := h.platform.School(t, "Kindcentrum Het Anker", "34CD")
	h.user(t, "ib@anker.invalid", "staff", member{auth.RoleIB, &second.ID})
	ib2 := h.login(t, "ib@anker.invalid")
	h.user(t, "moeder@thuis.invalid", "guardian")
	enrolAndInvite := func(cookie string, lic uuid.UUID, given string) uuid.UUID {
		t.Helper()
		body := `{"given_name":"` + given + `","family_name":"Tweeling","group_name":"3","birth_date":"2019-04-04","enrolled_on":"2023-08-21",
		  "guardians":[{"given_name":"Petra","family_name":"Tweeling","email":"moeder@thuis.invalid","relation":"mother","parental_authority":true}]}`
		resp, out := h.doAs(t, cookie, "POST", "/api/v1/licences/"+lic.String()+"/pupils", "application/json", body)
		if resp.StatusCode != 201 {
			t.Fatalf("create pupil: %d %s", resp.StatusCode, out)
		}
		pupil := uuid.MustParse(regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(out)[1])
		_, page := h.doAs(t, cookie, "GET", fmt.Sprintf("/licenties/%s/leerlingen/%s", lic, pupil), "", "")
		invite := regexp.MustCompile(`action="([^"]+/uitnodigen)"`).FindStringSubmatch(page)
		if invite == nil {
			t.Fatal("no invite button")
		}
		if resp, _ := h.doAs(t, cookie, "POST", invite[1], formType, ""); resp.StatusCode != 303 {
			t.Fatalf("invite: %d", resp.StatusCode)
		}
		return pupil
	}
	ada := enrolAndInvite(h.cookie, h.school.ID, "Ada")
	bram := enrolAndInvite(ib2, second.ID, "Bram")

	mother := h.login(t, "moeder@thuis.invalid")
	_, home := h.doAs(t, mother, "GET", "/ouder", "", "")
	for _, want := range []string{"Ada Tweeling", "Basisschool De Linde", "Bram Tweeling", "Kindcentrum Het Anker"} {
		if !strings.Contains(home, want) {
			t.Errorf("portal home lacks %q", want)
		}
	}
	for _, child := range []string{fmt.Sprintf("/ouder/%s/%s", h.school.ID, ada), fmt.Sprintf("/ouder/%s/%s", second.ID, bram)} {
		if resp, _ := h.doAs(t, mother, "GET", child, "", ""); resp.StatusCode != 200 {
			t.Errorf("%s: %d", child, resp.StatusCode)
		}
	}
	// A child's id under the other school's licence is nobody's.
	if resp, _ := h.doAs(t, mother, "GET", fmt.Sprintf("/ouder/%s/%s", second.ID, ada), "", ""); resp.StatusCode != 404 {
		t.Errorf("child under the wrong school: %d, want 404", resp.StatusCode)
	}
}

// TestPortalAVGRequest: the mother asks for a correction (a request
// without text is refused); past the school's term (seconds here) it is
// overdue; the school rejects it (a reason is required, a second answer
// refused); she reads the reason in the portal.
func TestPortalAVGRequest(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.AVGRespondWithin = 2 * time.Second })
	ctx := context.Background()
	lic, pupil := portalFixture(t, h)
	mother := h.login(t, "mirjam@thuis.invalid")
	child := fmt.Sprintf("/ouder/%s/%s", lic, pupil)
	if resp, out := h.doAs(t, mother, "POST", child+"/verzoek", formType, form("kind", "correction")); resp.StatusCode != 422 ||
		!strings.Contains(out, "Schrijf op wat er niet klopt") {
		t.Errorf("request without text: %d", resp.StatusCode)
	}
	if resp, _ := h.doAs(t, mother, "POST", child+"/verzoek", formType, form("kind", "correction",
		"body", "Noah heeft geen dyscalculie-onderzoek gehad; dat staat er wel.")); resp.StatusCode != 303 {
		t.Fatalf("request: %d", resp.StatusCode)
	}
	step := func() string {
		var s string
		_ = h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
			return pool.QueryRow(ctx, `SELECT step FROM process_step WHERE entity_kind = 'avg_request'`).Scan(&s)
		})
		return s
	}
	poll.Must(t, 20*time.Second, "the request overdue", func() bool { return step() == "avg_verzoek_te_laat" })
	page := h.page(t, fmt.Sprintf("/licenties/%s/leerlingen/%s", lic, pupil))
	decide := regexp.MustCompile(`action="(/licenties/[^"]+/avg/[0-9a-f-]{36})"`).FindStringSubmatch(page)
	if decide == nil || !strings.Contains(page, "geen dyscalculie-onderzoek") {
		t.Fatal("the school's pupil page does not show the request")
	}
	if resp, out := h.do(t, "POST", decide[1], formType, form("decision", "rejected")); resp.StatusCode != 422 || !strings.Contains(out, "reden") {
		t.Errorf("rejection without a reason: %d", resp.StatusCode)
	}
	if resp, _ := h.do(t, "POST", decide[1], formType, form("decision", "rejected", "reason", "Het onderzoek staat in het verslag van 12 maart.")); resp.StatusCode != 303 {
		t.Fatalf("reject: %d", resp.StatusCode)
	}
	if resp, out := h.do(t, "POST", decide[1], formType, form("decision", "accepted")); resp.StatusCode != 422 || !strings.Contains(out, "al beantwoord") {
		t.Errorf("a second answer: %d", resp.StatusCode)
	}
	poll.Must(t, 20*time.Second, "the request answered", func() bool { return step() == "avg_verzoek_beantwoord" })
	if _, out := h.doAs(t, mother, "GET", child, "", ""); !strings.Contains(out, "afgewezen") || !strings.Contains(out, "verslag van 12 maart") {
		t.Errorf("the mother does not read the answer")
	}
	if lines := h.logbookActions(t, lic, pupil); !strings.Contains(lines, "create avg_request") || !strings.Contains(lines, "update avg_request") {
		t.Errorf("logbook lacks the request and its answer")
	}
}

// TestPortalPupilOfAge: at 18 the pupil decides (BW 1:233) and the
// guardians' access ends unless the pupil lets them read on. The 18th
// birthday tells pupil and mother by mail (here at once: the pupil
// enrols at 18); the school cannot invite the mother; her portal says why
// and the plan answers 404; the pupil's choice in their own portal opens
// it again, and ending it closes it; both are in the logbook.
func TestPortalPupilOfAge(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	lic := h.school.ID
	born := time.Now().AddDate(-18, -2, 0).Format("2006-01-02")
	body := `{"given_name":"Sem","family_name":"Achttien","group_name":"6v","birth_date":"` + born + `","enrolled_on":"2022-08-22",
	  "email":"sem@leerling.invalid",
	  "guardians":[{"given_name":"Ria","family_name":"Achttien","email":"ria@thuis.invalid","relation":"mother","parental_authority":true}]}`
	resp, out := h.do(t, "POST", "/api/v1/licences/"+lic.String()+"/pupils", "application/json", body)
	if resp.StatusCode != 201 {
		t.Fatalf("create pupil: %d %s", resp.StatusCode, out)
	}
	pupil := uuid.MustParse(regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(out)[1])
	var invitation string
	poll.Must(t, 20*time.Second, "the mails of the 18th birthday", func() bool {
		toSem, toRia := false, false
		for _, m := range outboxTo(t, h, lic, "sem@leerling.invalid") {
			toSem = toSem || m.Subject == "Je bent 18: jij beslist over je plan"
			if strings.Contains(m.Body, "/activeren/") {
				invitation = m.Body
			}
		}
		for _, m := range outboxTo(t, h, lic, "ria@thuis.invalid") {
			toRia = toRia || (m.Subject == "Uw kind is 18" && strings.Contains(m.Body, "toegang tot het plan in TOP dossier stopt"))
		}
		return toSem && toRia && invitation != ""
	})

	// The school cannot invite the mother any more.
	page := h.page(t, fmt.Sprintf("/licenties/%s/leerlingen/%s", lic, pupil))
	invite := regexp.MustCompile(`action="([^"]+/ouders/[^"]+/uitnodigen)"`).FindStringSubmatch(page)
	if invite == nil {
		t.Fatal("no invite button for the mother")
	}
	if resp, out := h.do(t, "POST", invite[1], formType, ""); resp.StatusCode != 422 || !strings.Contains(out, "De leerling is 18") {
		t.Errorf("inviting the mother of an adult pupil: %d, want 422 saying the pupil is 18", resp.StatusCode)
	}
	// A link from before (she was invited when Sem was younger).
	h.user(t, "ria@thuis.invalid", "guardian")
	err := h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
		gs, err := school.New(pool).ListGuardians(ctx, pupil)
		if err != nil || len(gs) != 1 {
			return fmt.Errorf("guardians %v: %w", gs, err)
		}
		_, err = store.PortalAccountFor(ctx, platform.New(h.platform.Pool), platform.UserKindGuardian, "ria@thuis.invalid", "Ria", lic, pupil, &gs[0].ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ria := h.login(t, "ria@thuis.invalid")
	planURL := fmt.Sprintf("/ouder/%s/%s", lic, pupil)
	if resp, _ := h.doAs(t, ria, "GET", planURL, "", ""); resp.StatusCode != 404 {
		t.Errorf("the mother reads the plan of her adult child: %d, want 404", resp.StatusCode)
	}
	if _, home := h.doAs(t, ria, "GET", "/ouder", "", ""); !strings.Contains(home, "uw kind is 18") {
		t.Errorf("the mother's portal does not say why the plan is closed")
	}

	// Sem activates his account and lets her read on, then stops it.
	link := regexp.MustCompile(`https?://[^/]+(/activeren/\S+)`).FindStringSubmatch(invitation)
	if resp, _ := h.doAs(t, "", "POST", link[1], formType, form("password", testPassword, "password2", testPassword)); resp.StatusCode != 303 {
		t.Fatalf("activate: %d", resp.StatusCode)
	}
	var semID uuid.UUID
	if err := h.platform.Pool.QueryRow(ctx, "SELECT id FROM app_user WHERE email = 'sem@leerling.invalid'").Scan(&semID); err != nil {
		t.Fatal(err)
	}
	h.setTOTP(t, semID)
	sem := h.login(t, "sem@leerling.invalid")
	if _, own := h.doAs(t, sem, "GET", planURL, "", ""); !strings.Contains(own, "Lezen je ouders mee?") || !strings.Contains(own, "je ouders lezen niet mee") {
		t.Fatalf("Sem's portal does not offer the choice")
	}
	choose := func(granted string) {
		t.Helper()
		if resp, out := h.doAs(t, sem, "POST", planURL+"/ouders", formType, form("granted", granted)); resp.StatusCode != 303 {
			t.Fatalf("Sem chooses %s: %d %s", granted, resp.StatusCode, out)
		}
	}
	choose("1")
	if resp, _ := h.doAs(t, ria, "GET", planURL, "", ""); resp.StatusCode != 200 {
		t.Errorf("the mother with Sem's leave: %d, want 200", resp.StatusCode)
	}
	choose("0")
	if resp, _ := h.doAs(t, ria, "GET", planURL, "", ""); resp.StatusCode != 404 {
		t.Errorf("the mother after Sem ended it: %d, want 404", resp.StatusCode)
	}
	if resp, _ := h.doAs(t, ria, "POST", planURL+"/ouders", formType, form("granted", "1")); resp.StatusCode != 404 {
		t.Errorf("the mother makes Sem's choice: %d, want 404", resp.StatusCode)
	}
	logbookPage := h.page(t, fmt.Sprintf("/licenties/%s/leerlingen/%s/logboek", lic, pupil))
	for _, want := range []string{"meerderjarige leerling laat de ouders meelezen", "meerderjarige leerling laat de ouders niet meer meelezen", "leerling is 18: beslist zelf"} {
		if !strings.Contains(logbookPage, want) {
			t.Errorf("the logbook lacks %q", want)
		}
	}
}
