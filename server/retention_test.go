package server

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/internal/poll"
)

// TestPupilLeavesAndIsForgotten: with the terms shortened to seconds, a
// pupil with a dossier, a consent round, an attachment, a request to the
// SWV and a guardian's portal link leaves; both retention workflows run
// on the real Temporal server; afterwards no row of any table of the
// school's schema mentions the pupil, the portal link is gone, two
// deletion records hold only counts, and the logbook chain verifies.
func TestPupilLeavesAndIsForgotten(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.RetentionDossier, c.RetentionEnrolment = 2*time.Second, 4*time.Second })
	ctx := context.Background()
	pupil, _, _ := requestPupil(t, h, "Vera")
	prepareRequest(t, h, pupil, "kind", "advice", "question", "Hoe helpen we Vera met lezen?")
	pupilURL := fmt.Sprintf("/licenties/%s/leerlingen/%s", h.school.ID, pupil)
	if resp, out := h.do(t, "POST", pupilURL+"/uitschrijven", formType, form("request_id", "not-an-id", "left_on", "2020-01-01")); resp.StatusCode != 422 {
		t.Errorf("leave with a stale form: %d %s", resp.StatusCode, out)
	}
	if resp, out := h.do(t, "POST", pupilURL+"/uitschrijven", formType, form("request_id", uuid.NewString(), "left_on", "2099-01-01")); resp.StatusCode != 422 ||
		!strings.Contains(out, "hoogstens een jaar vooruit") || !strings.Contains(out, `value="2099-01-01"`) {
		t.Errorf("leave in 2099: %d, want 422 with the date kept", resp.StatusCode)
	}
	// First what it will do; nothing changes until it is confirmed.
	today := time.Now().Format("2006-01-02")
	if resp, out := h.do(t, "POST", pupilURL+"/uitschrijven", formType, form("request_id", uuid.NewString(), "left_on", today)); resp.StatusCode != 200 ||
		!strings.Contains(out, `id="uitschrijven-bevestigen"`) || !strings.Contains(out, "Het dossier wordt verwijderd op") {
		t.Errorf("leave without confirming: %d, want the confirmation", resp.StatusCode)
	}
	if page := h.page(t, pupilURL); strings.Contains(page, "Uitgeschreven</dt>") {
		t.Fatal("the pupil left before it was confirmed")
	}
	if resp, _ := h.do(t, "POST", pupilURL+"/uitschrijven", formType, form("request_id", uuid.NewString(), "left_on", today, "bevestigd", "1")); resp.StatusCode != 303 {
		t.Fatalf("leave: %d", resp.StatusCode)
	}
	err := h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
		poll.Must(t, 20*time.Second, "the pupil's deletion", func() bool {
			var n int
			_ = pool.QueryRow(ctx, `SELECT count(*) FROM pupil WHERE id = $1`, pupil).Scan(&n)
			var records int
			_ = pool.QueryRow(ctx, `SELECT count(*) FROM deletion_record`).Scan(&records)
			return n == 0 && records == 2
		})
		names, err := pgx.CollectRows(must(pool.Query(ctx, `SELECT table_name FROM information_schema.tables
			WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)), pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, n := range names {
			var hits int
			q := `SELECT count(*) FROM ` + pgx.Identifier{n}.Sanitize() + ` t WHERE t::text LIKE '%' || $1 || '%'`
			if err := pool.QueryRow(ctx, q, pupil.String()).Scan(&hits); err != nil {
				return err
			}
			if hits != 0 {
				t.Errorf("table %s: %d rows still mention the pupil", n, hits)
			}
		}
		if n, err := logbook.Verify(ctx, school.New(pool), nil); err != nil || n == 0 {
			t.Errorf("logbook after deletion: %d rows, %v", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var links int
	if err := h.platform.Pool.QueryRow(ctx, `SELECT count(*) FROM pupil_link WHERE pupil_id = $1`, pupil).Scan(&links); err != nil || links != 0 {
		t.Errorf("%d portal links to the deleted pupil (err %v)", links, err)
	}
	if resp, _ := h.do(t, "GET", pupilURL, "", ""); resp.StatusCode != 404 {
		t.Errorf("the deleted pupil's page: %d, want 404", resp.StatusCode)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestArchiveHoldAndReturn: with the real terms, a pupil who left shows
// in the archive with the dates of deletion; the IB'er cannot hold it,
// the school admin can (an earlier date is refused), and under that hold a
// request for erasure cannot be honoured; the pupil comes
// back: the archive lists only the dossier that closed when they left, and
// the retention is cancelled.
func TestArchiveHoldAndReturn(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	pupil, _, motherEmail := requestPupil(t, h, "Ties")
	pupilURL := fmt.Sprintf("/licenties/%s/leerlingen/%s", h.school.ID, pupil)
	left := time.Now().AddDate(0, 0, -3)
	if resp, _ := h.do(t, "POST", pupilURL+"/uitschrijven", formType, form("request_id", uuid.NewString(), "left_on", left.Format("2006-01-02"),
		"bevestigd", "1")); resp.StatusCode != 303 {
		t.Fatalf("leave: %d", resp.StatusCode)
	}
	archive := fmt.Sprintf("/licenties/%s/archief", h.school.ID)
	dossierDue := left.AddDate(2, 0, 0)
	// 2 × 365 days: one day earlier across a leap day.
	poll.Must(t, 20*time.Second, "the archive's dates", func() bool {
		page := h.page(t, archive)
		return strings.Contains(page, "Ties Aanvraag") && (strings.Contains(page, dossierDue.Format("02-01-2006")) ||
			strings.Contains(page, dossierDue.AddDate(0, 0, -1).Format("02-01-2006")))
	})
	hold := form("request_id", uuid.NewString(), "until", left.AddDate(3, 0, 0).Format("2006-01-02"), "reason", "bezwaar")
	if resp, _ := h.do(t, "POST", pupilURL+"/bewaren", formType, hold); resp.StatusCode != 404 {
		t.Errorf("the IB'er holds: %d, want 404", resp.StatusCode)
	}
	h.user(t, "directie@linde.invalid", "staff", member{auth.RoleSchoolAdmin, &h.school.ID})
	admin := h.login(t, "directie@linde.invalid")
	if resp, out := h.doAs(t, admin, "POST", pupilURL+"/bewaren", formType, form("request_id", uuid.NewString(), "until", left.AddDate(1, 0, 0).Format("2006-01-02"),
		"reason", "bezwaar")); resp.StatusCode != 422 || !strings.Contains(out, "na het huidige einde") {
		t.Errorf("a hold ending earlier: %d", resp.StatusCode)
	}
	if resp, out := h.doAs(t, admin, "POST", pupilURL+"/bewaren", formType, hold); resp.StatusCode != 303 {
		t.Fatalf("hold: %d %s", resp.StatusCode, out)
	}
	poll.Must(t, 20*time.Second, "the hold in the archive", func() bool {
		_, page := h.doAs(t, admin, "GET", archive, "", "")
		return strings.Contains(page, "tot "+left.AddDate(3, 0, 0).Format("02-01-2006")) && strings.Contains(page, "(bezwaar)")
	})
	// Under the hold a request for erasure cannot be honoured; nothing is
	// recorded.
	decide := askAVG(t, h, h.login(t, motherEmail), h.school.ID, pupil, "erasure", "Verwijder alles over Ties.")
	if resp, out := h.do(t, "POST", decide, formType, form("decision", "accepted")); resp.StatusCode != 422 ||
		!strings.Contains(out, "bewaard tot "+left.AddDate(3, 0, 0).Format("02-01-2006")) {
		t.Errorf("erasure under a hold: %d, want refused with the hold's date", resp.StatusCode)
	}
	var open int
	_ = h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(ctx, `SELECT count(*) FROM avg_request WHERE pupil_id = $1 AND status = 'open'`, pupil).Scan(&open)
	})
	if open != 1 {
		t.Errorf("%d open requests after the refused erasure, want 1", open)
	}
	if resp, _ := h.do(t, "POST", pupilURL+"/terugkeer", formType, form("request_id", uuid.NewString())); resp.StatusCode != 303 {
		t.Fatalf("return: %d", resp.StatusCode)
	}
	// The dossier closed when he left; it stays, listed apart, until he
	// leaves again.
	gone, closed, _ := strings.Cut(h.page(t, archive), "Gesloten dossiers van leerlingen die nog op school zijn")
	if strings.Contains(gone, "Ties Aanvraag") || !strings.Contains(closed, "Ties Aanvraag") {
		t.Error("the archive lists the pupil who came back as left, or not his closed dossier")
	}
	// His dossier had no running workflow: leaving closed it directly.
	if !strings.Contains(h.logbookActions(t, h.school.ID, pupil), "update dossier_closed") {
		t.Error("the logbook does not say the dossier closed when he left")
	}
	for _, kind := range []string{"dossier", "enrolment"} {
		var cancelled int
		err := h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
			return pool.QueryRow(ctx, `SELECT count(*) FROM retention_event WHERE entity_id = $1 AND kind = $2 AND what = 'cancelled'`, pupil, kind).Scan(&cancelled)
		})
		if err != nil || cancelled != 1 {
			t.Errorf("%s retention cancelled %d times (err %v)", kind, cancelled, err)
		}
	}
	var linked int
	_ = h.platform.Pool.QueryRow(ctx, `SELECT count(*) FROM pupil_link WHERE pupil_id = $1`, pupil).Scan(&linked)
	if linked == 0 {
		t.Error("the returned pupil lost the guardian's portal link")
	}
}

// TestLeavingStopsProcessesAndErasureOnRequest: a mother asks for erasure
// while her son is at school: accepting is refused with the legal reason.
// He leaves: the dossier in plannen closes, the open consent round stops
// (her answer is refused), the archive shows him. Then the school honours
// the request: on the real Temporal server the dossier, the guardians and
// her portal access go that moment; the record keeps its minimal fields;
// she gets a mail without the child's name; the logbook verifies.
func TestLeavingStopsProcessesAndErasureOnRequest(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	lic, pupil := portalFixture(t, h)
	mother := h.login(t, "mirjam@thuis.invalid")
	child := fmt.Sprintf("/ouder/%s/%s", lic, pupil)
	pupilURL := fmt.Sprintf("/licenties/%s/leerlingen/%s", lic, pupil)
	decide := askAVG(t, h, mother, lic, pupil, "erasure", "Wij willen dat alle gegevens over ons kind worden verwijderd.")
	if resp, out := h.do(t, "POST", decide, formType, form("decision", "accepted")); resp.StatusCode != 422 ||
		!strings.Contains(out, "wettelijke plicht") {
		t.Errorf("erasure while at school: %d, want refused with the legal reason", resp.StatusCode)
	}
	query := func(q string, dest ...any) {
		t.Helper()
		if err := h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
			return pool.QueryRow(ctx, q, pupil).Scan(dest...)
		}); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var status string
	query(`SELECT status FROM avg_request WHERE pupil_id = $1`, &status)
	if status != "open" {
		t.Errorf("the refused acceptance left the request %q", status)
	}

	if resp, _ := h.do(t, "POST", pupilURL+"/uitschrijven", formType, form("request_id", uuid.NewString(), "left_on", time.Now().Format("2006-01-02"),
		"bevestigd", "1")); resp.StatusCode != 303 {
		t.Fatalf("leave: %d", resp.StatusCode)
	}
	poll.Must(t, 20*time.Second, "the dossier closed and the round stopped", func() bool {
		var closed bool
		var round, step, waiting string
		query(`SELECT d.closed_at IS NOT NULL, r.status,
			(SELECT s.step FROM process_step s WHERE s.entity_kind = 'dossier' AND s.entity_id = d.id),
			(SELECT s.waiting_for FROM process_step s WHERE s.entity_kind = 'consent' AND s.entity_id = d.id)
			FROM dossier d JOIN consent_round r ON r.dossier_id = d.id WHERE d.pupil_id = $1`, &closed, &round, &step, &waiting)
		return closed && round == "withdrawn" && step == "closed" && waiting == ""
	})
	var from string
	query(`SELECT t.from_phase FROM dossier_transition t JOIN dossier d ON d.id = t.dossier_id WHERE d.pupil_id = $1 AND t.to_phase = 'closed'`, &from)
	if from != "plan" {
		t.Errorf("closed from %q, want plan", from)
	}
	if page := h.page(t, pupilURL+"/dossier"); !strings.Contains(page, "Gestopt: de leerling is uitgeschreven") {
		t.Error("the dossier page does not say the round stopped")
	}
	if resp, _ := h.doAs(t, mother, "POST", child+"/instemming", formType, form("request_id", uuid.NewString(), "version", "2", "answer", "agree")); resp.StatusCode < 400 {
		t.Errorf("an answer after leaving: %d, want refused", resp.StatusCode)
	}

	if resp, out := h.do(t, "POST", decide, formType, form("decision", "accepted")); resp.StatusCode != 303 {
		t.Fatalf("erasure after leaving: %d %s", resp.StatusCode, out)
	}
	poll.Must(t, 20*time.Second, "the erasure", func() bool {
		var dossiers, guardians int
		var minimised bool
		query(`SELECT (SELECT count(*) FROM dossier WHERE pupil_id = $1), (SELECT count(*) FROM guardian WHERE pupil_id = $1),
			minimised_at IS NOT NULL FROM pupil WHERE id = $1`, &dossiers, &guardians, &minimised)
		return dossiers == 0 && guardians == 0 && minimised
	})
	var erased, records int
	query(`SELECT (SELECT count(*) FROM retention_event WHERE entity_id = $1 AND what = 'erased'),
		(SELECT count(*) FROM deletion_record WHERE kind = 'dossier' AND $1::uuid IS NOT NULL)`, &erased, &records)
	if erased != 1 || records != 1 {
		t.Errorf("erased steps %d, deletion records %d; want one each", erased, records)
	}
	mails := outboxTo(t, h, lic, "mirjam@thuis.invalid")
	var told bool
	for _, m := range mails {
		if m.Subject == "Uw verzoek om verwijdering is uitgevoerd" {
			told = true
			if strings.Contains(m.Body, "Noah") || strings.Contains(m.Body, pupil.String()) {
				t.Errorf("the mail names the child: %q", m.Body)
			}
		}
	}
	if !told {
		t.Error("no mail to the mother about the erasure")
	}
	if resp, _ := h.doAs(t, mother, "GET", child, "", ""); resp.StatusCode != 404 {
		t.Errorf("the mother still opens the child's page: %d", resp.StatusCode)
	}
	if _, out := h.doAs(t, mother, "GET", "/ouder", "", ""); strings.Contains(out, "Noah") {
		t.Error("the mother's portal still lists the child")
	}
	page := h.page(t, pupilURL)
	if !strings.Contains(page, "Alleen de inschrijving") || strings.Contains(page, "mirjam@thuis.invalid") {
		t.Error("the pupil page does not show the minimised record")
	}
	if archive := h.page(t, fmt.Sprintf("/licenties/%s/archief", lic)); !strings.Contains(archive, "Noah Portaal") || !strings.Contains(archive, "geen dossier (meer)") {
		t.Error("the archive does not list the pupil without a dossier")
	} else if !regexp.MustCompile(`<td>` + fmt.Sprint(time.Now().Year()) + `</td><td>dossiers</td><td>1</td>`).MatchString(archive) {
		t.Error("the archive does not count the deleted dossier")
	}
	err := h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
		n, err := logbook.Verify(ctx, school.New(pool), nil)
		if err != nil || n == 0 {
			t.Errorf("logbook after erasure: %d rows, %v", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// askAVG: the guardian of cookie asks in the portal (kind: erasure,
// restriction, …); the address of the school's decision form on the pupil
// page.
func askAVG(t *testing.T, h *harness, cookie string, lic, pupil uuid.UUID, kind, body string) string {
	t.Helper()
	if resp, out := h.doAs(t, cookie, "POST", fmt.Sprintf("/ouder/%s/%s/verzoek", lic, pupil), formType, form("kind", kind,
		"body", body)); resp.StatusCode != 303 {
		t.Fatalf("%s request: %d %s", kind, resp.StatusCode, out)
	}
	decide := regexp.MustCompile(`action="(/licenties/[^"]+/avg/[0-9a-f-]{36})"`).FindStringSubmatch(h.page(t, fmt.Sprintf("/licenties/%s/leerlingen/%s", lic, pupil)))
	if decide == nil {
		t.Fatal("the pupil page has no decision form for the request")
	}
	return decide[1]
}

