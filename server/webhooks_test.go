package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/internal/dossiertest"
	"github.com/topdossier/topdossier/internal/poll"
	"github.com/topdossier/topdossier/store"
)

// received is one post a test receiver got.
type received struct {
	event, delivery, signature string
	body                       []byte
	at                         time.Time
}

// TestWebhooks: a school admin registers an https address and gets its
// secret once; a dossier moving on is posted there signed with that
// secret, with ids and codes only; the receiver's first answer is 500,
// so it comes again, later, with the same event id; the admin page shows
// the delivery with its two attempts.
func TestWebhooks(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	lic := h.school.ID
	h.user(t, "directie@linde.invalid", "staff", member{auth.RoleSchoolAdmin, &lic})
	admin := h.login(t, "directie@linde.invalid")

	var mu sync.Mutex
	var got []received
	receiver := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, received{event: r.Header.Get("TopDossier-Event"), delivery: r.Header.Get("TopDossier-Delivery"),
			signature: r.Header.Get("TopDossier-Signature"), body: body, at: time.Now()})
		first := len(got) == 1
		mu.Unlock()
		if first {
			http.Error(w, "even niet", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(receiver.Close)
	h.webhookRoots.AddCert(receiver.Certificate())

	page := fmt.Sprintf("/licenties/%s/webhooks", lic)
	if resp, _ := h.do(t, "GET", page, "", ""); resp.StatusCode != 404 {
		t.Errorf("the IB'er on the webhook page: %d, want 404 (admins only)", resp.StatusCode)
	}
	if resp, out := h.doAs(t, admin, "POST", page, formType, form("url", "http://ontvanger.invalid/hook")); resp.StatusCode != 422 ||
		!strings.Contains(out, "https-adres") {
		t.Errorf("a plain http address: %d, want 422 asking for https", resp.StatusCode)
	}
	resp, out := h.doAs(t, admin, "POST", page, formType, form("url", receiver.URL+"/hook"))
	m := regexp.MustCompile(`<code id="new-secret">(whsec_[A-Za-z0-9_-]+)</code>`).FindStringSubmatch(out)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("register: %d, no secret shown", resp.StatusCode)
	}
	secret := m[1]
	if _, again := h.doAs(t, admin, "GET", page, "", ""); strings.Contains(again, secret) {
		t.Error("the secret is shown again")
	}

	// A dossier moves from observe to understand.
	pupil := h.createPupil(t, h.cookie, lic, "Haak", "5")
	var dossier school.Dossier
	if err := h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
		var err error
		dossier, err = dossiertest.Complete(ctx, school.New(pool), pupil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("/licenties/%s/leerlingen/%s/dossier", lic, pupil)
	if resp, _ := h.do(t, "POST", base+"/proces-starten", formType, ""); resp.StatusCode != 303 {
		t.Fatalf("start process: %d", resp.StatusCode)
	}
	h.waitPhase(t, lic, dossier.ID, "observe")
	if resp, out := h.do(t, "POST", fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier/advance", lic, pupil), "application/json",
		`{"request_id":"haak-1","from":"observe"}`); resp.StatusCode != 200 {
		t.Fatalf("advance: %d %s", resp.StatusCode, out)
	}
	poll.Must(t, 30*time.Second, "the delivery after the receiver's 500", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) >= 2
	})
	mu.Lock()
	first, second := got[0], got[1]
	mu.Unlock()
	if first.delivery != second.delivery || string(first.body) != string(second.body) || first.event != store.EventDossierPhase {
		t.Errorf("the retry differs: %s/%s, event %q", first.delivery, second.delivery, first.event)
	}
	if gap := second.at.Sub(first.at); gap < 250*time.Millisecond {
		t.Errorf("retried after %v, want a backoff", gap)
	}
	// The signature is HMAC-SHA256 under the secret over "<t>.<body>".
	tm := regexp.MustCompile(`^t=(\d+),v1=[0-9a-f]{64}$`).FindStringSubmatch(second.signature)
	if tm == nil {
		t.Fatalf("signature header %q", second.signature)
	}
	var unix int64
	fmt.Sscan(tm[1], &unix)
	if want := store.WebhookSignature([]byte(secret), time.Unix(unix, 0), second.body); want != second.signature ||
		time.Since(time.Unix(unix, 0)) > time.Minute {
		t.Errorf("signature %q, want %q (and a fresh t)", second.signature, want)
	}
	if store.WebhookSignature([]byte("whsec_ander"), time.Unix(unix, 0), second.body) == second.signature {
		t.Error("another secret gives the same signature")
	}
	var ev store.WebhookEvent
	if err := json.Unmarshal(second.body, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.LicenceID != lic || ev.Data["pupil_id"] != pupil.String() || ev.Data["dossier_id"] != dossier.ID.String() ||
		ev.Data["phase"] != "understand" || ev.Data["from"] != "observe" {
		t.Errorf("event %+v", ev)
	}
	// Ids and codes only: not the pupil's name, not the reason.
	for _, personal := range []string{"Haak", "Rekenen"} {
		if strings.Contains(string(second.body), personal) {
			t.Errorf("the event carries %q", personal)
		}
	}
	// The admin page shows the delivery: delivered, two attempts.
	poll.Must(t, 10*time.Second, "the delivery on the admin page", func() bool {
		_, out := h.doAs(t, admin, "GET", page, "", "")
		return regexp.MustCompile(`dossier.phase_changed</code></td><td>[^<]+</td>\s*<td>afgeleverd</td>\s*<td>2</td>`).MatchString(out)
	})
	// A delivery given up after its last attempt shows as failed, with
	// the receiver's last answer.
	if _, err := h.platform.Pool.Exec(ctx, `INSERT INTO webhook_delivery (webhook_id, event_key, event, payload, status, attempts,
		last_status, last_error, finished_at) SELECT id, 'test:failed', 'pupil.left', '{}', 'failed', 12, 503,
		'de ontvanger antwoordde 503', now() FROM webhook LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if _, out := h.doAs(t, admin, "GET", page, "", ""); !regexp.MustCompile(`pupil.left</code></td><td>[^<]+</td>\s*<td>mislukt</td>\s*<td>12</td>\s*<td>503 de ontvanger antwoordde 503</td>`).MatchString(out) {
		t.Error("the admin page does not show the failed delivery with its last answer")
	}
}
