package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/internal/dossiertest"
	"github.com/topdossier/topdossier/internal/poll"
	"github.com/topdossier/topdossier/workflows"
)

// transferFixture is a PO school (the harness's) with a pupil whose plan
// is complete, and a VO school on the platform with its own IB'er.
type transferFixture struct {
	h             *harness
	pupil         uuid.UUID
	mother        string
	vo            platform.Licence
	voIB          string
	transferPage  string
	voTransfers   string
	motherCookie  string
	motherPortal  string
	attachmentIDs []string
}

func newTransferFixture(t *testing.T, given string) *transferFixture {
	t.Helper()
	h := newHarness(t, func(c *Config) { c.MaxBodyBytes = 64 << 10 })
	f := &transferFixture{h: h}
	f.pupil, _, f.mother = requestPupil(t, h, given)
	var err error
	f.vo, err = h.platform.Tenants.CreateLicence(context.Background(), tenants.NewLicence{Kind: platform.LicenceKindSchool,
		Name: "Voortgezet College De Brug", SWVID: h.platform.SWV.ID, BRIN: "34CD", SchoolType: platform.SchoolTypeVO})
	if err != nil {
		t.Fatal(err)
	}
	h.user(t, "ib@debrug.invalid", "staff", member{auth.RoleIB, &f.vo.ID})
	f.voIB = h.login(t, "ib@debrug.invalid")
	f.transferPage = fmt.Sprintf("/licenties/%s/leerlingen/%s/overdracht", h.school.ID, f.pupil)
	f.voTransfers = fmt.Sprintf("/licenties/%s/overdrachten", f.vo.ID)
	f.motherCookie = h.login(t, f.mother)
	f.motherPortal = fmt.Sprintf("/ouder/%s/%s", h.school.ID, f.pupil)
	page := h.page(t, f.transferPage+"?zoek=")
	// The psychologist's report first, the groeidocument second.
	for _, name := range []string{"verslag-psycholoog.pdf", "groeidocument.pdf"} {
		if m := regexp.MustCompile(`name="attachment" value="([0-9a-f-]{36})"> ` + regexp.QuoteMeta(name)).FindStringSubmatch(page); m != nil {
			f.attachmentIDs = append(f.attachmentIDs, m[1])
		}
	}
	if len(f.attachmentIDs) != 2 {
		t.Fatalf("attachments to choose: %v\n%s", f.attachmentIDs, page)
	}
	return f
}

// start starts a transfer to the VO school with every part and the
// first attachment.
func (f *transferFixture) start(t *testing.T) uuid.UUID {
	t.Helper()
	body := form("to_licence", f.vo.ID.String(), "part", "analysis", "part", "perspective", "part", "action_parts",
		"part", "evaluations", "part", "growth", "part", "tests", "attachment", f.attachmentIDs[0])
	if resp, out := f.h.do(t, "POST", f.transferPage, formType, body); resp.StatusCode != 303 {
		t.Fatalf("start transfer: %d %s", resp.StatusCode, out)
	}
	m := regexp.MustCompile(`id="overdracht-([0-9a-f-]{36})"`).FindStringSubmatch(f.h.page(t, f.transferPage))
	if m == nil {
		t.Fatal("no transfer on the page")
	}
	return uuid.MustParse(m[1])
}

// transferIDs are the pupil's transfers at the sending school, newest
// first.
func (f *transferFixture) transferIDs(t *testing.T) []uuid.UUID {
	t.Helper()
	var ids []uuid.UUID
	err := f.h.platform.Tenants.With(context.Background(), f.h.school.ID, func(pool *pgxpool.Pool) error {
		rows, err := school.New(pool).ListTransfersOfPupil(context.Background(), f.pupil)
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		return err
	})
	if err != nil || len(ids) == 0 {
		t.Fatalf("transfers of the pupil: %v (err %v)", ids, err)
	}
	return ids
}

// motherAnswers answers the transfer in the portal.
func (f *transferFixture) motherAnswers(t *testing.T, id uuid.UUID, kv ...string) (int, string) {
	t.Helper()
	resp, out := f.h.doAs(t, f.motherCookie, "POST", fmt.Sprintf("%s/overdracht/%s", f.motherPortal, id), formType, form(kv...))
	return resp.StatusCode, out
}

