package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/topdossier/topdossier/internal/poll"
)

// TestAPIOfferAndConsent walks a plan through the API alone, the way an
// integration (or make drill) does: sections written, the handelingsdeel
// offered (an incomplete one is refused naming what is missing; offering
// it again keeps its one version and its one round), the mother's answer
// recorded, and the plan goes into realisation.
func TestAPIOfferAndConsent(t *testing.T) {
	h := newHarness(t)
	lic := h.school.ID
	pupil := h.createPupil(t, h.cookie, lic, "Aanbod", "6")
	h.openDossier(t, h.cookie, lic, pupil)
	h.addGrowth(t, h.cookie, lic, pupil, "Eerste observatie")
	base := fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier", lic, pupil)
	advance := func(from string) {
		t.Helper()
		if resp, out := h.do(t, "POST", base+"/advance", "application/json", `{"request_id":"`+uuid.NewString()+`","from":"`+from+`"}`); resp.StatusCode != 200 {
			t.Fatalf("advance from %s: %d %s", from, resp.StatusCode, out)
		}
	}
	put := func(section, content string) {
		t.Helper()
		if resp, out := h.do(t, "PUT", base+"/sections/"+section, "application/json", `{"version":1,"content":`+content+`}`); resp.StatusCode != 200 {
			t.Fatalf("save %s: %d %s", section, resp.StatusCode, out)
		}
	}
	advance("observe")
	put("understand", `{"promoting":{"pupil":"Nieuwsgierig"},"hindering":{"teaching":"Tempo"},"educational_needs":"Structuur","support_needs":"Verlengde instructie"}`)
	advance("understand")
	put("perspective", `{"destination":"vmbo_kb","rationale":"Gemotiveerd, het tempo remt."}`)

	// Nothing to offer yet: the goals, the support and the pupil's view.
	resp, out := h.do(t, "POST", base+"/action-part/offer", "", "")
	if resp.StatusCode != 422 || !strings.Contains(out, `"action_part.goals"`) || !strings.Contains(out, `"hearing"`) {
		t.Fatalf("offering an empty handelingsdeel: %d %s, want 422 naming goals and hearing", resp.StatusCode, out)
	}
	put("action_part", `{"goals":[{"id":"g1","domain":"Rekenen","goal":"Tafels tot 10","criterion":"90% goed","evaluate_on":"2027-03-01"}],
		"support":[{"what":"Verlengde instructie","who":"Leerkracht","how_often":"Dagelijks","where":"In de klas"}]}`)
	put("hearing", `{"heard_on":"2026-11-20","how":"conversation","summary":"Wil oefenen met de computer."}`)

	offer := func() (int32, string) {
		t.Helper()
		resp, out := h.do(t, "POST", base+"/action-part/offer", "", "")
		var got struct {
			ActionPart struct {
				Version       int32  `json:"version"`
				ConsentStatus string `json:"consent_status"`
			} `json:"action_part"`
		}
		if resp.StatusCode != 201 || json.Unmarshal([]byte(out), &got) != nil {
			t.Fatalf("offer: %d %s", resp.StatusCode, out)
		}
		return got.ActionPart.Version, got.ActionPart.ConsentStatus
	}
	if v, st := offer(); v != 1 || st != "pending" {
		t.Fatalf("offered: version %d %q, want 1 pending", v, st)
	}
	var round struct {
		Consent *struct {
			Version int32  `json:"action_part_version"`
			Status  string `json:"status"`
			Parties []struct {
				Key     string `json:"key"`
				Decides bool   `json:"decides"`
			} `json:"parties"`
		} `json:"consent"`
	}
	poll.Must(t, 20*time.Second, "the round invites the mother", func() bool {
		_, out := h.do(t, "GET", base+"/consent", "", "")
		return json.Unmarshal([]byte(out), &round) == nil && round.Consent != nil && len(round.Consent.Parties) > 0
	})
	if c := round.Consent; c.Version != 1 || c.Status != "open" || len(c.Parties) != 1 || !c.Parties[0].Decides {
		t.Fatalf("the round: %+v, want version 1 open with the mother deciding", *c)
	}
	if v, st := offer(); v != 1 || st != "pending" {
		t.Errorf("offered again: version %d %q, want the same version 1, pending", v, st)
	}
	if n := strings.Count(h.logbookActions(t, lic, pupil), "update action_part_version"); n != 1 {
		t.Errorf("%d versions frozen in the logbook, want 1", n)
	}
	answer := `{"request_id":"papier-1","party":"` + round.Consent.Parties[0].Key + `","answer":"agree","remark":"Op papier, in het gesprek van dinsdag."}`
	resp, out = h.do(t, "POST", base+"/action-part/1/consent-answers", "application/json", answer)
	if resp.StatusCode != 200 {
		t.Fatalf("paper answer: %d %s", resp.StatusCode, out)
	}
	poll.Must(t, 20*time.Second, "consent given", func() bool {
		_, out := h.do(t, "GET", base+"/consent", "", "")
		return strings.Contains(out, `"status":"consented"`)
	})
	// The same answer again (its first answer lost with a server): it was
	// the one that decided the round, so it is answered as then, not
	// refused because the round has closed (make drill found parents told
	// "closed" about their own answer).
	if resp, out := h.do(t, "POST", base+"/action-part/1/consent-answers", "application/json", answer); resp.StatusCode != 200 {
		t.Errorf("the deciding answer sent again: %d %s, want 200", resp.StatusCode, out)
	}
	other := strings.Replace(answer, "papier-1", "papier-2", 1)
	if resp, _ := h.do(t, "POST", base+"/action-part/1/consent-answers", "application/json", other); resp.StatusCode == 200 {
		t.Error("a new answer to a closed round: 200, want it refused")
	}
	advance("plan")
	h.waitPhase(t, lic, h.dossierOf(t, lic, pupil), "realise")
}
