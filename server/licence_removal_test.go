package server

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/internal/poll"
	"github.com/topdossier/topdossier/workflows"
)

// TestLicenceRemoval (issue 19, fix 4): removing a licence asks a recent
// login and its name (page and API), closes it at once — its people, its
// pupils' guardians and its API tokens reach nothing — and keeps it
// restorable for the grace period; restored, everything is as it was.
// Removed again and left, its workflows are terminated and its database
// dropped after the grace period, with the platform's record kept.
func TestLicenceRemoval(t *testing.T) {
	const grace = 8 * time.Second
	h := newHarness(t, func(c *Config) { c.LicenceRemovalGrace = grace })
	ctx := context.Background()
	q := platform.New(h.platform.Pool)
	gone := h.platform.School(t, "De Opheffing", "55XY")
	h.user(t, "directie@opheffing.invalid", "staff", member{auth.RoleSchoolAdmin, &gone.ID})
	admin := h.login(t, "directie@opheffing.invalid")
	pupils := "/api/v1/licences/" + gone.ID.String() + "/pupils"
	body := `{"given_name":"Kim","family_name":"Weg","group_name":"6","birth_date":"2016-05-05","enrolled_on":"2022-08-22",
	  "guardians":[{"given_name":"Ouder","family_name":"Weg","email":"ouder@weg.invalid","relation":"mother","parental_authority":true}]}`
	if resp, out := h.doAs(t, admin, "POST", pupils, "application/json", body); resp.StatusCode != 201 {
		t.Fatalf("enrol: %d %s", resp.StatusCode, out)
	}
	running := func() int {
		resp, err := h.srv.temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: fmt.Sprintf("%s = '%s' AND ExecutionStatus = 'Running'", workflows.SearchAttrLicence, gone.ID)})
		if err != nil {
			t.Fatal(err)
		}
		return len(resp.Executions)
	}
	if !poll.Until(10*time.Second, func() bool { return running() > 0 }) {
		t.Fatal("the enrolment's workflow is not running")
	}

	h.user(t, "beheer@platform.invalid", "staff", member{auth.RolePlatformAdmin, nil})
	pa := h.login(t, "beheer@platform.invalid")
	api := "/api/v1/licences/" + gone.ID.String()
	// The API: the name is asked there too.
	if resp, out := h.doAs(t, pa, "DELETE", api, "application/json", `{"confirm_name":"De Ophef"}`); resp.StatusCode != 422 || !strings.Contains(out, "confirm_name") {
		t.Errorf("API remove with the wrong name: %d %s, want 422", resp.StatusCode, out)
	}
	if resp, _ := h.doAs(t, pa, "DELETE", api, "", ""); resp.StatusCode == 202 {
		t.Error("API remove without a body was accepted")
	}
	// An old login is asked to re-authenticate first.
	if _, err := h.platform.Pool.Exec(ctx, "UPDATE user_session SET reauth_at = now() - interval '1 hour'"); err != nil {
		t.Fatal(err)
	}
	remove := "/beheer/licenties/" + gone.ID.String() + "/verwijderen"
	if resp, _ := h.doAs(t, pa, "POST", remove, formType, "confirm_name="+url.QueryEscape("De Opheffing")); resp.StatusCode != 303 ||
		!strings.HasPrefix(resp.Header.Get("Location"), "/inloggen/opnieuw") {
		t.Errorf("remove with an old login: %d %q, want 303 to /inloggen/opnieuw", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := h.doAs(t, pa, "DELETE", api, "application/json", `{"confirm_name":"De Opheffing"}`); resp.StatusCode != 401 && resp.StatusCode != 403 {
		t.Errorf("API remove with an old login: %d, want 401/403", resp.StatusCode)
	}
	if lic, _ := q.GetLicence(ctx, gone.ID); lic.Status != platform.LicenceStatusActive {
		t.Fatalf("a refused removal changed the licence: %s", lic.Status)
	}
	if _, err := h.platform.Pool.Exec(ctx, "UPDATE user_session SET reauth_at = now()"); err != nil {
		t.Fatal(err)
	}

	// Closed: the school's own admin reaches nothing; restorable.
	if resp, out := h.doAs(t, pa, "POST", remove, formType, "confirm_name="+url.QueryEscape("De Opheffing")); resp.StatusCode != 303 {
		t.Fatalf("remove: %d %s", resp.StatusCode, out)
	}
	if resp, _ := h.doAs(t, admin, "GET", pupils, "", ""); resp.StatusCode != 404 {
		t.Errorf("the school's admin on a closing licence: %d, want 404", resp.StatusCode)
	}
	if resp, _ := h.doAs(t, pa, "POST", remove, formType, "confirm_name="+url.QueryEscape("De Opheffing")); resp.StatusCode != 422 {
		t.Errorf("a second removal while closing: %d, want 422", resp.StatusCode)
	}
	if resp, _ := h.doAs(t, pa, "POST", "/beheer/licenties/"+gone.ID.String()+"/herstellen", formType, ""); resp.StatusCode != 303 {
		t.Fatalf("restore: %d", resp.StatusCode)
	}
	if resp, out := h.doAs(t, admin, "GET", pupils, "", ""); resp.StatusCode != 200 || !strings.Contains(out, "Kim") {
		t.Errorf("after restoring, the school's admin sees: %d, want 200 with the pupil", resp.StatusCode)
	}
	// The restored removal's workflow ended without purging.
	run := h.srv.temporal.GetWorkflow(ctx, workflows.LicenceRemovalID(gone.ID.String()), "")
	var outcome string
	if err := run.Get(ctx, &outcome); err != nil || outcome != "restored" {
		t.Errorf("first removal's workflow: %q %v, want restored", outcome, err)
	}
	if running() == 0 {
		t.Error("the restore did not keep the licence's workflows")
	}

	// Removed through the API and left: purged after the grace period.
	resp, out := h.doAs(t, pa, "DELETE", api, "application/json", `{"confirm_name":"De Opheffing"}`)
	if resp.StatusCode != 202 || !strings.Contains(out, `"status":"closing"`) || !strings.Contains(out, `"purge_after"`) {
		t.Fatalf("API remove: %d %s, want 202 closing", resp.StatusCode, out)
	}
	run = h.srv.temporal.GetWorkflow(ctx, workflows.LicenceRemovalID(gone.ID.String()), "")
	waitCtx, cancel := context.WithTimeout(ctx, grace+time.Minute)
	defer cancel()
	if err := run.Get(waitCtx, &outcome); err != nil || outcome != "purged" {
		t.Fatalf("second removal's workflow: %q %v, want purged", outcome, err)
	}
	if _, err := q.GetLicence(ctx, gone.ID); err == nil {
		t.Error("the licence is still registered after the purge")
	}
	var dbs int
	if err := h.platform.Pool.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", gone.DbName).Scan(&dbs); err != nil || dbs != 0 {
		t.Errorf("the licence's database still exists (%d, %v)", dbs, err)
	}
	if n := running(); n != 0 {
		t.Errorf("%d workflows of the licence still run after the purge", n)
	}
	removals, err := q.ListLicenceRemovals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var restored, purged int
	for _, r := range removals {
		if r.LicenceID != gone.ID {
			continue
		}
		if r.RestoredAt != nil {
			restored++
		}
		if r.PurgedAt != nil && r.WorkflowsTerminated != nil && *r.WorkflowsTerminated > 0 && r.LicenceName == "De Opheffing" {
			purged++
		}
	}
	if restored != 1 || purged != 1 {
		t.Errorf("the platform's records: %d restored, %d purged with terminated workflows; want 1 and 1", restored, purged)
	}
	if resp, _ := h.doAs(t, pa, "POST", api+"/restore", "application/json", "{}"); resp.StatusCode != 404 {
		t.Errorf("restore after the purge: %d, want 404", resp.StatusCode)
	}
}
