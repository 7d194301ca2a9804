package server

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db/swv"
	"github.com/topdossier/topdossier/internal/poll"
)

// askSWV: the guardian of cookie asks the SWV (kind: correction, …) in
// the portal about the pupil's one request there; the address of the
// SWV's answer form.
func askSWV(t *testing.T, h *harness, f *swvFixture, cookie string, pupil fmt.Stringer, kind, body string) string {
	t.Helper()
	portal := fmt.Sprintf("/ouder/%s/%s", h.school.ID, pupil)
	_, page := h.doAs(t, cookie, "GET", portal, "", "")
	target := regexp.MustCompile(`<option value="([0-9a-f-]{36})">SWV Rivierenland: `).FindStringSubmatch(page)
	if target == nil {
		t.Fatal("the portal offers no request at the SWV to ask about")
	}
	resp, out := h.doAs(t, cookie, "POST", portal+"/verzoek", formType, form("to", target[1], "kind", kind, "body", body))
	if resp.StatusCode != 303 || !strings.Contains(resp.Header.Get("Location"), "verzoek=swv") {
		t.Fatalf("%s request to the SWV: %d %s", kind, resp.StatusCode, out)
	}
	status, list := f.as(t, h, "directeur@swv.invalid", "GET", fmt.Sprintf("/licenties/%s/avg-verzoeken", f.lic.ID))
	forms := regexp.MustCompile(`action="(/licenties/[^"]+/avg-verzoeken/[0-9a-f-]{36})"`).FindAllStringSubmatch(list, -1)
	if status != 200 || len(forms) != 1 || !strings.Contains(list, body) {
		t.Fatalf("the SWV's list: %d, %d open (want 1 with the body)", status, len(forms))
	}
	return forms[0][1]
}