// status is the transfer's status at the sending school.
func (f *transferFixture) status(t *testing.T, id uuid.UUID) string {
	t.Helper()
	var st string
	err := f.h.platform.Tenants.With(context.Background(), f.h.school.ID, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(context.Background(), "SELECT status FROM transfer_out WHERE id = $1", id).Scan(&st)
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func (f *transferFixture) waitStatus(t *testing.T, id uuid.UUID, want string) {
	t.Helper()
	if !poll.Until(20*time.Second, func() bool { return f.status(t, id) == want }) {
		t.Fatalf("transfer status %q, want %q", f.status(t, id), want)
	}
}

// TestTransferPOToVO: a PO pupil with a plan moves to a VO school on the
// platform. The parents see exactly what goes and agree; only then does
// the VO school see the offer (who, and what by name, not the plan); it
// accepts, and its IB'er finds the plan's history with the chosen
// attachment and the onderwijskundig rapport, and continues the plan.
// The PO school's dossier closes and its retention starts; each step is
// in both logbooks; the parents are told.
func TestTransferPOToVO(t *testing.T) {
	f := newTransferFixture(t, "Overstap")
	h, ctx := f.h, context.Background()

	// Bad input: to oneself, to no school, nonsense; nothing is stored.
	for _, tc := range []struct{ to, want string }{
		{h.school.ID.String(), "niet naar de eigen school"},
		{uuid.NewString(), "staat niet (meer) op het platform"},
		{"", "Kies de school waar de leerling naartoe gaat."},
	} {
		resp, out := h.do(t, "POST", f.transferPage, formType, form("to_licence", tc.to, "part", "analysis"))
		if resp.StatusCode != 422 || !strings.Contains(out, tc.want) {
			t.Errorf("transfer to %q: %d, want 422 with %q", tc.to, resp.StatusCode, tc.want)
		}
	}
	if page := h.page(t, f.transferPage+"?zoek=brug"); !strings.Contains(page, "Voortgezet College De Brug") ||
		!strings.Contains(page, "binnen uw samenwerkingsverband: een TLV blijft geldig") || strings.Contains(page, `value="`+h.school.ID.String()+`"`) {
		t.Errorf("the school search:\n%s", page)
	}

	id := f.start(t)
	if resp, out := h.do(t, "POST", f.transferPage, formType, form("to_licence", f.vo.ID.String())); resp.StatusCode != 422 ||
		!strings.Contains(out, "loopt al een overdracht") {
		t.Errorf("a second transfer while one is open: %d", resp.StatusCode)
	}
	// Before the parents agreed the VO school sees nothing.
	if page := h.pageAs(t, f.voIB, f.voTransfers); strings.Contains(page, "Overstap") {
		t.Errorf("the VO school sees the pupil before consent:\n%s", page)
	}

	// The mother reads exactly what goes, and answers.
	portal := h.pageAs(t, f.motherCookie, f.motherPortal)
	for _, want := range []string{"Overdracht van het plan naar Voortgezet College De Brug", "Tafels tot 10", "verslag-psycholoog.pdf",
		"Handelingsdeel versie 1", "onderwijskundig-rapport.pdf"} {
		if !strings.Contains(portal, want) {
			t.Errorf("the portal lacks %q", want)
		}
	}
	if strings.Contains(portal, "groeidocument.pdf\n") {
		t.Error("the attachment not chosen is shown")
	}
	if code, out := f.motherAnswers(t, id, "answer", "refuse"); code != 422 || !strings.Contains(out, "Schrijf op waarom") {
		t.Errorf("a refusal without why: %d", code)
	}
	if resp, _ := h.doAs(t, f.motherCookie, "GET", fmt.Sprintf("%s/overdracht/%s/bijlagen/%s", f.motherPortal, id, f.attachmentIDs[1]), "", ""); resp.StatusCode != 404 {
		t.Errorf("an attachment that does not go, read in the portal: %d", resp.StatusCode)
	}
	// She adds her view to the onderwijskundig rapport: the report that
	// goes carries it.
	if resp, _ := h.doAs(t, f.motherCookie, "POST", f.motherPortal+"/rapport", formType, "report_view=Wij+zijn+blij+met+de+nieuwe+school."); resp.StatusCode != 303 {
		t.Fatalf("the mother's view on the report: %d", resp.StatusCode)
	}
	if code, out := f.motherAnswers(t, id, "answer", "agree", "share_"+f.attachmentIDs[0], "1"); code != 303 {
		t.Fatalf("the mother agrees: %d %s", code, out)
	}
	f.waitStatus(t, id, "offered")

	// The VO school sees who is coming and what by name, and decides.
	offer := h.pageAs(t, f.voIB, f.voTransfers)
	for _, want := range []string{"Overstap Aanvraag", "Basisschool De Linde", "verslag-psycholoog.pdf", "ontwikkelingsperspectief"} {
		if !strings.Contains(offer, want) {
			t.Errorf("the offer lacks %q:\n%s", want, offer)
		}
	}
	if strings.Contains(offer, "Tafels tot 10") {
		t.Error("the VO school reads the plan before accepting")
	}
	var subject, body string
	if err := h.platform.Tenants.With(ctx, f.vo.ID, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(ctx, "SELECT subject, body FROM mail_outbox WHERE to_address = 'ib@debrug.invalid'").Scan(&subject, &body)
	}); err != nil || subject != "Een overdracht aangeboden aan uw school" || strings.Contains(body, "Overstap") ||
		!strings.Contains(body, "/overdrachten") {
		t.Errorf("the VO IB'er's mail: %q %q (err %v), want the notice without the pupil's name", subject, body, err)
	}
	decide := fmt.Sprintf("/licenties/%s/overdrachten/%s/besluit", f.vo.ID, id)
	if resp, out := h.doAs(t, f.voIB, "POST", decide, formType, form("decision", "decline")); resp.StatusCode != 422 ||
		!strings.Contains(out, "Schrijf op waarom de school de overdracht niet aanneemt") {
		t.Errorf("a decline without a reason: %d", resp.StatusCode)
	}
	resp, out := h.doAs(t, f.voIB, "POST", decide, formType, form("decision", "accept"))
	if resp.StatusCode != 303 {
		t.Fatalf("accept: %d %s", resp.StatusCode, out)
	}
	loc := resp.Header.Get("Location")
	m := regexp.MustCompile(`/leerlingen/([0-9a-f-]{36})/dossier`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("accept went to %q", loc)
	}
	voPupil := uuid.MustParse(m[1])

	// The VO school's IB'er sees the history and continues the plan.
	dossier := h.pageAs(t, f.voIB, fmt.Sprintf("/licenties/%s/leerlingen/%s/dossier", f.vo.ID, voPupil))
	for _, want := range []string{"Uit het dossier van Basisschool De Linde", "Tafels tot 10", "Handelingsdeel versie 1",
		"instemming gegeven", "Telt op de vingers", "verslag-psycholoog.pdf", "meegekomen van Basisschool De Linde",
		"Onderwijskundig rapport Basisschool De Linde.pdf", "Gemotiveerd, maar het tempo remt."} {
		if !strings.Contains(dossier, want) {
			t.Errorf("the VO dossier lacks %q", want)
		}
	}
	if strings.Contains(dossier, "groeidocument.pdf") {
		t.Error("the attachment the school did not choose came along")
	}
	if link := regexp.MustCompile(`href="([^"]+/bijlagen/[0-9a-f-]{36})" download>Onderwijskundig rapport`).FindStringSubmatch(dossier); link == nil {
		t.Error("no onderwijskundig rapport among the VO dossier's attachments")
	} else if text := strings.Join(strings.Fields(h.pdfTextAs(t, f.voIB, link[1])), " "); !strings.Contains(text, "Wij zijn blij met de nieuwe school.") ||
		!strings.Contains(text, "Onderwijskundig rapport") {
		t.Errorf("the report that came along lacks the parents' view:\n%s", text)
	}
	var voDossier school.Dossier
	err := h.platform.Tenants.With(ctx, f.vo.ID, func(pool *pgxpool.Pool) error {
		var err error
		voDossier, err = school.New(pool).CurrentDossierOfPupil(ctx, voPupil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	h.waitPhase(t, f.vo.ID, voDossier.ID, "observe")
	api := fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier", f.vo.ID, voPupil)
	if resp, out := h.doAs(t, f.voIB, "POST", api+"/growth-entries", "application/json",
		`{"kind":"conversation","occurred_on":"2026-11-02","body":"Kennismaking met de mentor."}`); resp.StatusCode != 201 {
		t.Fatalf("growth entry at VO: %d %s", resp.StatusCode, out)
	}
	if resp, out := h.doAs(t, f.voIB, "POST", api+"/advance", "application/json", `{"request_id":"vo-observe","from":"observe"}`); resp.StatusCode != 200 {
		t.Fatalf("the VO school continues the plan: %d %s", resp.StatusCode, out)
	}
	h.waitPhase(t, f.vo.ID, voDossier.ID, "understand")

	// The PO school: accepted, the pupil left, the dossier closed, the
	// retention started; the mother told; both logbooks.
	f.waitStatus(t, id, "accepted")
	if !poll.Until(20*time.Second, func() bool {
		var left, closed bool
		_ = h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
			return pool.QueryRow(ctx, `SELECT p.left_on IS NOT NULL, d.closed_at IS NOT NULL FROM pupil p JOIN dossier d ON d.pupil_id = p.id WHERE p.id = $1`,
				f.pupil).Scan(&left, &closed)
		})
		return left && closed
	}) {
		t.Error("the PO pupil did not leave or the dossier did not close")
	}
	if _, err := h.srv.temporal.DescribeWorkflow(ctx, workflows.RetentionWorkflowID(h.school.ID.String(), "dossier", f.pupil.String()), ""); err != nil {
		t.Errorf("no retention at the PO school: %v", err)
	}
	var subjects string
	_ = h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(ctx, `SELECT string_agg(subject, ' | ' ORDER BY created_at) FROM mail_outbox WHERE to_address = $1`, f.mother).Scan(&subjects)
	})
	if !strings.Contains(subjects, "Toestemming voor de overdracht van het plan") || !strings.Contains(subjects, "Het plan is overgedragen aan de nieuwe school") {
		t.Errorf("mails to the mother: %s", subjects)
	}
	if log := h.logbookActions(t, h.school.ID, f.pupil); !strings.Contains(log, "create transfer") || !strings.Contains(log, "consent transfer") ||
		!strings.Contains(log, "share transfer") {
		t.Errorf("PO logbook: %s", log)
	}
	if log := h.logbookActions(t, f.vo.ID, voPupil); !strings.Contains(log, "create pupil") || !strings.Contains(log, "create dossier") ||
		!strings.Contains(log, "update transfer_in") {
		t.Errorf("VO logbook: %s", log)
	}
	if page := h.page(t, f.transferPage); !strings.Contains(page, "aangenomen: het plan is overgedragen") {
		t.Error("the PO transfer page does not say the transfer was accepted")
	}
}

