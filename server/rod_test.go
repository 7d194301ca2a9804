package server

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/internal/dossiertest"
	"github.com/topdossier/topdossier/internal/poll"
)

// TestRODRegistration follows an OPP through the Register
// Onderwijsdeelnemers list: nothing before it is established; established
// when the plan goes into realisation, it is new, with the pupil's LAS
// key, in the list, the CSV and the API; the school passes it on; the
// pupil leaves, and it comes back to be ended with the leaving day as its
// end; the LAS reads that through the API since its last pull.
func TestRODRegistration(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	lic := h.school.ID
	body := `{"given_name":"Roos","family_name":"Register","birth_date":"2016-03-04","enrolled_on":"2022-08-22","las_key":"LVS-4711",
	  "guardians":[{"given_name":"Vader","family_name":"Register","relation":"father","parental_authority":true}]}`
	resp, out := h.do(t, "POST", "/api/v1/licences/"+lic.String()+"/pupils", "application/json", body)
	if resp.StatusCode != 201 {
		t.Fatalf("create pupil: %d %s", resp.StatusCode, out)
	}
	pupil := uuid.MustParse(regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(out)[1])
	var dossier school.Dossier
	if err := h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
		var err error
		dossier, err = dossiertest.Complete(ctx, school.New(pool), pupil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("/licenties/%s/rod", lic)
	if p := h.page(t, page); strings.Contains(p, "LVS-4711") || !strings.Contains(p, "Nog geen vastgestelde OPP") {
		t.Error("an OPP that is not established is on the ROD list")
	}
	base := fmt.Sprintf("/licenties/%s/leerlingen/%s/dossier", lic, pupil)
	if resp, _ := h.do(t, "POST", base+"/proces-starten", formType, ""); resp.StatusCode != 303 {
		t.Fatalf("start process: %d", resp.StatusCode)
	}
	h.waitPhase(t, lic, dossier.ID, "observe")
	for _, from := range []string{"observe", "understand", "plan"} {
		if resp, out := h.do(t, "POST", fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier/advance", lic, pupil), "application/json",
			`{"request_id":"rod-`+from+`","from":"`+from+`"}`); resp.StatusCode != 200 {
			t.Fatalf("advance %s: %d %s", from, resp.StatusCode, out)
		}
	}
	today := time.Now().In(h.srv.location).Format("02-01-2006")
	p := h.page(t, page)
	if !regexp.MustCompile(`Roos Register</td>\s*<td>LVS-4711</td>\s*<td>` + today + `</td>\s*<td></td>\s*<td>nieuw</td>`).MatchString(p) {
		t.Fatalf("the established OPP is not new on the list:\n%s", p)
	}
	if home := h.page(t, "/"); !strings.Contains(home, "Registratie ROD (1 nog door te geven)") {
		t.Error("the dashboard does not count the OPP still to pass on")
	}
	resp, csvBody := h.do(t, "GET", page+".csv", "", "")
	if resp.StatusCode != 200 || !strings.Contains(csvBody, "leerlingnummer;pgn;achternaam") ||
		!strings.Contains(csvBody, "LVS-4711;;Register;;Roos;2016-03-04;"+time.Now().In(h.srv.location).Format("2006-01-02")+";;;nieuw;"+dossier.ID.String()) {
		t.Errorf("CSV: %d\n%s", resp.StatusCode, csvBody)
	}
	token := h.token(t, lic, platform.ApiScopeWrite)
	type reg struct {
		DossierID uuid.UUID `json:"dossier_id"`
		LASKey    string    `json:"las_key"`
		BeginOn   string    `json:"begin_on"`
		EndOn     *string   `json:"end_on"`
		EndReason *string   `json:"end_reason"`
		Status    string    `json:"status"`
		ChangedAt time.Time `json:"changed_at"`
	}
	pull := func(since string) []reg {
		t.Helper()
		resp, out := h.apiCall(t, token, "GET", "/licences/"+lic.String()+"/rod-registrations?since="+since, "", "")
		var got struct {
			Registrations []reg `json:"registrations"`
		}
		if resp.StatusCode != 200 || json.Unmarshal([]byte(out), &got) != nil {
			t.Fatalf("pull: %d %s", resp.StatusCode, out)
		}
		return got.Registrations
	}
	// No BSN unless the school chose to keep it for this purpose; then
	// sealed, in the CSV and the API only; choosing otherwise erases it.
	pgnPath := "/licences/" + lic.String() + "/pupils/" + pupil.String() + "/pgn"
	if resp, out := h.apiCall(t, token, "PUT", pgnPath, uuid.NewString(), `{"pgn":"111222333"}`); resp.StatusCode != 422 ||
		!strings.Contains(out, "bewaart geen BSN") {
		t.Errorf("a PGN while the school keeps none: %d %s, want 422", resp.StatusCode, out)
	}
	h.user(t, "directie@linde.invalid", "staff", member{auth.RoleSchoolAdmin, &lic})
	admin := h.login(t, "directie@linde.invalid")
	settings := fmt.Sprintf("/licenties/%s/instellingen", lic)
	if resp, _ := h.doAs(t, admin, "POST", settings, formType, form("rod_pgn", "1")); resp.StatusCode != 303 {
		t.Fatalf("keep PGNs: %d", resp.StatusCode)
	}
	if resp, out := h.apiCall(t, token, "PUT", pgnPath, uuid.NewString(), `{"pgn":"111222334"}`); resp.StatusCode != 422 ||
		!strings.Contains(out, "elfproef") {
		t.Errorf("a PGN failing the elfproef: %d %s, want 422", resp.StatusCode, out)
	}
	if resp, out := h.apiCall(t, token, "PUT", pgnPath, uuid.NewString(), `{"pgn":"111222333"}`); resp.StatusCode != 204 {
		t.Fatalf("keep the PGN: %d %s", resp.StatusCode, out)
	}
	var plain int
	if err := h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(ctx, "SELECT count(*) FROM pupil WHERE position('111222333'::bytea in coalesce(pgn_sealed, ''::bytea)) > 0 "+
			"OR pgn_sealed IS NULL AND id = $1", pupil).Scan(&plain)
	}); err != nil || plain != 0 {
		t.Errorf("%d pupils with the PGN unsealed or missing (err %v)", plain, err)
	}
	if _, csvBody := h.do(t, "GET", page+".csv", "", ""); !strings.Contains(csvBody, "LVS-4711;111222333;Register") {
		t.Errorf("the CSV lacks the PGN:\n%s", csvBody)
	}
	if regs := func() string {
		_, out := h.apiCall(t, token, "GET", "/licences/"+lic.String()+"/rod-registrations", "", "")
		return out
	}(); !strings.Contains(regs, `"pgn":"111222333"`) {
		t.Errorf("the API lacks the PGN: %s", regs)
	}
	if strings.Contains(h.page(t, page), "111222333") {
		t.Error("the ROD page shows the PGN")
	}
	if resp, _ := h.doAs(t, admin, "POST", settings, formType, form()); resp.StatusCode != 303 {
		t.Fatalf("stop keeping PGNs: %d", resp.StatusCode)
	}
	var kept int
	if err := h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(ctx, "SELECT count(*) FROM pupil WHERE pgn_sealed IS NOT NULL").Scan(&kept)
	}); err != nil || kept != 0 {
		t.Errorf("%d PGNs kept after the school stopped keeping them (err %v)", kept, err)
	}

	first := pull("")
	if len(first) != 1 || first[0].LASKey != "LVS-4711" || first[0].Status != "new" || first[0].EndOn != nil {
		t.Fatalf("the LAS pulls %+v, want the new OPP", first)
	}

	// The school passes it on (after its LAS read the CSV).
	shown := regexp.MustCompile(`name="shown_at" value="([^"]+)"`).FindStringSubmatch(p)
	if shown == nil {
		t.Fatal("no passed-on form")
	}
	if resp, _ := h.do(t, "POST", page+"/doorgegeven", formType, form("shown_at", shown[1], "dossier", dossier.ID.String())); resp.StatusCode != 303 {
		t.Fatalf("mark passed on: %d", resp.StatusCode)
	}
	if p := h.page(t, page); !strings.Contains(p, "Alles is doorgegeven") || !strings.Contains(p, "<td>doorgegeven</td>") {
		t.Error("after passing on, the list still asks for it")
	}
	if home := h.page(t, "/"); strings.Contains(home, "nog door te geven") {
		t.Error("the dashboard still counts it")
	}
	if again := pull(first[0].ChangedAt.Format(time.RFC3339Nano)); len(again) != 0 {
		t.Errorf("a pull since the last change returns %+v, want nothing", again)
	}

	// The pupil leaves today (the LAS says so through the API): the OPP
	// ends that day, and the retention terms start.
	leaving := "/licences/" + lic.String() + "/pupils/" + pupil.String() + "/leaving"
	if resp, out := h.apiCall(t, token, "POST", leaving, uuid.NewString(), `{"left_on":"2099-01-01"}`); resp.StatusCode != 422 {
		t.Errorf("leaving after the summer holidays of 2099: %d %s, want 422", resp.StatusCode, out)
	}
	if resp, out := h.apiCall(t, token, "POST", leaving, uuid.NewString(),
		`{"left_on":"`+time.Now().In(h.srv.location).Format("2006-01-02")+`"}`); resp.StatusCode != 200 || !strings.Contains(out, `"dossiers":{"due_at"`) {
		t.Fatalf("leave: %d %s, want the dossiers' deletion date", resp.StatusCode, out)
	}
	var ended []reg
	poll.Must(t, 20*time.Second, "the OPP's end after leaving", func() bool {
		ended = pull(first[0].ChangedAt.Format(time.RFC3339Nano))
		return len(ended) == 1 && ended[0].EndOn != nil
	})
	if e := ended[0]; e.Status != "to_end" || *e.EndOn != time.Now().In(h.srv.location).Format("2006-01-02") || e.EndReason == nil ||
		*e.EndReason != "left" || e.BeginOn != first[0].BeginOn {
		t.Errorf("after leaving: %+v, want to_end on the leaving day, the same begin", e)
	}
	if !regexp.MustCompile(`<td>` + today + ` \(uitgeschreven\)</td>\s*<td>te beëindigen</td>`).MatchString(h.page(t, page)) {
		t.Error("the list does not show the OPP to be ended")
	}
	// The LAS confirms it passed the end on.
	resp, out = h.apiCall(t, token, "POST", "/licences/"+lic.String()+"/rod-registrations/passed-on", uuid.NewString(),
		`{"dossier_ids":["`+dossier.ID.String()+`"],"shown_at":"`+ended[0].ChangedAt.Format(time.RFC3339Nano)+`"}`)
	if resp.StatusCode != 200 || !strings.Contains(out, `"marked":1`) {
		t.Errorf("the LAS confirms: %d %s", resp.StatusCode, out)
	}
	if p := h.page(t, page); !strings.Contains(p, "Alles is doorgegeven") {
		t.Error("the ended OPP is still to pass on after the LAS confirmed")
	}
}