// TestSWVAVGRequests: the rights against the SWV's own data (AVG art.
// 12(3), 16, 17(3)(b), 18, 21): a mother asks the SWV, not the school; only
// the SWV's admin answers, within a month; an honoured correction puts her
// statement in the file, an honoured restriction stops the work on the
// request until lifted, an erasure of a request still running is refused
// with its reason; she is mailed and reads the answers in the portal;
// both logbooks have it.
func TestSWVAVGRequests(t *testing.T) {
	h := newHarness(t)
	f := newSWVFixture(t, h)
	ctx := context.Background()
	pupil, mother, _, r := submittedArrangement(t, h, f, "Rechten", "Past een arrangement voor lezen?")
	cookie := h.login(t, mother)
	statement := "Wij zijn niet gescheiden; dat staat verkeerd in de aanvraag."
	decide := askSWV(t, h, f, cookie, pupil, "correction", statement)

	if status, _ := f.as(t, h, "consulent@swv.invalid", "GET", fmt.Sprintf("/licenties/%s/avg-verzoeken", f.lic.ID)); status != 404 {
		t.Errorf("the consultant reads the AVG requests: %d, want 404", status)
	}
	if status, _ := f.as(t, h, "consulent@swv.invalid", "POST", decide, "decision", "accepted"); status != 404 {
		t.Errorf("the consultant answers: %d, want 404", status)
	}
	if status, out := f.as(t, h, "directeur@swv.invalid", "POST", decide, "decision", "rejected", "reason", " "); status != 422 ||
		!strings.Contains(out, "Schrijf bij een afwijzing de reden op") {
		t.Errorf("a rejection without a reason: %d", status)
	}
	// The term: a month, kept by the request's process at the SWV.
	var due time.Time
	var step string
	err := h.platform.Tenants.With(ctx, f.lic.ID, func(pool *pgxpool.Pool) error {
		if err := pool.QueryRow(ctx, `SELECT due_at FROM avg_request`).Scan(&due); err != nil {
			return err
		}
		poll.Until(20*time.Second, func() bool {
			_ = pool.QueryRow(ctx, `SELECT step FROM process_step WHERE entity_kind = 'avg_request'`).Scan(&step)
			return step == "avg_verzoek"
		})
		return nil
	})
	if err != nil || step != "avg_verzoek" || time.Until(due) < 27*24*time.Hour || time.Until(due) > 32*24*time.Hour {
		t.Errorf("the term: due %v, step %q (err %v), want a month, the request's process waiting for the SWV", due, step, err)
	}

	if status, out := f.as(t, h, "directeur@swv.invalid", "POST", decide, "decision", "accepted", "reason", "De verklaring is aan het dossier toegevoegd."); status != 303 {
		t.Fatalf("honour the correction: %d %s", status, out)
	}
	swvPage := fmt.Sprintf("/licenties/%s/aanvragen/%s", f.lic.ID, r.ID)
	if _, page := f.as(t, h, "consulent@swv.invalid", "GET", swvPage); !strings.Contains(page, "aanvullende verklaring van ouder of leerling") ||
		!strings.Contains(page, statement) {
		t.Error("the honoured correction is not in the request's file")
	}
	poll.Must(t, 20*time.Second, "the mail with the SWV's answer", func() bool {
		for _, m := range outboxTo(t, h, h.school.ID, mother) {
			if m.Subject == "Antwoord van het samenwerkingsverband op uw verzoek" && !strings.Contains(m.Body, "Rechten") {
				return true
			}
		}
		return false
	})
	if _, page := h.doAs(t, cookie, "GET", fmt.Sprintf("/ouder/%s/%s", h.school.ID, pupil), "", ""); !strings.Contains(page,
		"bij SWV Rivierenland: <strong>gehonoreerd</strong>") || !strings.Contains(page, "De verklaring is aan het dossier toegevoegd.") {
		t.Error("the portal does not show the SWV's answer")
	}
	if status, _ := f.as(t, h, "directeur@swv.invalid", "POST", decide, "decision", "rejected", "reason", "Toch niet."); status != 422 {
		t.Errorf("answering twice: %d, want 422", status)
	}

	// Restriction: kept and read, not worked on, until lifted.
	decide = askSWV(t, h, f, cookie, pupil, "restriction", "Stop met de aanvraag tot het gesprek met de school.")
	if status, _ := f.as(t, h, "directeur@swv.invalid", "POST", decide, "decision", "accepted"); status != 303 {
		t.Fatalf("honour the restriction: %d", status)
	}
	if status, out := f.act(t, h, r, "consulent@swv.invalid", "/notitie", "note", "Bellen met de IB'er."); status != 409 ||
		!strings.Contains(out, "Het gebruik van deze aanvraag is beperkt") {
		t.Errorf("a note on a restricted request: %d, want 409 with the reason", status)
	}
	if status, _ := f.act(t, h, r, "directeur@swv.invalid", "/intake", "accept", "1"); status != 409 {
		t.Errorf("the intake of a restricted request: %d, want 409", status)
	}
	_, page := f.as(t, h, "directeur@swv.invalid", "GET", swvPage)
	if !strings.Contains(page, `id="restricted"`) || !strings.Contains(page, "/beperking-opheffen") {
		t.Fatal("the request page does not show the restriction with the way to lift it")
	}
	if status, _ := f.as(t, h, "consulent@swv.invalid", "POST", swvPage+"/beperking-opheffen"); status != 404 {
		t.Errorf("the consultant lifts the restriction: %d, want 404", status)
	}
	if status, _ := f.as(t, h, "directeur@swv.invalid", "POST", swvPage+"/beperking-opheffen"); status != 303 {
		t.Fatalf("lift: %d", status)
	}
	if status, _ := f.act(t, h, r, "consulent@swv.invalid", "/notitie", "note", "Bellen met de IB'er."); status != 303 {
		t.Errorf("a note once lifted: %d, want 303", status)
	}

	// Erasure of a request the SWV still decides on: refused, with why.
	decide = askSWV(t, h, f, cookie, pupil, "erasure", "Verwijder alles over ons kind bij het samenwerkingsverband.")
	if status, out := f.as(t, h, "directeur@swv.invalid", "POST", decide, "decision", "accepted"); status != 422 ||
		!strings.Contains(out, "De aanvraag loopt nog") || !strings.Contains(out, "17 lid 3 onder b") {
		t.Errorf("honouring the erasure of a running request: %d, want 422 with the reason", status)
	}

	// The logbooks: the SWV's names each step under the request (so its
	// retention redacts them), the school's the ask.
	var swvLines, schoolLines int
	err = h.platform.Tenants.With(ctx, f.lic.ID, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(ctx, `SELECT count(*) FROM logbook WHERE entity = 'avg_request' AND entity_id LIKE $1`, r.ID.String()+":avg:%").Scan(&swvLines)
	})
	if err == nil {
		err = h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
			return pool.QueryRow(ctx, `SELECT count(*) FROM logbook WHERE entity = 'avg_request_swv' AND pupil_id = $1`, pupil).Scan(&schoolLines)
		})
	}
	if err != nil || swvLines != 5 || schoolLines != 3 {
		t.Errorf("logbook lines: SWV %d (want 5: three asks, two answers), school %d (want 3) (err %v)", swvLines, schoolLines, err)
	}
}