// TestTransferRefusedAndDeclined: a parent's refusal stops the transfer
// (the VO school never sees it); a new transfer that the VO school
// declines carries the reason back to the school and the parents, and
// the VO school keeps no name.
func TestTransferRefusedAndDeclined(t *testing.T) {
	f := newTransferFixture(t, "Weigering")
	h, ctx := f.h, context.Background()
	id := f.start(t)
	if code, out := f.motherAnswers(t, id, "answer", "refuse", "remark", "Wij willen eerst een gesprek met de nieuwe school."); code != 303 {
		t.Fatalf("refuse: %d %s", code, out)
	}
	f.waitStatus(t, id, "refused")
	if page := h.pageAs(t, f.voIB, f.voTransfers); strings.Contains(page, "Weigering") {
		t.Error("the VO school sees a refused transfer")
	}
	if page := h.page(t, f.transferPage); !strings.Contains(page, "geen toestemming: het plan gaat niet over") ||
		!strings.Contains(page, "Wij willen eerst een gesprek") {
		t.Error("the school page does not show the refusal")
	}
	if page := h.pageAs(t, f.voIB, f.voTransfers); strings.Contains(page, "Weigering") {
		t.Error("offered after a refusal")
	}

	id2 := f.start(t)
	if id2 == id {
		t.Fatal("the second transfer has the first's id")
	}
	if code, out := f.motherAnswers(t, id2, "answer", "agree"); code != 303 {
		t.Fatalf("agree: %d %s", code, out)
	}
	f.waitStatus(t, id2, "offered")
	decide := fmt.Sprintf("/licenties/%s/overdrachten/%s/besluit", f.vo.ID, id2)
	if resp, out := h.doAs(t, f.voIB, "POST", decide, formType, "decision=decline&reason="+url.QueryEscape("Leerling is niet bij ons aangemeld.")); resp.StatusCode != 303 {
		t.Fatalf("decline: %d %s", resp.StatusCode, out)
	}
	f.waitStatus(t, id2, "declined")
	if page := h.page(t, f.transferPage); !strings.Contains(page, "Leerling is niet bij ons aangemeld.") {
		t.Error("the sending school does not read the reason")
	}
	if portal := h.pageAs(t, f.motherCookie, f.motherPortal); !strings.Contains(portal, "niet aangenomen door de ontvangende school") {
		t.Error("the portal does not show the decline")
	}
	var name string
	var pupils int
	err := h.platform.Tenants.With(ctx, f.vo.ID, func(pool *pgxpool.Pool) error {
		if err := pool.QueryRow(ctx, "SELECT pupil_name FROM transfer_in WHERE id = $1", id2).Scan(&name); err != nil {
			return err
		}
		return pool.QueryRow(ctx, "SELECT count(*) FROM pupil").Scan(&pupils)
	})
	if err != nil || name != "" || pupils != 0 {
		t.Errorf("the VO school keeps %q and %d pupils after declining (err %v)", name, pupils, err)
	}
	// The dossier stays open at the PO school.
	if page := h.page(t, dossierURL(h.school.ID, f.pupil)); strings.Contains(page, `id="gesloten"`) {
		t.Error("the PO dossier closed after a decline")
	}
	// A decision on a closed transfer: refused with a clear answer.
	if resp, out := h.doAs(t, f.voIB, "POST", decide, formType, "decision=accept"); resp.StatusCode != 422 || !strings.Contains(out, "Deze overdracht staat niet (meer) op deze stap") {
		t.Errorf("accept after decline: %d", resp.StatusCode)
	}
}

