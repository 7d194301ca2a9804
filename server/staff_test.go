package server

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/auth"
)

func TestStaffAdministration(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.user(t, "directie@linde.invalid", "staff", member{auth.RoleSchoolAdmin, &h.school.ID})
	admin := h.login(t, "directie@linde.invalid")
	page := "/licenties/" + h.school.ID.String() + "/medewerkers"
	post := func(v url.Values) (int, string) {
		resp, body := h.doAs(t, admin, "POST", page, "application/x-www-form-urlencoded", v.Encode())
		return resp.StatusCode, body
	}

	if resp, _ := h.do(t, "GET", page, "", ""); resp.StatusCode != 404 {
		t.Errorf("IB'er on the staff page: %d, want 404", resp.StatusCode)
	}
	invalid := []struct {
		name string
		form url.Values
		want string
	}{
		{"ErrEmail", url.Values{"name": {"A"}, "email": {"geen-adres"}, "role": {"ib"}}, "geldig e-mailadres"},
		{"ErrTeacherWithoutGroups", url.Values{"name": {"A"}, "email": {"a@linde.invalid"}, "role": {"teacher"}}, "groepen of klassen"},
		{"ErrIBWithGroups", url.Values{"name": {"A"}, "email": {"a@linde.invalid"}, "role": {"ib"}, "groups": {"5a"}}, "Alleen een leerkracht"},
		{"ErrRole", url.Values{"name": {"A"}, "email": {"a@linde.invalid"}, "role": {"platform_admin"}}, "Kies een rol"},
		{"ErrExistingRole", url.Values{"name": {"Test ib"}, "email": {"ib@linde.invalid"}, "role": {"ib"}}, "heeft deze rol al"},
	}
	for _, tt := range invalid {
		if status, body := post(tt.form); status != 422 || !strings.Contains(body, tt.want) {
			t.Errorf("%s: %d, want 422 with %q", tt.name, status, tt.want)
		}
	}
	h.user(t, "ouder@thuis.invalid", "guardian")
	if status, body := post(url.Values{"name": {"O"}, "email": {"ouder@thuis.invalid"}, "role": {"ib"}}); status != 422 || !strings.Contains(body, "ouder of leerling") {
		t.Errorf("guardian account as staff: %d, want 422", status)
	}

	// A new teacher: an account without password and a one-time link.
	status, body := post(url.Values{"name": {"Meester Jan"}, "email": {"Jan@Linde.invalid"}, "role": {"teacher"}, "groups": {"5b, 6a 5b"}})
	link := regexp.MustCompile(`<code id="activation-link">http://127\.0\.0\.1:\d+(/activeren/[A-Za-z0-9_-]+)</code>`).FindStringSubmatch(body)
	if status != 200 || link == nil {
		t.Fatalf("add teacher: %d, no activation link", status)
	}
	if !strings.Contains(body, "5b, 6a") || !strings.Contains(body, "nog niet geactiveerd") {
		t.Error("staff list lacks the teacher's groups or activation state")
	}
	if _, body := h.doAs(t, "", "GET", link[1], "", ""); !strings.Contains(body, "Welkom, Meester Jan") {
		t.Fatal("activation page does not greet the new teacher")
	}
	for _, tt := range []struct{ pw, pw2, want string }{
		{"een goed wachtwoord 1", "een goed wachtwoord 2", "niet gelijk"},
		{"password1234", "password1234", "veelgebruikte"},
		{"kort", "kort", "minstens 12"},
		// Issue 19, fix 7: Dutch common passwords and words, and the
		// school's own name, are refused too.
		{"wachtwoord123", "wachtwoord123", "te makkelijk te raden"},
		{"Zomervakantie2026!", "Zomervakantie2026!", "gewoon woord"},
		{"delinde-basisschool", "delinde-basisschool", "naam van je school"},
	} {
		resp, body := h.doAs(t, "", "POST", link[1], "application/x-www-form-urlencoded", url.Values{"password": {tt.pw}, "password2": {tt.pw2}}.Encode())
		if resp.StatusCode != 422 || !strings.Contains(body, tt.want) {
			t.Errorf("activation with %q: %d, want 422 with %q", tt.pw, resp.StatusCode, tt.want)
		}
	}
	good := url.Values{"password": {"zonnige dinsdag op het plein"}, "password2": {"zonnige dinsdag op het plein"}}.Encode()
	if resp, _ := h.doAs(t, "", "POST", link[1], "application/x-www-form-urlencoded", good); resp.StatusCode != 303 {
		t.Fatalf("activate: %d, want 303", resp.StatusCode)
	}
	if resp, _ := h.doAs(t, "", "POST", link[1], "application/x-www-form-urlencoded", good); resp.StatusCode != 404 {
		t.Errorf("second use of the link: %d, want 404", resp.StatusCode)
	}
	// The new teacher logs in and is asked to set up the authenticator.
	resp, _ := h.doAs(t, "", "POST", "/inloggen", "application/x-www-form-urlencoded",
		url.Values{"email": {"jan@linde.invalid"}, "password": {"zonnige dinsdag op het plein"}}.Encode())
	var cookie string
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			cookie = c.Value
		}
	}
	if _, body := h.doAs(t, cookie, "GET", "/inloggen/code", "", ""); !strings.Contains(body, "Scan deze QR-code") {
		t.Error("a new account is not asked to set up its authenticator")
	}

	// "Wachtwoord vergeten": the admin resets the teacher's access. The old
	// password stops working; a new link sets a new one.
	_, body = h.doAs(t, admin, "GET", page, "", "")
	reset := regexp.MustCompile(`action="(/licenties/[^"]+/herstellen)"><button>Toegang herstellen<span class="visually-hidden"> voor Meester Jan</span>`).FindStringSubmatch(body)
	if reset == nil {
		t.Fatal("no reset form for the teacher")
	}
	_, body = h.doAs(t, admin, "POST", reset[1], "", "")
	newLink := regexp.MustCompile(`<code id="activation-link">http://127\.0\.0\.1:\d+(/activeren/[A-Za-z0-9_-]+)</code>`).FindStringSubmatch(body)
	if newLink == nil {
		t.Fatal("reset shows no new activation link")
	}
	oldLogin := url.Values{"email": {"jan@linde.invalid"}, "password": {"zonnige dinsdag op het plein"}}.Encode()
	if resp, _ := h.doAs(t, "", "POST", "/inloggen", "application/x-www-form-urlencoded", oldLogin); resp.StatusCode != 401 {
		t.Errorf("old password after reset: %d, want 401", resp.StatusCode)
	}
	newPW := url.Values{"password": {"herfstbladeren op de stoep"}, "password2": {"herfstbladeren op de stoep"}}.Encode()
	if resp, _ := h.doAs(t, "", "POST", newLink[1], "application/x-www-form-urlencoded", newPW); resp.StatusCode != 303 {
		t.Errorf("new password through the reset link: %d, want 303", resp.StatusCode)
	}
	// Someone who also works elsewhere is reset by the platform admin only.
	other := h.platform.School(t, "Andere school", "67KL")
	h.user(t, "twee@scholen.invalid", "staff", member{auth.RoleIB, &h.school.ID}, member{auth.RoleIB, &other.ID})
	_, body = h.doAs(t, admin, "GET", page, "", "")
	twee := regexp.MustCompile(`action="(/licenties/[^"]+/herstellen)"><button>Toegang herstellen<span class="visually-hidden"> voor Test twee</span>`).FindStringSubmatch(body)
	if twee == nil {
		t.Fatal("no reset form for the colleague of two schools")
	}
	if resp, body := h.doAs(t, admin, "POST", twee[1], "", ""); resp.StatusCode != 422 || !strings.Contains(body, "platformbeheerder") {
		t.Errorf("reset of someone who works elsewhere too: %d, want 422", resp.StatusCode)
	}

	// Removing the role removes the teacher's groups; one's own role stays.
	_, body = h.doAs(t, admin, "GET", page, "", "")
	rows := regexp.MustCompile(`action="(/licenties/[^"]+/medewerkers/[^"]+/verwijderen)"><button class="danger">Rol verwijderen<span class="visually-hidden"> van ([^<]+)</span>`).FindAllStringSubmatch(body, -1)
	var janForm string
	for _, r := range rows {
		if r[2] == "Meester Jan" {
			janForm = r[1]
		}
		if r[2] == "Test directie" {
			t.Error("the admin is offered to remove their own role")
		}
	}
	if janForm == "" {
		t.Fatal("no remove form for the teacher")
	}
	if resp, _ := h.doAs(t, admin, "POST", janForm, "", ""); resp.StatusCode != 303 {
		t.Fatalf("remove: %d", resp.StatusCode)
	}
	var groups int
	err := h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(ctx, "SELECT count(*) FROM staff_group").Scan(&groups)
	})
	if err != nil || groups != 0 {
		t.Errorf("staff groups after removing the teacher: %d (err %v), want 0", groups, err)
	}
}

