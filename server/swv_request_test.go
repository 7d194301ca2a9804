package server

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/swv"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/documents"
	"github.com/topdossier/topdossier/internal/browsertest"
	"github.com/topdossier/topdossier/internal/dossiertest"
	"github.com/topdossier/topdossier/internal/poll"
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/service"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/workflows"
)

// swvFixture is an SWV licence with its people and a signing identity
// from a demo CA, next to the harness's school.
type swvFixture struct {
	lic     platform.Licence
	ca      *documents.SigningIdentity
	cookies map[string]string // by e-mail address
}

func newSWVFixture(t *testing.T, h *harness) *swvFixture {
	t.Helper()
	ctx := context.Background()
	lic, err := h.platform.Tenants.CreateLicence(ctx, tenants.NewLicence{Kind: platform.LicenceKindSwv, Name: "SWV Rivierenland",
		SWVID: h.platform.SWV.ID})
	if err != nil {
		t.Fatal(err)
	}
	ca, err := documents.NewDemoCA("TOP dossier demo-CA", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ident, err := ca.Issue("SWV Test", "SWV Test", time.Now(), 365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.StoreSigningIdentity(ctx, platform.New(h.platform.Pool), testSecretKey, h.platform.SWV.ID, ident); err != nil {
		t.Fatal(err)
	}
	f := &swvFixture{lic: lic, ca: ca, cookies: map[string]string{}}
	q := platform.New(h.platform.Pool)
	if err := q.SetSWVObjectionAddress(ctx, platform.SetSWVObjectionAddressParams{ID: h.platform.SWV.ID,
		ObjectionAddress: "Postbus 12, 4000 AA Tiel", ObjectionEmail: "bezwaar@swv.invalid"}); err != nil {
		t.Fatal(err)
	}
	add := func(email string, role auth.Role, profession string, elsewhere ...uuid.UUID) {
		id := h.user(t, email, "staff")
		var prof *platform.ExpertProfession
		if profession != "" {
			p := platform.ExpertProfession(profession)
			prof = &p
		}
		if _, err := q.CreateMembership(ctx, platform.CreateMembershipParams{UserID: id, LicenceID: &lic.ID, Role: platform.StaffRole(role),
			Profession: prof}); err != nil {
			t.Fatal(err)
		}
		for _, other := range elsewhere {
			o := other
			if _, err := q.CreateMembership(ctx, platform.CreateMembershipParams{UserID: id, LicenceID: &o, Role: platform.StaffRoleTeacher}); err != nil {
				t.Fatal(err)
			}
		}
		f.cookies[email] = h.login(t, email)
	}
	add("directeur@swv.invalid", auth.RoleSWVAdmin, "")
	add("ortho@swv.invalid", auth.RoleExpert, "orthopedagoog")
	add("psy@swv.invalid", auth.RoleExpert, "psycholoog")
	add("verbonden@swv.invalid", auth.RoleExpert, "psycholoog", h.school.ID) // also works at the school
	add("voorzitter@swv.invalid", auth.RoleCommitteeMember, "")
	add("lid@swv.invalid", auth.RoleCommitteeMember, "")
	add("consulent@swv.invalid", auth.RoleConsultant, "")
	if err := q.AssignConsultant(ctx, platform.AssignConsultantParams{SchoolLicenceID: h.school.ID,
		ConsultantUserID: userID(t, h, "consulent@swv.invalid")}); err != nil {
		t.Fatal(err)
	}
	return f
}

// act posts one action on the SWV's request page, with a fresh request id.
func (f *swvFixture) act(t *testing.T, h *harness, r swv.Request, email, path string, kv ...string) (int, string) {
	t.Helper()
	return f.as(t, h, email, "POST", fmt.Sprintf("/licenties/%s/aanvragen/%s%s", f.lic.ID, r.ID, path), append(kv, "request_id", uuid.NewString())...)
}

// propose is the chair's proposal of the term (and for a TLV for SO or
// VSO the category) the committee votes on.
func (f *swvFixture) propose(t *testing.T, h *harness, r swv.Request, start, end time.Time, category string) {
	t.Helper()
	if status, out := f.act(t, h, r, "voorzitter@swv.invalid", "/voorstel", "start_on", start.Format("2006-01-02"),
		"end_on", end.Format("2006-01-02"), "category", category); status != 303 {
		t.Fatalf("proposal: %d %s", status, out)
	}
}

// toCommittee takes a request in intake to the committee's agenda: the
// director accepts it, plans a meeting (chair and one member) and puts it
// on; for a TLV the two experts advise.
func (f *swvFixture) toCommittee(t *testing.T, h *harness, r swv.Request) {
	t.Helper()
	if status, out := f.act(t, h, r, "directeur@swv.invalid", "/intake", "accept", "1"); status != 303 {
		t.Fatalf("intake: %d %s", status, out)
	}
	f.waitStatus(t, h, "bij_consulent")
	// A meeting without a name comes back with the day and the members kept.
	if status, out := f.as(t, h, "directeur@swv.invalid", "POST", fmt.Sprintf("/licenties/%s/vergaderingen", f.lic.ID),
		"meets_on", "2026-12-17", "title", " ", "chair", userID(t, h, "voorzitter@swv.invalid").String(),
		"members", userID(t, h, "lid@swv.invalid").String()); status != 422 || !strings.Contains(out, `value="2026-12-17"`) ||
		!strings.Contains(out, `value="`+userID(t, h, "lid@swv.invalid").String()+`" checked`) {
		t.Errorf("a meeting without a name: %d, want 422 with what was typed", status)
	}
	if status, out := f.as(t, h, "directeur@swv.invalid", "POST", fmt.Sprintf("/licenties/%s/vergaderingen", f.lic.ID),
		"meets_on", time.Now().Format("2006-01-02"), "title", "Commissie van toewijzing",
		"chair", userID(t, h, "voorzitter@swv.invalid").String(), "members", userID(t, h, "lid@swv.invalid").String()); status != 303 {
		t.Fatalf("plan meeting: %d %s", status, out)
	}
	_, meetings := f.as(t, h, "directeur@swv.invalid", "GET", fmt.Sprintf("/licenties/%s/vergaderingen", f.lic.ID))
	meeting := regexp.MustCompile(`id="vergadering-([0-9a-f-]{36})"`).FindStringSubmatch(meetings)
	if meeting == nil {
		t.Fatal("no meeting on the meetings page")
	}
	if status, out := f.act(t, h, r, "directeur@swv.invalid", "/agenderen", "meeting", meeting[1]); status != 303 {
		t.Fatalf("schedule: %d %s", status, out)
	}
	if r.Kind != "tlv" {
		return
	}
	if status, out := f.act(t, h, r, "voorzitter@swv.invalid", "/stem", "approve", "1", "start_on", "2027-01-01", "end_on", "2029-07-31",
		"motivation", "Te vroeg"); status != 422 || !strings.Contains(out, "adviezen van twee deskundigen") {
		t.Errorf("vote before the advice: %d", status)
	}
	// Only the experts asked read the request; one who works at the
	// school cannot be asked (independence, WPO 18a lid 11).
	if status, _ := f.as(t, h, "ortho@swv.invalid", "GET", fmt.Sprintf("/licenties/%s/aanvragen/%s", f.lic.ID, r.ID)); status != 404 {
		t.Errorf("an expert not asked reads the request: %d, want 404", status)
	}
	if status, _ := f.act(t, h, r, "ortho@swv.invalid", "/advies", "advice", "Ongevraagd."); status != 404 {
		t.Errorf("an expert not asked advises: %d, want 404", status)
	}
	if status, out := f.act(t, h, r, "directeur@swv.invalid", "/deskundige", "expert", userID(t, h, "verbonden@swv.invalid").String()); status != 422 ||
		!strings.Contains(out, "verbonden aan de school") {
		t.Errorf("asking an expert linked to the school: %d, want 422 saying so", status)
	}
	if status, _ := f.act(t, h, r, "verbonden@swv.invalid", "/advies", "advice", "Ik ken dit kind goed."); status != 404 {
		t.Errorf("advice of an expert linked to the school: %d, want 404 (not asked)", status)
	}
	for _, e := range []string{"ortho@swv.invalid", "psy@swv.invalid"} {
		if status, out := f.act(t, h, r, "directeur@swv.invalid", "/deskundige", "expert", userID(t, h, e).String()); status != 303 {
			t.Fatalf("ask %s: %d %s", e, status, out)
		}
	}
	for _, e := range []string{"ortho@swv.invalid", "psy@swv.invalid"} {
		if status, out := f.act(t, h, r, e, "/advies", "outcome", "positief", "advice", "Een kleine groep met vaste structuur is nodig."); status != 303 {
			t.Fatalf("advice %s: %d %s", e, status, out)
		}
	}
}

// submittedTLV is a TLV request the mother agreed to, submitted and in
// the SWV's intake.
func submittedTLV(t *testing.T, h *harness, f *swvFixture, given string) (uuid.UUID, string, string, swv.Request) {
	t.Helper()
	pupil, _, mother := requestPupil(t, h, given)
	reqURL := prepareRequest(t, h, pupil, "kind", "tlv", "tlv_type", "so", "tlv_category", "midden", "question", "Past een plek in het SO?")
	if status, _ := motherAnswers(t, h, mother, pupil, "answer", "agree", "view", "Wij steunen de aanvraag."); status != 303 {
		t.Fatalf("mother agrees: %d", status)
	}
	if resp, out := h.do(t, "POST", reqURL+"/indienen", formType, ""); resp.StatusCode != 303 {
		t.Fatalf("submit: %d %s", resp.StatusCode, out)
	}
	return pupil, mother, reqURL, f.waitStatus(t, h, "intake")
}

// as posts a form as one of the SWV's people.
func (f *swvFixture) as(t *testing.T, h *harness, email, method, path string, kv ...string) (int, string) {
	t.Helper()
	resp, out := h.doAs(t, f.cookies[email], method, path, formType, form(kv...))
	return resp.StatusCode, out
}

// submittedArrangement prepares an arrangement request for a new pupil,
// has the mother agree and the school submit it, and waits for it at the
// SWV's intake.
func submittedArrangement(t *testing.T, h *harness, f *swvFixture, given, question string) (uuid.UUID, string, string, swv.Request) {
	t.Helper()
	pupil, _, mother := requestPupil(t, h, given)
	reqURL := prepareRequest(t, h, pupil, "kind", "arrangement", "question", question)
	if status, _ := motherAnswers(t, h, mother, pupil, "answer", "agree"); status != 303 {
		t.Fatalf("mother agrees: %d", status)
	}
	if resp, _ := h.do(t, "POST", reqURL+"/indienen", formType, ""); resp.StatusCode != 303 {
		t.Fatalf("submit: %d", resp.StatusCode)
	}
	return pupil, mother, reqURL, f.waitStatus(t, h, "intake")
}

// requestPupil is a pupil with a complete dossier, two attachments and a
// mother with a portal account who was invited.
func requestPupil(t *testing.T, h *harness, given string) (pupil, dossier uuid.UUID, mother string) {
	t.Helper()
	ctx := context.Background()
	lic := h.school.ID
	mother = strings.ToLower(given) + ".moeder@thuis.invalid"
	body := `{"given_name":"` + given + `","family_name":"Aanvraag","group_name":"6","birth_date":"2016-05-05","enrolled_on":"2022-08-22",
	  "guardians":[{"given_name":"Moeder","family_name":"Aanvraag","email":"` + mother + `","relation":"mother","parental_authority":true}]}`
	resp, out := h.do(t, "POST", "/api/v1/licences/"+lic.String()+"/pupils", "application/json", body)
	if resp.StatusCode != 201 {
		t.Fatalf("create pupil: %d %s", resp.StatusCode, out)
	}
	pupil = uuid.MustParse(regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(out)[1])
	h.user(t, mother, "guardian")
	page := h.page(t, fmt.Sprintf("/licenties/%s/leerlingen/%s", lic, pupil))
	invite := regexp.MustCompile(`action="([^"]+/uitnodigen)"`).FindStringSubmatch(page)
	if invite == nil {
		t.Fatal("no invite button")
	}
	if resp, _ := h.do(t, "POST", invite[1], formType, ""); resp.StatusCode != 303 {
		t.Fatalf("invite: %d", resp.StatusCode)
	}
	err := h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		d, err := dossiertest.Complete(ctx, q, pupil)
		if err != nil {
			return err
		}
		dossier = d.ID
		for _, name := range []string{"verslag-psycholoog.pdf", "groeidocument.pdf"} {
			content := []byte("%PDF-1.4 " + name)
			sum := sha256.Sum256(content)
			if _, err := q.AddAttachment(ctx, school.AddAttachmentParams{DossierID: d.ID, FileName: name, ContentType: "application/pdf",
				SizeBytes: int32(len(content)), Sha256: sum[:], Content: content}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pupil, dossier, mother
}

// prepareRequest has the IB'er prepare a request and returns its page.
func prepareRequest(t *testing.T, h *harness, pupil uuid.UUID, kv ...string) string {
	t.Helper()
	base := dossierURL(h.school.ID, pupil)
	if resp, out := h.do(t, "POST", base+"/aanvragen", formType, form(kv...)); resp.StatusCode != 303 {
		t.Fatalf("prepare request: %d %s", resp.StatusCode, out)
	}
	m := regexp.MustCompile(`href="(`+regexp.QuoteMeta(base)+`/aanvragen/[0-9a-f-]{36})"`).FindAllStringSubmatch(h.page(t, base), -1)
	if m == nil {
		t.Fatal("no request on the dossier page")
	}
	return m[0][1]
}

// motherAnswers answers the request in the portal.
func motherAnswers(t *testing.T, h *harness, mother string, pupil uuid.UUID, kv ...string) (int, string) {
	t.Helper()
	cookie := h.login(t, mother)
	portal := fmt.Sprintf("/ouder/%s/%s", h.school.ID, pupil)
	_, page := h.doAs(t, cookie, "GET", portal, "", "")
	action := regexp.MustCompile(`action="(/ouder/[^"]+/aanvraag/[0-9a-f-]{36})"`).FindStringSubmatch(page)
	round := regexp.MustCompile(`name="round" value="(\d+)"`).FindStringSubmatch(page)
	if action == nil || round == nil {
		t.Fatalf("no request to answer in the portal:\n%s", page)
	}
	resp, out := h.doAs(t, cookie, "POST", action[1], formType, form(append(kv, "round", round[1])...))
	return resp.StatusCode, out
}

// swvRequestOf finds the SWV's copy of the school's request.
func swvRequestOf(t *testing.T, h *harness, f *swvFixture) swv.Request {
	t.Helper()
	var reqs []swv.Request
	err := h.platform.Tenants.With(context.Background(), f.lic.ID, func(pool *pgxpool.Pool) error {
		var err error
		reqs, err = swv.New(pool).ListRequests(context.Background(), swv.ListRequestsParams{Lim: 10})
		return err
	})
	if err != nil || len(reqs) != 1 {
		t.Fatalf("SWV requests %d (err %v), want 1", len(reqs), err)
	}
	return reqs[0]
}

func (f *swvFixture) waitStatus(t *testing.T, h *harness, want string) swv.Request {
	t.Helper()
	var r swv.Request
	poll.Must(t, 20*time.Second, "request status "+want, func() bool {
		r = swvRequestOf(t, h, f)
		return r.Status == want
	})
	return r
}

// TestRequestTLVEndToEnd: a school prepares a TLV request from the
// dossier; the mother sees exactly what goes, lets one of two attachments
// go and gives her view; the school submits; the SWV takes it in, plans
// it on a meeting, two experts advise (one linked to the school refused),
// the committee decides, the director signs; pdfsig finds the signature
// valid; the school and the mother download the signed TLV.
func TestRequestTLVEndToEnd(t *testing.T) {
	h := newHarness(t)
	f := newSWVFixture(t, h)
	ctx := context.Background()
	pupil, _, mother := requestPupil(t, h, "Tijn")
	base := dossierURL(h.school.ID, pupil)

	// A TLV without its type: named, and the typed question stays.
	resp, out := h.do(t, "POST", base+"/aanvragen", formType, form("kind", "tlv", "question", "Past een plek in het SO?"))
	if resp.StatusCode != 422 || !strings.Contains(out, "SBO, SO of VSO") || !strings.Contains(out, "Past een plek in het SO?") {
		t.Errorf("TLV without type: %d", resp.StatusCode)
	}
	reqURL := prepareRequest(t, h, pupil, "kind", "tlv", "tlv_type", "so", "tlv_category", "midden", "question", "Past een plek in het SO?")
	if page := h.page(t, reqURL); !strings.Contains(page, "Nog niet iedereen heeft geantwoord") || !strings.Contains(page, "verslag-psycholoog.pdf") {
		t.Errorf("request page before the answers")
	}
	if resp, out := h.do(t, "POST", reqURL+"/indienen", formType, ""); resp.StatusCode != 422 || !strings.Contains(out, "Er is niets verstuurd") {
		t.Errorf("submit before the answers: %d", resp.StatusCode)
	}

	// The mother: a refusal needs a reason; then she agrees, lets the
	// growth document go but not the psychologist's report, and gives her view.
	if status, out := motherAnswers(t, h, mother, pupil, "answer", "refuse"); status != 422 || !strings.Contains(out, "Schrijf op waarom") {
		t.Errorf("refusal without a reason: %d", status)
	}
	var growthID string
	_ = h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(ctx, "SELECT id::text FROM attachment WHERE file_name = 'groeidocument.pdf'").Scan(&growthID)
	})
	if status, _ := motherAnswers(t, h, mother, pupil, "answer", "agree", "share_"+growthID, "1",
		"view", "Wij steunen de aanvraag; Tijn heeft een kleine groep nodig."); status != 303 {
		t.Fatalf("mother agrees: %d", status)
	}
	if resp, out := h.do(t, "POST", reqURL+"/indienen", formType, ""); resp.StatusCode != 303 {
		t.Fatalf("submit: %d %s", resp.StatusCode, out)
	}
	if resp, _ := h.do(t, "POST", reqURL+"/indienen", formType, ""); resp.StatusCode != 303 {
		t.Errorf("submit twice: %d", resp.StatusCode)
	}
	r := f.waitStatus(t, h, "intake")
	err := h.platform.Tenants.With(ctx, f.lic.ID, func(pool *pgxpool.Pool) error {
		q := swv.New(pool)
		snap, err := q.GetSnapshot(ctx, r.ID)
		if err != nil {
			return err
		}
		var s plan.RequestSnapshot
		if err := json.Unmarshal(snap.Content, &s); err != nil {
			return err
		}
		if len(s.Attachments) != 1 || s.Attachments[0].FileName != "groeidocument.pdf" || len(s.ViewOfParents) != 1 ||
			s.Perspective.Destination != "vmbo_kb" || r.TlvType == nil || *r.TlvType != "so" {
			t.Errorf("snapshot %+v, want the growth document only, her view and the perspective", s)
		}
		files, err := q.ListRequestAttachments(ctx, r.ID)
		if err != nil || len(files) != 1 || strings.Contains(string(snap.Content), "verslag-psycholoog") {
			t.Errorf("attachments at the SWV %+v (err %v): the report she kept back went along", files, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	swvURL := fmt.Sprintf("/licenties/%s/aanvragen/%s", f.lic.ID, r.ID)
	act := func(email, path string, kv ...string) (int, string) {
		t.Helper()
		return f.as(t, h, email, "POST", swvURL+path, append(kv, "request_id", uuid.NewString())...)
	}
	// The intake queue, then the request as the SWV reads it.
	if _, queue := f.as(t, h, "directeur@swv.invalid", "GET", fmt.Sprintf("/licenties/%s/aanvragen?status=intake", f.lic.ID)); !strings.Contains(queue, swvURL) ||
		!strings.Contains(queue, "Tijn Aanvraag") {
		t.Errorf("the intake queue does not list the request")
	}
	if _, page := f.as(t, h, "directeur@swv.invalid", "GET", swvURL); !strings.Contains(page, "Wij steunen de aanvraag") ||
		!strings.Contains(page, "groeidocument.pdf") || strings.Contains(page, "verslag-psycholoog") {
		t.Errorf("the SWV's request page does not show what was shared, and only that")
	}
	// Before it is on a meeting's agenda the committee does not need to
	// know it.
	if status, _ := f.as(t, h, "voorzitter@swv.invalid", "GET", swvURL+"/bijlagen/"+growthID); status != 404 {
		t.Errorf("committee member opens the attachment of a request not on their agenda: %d, want 404", status)
	}
	if _, dash := f.as(t, h, "directeur@swv.invalid", "GET", fmt.Sprintf("/licenties/%s/overzicht", f.lic.ID)); !strings.Contains(dash, "Tijn Aanvraag") {
		t.Errorf("the admin's overview does not list the request in the intake")
	}
	if status, _ := act("voorzitter@swv.invalid", "/stem", "approve", "1", "start_on", "2027-01-01", "end_on", "2029-07-31",
		"motivation", "Te vroeg"); status != 404 {
		t.Errorf("vote before the agenda: %d, want 404", status)
	}
	f.toCommittee(t, h, r)
	if status, body := f.as(t, h, "voorzitter@swv.invalid", "GET", swvURL+"/bijlagen/"+growthID); status != 200 || body != "%PDF-1.4 groeidocument.pdf" {
		t.Errorf("committee member opens the shared attachment: %d", status)
	}
	// The consultant of the school has it, with an action and a note the
	// school never sees.
	if status, out := act("consulent@swv.invalid", "/acties", "title", "Bellen met de IB'er", "due_on", time.Now().AddDate(0, 0, 3).Format("2006-01-02")); status != 303 {
		t.Fatalf("action: %d %s", status, out)
	}
	if status, out := act("consulent@swv.invalid", "/notitie", "note", "Intern: moeder belde, twijfelt over de afstand."); status != 303 {
		t.Fatalf("note: %d %s", status, out)
	}
	_, dash := f.as(t, h, "consulent@swv.invalid", "GET", fmt.Sprintf("/licenties/%s/consulent", f.lic.ID))
	for _, want := range []string{"Basisschool De Linde", "Tijn Aanvraag", "Bellen met de IB&#39;er", "moeder belde"} {
		if !strings.Contains(dash, want) {
			t.Errorf("consultant's dashboard lacks %q", want)
		}
	}
	if page := h.page(t, reqURL); strings.Contains(page, "moeder belde") {
		t.Error("the school sees the SWV's internal note")
	}
	_, dash = f.as(t, h, "voorzitter@swv.invalid", "GET", fmt.Sprintf("/licenties/%s/commissie", f.lic.ID))
	if !strings.Contains(dash[strings.Index(dash, "te-beslissen"):], "Tijn Aanvraag") {
		t.Errorf("the chair's dashboard does not list the decision to take")
	}
	termStart, termEnd := time.Now().Format("2006-01-02"), time.Now().AddDate(0, 4, 0).Format("2006-01-02")
	// An approving vote needs the chair's proposal; only the chair makes
	// it; a TLV for SO needs its category and runs at least to the end of
	// the school year.
	if status, out := act("lid@swv.invalid", "/stem", "approve", "1", "motivation", "Eens."); status != 422 || !strings.Contains(out, "De voorzitter legt eerst de looptijd") {
		t.Errorf("an approving vote before the proposal: %d, want 422 saying the chair proposes first", status)
	}
	if status, out := act("lid@swv.invalid", "/voorstel", "start_on", termStart, "end_on", service.SchoolYearEnd(time.Now()).Format("2006-01-02"),
		"category", "midden"); status != 422 || !strings.Contains(out, "Alleen de voorzitter") {
		t.Errorf("a member proposes: %d, want 422", status)
	}
	if status, out := act("voorzitter@swv.invalid", "/voorstel", "start_on", termStart, "end_on", service.SchoolYearEnd(time.Now()).Format("2006-01-02")); status != 422 ||
		!strings.Contains(out, "bekostigingscategorie") {
		t.Errorf("a proposal for SO without a category: %d, want 422", status)
	}
	if status, out := act("voorzitter@swv.invalid", "/voorstel", "start_on", termStart, "end_on", termEnd, "category", "midden"); status != 422 ||
		!strings.Contains(out, "ten minste tot het einde van het schooljaar") {
		t.Errorf("a TLV ending before the school year: %d, want 422", status)
	}
	// The SWV's maximum for SO, set on its page, bounds the proposal.
	maxima := fmt.Sprintf("/licenties/%s/tlv-looptijd", f.lic.ID)
	if status, out := f.as(t, h, "directeur@swv.invalid", "POST", maxima, "tlv_sbo", "2", "tlv_so", "0", "tlv_vso", "4"); status != 422 ||
		!strings.Contains(out, "van 1 tot en met 12") {
		t.Errorf("a maximum of 0 school years: %d, want 422", status)
	}
	if status, _ := f.as(t, h, "directeur@swv.invalid", "POST", maxima, "tlv_sbo", "2", "tlv_so", "1", "tlv_vso", "4"); status != 303 {
		t.Fatalf("set the maxima: %d", status)
	}
	if status, out := act("voorzitter@swv.invalid", "/voorstel", "start_on", termStart, "end_on",
		service.SchoolYearEnd(time.Now()).AddDate(1, 0, 0).Format("2006-01-02"), "category", "midden"); status != 422 ||
		!strings.Contains(out, "hoogstens 1 schooljaren") {
		t.Errorf("a TLV past the SWV's maximum: %d, want 422", status)
	}
	if status, _ := f.as(t, h, "directeur@swv.invalid", "POST", maxima, "tlv_sbo", "2", "tlv_so", "4", "tlv_vso", "4"); status != 303 {
		t.Fatalf("restore the maxima: %d", status)
	}
	// The term started last spring: it runs to the end of that school
	// year at least, which passed; four months on is within it.
	f.propose(t, h, r, time.Now().AddDate(0, -6, 0), time.Now().AddDate(0, 4, 0), "midden")
	// The meeting moves to next week: nobody can vote before it (Awb: a
	// committee decides in its meeting); back to today, the vote counts.
	moveMeeting := func(days int) {
		t.Helper()
		err := h.srv.tenants.With(context.Background(), f.lic.ID, func(pool *pgxpool.Pool) error {
			_, err := pool.Exec(context.Background(), "UPDATE committee_meeting SET meets_on = current_date + $1::int", days)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	moveMeeting(7)
	if status, out := act("lid@swv.invalid", "/stem", "approve", "1",
		"motivation", "Eens met de adviezen."); status != 422 || !strings.Contains(out, "op of na de dag van de vergadering") {
		t.Errorf("a vote before the meeting: %d, want 422 saying so", status)
	}
	moveMeeting(0)
	if status, out := act("lid@swv.invalid", "/stem", "approve", "1",
		"motivation", "Eens met de adviezen."); status != 303 {
		t.Fatalf("member votes: %d %s", status, out)
	}
	if status, out := act("voorzitter@swv.invalid", "/stem", "approve", "1",
		"motivation", "Toegekend: de school kan deze ondersteuning niet bieden."); status != 303 {
		t.Fatalf("chair votes: %d %s", status, out)
	}
	f.waitStatus(t, h, "ondertekenen")
	// The committee may set the category until signing: only the chair.
	if status, out := act("lid@swv.invalid", "/categorie", "category", "hoog"); status != 422 || !strings.Contains(out, "Alleen de voorzitter") {
		t.Errorf("a member changes the category: %d, want 422", status)
	}
	if status, out := act("voorzitter@swv.invalid", "/categorie", "category", "hoog"); status != 303 {
		t.Fatalf("the chair changes the category: %d %s", status, out)
	}
	if status, _ := act("lid@swv.invalid", "/stem", "approve", "0", "motivation", "Toch niet."); status != 422 {
		t.Errorf("a late vote: %d, want refused", status)
	}
	if status, out := act("directeur@swv.invalid", "/ondertekenen"); status != 303 {
		t.Fatalf("sign: %d %s", status, out)
	}
	f.waitStatus(t, h, "bezwaartermijn")

	// The signed TLV: valid for pdfsig, trusted under the demo CA.
	var dec swv.Decision
	err = h.platform.Tenants.With(ctx, f.lic.ID, func(pool *pgxpool.Pool) error {
		var err error
		dec, err = swv.New(pool).GetDecision(ctx, r.ID)
		return err
	})
	if err != nil || dec.Number == nil || *dec.Number != fmt.Sprintf("TLV-%d-0001", time.Now().Year()) {
		t.Fatalf("decision %v (err %v)", dec.Number, err)
	}
	if got := f.waitStatus(t, h, "bezwaartermijn"); got.TlvCategory == nil || *got.TlvCategory != "hoog" {
		t.Errorf("category %v on the signed TLV's request, want the chair's hoog", got.TlvCategory)
	}
	roots := x509.NewCertPool()
	roots.AddCert(f.ca.Certificate)
	if v, err := documents.VerifyPDF(dec.SignedPdf, roots); err != nil || !v.Trusted || v.Name != "Test directeur" {
		t.Errorf("signature %+v (err %v)", v, err)
	}
	file := filepath.Join(t.TempDir(), "tlv.pdf")
	if err := os.WriteFile(file, dec.SignedPdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, _ := exec.Command("pdfsig", file).CombinedOutput(); !strings.Contains(string(out), "Signature is Valid.") {
		t.Errorf("pdfsig:\n%s", out)
	}

	if _, dash := f.as(t, h, "directeur@swv.invalid", "GET", fmt.Sprintf("/licenties/%s/overzicht", f.lic.ID)); !strings.Contains(dash, *dec.Number) {
		t.Errorf("the overview does not list the TLV ending within six months")
	}

	// School and mother are told by mail, without the child's name.
	poll.Must(t, 20*time.Second, "the decision mail to the mother", func() bool {
		for _, m := range outboxTo(t, h, h.school.ID, mother) {
			if m.Subject == "Besluit van het samenwerkingsverband" && !strings.Contains(m.Body, "Tijn") {
				return true
			}
		}
		return false
	})
	if len(outboxTo(t, h, h.school.ID, "ib@linde.invalid")) == 0 {
		t.Error("the IB'er who prepared the request got no mail about the decision")
	}

	// The bekendmaking is recorded; the objection term runs from the day
	// after (Awb 6:8), and all three pages give its last day.
	if dec.MadeKnownAt == nil || dec.ObjectionUntil == nil {
		t.Fatalf("decision made known at %v, objection until %v; want both recorded", dec.MadeKnownAt, dec.ObjectionUntil)
	}
	if last, _ := law.ObjectionTerm(*dec.MadeKnownAt, law.ObjectionWindow); !dec.ObjectionUntil.Equal(last) {
		t.Errorf("objection until %s, want %s", dec.ObjectionUntil, last)
	}
	until := dec.ObjectionUntil.Format("02-01-2006")
	if _, page := f.as(t, h, "directeur@swv.invalid", "GET", fmt.Sprintf("/licenties/%s/aanvragen/%s", f.lic.ID, r.ID)); !strings.Contains(page, "bezwaar kan tot en met "+until) {
		t.Errorf("the SWV's request page does not give the objection term's last day %s", until)
	}

	// School and mother see it and download it.
	if page := h.page(t, reqURL); !strings.Contains(page, "toegekend") || !strings.Contains(page, "besluit.pdf") ||
		!strings.Contains(page, "Bezwaar tegen dit besluit kan tot en met "+until) {
		t.Errorf("the school's request page does not show the signed decision with the objection term's last day")
	}
	// In plain words: granted, the term, the category, objection until.
	plain := fmt.Sprintf("Toegekend van %s tot en met %s, categorie ", dec.StartOn.Format("02-01-2006"), dec.EndOn.Format("02-01-2006"))
	if page := h.page(t, reqURL); !strings.Contains(page, plain) || !strings.Contains(page, "Bezwaar is mogelijk tot en met "+until) ||
		strings.Contains(page, "besloten; bezwaartermijn loopt") {
		t.Errorf("the school's request page does not say in plain words what was decided (want %q)", plain)
	}
	if resp, body := h.do(t, "GET", reqURL+"/besluit.pdf", "", ""); resp.StatusCode != 200 || !strings.HasPrefix(body, "%PDF") {
		t.Errorf("school downloads the TLV: %d", resp.StatusCode)
	}
	cookie := h.login(t, mother)
	_, portal := h.doAs(t, cookie, "GET", fmt.Sprintf("/ouder/%s/%s", h.school.ID, pupil), "", "")
	if !strings.Contains(portal, "tot en met "+until) {
		t.Errorf("the mother's portal does not give the objection term's last day %s", until)
	}
	link := regexp.MustCompile(`href="(/ouder/[^"]+/besluit\.pdf)"`).FindStringSubmatch(portal)
	if link == nil {
		t.Fatal("the mother's portal has no signed decision")
	}
	if resp, body := h.doAs(t, cookie, "GET", link[1], "", ""); resp.StatusCode != 200 || !strings.HasPrefix(body, "%PDF") {
		t.Errorf("mother downloads the TLV: %d", resp.StatusCode)
	}

	// The SWV never reads the school: its admin gets 404 on the dossier.
	if status, _ := f.as(t, h, "directeur@swv.invalid", "GET", base); status != 404 {
		t.Errorf("SWV admin on the school's dossier: %d, want 404", status)
	}
	// Both logbooks hold the steps and their chains verify.
	if !strings.Contains(h.logbookActions(t, h.school.ID, pupil), "share swv_request") {
		t.Error("the school's logbook lacks the submission")
	}
	err = h.platform.Tenants.With(ctx, f.lic.ID, func(pool *pgxpool.Pool) error {
		n, err := logbook.Verify(ctx, school.New(pool), nil)
		if n < 10 {
			t.Errorf("SWV logbook has %d rows", n)
		}
		return err
	})
	if err != nil {
		t.Errorf("SWV logbook chain: %v", err)
	}
	if n := logbookCount(t, h, h.school.ID); n == 0 {
		t.Error("school logbook chain")
	}
}

func userID(t *testing.T, h *harness, email string) uuid.UUID {
	t.Helper()
	u, err := platform.New(h.platform.Pool).GetUserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// TestRequestIncompleteAndRejected: the SWV returns an arrangement request
// as incomplete (a reason is required); the school corrects it, the
// mother answers again, the school resubmits into the same workflow; the
// committee then rejects it, and nothing can be signed.
func TestRequestIncompleteAndRejected(t *testing.T) {
	h := newHarness(t)
	f := newSWVFixture(t, h)
	pupil, mother, reqURL, r := submittedArrangement(t, h, f, "Roos", "Een arrangement voor rekenen.")
	swvURL := fmt.Sprintf("/licenties/%s/aanvragen/%s", f.lic.ID, r.ID)
	act := func(email, path string, kv ...string) (int, string) {
		t.Helper()
		return f.as(t, h, email, "POST", swvURL+path, append(kv, "request_id", uuid.NewString())...)
	}
	if status, out := act("directeur@swv.invalid", "/intake", "accept", "0"); status != 422 || !strings.Contains(out, "wat er ontbreekt") {
		t.Errorf("incomplete without what is missing: %d", status)
	}
	if status, _ := act("directeur@swv.invalid", "/intake", "accept", "0", "missing", "De evaluatie van het laatste jaar ontbreekt."); status != 303 {
		t.Fatalf("incomplete: %d", status)
	}
	f.waitStatus(t, h, "onvolledig")
	page := h.page(t, reqURL)
	if !strings.Contains(page, "De evaluatie van het laatste jaar ontbreekt.") || !strings.Contains(page, "Aanvullen") {
		t.Fatalf("the school does not see what is missing")
	}
	if resp, _ := h.do(t, "POST", reqURL+"/opnieuw", formType, ""); resp.StatusCode != 303 {
		t.Fatalf("reopen: %d", resp.StatusCode)
	}
	if status, _ := motherAnswers(t, h, mother, pupil, "answer", "agree"); status != 303 {
		t.Fatalf("mother agrees again: %d", status)
	}
	if resp, out := h.do(t, "POST", reqURL+"/indienen", formType, ""); resp.StatusCode != 303 {
		t.Fatalf("resubmit: %d %s", resp.StatusCode, out)
	}
	r = f.waitStatus(t, h, "intake")
	if r.Submission != 2 {
		t.Errorf("submission %d, want 2", r.Submission)
	}
	f.toCommittee(t, h, r)
	for _, e := range []string{"voorzitter@swv.invalid", "lid@swv.invalid"} {
		if status, out := act(e, "/stem", "approve", "0", "motivation", "De school kan dit zelf bieden."); status != 303 {
			t.Fatalf("vote %s: %d %s", e, status, out)
		}
	}
	// A refusal is a decision too: signed, with its motivation and where
	// an objection goes, and only then sent (Awb 3:45, 3:46).
	f.waitStatus(t, h, "ondertekenen")
	if status, out := act("directeur@swv.invalid", "/ondertekenen"); status != 303 {
		t.Fatalf("signing the refusal: %d %s", status, out)
	}
	f.waitStatus(t, h, "bezwaartermijn")
	err := h.platform.Tenants.With(context.Background(), f.lic.ID, func(pool *pgxpool.Pool) error {
		dec, err := swv.New(pool).GetDecision(context.Background(), r.ID)
		if err != nil {
			return err
		}
		if dec.Approved || dec.SignedPdf == nil || dec.Number == nil || !strings.HasPrefix(*dec.Number, "AFW-") {
			t.Errorf("refusal: approved %v, signed %v, number %v; want a signed AFW- decision", dec.Approved, dec.SignedPdf != nil, dec.Number)
			return nil
		}
		file := filepath.Join(t.TempDir(), "afwijzing.pdf")
		if err := os.WriteFile(file, dec.SignedPdf, 0o600); err != nil {
			return err
		}
		out, err := exec.Command("pdftotext", file, "-").Output()
		if err != nil {
			return err
		}
		text := strings.Join(strings.Fields(string(out)), " ")
		for _, want := range []string{"Besluit: geen arrangement", "De school kan dit zelf bieden.", "Postbus 12, 4000 AA Tiel",
			"bezwaar@swv.invalid", "Grondslag"} {
			if !strings.Contains(text, want) {
				t.Errorf("the refusal does not say %q", want)
			}
		}
		if strings.Contains(text, "Geldig van") {
			t.Errorf("the refusal gives a term")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if page := h.page(t, reqURL); !strings.Contains(page, "afgewezen") {
		t.Errorf("the school does not see the rejection")
	}
}

// TestCommitteeInBrowser: the chair logs in in headless Chromium, opens
// the committee's dashboard, the item on the agenda, reads what the school
// sent and the advices, and approves; the request then waits for the
// signer. Screenshot kept in .artifacts.
func TestCommitteeInBrowser(t *testing.T) {
	h := newHarness(t)
	f := newSWVFixture(t, h)
	_, _, _, r := submittedTLV(t, h, f, "Sem")
	f.toCommittee(t, h, r)
	end := service.SchoolYearEnd(time.Now()).AddDate(1, 0, 0)
	f.propose(t, h, r, time.Now(), end, "hoog")
	if status, out := f.act(t, h, r, "lid@swv.invalid", "/stem", "approve", "1", "motivation", "Eens met de adviezen."); status != 303 {
		t.Fatalf("member votes: %d %s", status, out)
	}

	ctx := browsertest.New(t, 2*time.Minute)
	email := "voorzitter@swv.invalid"
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	browserLogin(t, h, ctx, email)
	err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/commissie"]`)),
		chromedp.Click(chromedp.CSS(`a[href$="/commissie"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#te-beslissen a`)),
		chromedp.Click(chromedp.CSS(`#te-beslissen a`)),
		chromedp.WaitVisible(chromedp.ID("stem")),
	)
	if err != nil {
		t.Fatalf("to the item: %v", err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Past een plek in het SO?", "Wij steunen de aanvraag.", "Een kleine groep met vaste structuur is nodig.", "Eens met de adviezen."} {
		if !strings.Contains(text, want) {
			t.Errorf("the item does not show %q", want)
		}
	}
	if !strings.Contains(text, "tot en met "+end.Format("02-01-2006")) || !strings.Contains(text, "categorie hoog") {
		t.Errorf("the item does not show the chair's proposal")
	}
	// Journey b: a vote without its motivation comes back with the choice
	// kept and the message beside the motivation; nothing is recorded.
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#stem input[name="approve"][value="0"]`)), chromedp.Click(chromedp.ID("vote")))
	if err != nil || resp.Status != 422 {
		t.Fatalf("a vote without motivation: %v %v, want 422", resp, err)
	}
	kept, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#stem input[name="approve"][value="0"]').checked`))
	beside, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#stem .field-error`)))
	if !kept || !strings.Contains(beside, "Schrijf de motivering op") {
		t.Errorf("after the mistake: 'afwijzen' kept %v, beside the motivation %q", kept, beside)
	}
	journeyShot(t, ctx, "b", "02-stem-zonder-motivering")
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#stem input[name="approve"][value="1"]`)),
		chromedp.SendKeys(chromedp.CSS(`#stem textarea[name="motivation"]`), "Toegekend: een kleine groep is nodig."),
	)
	if err != nil {
		t.Fatal(err)
	}
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("vote")))
	if err != nil || resp.Status != 200 {
		t.Fatalf("vote: %v %v", resp, err)
	}
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("request-status")))
	if err != nil || !strings.Contains(status, "wacht op ondertekening") {
		t.Errorf("after the chair's vote the request is %q (err %v)", status, err)
	}
	checkAccessible(t, ctx, "the committee item")
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(artifactsDir(t), "commissie-besluit-1280x800.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRequestQuestionAndWithdrawal: the consultant asks the school a
// question (the school sees it, not the internal note); the school then
// withdraws the request, which closes at the SWV: its page there shows
// when it is deleted, and only the SWV admin may hold it longer.
func TestRequestQuestionAndWithdrawal(t *testing.T) {
	h := newHarness(t)
	f := newSWVFixture(t, h)
	_, _, reqURL, r := submittedArrangement(t, h, f, "Mila", "Een arrangement voor taal.")
	if status, _ := f.act(t, h, r, "consulent@swv.invalid", "/notitie", "note", "Welke methode gebruikt de school nu voor taal?", "to_school", "1"); status != 303 {
		t.Fatalf("question: %d", status)
	}
	if status, _ := f.act(t, h, r, "consulent@swv.invalid", "/notitie", "note", "Intern: bespreken in het OT."); status != 303 {
		t.Fatalf("note: %d", status)
	}
	page := h.page(t, reqURL)
	if !strings.Contains(page, "Welke methode gebruikt de school nu voor taal?") || strings.Contains(page, "bespreken in het OT") {
		t.Errorf("the school should see the question and not the internal note")
	}
	if resp, _ := h.do(t, "POST", reqURL+"/intrekken", formType, ""); resp.StatusCode != 303 {
		t.Fatalf("withdraw: %d", resp.StatusCode)
	}
	if r := f.waitStatus(t, h, "afgesloten"); r.ClosedReason != "ingetrokken" {
		t.Errorf("closed as %q, want ingetrokken", r.ClosedReason)
	}
	if page := h.page(t, reqURL); !strings.Contains(page, "ingetrokken") || strings.Contains(page, "/intrekken") {
		t.Errorf("the school's page after withdrawing")
	}
	// Closed without a TLV end: deleted three years after closing (a day
	// earlier across a leap day). Only the SWV's admin may hold it longer.
	swvPage := fmt.Sprintf("/licenties/%s/aanvragen/%s", f.lic.ID, r.ID)
	due := time.Now().In(h.srv.location).AddDate(3, 0, 0) // the page shows dates in Amsterdam
	poll.Must(t, 20*time.Second, "the deletion date on the SWV's page", func() bool {
		_, page := f.as(t, h, "consulent@swv.invalid", "GET", swvPage)
		return strings.Contains(page, "wordt op "+due.Format("02-01-2006")+" verwijderd") ||
			strings.Contains(page, "wordt op "+due.AddDate(0, 0, -1).Format("02-01-2006")+" verwijderd")
	})
	until := time.Now().AddDate(4, 0, 0).Format("2006-01-02")
	if status, _ := f.act(t, h, r, "consulent@swv.invalid", "/bewaren", "until", until, "reason", "geschil"); status != 404 {
		t.Errorf("the consultant holds: %d, want 404", status)
	}
	if status, out := f.act(t, h, r, "directeur@swv.invalid", "/bewaren", "until", until, "reason", "zomaar"); status != 422 ||
		!strings.Contains(out, "waarom de aanvraag langer bewaard blijft") {
		t.Errorf("a hold without a valid reason: %d", status)
	}
	if status, out := f.act(t, h, r, "directeur@swv.invalid", "/bewaren", "until", until, "reason", "geschil"); status != 303 {
		t.Fatalf("hold: %d %s", status, out)
	}
	if _, page := f.as(t, h, "directeur@swv.invalid", "GET", swvPage); !strings.Contains(page, "wordt op "+time.Now().AddDate(4, 0, 0).Format("02-01-2006")+" verwijderd (langer bewaard") {
		t.Error("the SWV's page does not show the hold")
	}
}

// TestArrangementEvaluated: with a short objection window, a granted
// arrangement whose term ended asks for its evaluation; the consultant
// records the result (a made-up result is refused) and the request closes.
func TestArrangementEvaluated(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.RequestTimers = workflows.DefaultRequestTimers()
		c.RequestTimers.ObjectionWindow = 2 * time.Second
	})
	f := newSWVFixture(t, h)
	_, _, reqURL, r := submittedArrangement(t, h, f, "Jesse", "Een arrangement voor gedrag.")
	f.toCommittee(t, h, r)
	start, end := time.Now().AddDate(0, -6, 0).Format("2006-01-02"), time.Now().Format("2006-01-02")
	f.propose(t, h, r, time.Now().AddDate(0, -6, 0), time.Now(), "")
	for _, e := range []string{"lid@swv.invalid", "voorzitter@swv.invalid"} {
		if status, out := f.act(t, h, r, e, "/stem", "approve", "1", "start_on", start, "end_on", end, "motivation", "Toegekend."); status != 303 {
			t.Fatalf("vote %s: %d %s", e, status, out)
		}
	}
	f.waitStatus(t, h, "ondertekenen")
	if status, out := f.act(t, h, r, "directeur@swv.invalid", "/ondertekenen"); status != 303 {
		t.Fatalf("sign: %d %s", status, out)
	}
	f.waitStatus(t, h, "evalueren")
	if status, _ := f.act(t, h, r, "consulent@swv.invalid", "/evaluatie", "result", "prima"); status != 422 {
		t.Errorf("a made-up result: %d, want 422", status)
	}
	if status, out := f.act(t, h, r, "consulent@swv.invalid", "/evaluatie", "result", "deels", "text", "Gedrag in de klas verbeterd, op het plein nog niet."); status != 303 {
		t.Fatalf("evaluate: %d %s", status, out)
	}
	if r := f.waitStatus(t, h, "afgesloten"); r.ClosedReason != "afgelopen" {
		t.Errorf("closed as %q", r.ClosedReason)
	}
	if page := h.page(t, reqURL); !strings.Contains(page, "resultaat geëvalueerd") {
		t.Errorf("the school does not see the evaluation")
	}
}

// TestRequestSharedByPupilOfSeventeen: from 16 the pupil, not the
// guardians, gives the toestemming to share: the pupil answers in their
// own portal and the school submits.
func TestRequestSharedByPupilOfSeventeen(t *testing.T) {
	h := newHarness(t)
	f := newSWVFixture(t, h)
	ctx := context.Background()
	lic := h.school.ID
	body := `{"given_name":"Lars","family_name":"Zeventien","group_name":"5h","birth_date":"` + time.Now().AddDate(-17, -1, 0).Format("2006-01-02") +
		`","enrolled_on":"2022-08-22","email":"lars@leerling.invalid",
	  "guardians":[{"given_name":"Anna","family_name":"Zeventien","email":"anna@thuis.invalid","relation":"mother","parental_authority":true}]}`
	resp, out := h.do(t, "POST", "/api/v1/licences/"+lic.String()+"/pupils", "application/json", body)
	if resp.StatusCode != 201 {
		t.Fatalf("create pupil: %d %s", resp.StatusCode, out)
	}
	pupil := uuid.MustParse(regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(out)[1])
	var link []string
	poll.Must(t, 20*time.Second, "Lars's invitation", func() bool {
		for _, m := range outboxTo(t, h, lic, "lars@leerling.invalid") {
			link = regexp.MustCompile(`https?://[^/]+(/activeren/\S+)`).FindStringSubmatch(m.Body)
		}
		return link != nil
	})
	if resp, _ := h.doAs(t, "", "POST", link[1], formType, form("password", testPassword, "password2", testPassword)); resp.StatusCode != 303 {
		t.Fatalf("activate: %d", resp.StatusCode)
	}
	h.setTOTP(t, userID(t, h, "lars@leerling.invalid"))
	err := h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
		_, err := dossiertest.Complete(ctx, school.New(pool), pupil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	reqURL := prepareRequest(t, h, pupil, "kind", "advice", "question", "Hoe ondersteunen we Lars bij plannen?")
	if page := h.page(t, reqURL); !strings.Contains(page, "de leerling") || strings.Contains(page, "Anna Zeventien") {
		t.Errorf("the parties of a pupil of 17: want the pupil, not the mother")
	}
	if status, out := motherAnswers(t, h, "lars@leerling.invalid", pupil, "answer", "agree"); status != 303 {
		t.Fatalf("the pupil agrees: %d %s", status, out)
	}
	if resp, out := h.do(t, "POST", reqURL+"/indienen", formType, ""); resp.StatusCode != 303 {
		t.Fatalf("submit: %d %s", resp.StatusCode, out)
	}
	f.waitStatus(t, h, "intake")
}

// TestSWVNeedToKnow: at the SWV a request is read on need to know
// (AVG art. 5(1)(c), 25): a consultant of another school and a committee
// member who does not sit in its meeting get 404 on the request and its
// attachments' routes, do not find it in the list, and see on the
// meetings page only that there is an item they need not see; the
// school's consultant, the meeting's members and the SWV's admin read it.
func TestSWVNeedToKnow(t *testing.T) {
	h := newHarness(t)
	f := newSWVFixture(t, h)
	ctx := context.Background()
	q := platform.New(h.platform.Pool)
	for _, u := range []struct {
		email string
		role  auth.Role
	}{{"consulent2@swv.invalid", auth.RoleConsultant}, {"lid2@swv.invalid", auth.RoleCommitteeMember}} {
		id := h.user(t, u.email, "staff")
		if _, err := q.CreateMembership(ctx, platform.CreateMembershipParams{UserID: id, LicenceID: &f.lic.ID, Role: platform.StaffRole(u.role)}); err != nil {
			t.Fatal(err)
		}
		f.cookies[u.email] = h.login(t, u.email)
	}
	_, _, _, r := submittedArrangement(t, h, f, "Noah", "Een arrangement voor taal.")
	f.toCommittee(t, h, r)
	page := fmt.Sprintf("/licenties/%s/aanvragen/%s", f.lic.ID, r.ID)
	list := fmt.Sprintf("/licenties/%s/aanvragen", f.lic.ID)
	for _, who := range []string{"consulent2@swv.invalid", "lid2@swv.invalid"} {
		if status, _ := f.as(t, h, who, "GET", page); status != 404 {
			t.Errorf("%s reads a request they need not know: %d, want 404", who, status)
		}
		if status, _ := f.as(t, h, who, "GET", page+"/besluit.pdf"); status != 404 {
			t.Errorf("%s reaches its decision: %d, want 404", who, status)
		}
		if _, out := f.as(t, h, who, "GET", list); strings.Contains(out, r.ID.String()) || strings.Contains(out, "Noah") {
			t.Errorf("%s finds the request in the list", who)
		}
		if _, out := f.as(t, h, who, "GET", fmt.Sprintf("/licenties/%s/vergaderingen", f.lic.ID)); strings.Contains(out, "Noah") ||
			!strings.Contains(out, "en 1 aanvraag die u niet hoeft te zien") {
			t.Errorf("%s: the meetings page shows the item or does not say one is hidden", who)
		}
	}
	if status, _ := f.act(t, h, r, "lid2@swv.invalid", "/stem", "approve", "0", "motivation", "Nee."); status != 404 {
		t.Errorf("a member not in the meeting votes: %d, want 404", status)
	}
	for _, who := range []string{"consulent@swv.invalid", "lid@swv.invalid", "voorzitter@swv.invalid", "directeur@swv.invalid"} {
		if status, out := f.as(t, h, who, "GET", page); status != 200 || !strings.Contains(out, "Noah") {
			t.Errorf("%s cannot read the request they work on: %d", who, status)
		}
		if _, out := f.as(t, h, who, "GET", list); !strings.Contains(out, r.ID.String()) {
			t.Errorf("%s does not find the request in the list", who)
		}
	}
}

// TestSilenceDoesNotBlockArrangement: for an arrangement (or a TLV) the
// parents give their view, not their agreement. While the term runs and
// the mother has not answered the school cannot submit yet, and the page
// says until when; after the term it can, the attachment she never let
// go stays behind, and the SWV reads "Ouders hebben geen zienswijze
// gegeven". A view the mother gave in a meeting, recorded by the school,
// is marked so and goes with the request.
func TestSilenceDoesNotBlockArrangement(t *testing.T) {
	h := newHarness(t)
	f := newSWVFixture(t, h)
	ctx := context.Background()
	pupil, _, _ := requestPupil(t, h, "Stil")
	reqURL := prepareRequest(t, h, pupil, "kind", "arrangement", "question", "Een arrangement voor rekenen.")
	page := h.page(t, reqURL)
	if !strings.Contains(page, `id="view-term"`) || !strings.Contains(page, "hun instemming is niet nodig") {
		t.Errorf("the request page does not explain the term for a view")
	}
	if !strings.Contains(page, "wordt niet gedeeld") {
		t.Fatalf("the request has no attachment to keep back")
	}
	if resp, out := h.do(t, "POST", reqURL+"/indienen", formType, ""); resp.StatusCode == 303 || !strings.Contains(out, "daarna kan de school de aanvraag ook zonder indienen") {
		t.Errorf("submit while the term runs and nobody answered: %d, want refused saying until when", resp.StatusCode)
	}
	// The term passes (the request was put for inzage three weeks ago).
	err := h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
		_, err := pool.Exec(ctx, "UPDATE swv_request SET inzage_since = now() - interval '21 days'")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp, out := h.do(t, "POST", reqURL+"/indienen", formType, ""); resp.StatusCode != 303 {
		t.Fatalf("submit after the term without a view: %d %s", resp.StatusCode, out)
	}
	r := f.waitStatus(t, h, "intake")
	var snap plan.RequestSnapshot
	err = h.platform.Tenants.With(ctx, f.lic.ID, func(pool *pgxpool.Pool) error {
		s, err := swv.New(pool).GetSnapshot(ctx, r.ID)
		if err != nil {
			return err
		}
		return json.Unmarshal(s.Content, &snap)
	})
	if err != nil {
		t.Fatal(err)
	}
	if !snap.NoViewGiven || snap.Unanswered == 0 || len(snap.Attachments) != 0 {
		t.Errorf("snapshot at the SWV: no view %v, unanswered %d, %d attachments; want no view, the silence counted, no attachment",
			snap.NoViewGiven, snap.Unanswered, len(snap.Attachments))
	}
	if _, out := f.as(t, h, "directeur@swv.invalid", "GET", fmt.Sprintf("/licenties/%s/aanvragen/%s", f.lic.ID, r.ID)); !strings.Contains(out, "Ouders hebben geen zienswijze gegeven") {
		t.Errorf("the SWV's page does not say that no view was given")
	}

	// A second request: the mother's view from a meeting, recorded by the
	// IB'er, lets the school submit at once.
	reqURL2 := prepareRequest(t, h, pupil, "kind", "arrangement", "question", "Nog een arrangement.")
	page = h.page(t, reqURL2)
	party := regexp.MustCompile(`name="party" required><option value="">Kies…</option><option value="([^"]+)"`).FindStringSubmatch(page)
	if strings.Contains(page, `value="agree" checked`) {
		t.Error("the paper answer to a request has an answer chosen beforehand")
	}
	round := regexp.MustCompile(`name="round" value="(\d+)"`).FindStringSubmatch(page)
	if party == nil || round == nil {
		t.Fatal("no form to record an answer")
	}
	if resp, out := h.do(t, "POST", reqURL2+"/antwoord", formType, form("party", party[1], "round", round[1], "answer", "agree",
		"view", "Moeder vindt een arrangement goed (gesprek 12 november).")); resp.StatusCode != 303 {
		t.Fatalf("record the mother's answer: %d %s", resp.StatusCode, out)
	}
	if page := h.page(t, reqURL2); !strings.Contains(page, "(vastgelegd door de school)") || !strings.Contains(page, "gesprek 12 november") {
		t.Errorf("the recorded answer is not shown as recorded by the school")
	}
	if resp, out := h.do(t, "POST", reqURL2+"/indienen", formType, ""); resp.StatusCode != 303 {
		t.Errorf("submit after the recorded answer: %d %s", resp.StatusCode, out)
	}
}

// TestSigningWithExpiredCertificate: with the SWV's certificate expired
// the request page warns the signer, signing is refused with the Dutch
// reason, no document number is used and the decision stays unsigned;
// with a valid certificate loaded again the same signing goes through.
func TestSigningWithExpiredCertificate(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.RequestTimers = workflows.DefaultRequestTimers()
		c.RequestTimers.ObjectionWindow = time.Hour
	})
	f := newSWVFixture(t, h)
	ctx := context.Background()
	_, _, _, r := submittedArrangement(t, h, f, "Teken", "Een arrangement.")
	f.toCommittee(t, h, r)
	start, end := time.Now().Format("2006-01-02"), time.Now().AddDate(1, 0, 0).Format("2006-01-02")
	f.propose(t, h, r, time.Now(), time.Now().AddDate(1, 0, 0), "")
	for _, e := range []string{"lid@swv.invalid", "voorzitter@swv.invalid"} {
		if status, out := f.act(t, h, r, e, "/stem", "approve", "1", "start_on", start, "end_on", end, "motivation", "Toegekend."); status != 303 {
			t.Fatalf("vote %s: %d %s", e, status, out)
		}
	}
	f.waitStatus(t, h, "ondertekenen")
	// Without the address for objections nothing is signed; the SWV's
	// admin sets it on its page (a postal address is required).
	if _, err := h.platform.Pool.Exec(ctx, "UPDATE swv SET objection_address = '', objection_email = ''"); err != nil {
		t.Fatal(err)
	}
	if status, out := f.act(t, h, r, "directeur@swv.invalid", "/ondertekenen"); status != 422 || !strings.Contains(out, "waar bezwaar naartoe gaat") {
		t.Errorf("signing without an objection address: %d, want 422 saying so", status)
	}
	address := fmt.Sprintf("/licenties/%s/bezwaaradres", f.lic.ID)
	if status, out := f.as(t, h, "directeur@swv.invalid", "POST", address, "address", "", "email", "geen-adres"); status != 422 ||
		!strings.Contains(out, "Vul het postadres in") || !strings.Contains(out, "geldig e-mailadres") {
		t.Errorf("an empty address: %d, want 422", status)
	}
	if status, _ := f.as(t, h, "directeur@swv.invalid", "POST", address, "address", "Postbus 7, 4000 AB Tiel", "email", "bezwaar@swv.invalid"); status != 303 {
		t.Fatalf("set the objection address: %d", status)
	}
	if _, out := f.as(t, h, "directeur@swv.invalid", "GET", address); !strings.Contains(out, "Postbus 7, 4000 AB Tiel") {
		t.Errorf("the address page does not show the saved address")
	}
	expired, err := f.ca.Issue("SWV Test", "SWV Test", time.Now().AddDate(-2, 0, 0), 365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.StoreSigningIdentity(ctx, platform.New(h.platform.Pool), testSecretKey, h.platform.SWV.ID, expired); err != nil {
		t.Fatal(err)
	}
	if _, page := f.as(t, h, "directeur@swv.invalid", "GET", fmt.Sprintf("/licenties/%s/aanvragen/%s", f.lic.ID, r.ID)); !strings.Contains(page, `id="signing-unavailable"`) {
		t.Errorf("the signer is not warned about the expired certificate")
	}
	if status, out := f.act(t, h, r, "directeur@swv.invalid", "/ondertekenen"); status != 422 || !strings.Contains(out, "niet (meer) geldig") {
		t.Errorf("signing with an expired certificate: %d, want 422 saying the certificate is not valid", status)
	}
	var dec swv.Decision
	var numbers int
	err = h.platform.Tenants.With(ctx, f.lic.ID, func(pool *pgxpool.Pool) error {
		var err error
		if dec, err = swv.New(pool).GetDecision(ctx, r.ID); err != nil {
			return err
		}
		return pool.QueryRow(ctx, "SELECT coalesce(sum(last), 0) FROM document_counter").Scan(&numbers)
	})
	if err != nil {
		t.Fatal(err)
	}
	if dec.SignedPdf != nil || dec.Number != nil || numbers != 0 {
		t.Errorf("after the refusal: signed %v, number %v, %d numbers used; want nothing", dec.SignedPdf != nil, dec.Number, numbers)
	}
	if got := f.waitStatus(t, h, "ondertekenen"); got.Status != "ondertekenen" {
		t.Errorf("the request moved on to %s", got.Status)
	}
	valid, err := f.ca.Issue("SWV Test", "SWV Test", time.Now(), 365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.StoreSigningIdentity(ctx, platform.New(h.platform.Pool), testSecretKey, h.platform.SWV.ID, valid); err != nil {
		t.Fatal(err)
	}
	if status, out := f.act(t, h, r, "directeur@swv.invalid", "/ondertekenen"); status != 303 {
		t.Fatalf("signing with a valid certificate: %d %s", status, out)
	}
	f.waitStatus(t, h, "bezwaartermijn")
}

// snapshotHTML is the request_snapshot partial's content on a page (id
// of its div), up to the views added at submission.
func snapshotHTML(t *testing.T, page, id string) string {
	t.Helper()
	start := strings.Index(page, `<div class="snapshot" id="`+id+`">`)
	if start < 0 {
		t.Fatalf("no snapshot %s on the page", id)
	}
	body := page[start+len(`<div class="snapshot" id="`+id+`">`):]
	body = body[:strings.Index(body, "</div>")]
	if i := strings.Index(body, "<h3>Zienswijze</h3>"); i >= 0 {
		body = body[:i]
	}
	return strings.Join(strings.Fields(body), " ")
}

// TestRequestSnapshotSameEverywhere: parents see exactly what is shared
// (issue 14, 8): the school's "wat wordt verstuurd", the parents'
// portal and the SWV's request page render one snapshot with one
// partial, so the text is the same in all three; the mother opens an
// attachment before deciding (logged), and cannot open one the request
// does not list.
func TestRequestSnapshotSameEverywhere(t *testing.T) {
	h := newHarness(t)
	f := newSWVFixture(t, h)
	pupil, _, mother := requestPupil(t, h, "Gelijk")
	reqURL := prepareRequest(t, h, pupil, "kind", "arrangement", "question", "Een arrangement voor lezen.")
	schoolPage := h.page(t, reqURL)
	school := snapshotHTML(t, schoolPage, "wat-wordt-verstuurd")
	// The IB'er sees per party where they stand: not answered yet, with an
	// active account.
	if !strings.Contains(schoolPage, "nog niet · account actief") {
		t.Error("the request page does not say the mother has an active account and has not answered")
	}
	cookie := h.login(t, mother)
	_, portal := h.doAs(t, cookie, "GET", fmt.Sprintf("/ouder/%s/%s", h.school.ID, pupil), "", "")
	id := regexp.MustCompile(`<div class="snapshot" id="(aanvraag-[0-9a-f-]{36})">`).FindStringSubmatch(portal)
	if id == nil {
		t.Fatal("the portal does not show the request's snapshot")
	}
	if got := snapshotHTML(t, portal, id[1]); got != school {
		t.Errorf("the portal shows other text than the school sends:\nschool: %s\nportal: %s", school, got)
	}
	// The whole request: the analysis, the pupil's own view, the support
	// lines with who and how often; no heading over nothing (no tests).
	for _, want := range []string{"Onderwijsbehoeften", "Handelingsdeel", "De leerling gehoord", "Wil de tafels oefenen met de computer.",
		"<strong>Verlengde instructie</strong> · door: Leerkracht · hoe vaak: Dagelijks", "Een arrangement voor lezen."} {
		if !strings.Contains(school, want) {
			t.Errorf("the snapshot lacks %q", want)
		}
	}
	if strings.Contains(school, "<h3>Toetsen</h3>") {
		t.Error("the snapshot shows an empty heading for tests")
	}
	link := regexp.MustCompile(`href="(/ouder/[^"]+/aanvraag/[0-9a-f-]{36}/bijlagen/)([0-9a-f-]{36})"`).FindStringSubmatch(portal)
	if link == nil {
		t.Fatal("the mother cannot open the attachments before deciding")
	}
	if resp, body := h.doAs(t, cookie, "GET", link[1]+link[2], "", ""); resp.StatusCode != 200 || !strings.HasPrefix(body, "%PDF") {
		t.Errorf("the mother opens an attachment: %d", resp.StatusCode)
	}
	if resp, _ := h.doAs(t, cookie, "GET", link[1]+uuid.NewString(), "", ""); resp.StatusCode != 404 {
		t.Errorf("an attachment the request does not list: %d, want 404", resp.StatusCode)
	}
	if status, _ := motherAnswers(t, h, mother, pupil, "answer", "agree", "share_"+link[2], "1"); status != 303 {
		t.Fatalf("mother agrees: %d", status)
	}
	if resp, _ := h.do(t, "POST", reqURL+"/indienen", formType, ""); resp.StatusCode != 303 {
		t.Fatalf("submit: %d", resp.StatusCode)
	}
	r := f.waitStatus(t, h, "intake")
	_, swvPage := f.as(t, h, "directeur@swv.invalid", "GET", fmt.Sprintf("/licenties/%s/aanvragen/%s", f.lic.ID, r.ID))
	if got := snapshotHTML(t, swvPage, "wat-de-school-stuurde"); got != school {
		t.Errorf("the SWV reads other text than the mother was shown:\nschool: %s\nSWV:    %s", school, got)
	}
	if logbook := h.page(t, fmt.Sprintf("/licenties/%s/leerlingen/%s/logboek", h.school.ID, pupil)); !strings.Contains(logbook, "geëxporteerd</td><td>bijlage") {
		t.Errorf("the mother's download of the attachment is not in the logbook")
	}
}

// TestTLVObjectionThroughThePages: the parents object to a refused TLV;
// the school reads until when the SWV decides (Awb 7:10); deciding before
// the Landelijke Bezwaaradviescommissie's advice is refused with the
// reason; with the advice recorded the decision on the objection is
// taken.
func TestTLVObjectionThroughThePages(t *testing.T) {
	h := newHarness(t)
	f := newSWVFixture(t, h)
	_, _, reqURL, r := submittedTLV(t, h, f, "Bezwaar")
	f.toCommittee(t, h, r)
	for _, e := range []string{"voorzitter@swv.invalid", "lid@swv.invalid"} {
		if status, out := f.act(t, h, r, e, "/stem", "approve", "0", "motivation", "De school kan dit met een arrangement bieden."); status != 303 {
			t.Fatalf("vote %s: %d %s", e, status, out)
		}
	}
	f.waitStatus(t, h, "ondertekenen")
	if status, out := f.act(t, h, r, "directeur@swv.invalid", "/ondertekenen"); status != 303 {
		t.Fatalf("sign: %d %s", status, out)
	}
	f.waitStatus(t, h, "bezwaartermijn")
	if status, out := f.act(t, h, r, "directeur@swv.invalid", "/bezwaar", "text", "De ouders zijn het niet eens."); status != 303 {
		t.Fatalf("register the objection: %d %s", status, out)
	}
	f.waitStatus(t, h, "bezwaar_ingediend")
	if page := h.page(t, reqURL); !strings.Contains(page, "beslist op het bezwaar uiterlijk op") {
		t.Errorf("the school does not read until when the SWV decides on the objection")
	}
	if status, out := f.act(t, h, r, "directeur@swv.invalid", "/bezwaar", "decided", "1", "stands", "1", "text", "Het besluit blijft."); status != 422 ||
		!strings.Contains(out, "Landelijke Bezwaaradviescommissie") {
		t.Errorf("deciding before the advice: %d, want 422 naming the advice committee", status)
	}
	if status, out := f.act(t, h, r, "directeur@swv.invalid", "/bezwaar", "what", "advice", "text", "De LBBO adviseert het besluit te handhaven."); status != 303 {
		t.Fatalf("record the advice: %d %s", status, out)
	}
	if status, out := f.act(t, h, r, "directeur@swv.invalid", "/bezwaar", "decided", "1", "stands", "1", "text", "Het besluit blijft, conform het advies."); status != 303 {
		t.Fatalf("decide on the objection: %d %s", status, out)
	}
	if got := f.waitStatus(t, h, "afgesloten"); got.ClosedReason != "afgewezen" {
		t.Errorf("closed as %v, want afgewezen", got.ClosedReason)
	}
}

// TestUpheldObjectionThroughThePages: the SWV upholds the parents'
// objection to a refused arrangement: the refusal is revoked but kept
// (with its signed document) in revoked_decision, the request is back on
// the agenda, and the committee's new decision is signed as a new
// document.
func TestUpheldObjectionThroughThePages(t *testing.T) {
	h := newHarness(t)
	f := newSWVFixture(t, h)
	ctx := context.Background()
	_, _, _, r := submittedArrangement(t, h, f, "Gegrond", "Een arrangement voor taal.")
	f.toCommittee(t, h, r)
	for _, e := range []string{"voorzitter@swv.invalid", "lid@swv.invalid"} {
		if status, out := f.act(t, h, r, e, "/stem", "approve", "0", "motivation", "Niet nodig."); status != 303 {
			t.Fatalf("vote %s: %d %s", e, status, out)
		}
	}
	f.waitStatus(t, h, "ondertekenen")
	if status, out := f.act(t, h, r, "directeur@swv.invalid", "/ondertekenen"); status != 303 {
		t.Fatalf("sign the refusal: %d %s", status, out)
	}
	f.waitStatus(t, h, "bezwaartermijn")
	if status, out := f.act(t, h, r, "directeur@swv.invalid", "/bezwaar", "text", "De ouders maken bezwaar."); status != 303 {
		t.Fatalf("objection: %d %s", status, out)
	}
	f.waitStatus(t, h, "bezwaar_ingediend")
	if status, out := f.act(t, h, r, "directeur@swv.invalid", "/bezwaar", "decided", "1", "stands", "0", "text", "Het bezwaar is gegrond."); status != 303 {
		t.Fatalf("uphold the objection: %d %s", status, out)
	}
	f.waitStatus(t, h, "geagendeerd")
	count := func(query string) int {
		t.Helper()
		var n int
		err := h.platform.Tenants.With(ctx, f.lic.ID, func(pool *pgxpool.Pool) error {
			return pool.QueryRow(ctx, query, r.ID).Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count("SELECT count(*) FROM decision WHERE request_id = $1") != 0 || count("SELECT count(*) FROM decision_vote WHERE request_id = $1") != 0 ||
		count("SELECT count(*) FROM revoked_decision WHERE request_id = $1 AND signed_pdf IS NOT NULL AND jsonb_array_length(votes) = 2") != 1 {
		t.Errorf("after the upheld objection the decision and votes are not archived and cleared")
	}
	f.propose(t, h, r, time.Now(), time.Now().AddDate(0, 6, 0), "")
	for _, e := range []string{"voorzitter@swv.invalid", "lid@swv.invalid"} {
		if status, out := f.act(t, h, r, e, "/stem", "approve", "1", "motivation", "Toch nodig."); status != 303 {
			t.Fatalf("new vote %s: %d %s", e, status, out)
		}
	}
	f.waitStatus(t, h, "ondertekenen")
	if status, out := f.act(t, h, r, "directeur@swv.invalid", "/ondertekenen"); status != 303 {
		t.Fatalf("sign the new decision: %d %s", status, out)
	}
	f.waitStatus(t, h, "bezwaartermijn")
	if count("SELECT count(*) FROM decision WHERE request_id = $1 AND approved AND number LIKE 'ARR-%'") != 1 {
		t.Errorf("the new decision is not a signed grant")
	}
}

// TestPortalCopyOfSWVData: parents may have a copy of what the SWV holds
// about their child (AVG art. 15; issue 14, 13): the requests the school
// sent with what was sent, every step and note, the advices and votes
// with their motivations and the decision. The read is in the school's
// and the SWV's logbook.
func TestPortalCopyOfSWVData(t *testing.T) {
	h := newHarness(t)
	f := newSWVFixture(t, h)
	ctx := context.Background()
	pupil, mother, _, r := submittedTLV(t, h, f, "Kopie")
	f.toCommittee(t, h, r)
	for _, e := range []string{"voorzitter@swv.invalid", "lid@swv.invalid"} {
		if status, out := f.act(t, h, r, e, "/stem", "approve", "0", "motivation", "Een arrangement volstaat."); status != 303 {
			t.Fatalf("vote %s: %d %s", e, status, out)
		}
	}
	f.waitStatus(t, h, "ondertekenen")
	cookie := h.login(t, mother)
	resp, body := h.doAs(t, cookie, "GET", fmt.Sprintf("/ouder/%s/%s/gegevens-swv.json", h.school.ID, pupil), "", "")
	if resp.StatusCode != 200 {
		t.Fatalf("the SWV copy: %d", resp.StatusCode)
	}
	var got struct {
		Requests []service.SWVRecord `json:"requests"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Requests) != 1 || got.Requests[0].Snapshot.Question != "Past een plek in het SO?" || len(got.Requests[0].Advices) != 2 ||
		len(got.Requests[0].Votes) != 2 || got.Requests[0].Decision == nil || got.Requests[0].Decision.Approved {
		t.Errorf("the copy: %+v, want the request with what was sent, two advices, two votes and the refusal", got.Requests)
	}
	if !strings.Contains(body, "Een arrangement volstaat.") {
		t.Errorf("the copy lacks the votes' motivation")
	}
	var lines int
	err := h.platform.Tenants.With(ctx, f.lic.ID, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(ctx, "SELECT count(*) FROM logbook WHERE entity = 'avg_copy' AND actor_role = 'guardian'").Scan(&lines)
	})
	if err != nil || lines != 1 {
		t.Errorf("%d lines in the SWV's logbook for the copy (err %v), want 1", lines, err)
	}
	if page := h.page(t, fmt.Sprintf("/licenties/%s/leerlingen/%s/logboek", h.school.ID, pupil)); !strings.Contains(page, "kopie van de gegevens bij het samenwerkingsverband") {
		t.Errorf("the school's logbook lacks the copy")
	}
}