// TestRestrictionOnRequest: a mother asks to restrict the use of her son's
// data; the school honours it: the dossier can be read, not changed (the
// page and the API refuse with the reason), and the pages say so. The
// school lifts it; writing works again. Both steps are in the logbook.
func TestRestrictionOnRequest(t *testing.T) {
	h := newHarness(t)
	lic, pupil := portalFixture(t, h)
	decide := askAVG(t, h, h.login(t, "mirjam@thuis.invalid"), lic, pupil, "restriction",
		"Gebruik de gegevens niet zolang wij het oneens zijn over het verslag.")
	if resp, out := h.do(t, "POST", decide, formType, form("decision", "accepted")); resp.StatusCode != 303 {
		t.Fatalf("accept: %d %s", resp.StatusCode, out)
	}
	pupilURL := fmt.Sprintf("/licenties/%s/leerlingen/%s", lic, pupil)
	growth := func() (int, string) {
		resp, out := h.do(t, "POST", pupilURL+"/dossier/groeidocument", formType, form("kind", "observation",
			"occurred_on", h.srv.today().Format(dateLayout), "body", "Werkt geconcentreerd in de ochtend."))
		return resp.StatusCode, out
	}
	if status, out := growth(); status != 409 || !strings.Contains(out, "Het gebruik van deze gegevens is beperkt") {
		t.Errorf("a growth note while restricted: %d, want 409 with the reason", status)
	}
	api := fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier/advance", lic, pupil)
	if resp, out := h.do(t, "POST", api, "application/json", `{"request_id":"`+uuid.NewString()+`","from":"plan"}`); resp.StatusCode != 409 ||
		!strings.Contains(out, "beperkt") {
		t.Errorf("advancing by API while restricted: %d %s", resp.StatusCode, out)
	}
	if page := h.page(t, pupilURL+"/dossier"); !strings.Contains(page, "beperkt (AVG art. 18)") {
		t.Error("the dossier page does not say the use is restricted")
	}
	page := h.page(t, pupilURL)
	lift := regexp.MustCompile(`action="([^"]+/beperking-opheffen)"`).FindStringSubmatch(page)
	if lift == nil || !strings.Contains(page, "beperkt, op verzoek van de ouders of de leerling") {
		t.Fatal("the pupil page does not show the restriction with a way to lift it")
	}
	if resp, _ := h.do(t, "POST", lift[1], formType, form("request_id", uuid.NewString())); resp.StatusCode != 303 {
		t.Fatalf("lift: %d", resp.StatusCode)
	}
	if status, out := growth(); status != 303 {
		t.Errorf("a growth note after lifting: %d %s", status, out)
	}
	lines := h.logbookActions(t, lic, pupil)
	for _, want := range []string{"update pupil_restricted", "update pupil_restriction_lifted"} {
		if !strings.Contains(lines, want) {
			t.Errorf("logbook lacks %q", want)
		}
	}
}
