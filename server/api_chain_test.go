package server

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/documents"
	"github.com/topdossier/topdossier/examples/apiclient"
	"github.com/topdossier/topdossier/internal/poll"
	"github.com/topdossier/topdossier/service"
	"github.com/topdossier/topdossier/store"
)

// token makes an API token for a licence, as its admin would on the page.
func (h *harness) token(t *testing.T, licence uuid.UUID, scope platform.ApiScope) string {
	t.Helper()
	tok, err := h.srv.licences.CreateAPIToken(context.Background(), service.Actor{}, licence, "Administratie "+string(scope), scope)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// apiCall is one call with a token; key "" sends no Idempotency-Key.
func (h *harness) apiCall(t *testing.T, token, method, path, key, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, h.http.URL+"/api/v1"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set(idempotencyHeader, key)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// TestAPIRequestChain drives the whole chain through the API with two
// tokens and nothing else — the example client in examples/apiclient:
// the school prepares a TLV request, records the mother's view given on
// paper and submits; the SWV takes it in, plans a meeting, asks two
// experts who advise, the chair proposes, the committee votes, the
// admin signs; the school downloads the signed PDF and pdfsig finds it
// valid. Then: acting for someone without the role is refused, a retry
// with the same Idempotency-Key changes nothing, and a token of one
// licence gets 404 on every path of another.
func TestAPIRequestChain(t *testing.T) {
	h := newHarness(t)
	f := newSWVFixture(t, h)
	ctx := context.Background()
	pupil, _, mother := requestPupil(t, h, "Noor")
	schoolTok := h.token(t, h.school.ID, platform.ApiScopeWrite)
	swvTok := h.token(t, f.lic.ID, platform.ApiScopeWrite)
	swvRead := h.token(t, f.lic.ID, platform.ApiScopeRead)

	// A change through a token without an Idempotency-Key is refused
	// and changes nothing.
	dossier := "/licences/" + h.school.ID.String() + "/pupils/" + pupil.String() + "/dossier"
	if resp, out := h.apiCall(t, schoolTok, "POST", dossier+"/requests", "", `{"kind":"tlv","tlv_type":"so","question":"Zonder sleutel?"}`); resp.StatusCode != 428 ||
		!strings.Contains(out, "Idempotency-Key") {
		t.Errorf("a change without a key: %d %s, want 428", resp.StatusCode, out)
	}
	// Validation speaks Dutch, per field.
	if resp, out := h.apiCall(t, schoolTok, "POST", dossier+"/requests", uuid.NewString(), `{"kind":"tlv","tlv_type":"xo","question":""}`); resp.StatusCode != 422 ||
		!strings.Contains(out, `"tlv_type"`) || !strings.Contains(out, "Schrijf de vraag") {
		t.Errorf("an invalid request: %d %s, want 422 naming the fields", resp.StatusCode, out)
	}

	// The SWV's and the school's administrations listen for events.
	var mu sync.Mutex
	events := map[string][]store.WebhookEvent{} // by licence
	receiver := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev store.WebhookEvent
		if err := json.NewDecoder(r.Body).Decode(&ev); err == nil {
			mu.Lock()
			events[ev.LicenceID.String()] = append(events[ev.LicenceID.String()], ev)
			mu.Unlock()
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(receiver.Close)
	h.webhookRoots.AddCert(receiver.Certificate())
	if status, out := f.as(t, h, "directeur@swv.invalid", "POST", "/licenties/"+f.lic.ID.String()+"/webhooks", "url", receiver.URL+"/swv"); status != 200 ||
		!strings.Contains(out, "whsec_") {
		t.Fatalf("the SWV registers a webhook: %d", status)
	}
	h.user(t, "directie@linde.invalid", "staff", member{auth.RoleSchoolAdmin, &h.school.ID})
	if resp, out := h.doAs(t, h.login(t, "directie@linde.invalid"), "POST", "/licenties/"+h.school.ID.String()+"/webhooks", formType,
		form("url", receiver.URL+"/school")); resp.StatusCode != 200 || !strings.Contains(out, "whsec_") {
		t.Fatalf("the school registers a webhook: %d", resp.StatusCode)
	}

	began := time.Now()
	res, err := apiclient.Walk(ctx, apiclient.Config{BaseURL: h.http.URL + "/api/v1", SchoolToken: schoolTok, SWVToken: swvTok,
		School: h.school.ID.String(), SWV: f.lic.ID.String(), Pupil: pupil.String(), Question: "Past een plek in het SO?",
		Experts: [2]string{userID(t, h, "ortho@swv.invalid").String(), userID(t, h, "psy@swv.invalid").String()},
		Chair:   userID(t, h, "voorzitter@swv.invalid").String(), Member: userID(t, h, "lid@swv.invalid").String(),
		Signer: userID(t, h, "directeur@swv.invalid").String(), Wait: 30 * time.Second})
	if err != nil {
		t.Fatalf("the walk through the API: %v", err)
	}
	t.Logf("the walk from preparation to the signed PDF took %v", time.Since(began).Round(time.Millisecond))
	roots := x509.NewCertPool()
	roots.AddCert(f.ca.Certificate)
	if v, err := documents.VerifyPDF(res.PDF, roots); err != nil || !v.Trusted || v.Name != "Test directeur" {
		t.Errorf("signature %+v (err %v), want trusted and signed by the admin acted for", v, err)
	}
	file := filepath.Join(t.TempDir(), "tlv.pdf")
	if err := os.WriteFile(file, res.PDF, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, _ := exec.Command("pdfsig", file).CombinedOutput(); !strings.Contains(string(out), "Signature is Valid.") {
		t.Errorf("pdfsig:\n%s", out)
	}

	// Both heard of the decision, the SWV also of its signature: ids and
	// codes only.
	poll.Must(t, 20*time.Second, "the decision's events", func() bool {
		mu.Lock()
		defer mu.Unlock()
		has := func(licence uuid.UUID, event, key, want string) bool {
			for _, ev := range events[licence.String()] {
				if ev.Event == event && ev.Data[key] == want {
					return true
				}
			}
			return false
		}
		return has(f.lic.ID, store.EventRequestDecided, "request_id", res.SWVRequest) &&
			has(f.lic.ID, store.EventDecisionSigned, "number", res.Number) &&
			has(h.school.ID, store.EventRequestDecided, "request_id", res.SchoolRequest)
	})

	swvReq := "/licences/" + f.lic.ID.String() + "/requests/" + res.SWVRequest
	schoolReq := dossier + "/requests/" + res.SchoolRequest
	// The votes are the members', the advices the experts': the token
	// recorded them for them.
	_, out := h.apiCall(t, swvRead, "GET", swvReq, "", "")
	var shown struct {
		Request struct {
			Votes []struct {
				MemberID uuid.UUID `json:"member_id"`
			} `json:"votes"`
			Advices []struct {
				ExpertID   uuid.UUID `json:"expert_id"`
				ExpertName string    `json:"expert_name"`
			} `json:"advices"`
			Snapshot struct {
				Parties []struct {
					View string `json:"view"`
				} `json:"parties"`
			} `json:"snapshot"`
			Attachments []struct {
				ID       uuid.UUID `json:"id"`
				FileName string    `json:"file_name"`
			} `json:"attachments"`
		} `json:"request"`
	}
	if err := json.Unmarshal([]byte(out), &shown); err != nil {
		t.Fatal(err)
	}
	if len(shown.Request.Votes) != 2 || len(shown.Request.Advices) != 2 ||
		!strings.Contains(shown.Request.Advices[0].ExpertName, "(via koppeling Administratie write)") {
		t.Errorf("votes %+v, advices %+v: want two of each, by the people acted for, naming the token", shown.Request.Votes, shown.Request.Advices)
	}
	if !strings.Contains(out, "op papier gegeven") {
		t.Error("the SWV does not see the view the school recorded from paper")
	}
	// The attachments the parents let go can be downloaded, and only they.
	if len(shown.Request.Attachments) != 2 {
		t.Fatalf("%d attachments at the SWV, want the two the parents let go", len(shown.Request.Attachments))
	}
	if resp, body := h.apiCall(t, swvRead, "GET", "/licences/"+f.lic.ID.String()+"/requests/"+res.SWVRequest+"/attachments/"+
		shown.Request.Attachments[0].ID.String(), "", ""); resp.StatusCode != 200 || !strings.HasPrefix(body, "%PDF-1.4 ") {
		t.Errorf("download an attachment: %d", resp.StatusCode)
	}
	// Both logbooks say a token did it.
	for _, lb := range []struct {
		licence uuid.UUID
		role    auth.Role
	}{{h.school.ID, auth.RoleAPIWrite}, {f.lic.ID, auth.RoleAPISWVWrite}} {
		var n int
		err := h.platform.Tenants.With(ctx, lb.licence, func(pool *pgxpool.Pool) error {
			return pool.QueryRow(ctx, "SELECT count(*) FROM logbook WHERE actor_role = $1", string(lb.role)).Scan(&n)
		})
		if err != nil || n < 5 {
			t.Errorf("logbook of %s: %d lines by %s (err %v), want every step", lb.licence, n, lb.role, err)
		}
	}

	// Acting for someone who does not hold the role is refused.
	if resp, out := h.apiCall(t, swvTok, "POST", swvReq+"/votes", uuid.NewString(),
		`{"acting_for":"`+userID(t, h, "ortho@swv.invalid").String()+`","approve":true,"motivation":"Ik stem mee."}`); resp.StatusCode != 422 ||
		!strings.Contains(out, "acting_for") {
		t.Errorf("a vote for an expert: %d %s, want 422 on acting_for", resp.StatusCode, out)
	}
	// A read token reads, never handles.
	if resp, _ := h.apiCall(t, swvRead, "POST", swvReq+"/handled", uuid.NewString(), `{"text":"Klaar."}`); resp.StatusCode != 404 {
		t.Errorf("a read token handles a request: %d, want 404", resp.StatusCode)
	}

	// The same key twice: one meeting, the same answer; the key for
	// another body is refused.
	key := uuid.NewString()
	meetingBody := `{"meets_on":"2027-01-14","title":"Extra vergadering","chair_id":"` + userID(t, h, "voorzitter@swv.invalid").String() +
		`","member_ids":["` + userID(t, h, "lid@swv.invalid").String() + `"]}`
	first, out1 := h.apiCall(t, swvTok, "POST", "/licences/"+f.lic.ID.String()+"/meetings", key, meetingBody)
	again, out2 := h.apiCall(t, swvTok, "POST", "/licences/"+f.lic.ID.String()+"/meetings", key, meetingBody)
	if first.StatusCode != 201 || again.StatusCode != 201 || out1 != out2 || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("a retry with the same key: %d/%d, same body %v, replayed %q", first.StatusCode, again.StatusCode, out1 == out2,
			again.Header.Get("Idempotent-Replayed"))
	}
	var meetings int
	if err := h.platform.Tenants.With(ctx, f.lic.ID, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(ctx, "SELECT count(*) FROM committee_meeting WHERE title = 'Extra vergadering'").Scan(&meetings)
	}); err != nil || meetings != 1 {
		t.Errorf("%d meetings after a retry (err %v), want 1", meetings, err)
	}
	if resp, _ := h.apiCall(t, swvTok, "POST", "/licences/"+f.lic.ID.String()+"/meetings", key, strings.Replace(meetingBody, "Extra", "Andere", 1)); resp.StatusCode != 422 {
		t.Errorf("a key reused for another body: %d, want 422", resp.StatusCode)
	}
	// While the first call runs, a retry is told to come back: 409 with
	// Retry-After, which clients wait out (examples/apiclient does).
	if _, err := h.platform.Pool.Exec(ctx, "UPDATE api_idempotency SET status = NULL, response = NULL, created_at = now() WHERE key = $1", key); err != nil {
		t.Fatal(err)
	}
	if resp, out := h.apiCall(t, swvTok, "POST", "/licences/"+f.lic.ID.String()+"/meetings", key, meetingBody); resp.StatusCode != 409 ||
		resp.Header.Get("Retry-After") != "2" || !strings.Contains(out, "nog verwerkt") {
		t.Errorf("a retry while the first call runs: %d, Retry-After %q, %s; want 409 with Retry-After 2", resp.StatusCode, resp.Header.Get("Retry-After"), out)
	}
	var sealed int
	if err := h.platform.Pool.QueryRow(ctx, "SELECT count(*) FROM api_idempotency WHERE position('Extra vergadering'::bytea in response) > 0").Scan(&sealed); err != nil ||
		sealed != 0 {
		t.Errorf("%d kept answers readable in the platform database (err %v), want them sealed", sealed, err)
	}

	// Every new path answers its own token and hides from any other
	// licence's: another school's, another SWV's, and the school's and
	// SWV's tokens on each other's paths. The ids are real.
	otherSchool := h.platform.School(t, "Andere school", "99ZZ")
	sw, err := platform.New(h.platform.Pool).CreateSWV(ctx, platform.CreateSWVParams{Code: "PO9999", Name: "Ander SWV"})
	if err != nil {
		t.Fatal(err)
	}
	otherSWV, err := h.platform.Tenants.CreateLicence(ctx, tenants.NewLicence{Kind: platform.LicenceKindSwv, Name: "Ander SWV", SWVID: sw.ID})
	if err != nil {
		t.Fatal(err)
	}
	others := map[bool][]string{
		false: {h.token(t, otherSchool.ID, platform.ApiScopeWrite), swvTok, h.token(t, otherSWV.ID, platform.ApiScopeWrite)},
		true:  {schoolTok, h.token(t, otherSWV.ID, platform.ApiScopeWrite), h.token(t, otherSchool.ID, platform.ApiScopeWrite)},
	}
	// A real import of the school's, for the import paths.
	req, err := http.NewRequest("POST", h.http.URL+"/api/v1/licences/"+h.school.ID.String()+"/imports", strings.NewReader(edexml(t)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+schoolTok)
	req.Header.Set("Content-Type", "application/xml")
	req.Header.Set(idempotencyHeader, uuid.NewString())
	iresp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var imp struct {
		ID uuid.UUID `json:"id"`
	}
	if err := json.NewDecoder(iresp.Body).Decode(&imp); err != nil || iresp.StatusCode != 201 {
		t.Fatalf("import: %d %v", iresp.StatusCode, err)
	}
	iresp.Body.Close()
	// A real transfer of the pupil's plan to the other school.
	tresp, tout := h.apiCall(t, schoolTok, "POST", "/licences/"+h.school.ID.String()+"/pupils/"+pupil.String()+"/transfers", uuid.NewString(),
		`{"to_licence_id":"`+otherSchool.ID.String()+`","parts":["perspective"]}`)
	tm := regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindStringSubmatch(tout)
	if tresp.StatusCode != 201 || tm == nil {
		t.Fatalf("start a transfer: %d %s", tresp.StatusCode, tout)
	}
	// A real OSO import of the school's, for the OSO paths.
	sampleOSO, err := os.ReadFile("../oso/testdata/Voorbeelddossier_PaO_POSWV_opt_out.xml")
	if err != nil {
		t.Fatal(err)
	}
	req, err = http.NewRequest("POST", h.http.URL+"/api/v1/licences/"+h.school.ID.String()+"/oso-imports", bytes.NewReader(sampleOSO))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+schoolTok)
	req.Header.Set("Content-Type", "application/xml")
	req.Header.Set(idempotencyHeader, uuid.NewString())
	oresp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var osoImp struct {
		ID uuid.UUID `json:"id"`
	}
	if err := json.NewDecoder(oresp.Body).Decode(&osoImp); err != nil || oresp.StatusCode != 201 {
		t.Fatalf("OSO import: %d %v", oresp.StatusCode, err)
	}
	oresp.Body.Close()
	checked := 0
	for _, op := range h.srv.apiOps() {
		swvPath := strings.HasPrefix(op.Path, "/licences/:licence/requests") || strings.HasPrefix(op.Path, "/licences/:licence/meetings") ||
			strings.HasPrefix(op.Path, "/licences/:licence/people") || strings.HasPrefix(op.Path, "/licences/:licence/avg-requests")
		path := strings.NewReplacer(":pupil", pupil.String(), ":version", "1", ":avg", uuid.NewString(),
			":attachment", shown.Request.Attachments[0].ID.String(), ":import", imp.ID.String(), ":transfer", tm[1]).Replace(op.Path)
		if strings.Contains(op.Path, "/oso-imports/") {
			path = strings.Replace(path, imp.ID.String(), osoImp.ID.String(), 1)
		}
		if strings.HasSuffix(op.Path, "/oso") {
			path += "?overstap=POVO"
		}
		own := schoolTok
		if swvPath {
			path = strings.NewReplacer(":licence", f.lic.ID.String(), ":request", res.SWVRequest).Replace(path)
			own = swvTok
		} else {
			path = strings.NewReplacer(":licence", h.school.ID.String(), ":request", res.SchoolRequest).Replace(path)
		}
		body := ""
		if op.Body != nil {
			body = "{}"
		}
		for _, tok := range others[swvPath] {
			if resp, out := h.apiCall(t, tok, op.Method, path, uuid.NewString(), body); resp.StatusCode != 404 {
				t.Errorf("%s %s with another licence's token: %d %s, want 404", op.Method, op.Path, resp.StatusCode, out)
			}
			checked++
		}
		if op.Method == "GET" {
			if resp, out := h.apiCall(t, own, op.Method, path, "", ""); resp.StatusCode != 200 {
				t.Errorf("%s %s with its own token: %d %s, want 200", op.Method, op.Path, resp.StatusCode, out)
			}
		}
	}
	if checked < 3*25 {
		t.Errorf("checked %d calls, want three other tokens on each of at least 25 paths", checked)
	}

	// The pupil has a TLV of the SWV: once the mother agreed to the
	// transfer, the SWV sees where the pupil goes, and that the TLV stays
	// valid within its region.
	if resp, out := h.doAs(t, h.login(t, mother), "POST", fmt.Sprintf("/ouder/%s/%s/overdracht/%s", h.school.ID, pupil, tm[1]), formType,
		"answer=agree"); resp.StatusCode != 303 {
		t.Fatalf("the mother agrees to the transfer: %d %s", resp.StatusCode, out)
	}
	overview := "/licenties/" + f.lic.ID.String() + "/overstappen"
	if !poll.Until(20*time.Second, func() bool {
		_, out := f.as(t, h, "directeur@swv.invalid", "GET", overview)
		return strings.Contains(out, "Noor Aanvraag") && strings.Contains(out, "Andere school") && strings.Contains(out, "de TLV blijft geldig")
	}) {
		_, out := f.as(t, h, "directeur@swv.invalid", "GET", overview)
		t.Errorf("the SWV's transfer overview:\n%s", out)
	}
	_ = schoolReq
}