// TestPlatformAdminAppointsLicenceAdmins: the platform admin appoints a new
// licence's first admin, and nothing else, and never themselves (issue 19,
// fix 2: a second admin gave the platform admin every pupil); a reset by the
// platform admin mails the link to the person; when all admins are gone,
// Noodtoegang asks re-authentication and a reason, is kept by the platform,
// written to the school's logbook and mailed to the school.
func TestPlatformAdminAppointsLicenceAdmins(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.user(t, "beheer@platform.invalid", "staff", member{auth.RolePlatformAdmin, nil})
	pa := h.login(t, "beheer@platform.invalid")
	fresh := h.platform.School(t, "Nieuwe school", "89MN")
	page := "/licenties/" + fresh.ID.String() + "/medewerkers"
	post := func(v url.Values) (int, string) {
		resp, body := h.doAs(t, pa, "POST", page, "application/x-www-form-urlencoded", v.Encode())
		return resp.StatusCode, body
	}
	if status, body := post(url.Values{"name": {"Ik"}, "email": {"beheer@platform.invalid"}, "role": {"school_admin"}}); status != 422 || !strings.Contains(body, "jezelf") {
		t.Errorf("platform admin appoints themselves: %d, want 422", status)
	}
	if status, _ := post(url.Values{"name": {"IB Nieuw"}, "email": {"ib@nieuw.invalid"}, "role": {"ib"}}); status != 422 {
		t.Errorf("platform admin hands out IB: %d, want 422", status)
	}
	if status, body := post(url.Values{"name": {"Directeur Nieuw"}, "email": {"dir@nieuw.invalid"}, "role": {"school_admin"}}); status != 200 || !strings.Contains(body, "activation-link") {
		t.Errorf("appoint a school admin: %d, want 200 with a link", status)
	}
	admins := func(lic uuid.UUID) (n int) {
		if err := h.platform.Pool.QueryRow(ctx, "SELECT count(*) FROM membership WHERE licence_id = $1 AND role = 'school_admin'", lic).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// The probe's path: a second admin, to be activated by the platform
	// admin. Refused, at a new licence and at one whose admin was made
	// outside this page (the harness's school), and the form is gone.
	for _, lic := range []uuid.UUID{fresh.ID, h.school.ID} {
		if lic == h.school.ID {
			h.user(t, "directie@linde.invalid", "staff", member{auth.RoleSchoolAdmin, &h.school.ID})
		}
		before := admins(lic)
		resp, body := h.doAs(t, pa, "POST", "/licenties/"+lic.String()+"/medewerkers", "application/x-www-form-urlencoded",
			url.Values{"name": {"Tweede"}, "email": {"tweede@elders.invalid"}, "role": {"school_admin"}}.Encode())
		if resp.StatusCode != 422 || !strings.Contains(body, "al een beheerder") || strings.Contains(body, "activation-link") {
			t.Errorf("platform admin makes a second admin at %s: %d, want 422", lic, resp.StatusCode)
		}
		if after := admins(lic); after != before {
			t.Errorf("admins at %s: %d after a refused second one, want %d", lic, after, before)
		}
		if _, body := h.doAs(t, pa, "GET", "/licenties/"+lic.String()+"/medewerkers", "", ""); strings.Contains(body, `action="/licenties/`+lic.String()+`/medewerkers" `) ||
			!strings.Contains(body, "maken de beheerders van") {
			t.Errorf("the platform admin is still offered the add form at %s", lic)
		}
	}
	if resp, _ := h.doAs(t, pa, "GET", "/licenties/"+fresh.ID.String()+"/leerlingen", "", ""); resp.StatusCode != 404 {
		t.Errorf("platform admin on pupils: %d, want 404", resp.StatusCode)
	}
	outbox := func(lic uuid.UUID, to string) (bodies []string) {
		err := h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
			rows, err := pool.Query(ctx, "SELECT body FROM mail_outbox WHERE to_address = $1 ORDER BY created_at", to)
			if err != nil {
				return err
			}
			bodies, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return bodies
	}
	logged := func(lic uuid.UUID, entity string) (n int) {
		err := h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
			return pool.QueryRow(ctx, "SELECT count(*) FROM logbook WHERE entity = $1", entity).Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Someone at two schools: the platform admin resets their access; the
	// link goes to their own address, not to the platform admin's screen.
	h.user(t, "twee@scholen.invalid", "staff", member{auth.RoleIB, &h.school.ID}, member{auth.RoleIB, &fresh.ID})
	_, body := h.doAs(t, pa, "GET", page, "", "")
	reset := regexp.MustCompile(`action="(/licenties/[^"]+/herstellen)"><button>Toegang herstellen<span class="visually-hidden"> voor Test twee</span>`).FindStringSubmatch(body)
	if reset == nil {
		t.Fatal("no reset form for the colleague of two schools")
	}
	if resp, body := h.doAs(t, pa, "POST", reset[1], "", ""); resp.StatusCode != 200 || strings.Contains(body, "activation-link") ||
		!strings.Contains(body, "naar twee@scholen.invalid gestuurd") {
		t.Errorf("platform admin resets someone of two schools: %d, want 200 with the link mailed, not shown", resp.StatusCode)
	}
	if mails := outbox(fresh.ID, "twee@scholen.invalid"); len(mails) != 1 || !strings.Contains(mails[0], "/activeren/") {
		t.Errorf("reset mails to the person: %q, want one with the link", mails)
	}
	if n := logged(fresh.ID, "staff_reset"); n != 1 {
		t.Errorf("reset lines in the school's logbook: %d, want 1", n)
	}

	// All admins gone: Noodtoegang, not the add form.
	if _, err := h.platform.Pool.Exec(ctx, "UPDATE app_user SET disabled_at = now() WHERE email = 'dir@nieuw.invalid'"); err != nil {
		t.Fatal(err)
	}
	h.user(t, "juf@nieuw.invalid", "staff", member{auth.RoleTeacher, &fresh.ID})
	glass := page + "/noodtoegang"
	_, body = h.doAs(t, pa, "GET", page, "", "")
	if !strings.Contains(body, `action="`+glass+`"`) || strings.Contains(body, `action="`+page+`" `) {
		t.Error("a licence without admins does not offer Noodtoegang (or still the add form)")
	}
	breakGlass := func(reason string) (int, string, string) {
		resp, body := h.doAs(t, pa, "POST", glass, "application/x-www-form-urlencoded", url.Values{"name": {"Nieuwe directeur"},
			"email": {"nood@nieuw.invalid"}, "reason": {reason}, "contact": {"Directie@Nieuw.invalid"}}.Encode())
		return resp.StatusCode, resp.Header.Get("Location"), body
	}
	reason := "Het bestuur vroeg op 28-11 per brief om een nieuwe directeur; de vorige is vertrokken."
	// Re-authentication first.
	if _, err := h.platform.Pool.Exec(ctx, "UPDATE user_session SET reauth_at = now() - interval '1 hour'"); err != nil {
		t.Fatal(err)
	}
	if status, loc, _ := breakGlass(reason); status != 303 || !strings.HasPrefix(loc, "/inloggen/opnieuw") {
		t.Errorf("Noodtoegang without recent re-authentication: %d %q, want 303 to /inloggen/opnieuw", status, loc)
	}
	if _, err := h.platform.Pool.Exec(ctx, "UPDATE user_session SET reauth_at = now()"); err != nil {
		t.Fatal(err)
	}
	if status, _, body := breakGlass("omdat het moet"); status != 422 || !strings.Contains(body, "waarom de noodtoegang") {
		t.Errorf("Noodtoegang with a reason of 14 characters: %d, want 422", status)
	}
	if admins(fresh.ID) != 1 {
		t.Error("a refused Noodtoegang made an admin")
	}
	status, _, body := breakGlass(reason)
	if status != 200 || !strings.Contains(body, "activation-link") || !strings.Contains(body, "Noodtoegang: Nieuwe directeur is beheerder") {
		t.Fatalf("Noodtoegang: %d, want 200 with a link", status)
	}
	var kept string
	var notified []string
	if err := h.platform.Pool.QueryRow(ctx, "SELECT reason, notified FROM licence_break_glass WHERE licence_id = $1", fresh.ID).Scan(&kept, &notified); err != nil || kept != reason {
		t.Errorf("the platform's record: %q (%v), want the reason", kept, err)
	}
	if n := logged(fresh.ID, "break_glass"); n != 1 {
		t.Errorf("break-glass lines in the school's logbook: %d, want 1", n)
	}
	for _, to := range []string{"directie@nieuw.invalid", "juf@nieuw.invalid"} {
		if mails := outbox(fresh.ID, to); len(mails) != 1 || !strings.Contains(mails[0], reason) || !strings.Contains(mails[0], "nood@nieuw.invalid") {
			t.Errorf("the school is not told at %s: %q", to, mails)
		}
	}
	if mails := outbox(fresh.ID, "dir@nieuw.invalid"); len(mails) != 0 {
		t.Errorf("a disabled account is mailed: %q", mails)
	}
	// Now there is an admin again: no second Noodtoegang.
	if status, _, body := breakGlass(reason); status != 422 || !strings.Contains(body, "nog een beheerder") {
		t.Errorf("second Noodtoegang while an admin exists: %d, want 422", status)
	}
	// A licence that never had an admin gets its first one the normal way.
	never := h.platform.School(t, "Nog een school", "12QR")
	if resp, body := h.doAs(t, pa, "POST", "/licenties/"+never.ID.String()+"/medewerkers/noodtoegang", "application/x-www-form-urlencoded",
		url.Values{"name": {"X"}, "email": {"x@nog.invalid"}, "reason": {reason}, "contact": {"info@nog.invalid"}}.Encode()); resp.StatusCode != 422 ||
		!strings.Contains(body, "nog nooit een beheerder") {
		t.Errorf("Noodtoegang at a licence that never had an admin: %d, want 422", resp.StatusCode)
	}
}