// TestSWVAVGErasure: once the SWV no longer needs a request (withdrawn,
// closed, no decision, no hold) an honoured erasure deletes it at once;
// the mother is mailed (the portal shows nothing of it after), the
// school's own records stay.
func TestSWVAVGErasure(t *testing.T) {
	h := newHarness(t)
	f := newSWVFixture(t, h)
	ctx := context.Background()
	pupil, mother, reqURL, r := submittedArrangement(t, h, f, "Wissen", "Past een arrangement voor rekenen?")
	if resp, _ := h.do(t, "POST", reqURL+"/intrekken", formType, ""); resp.StatusCode != 303 {
		t.Fatalf("withdraw: %d", resp.StatusCode)
	}
	f.waitStatus(t, h, "afgesloten")
	swvPage := fmt.Sprintf("/licenties/%s/aanvragen/%s", f.lic.ID, r.ID)
	poll.Must(t, 20*time.Second, "the retention run of the closed request", func() bool {
		_, page := f.as(t, h, "directeur@swv.invalid", "GET", swvPage)
		return strings.Contains(page, " verwijderd")
	})
	decide := askSWV(t, h, f, h.login(t, mother), pupil, "erasure", "Verwijder de ingetrokken aanvraag.")
	if status, out := f.as(t, h, "directeur@swv.invalid", "POST", decide, "decision", "accepted"); status != 303 {
		t.Fatalf("honour the erasure: %d %s", status, out)
	}
	poll.Must(t, 30*time.Second, "the request deleted at the SWV", func() bool {
		n := -1
		_ = h.platform.Tenants.With(ctx, f.lic.ID, func(pool *pgxpool.Pool) error {
			return pool.QueryRow(ctx, `SELECT count(*) FROM request WHERE id = $1`, r.ID).Scan(&n)
		})
		return n == 0
	})
	var left int
	err := h.platform.Tenants.With(ctx, f.lic.ID, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM avg_request) + (SELECT count(*) FROM process_step WHERE entity_kind = 'avg_request')`).Scan(&left)
	})
	if err != nil || left != 0 {
		t.Errorf("%d AVG requests or their steps left at the SWV (err %v), want 0", left, err)
	}
	erased := false
	for _, m := range outboxTo(t, h, h.school.ID, mother) {
		erased = erased || strings.Contains(m.Body, "honoreert uw verzoek om verwijdering")
	}
	if !erased {
		t.Error("the mother was not told of the erasure")
	}
	if page := h.page(t, reqURL); !strings.Contains(page, "Ingetrokken door de school") || !strings.Contains(page, "Het samenwerkingsverband heeft de aanvraag inmiddels verwijderd") {
		t.Error("the school's own record of the request went too, or does not say the SWV's is gone")
	}
	var reqs []swv.Request
	_ = h.platform.Tenants.With(ctx, f.lic.ID, func(pool *pgxpool.Pool) error {
		var err error
		reqs, err = swv.New(pool).ListRequests(ctx, swv.ListRequestsParams{Lim: 10})
		return err
	})
	if len(reqs) != 0 {
		t.Errorf("%d requests left at the SWV", len(reqs))
	}
}