// TestThuiszitterTransfer: a pupil without a school has a plan at the
// SWV's own school licence, completes a whole cycle there, and moves to
// a school with a transfer when a place is found; the mother's answer,
// given in a meeting, is recorded by the SWV's IB'er. The school finds
// the plan's history; the pupil leaves the thuiszitter list.
func TestThuiszitterTransfer(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxBodyBytes = 64 << 10 })
	ctx := context.Background()
	noSchool, err := h.platform.Tenants.CreateLicence(ctx, tenants.NewLicence{Kind: platform.LicenceKindSwvSchool,
		Name: "Thuiszitters Rivierenland", SWVID: h.platform.SWV.ID})
	if err != nil {
		t.Fatal(err)
	}
	h.user(t, "ib@thuiszitters.invalid", "staff", member{auth.RoleIB, &noSchool.ID})
	ib := h.login(t, "ib@thuiszitters.invalid")
	resp, out := h.doAs(t, ib, "POST", "/api/v1/licences/"+noSchool.ID.String()+"/pupils", "application/json", validPupil)
	if resp.StatusCode != 201 {
		t.Fatalf("create pupil: %d %s", resp.StatusCode, out)
	}
	pupil := uuid.MustParse(regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(out)[1])
	pupilPage := fmt.Sprintf("/licenties/%s/leerlingen/%s", noSchool.ID, pupil)
	if resp, _ := h.doAs(t, ib, "POST", pupilPage+"/zonder-onderwijs", formType, "without_education_since=2026-05-04"); resp.StatusCode != 303 {
		t.Fatalf("record the date: %d", resp.StatusCode)
	}
	var dossier school.Dossier
	if err := h.platform.Tenants.With(ctx, noSchool.ID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		var err error
		if dossier, err = dossiertest.Complete(ctx, q, pupil); err != nil {
			return err
		}
		// The perspective of a pupil without a school.
		_, err = pool.Exec(ctx, `UPDATE dossier_section SET content = '{"destination":"terug_regulier","rationale":"Eerst rust, dan terug naar een gewone school."}'
			WHERE dossier_id = $1 AND section = 'perspective'`, dossier.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if resp, _ := h.doAs(t, ib, "POST", pupilPage+"/dossier/proces-starten", formType, ""); resp.StatusCode != 303 {
		t.Fatalf("start process: %d", resp.StatusCode)
	}
	h.waitPhase(t, noSchool.ID, dossier.ID, "observe")
	api := fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier", noSchool.ID, pupil)
	for _, step := range [][2]string{{"observe", ""}, {"understand", ""}, {"plan", ""}, {"realise", ""}, {"evaluate", "observe"}} {
		body := `{"request_id":"thuis-` + step[0] + `","from":"` + step[0] + `"`
		if step[1] != "" {
			body += `,"to":"` + step[1] + `"`
		}
		if resp, out := h.doAs(t, ib, "POST", api+"/advance", "application/json", body+"}"); resp.StatusCode != 200 {
			t.Fatalf("advance %s: %d %s", step[0], resp.StatusCode, out)
		}
	}
	if !poll.Until(20*time.Second, func() bool {
		var cycle int32
		_ = h.platform.Tenants.With(ctx, noSchool.ID, func(pool *pgxpool.Pool) error {
			return pool.QueryRow(ctx, "SELECT cycle FROM dossier WHERE id = $1", dossier.ID).Scan(&cycle)
		})
		return cycle == 2
	}) {
		t.Fatal("the thuiszitter's dossier did not complete its first cycle")
	}

	// A place is found at Basisschool De Linde: the plan goes there.
	resp, out = h.doAs(t, ib, "POST", fmt.Sprintf("/api/v1/licences/%s/pupils/%s/transfers", noSchool.ID, pupil), "application/json",
		`{"to_licence_id":"`+h.school.ID.String()+`","parts":["analysis","perspective","action_parts","evaluations","growth"]}`)
	if resp.StatusCode != 201 {
		t.Fatalf("start transfer: %d %s", resp.StatusCode, out)
	}
	id := uuid.MustParse(regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindStringSubmatch(out)[1])
	page := h.pageAs(t, ib, pupilPage+"/overdracht")
	party := regexp.MustCompile(`<option value="(guardian:[0-9a-f-]{36})">`).FindStringSubmatch(page)
	if party == nil {
		t.Fatalf("no party to record an answer for:\n%s", page)
	}
	if resp, out := h.doAs(t, ib, "POST", fmt.Sprintf("%s/overdracht/%s/antwoord", pupilPage, id), formType,
		form("party", party[1], "answer", "agree")); resp.StatusCode != 303 {
		t.Fatalf("record the mother's answer: %d %s", resp.StatusCode, out)
	}
	var incoming []incomingJSON
	if !poll.Until(20*time.Second, func() bool {
		_, out := h.do(t, "GET", fmt.Sprintf("/api/v1/licences/%s/incoming-transfers", h.school.ID), "", "")
		incoming = nil
		_ = json.Unmarshal([]byte(out), &incoming)
		return len(incoming) == 1 && incoming[0].Status == "offered"
	}) {
		t.Fatalf("the school got no offer: %+v", incoming)
	}
	if incoming[0].PupilName != "Lotte Visser" || incoming[0].FromName != "Thuiszitters Rivierenland" {
		t.Errorf("the offer: %+v", incoming[0])
	}
	resp, out = h.do(t, "POST", fmt.Sprintf("/api/v1/licences/%s/incoming-transfers/%s/decision", h.school.ID, id), "application/json", `{"accept":true}`)
	if resp.StatusCode != 200 {
		t.Fatalf("accept: %d %s", resp.StatusCode, out)
	}
	var decided transferDecidedJSON
	if err := json.Unmarshal([]byte(out), &decided); err != nil || decided.PupilID == nil {
		t.Fatalf("decision answer %s (err %v)", out, err)
	}
	dossierPage := h.page(t, dossierURL(h.school.ID, *decided.PupilID))
	for _, want := range []string{"Uit het dossier van Thuiszitters Rivierenland", "Cyclus 1", "Cyclus 2", "Terug naar regulier onderwijs", "Tafels tot 10"} {
		if !strings.Contains(dossierPage, want) {
			t.Errorf("the school's dossier lacks %q", want)
		}
	}
	// The pupil left the SWV's school licence and its thuiszitter list.
	if !poll.Until(20*time.Second, func() bool {
		return !strings.Contains(h.pageAs(t, ib, fmt.Sprintf("/licenties/%s/thuiszitters", noSchool.ID)), "Lotte")
	}) {
		t.Error("the pupil is still on the thuiszitter list")
	}
}
