package server

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/topdossier/topdossier/db/dbtest"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/worker"
	"github.com/topdossier/topdossier/workflows"
)

// TestRestoreAndReconcile (issue 19, drill 11): one school's database is
// backed up with pg_dump, work goes on (a phase advanced, a pupil and a
// dossier added), and the database is restored to the backup while
// Temporal keeps the later state. The reconciliation then finds what the
// two disagree on: the advanced dossier's projection is behind and is
// repaired from the workflow's own answer; the later pupil's and
// dossier's workflows have nothing in the database and are reported, not
// guessed back; a second run repairs nothing more. Its report is kept.
func TestRestoreAndReconcile(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	lic := h.school.ID
	early := h.createPupil(t, h.cookie, lic, "Vroeg", "5a")
	h.openDossier(t, h.cookie, lic, early)
	d1 := h.dossierOf(t, lic, early)
	h.waitPhase(t, lic, d1, "observe")
	h.addGrowth(t, h.cookie, lic, early, "Leest graag")

	// The backup: pg_dump of the school's database, custom format.
	dump := filepath.Join(t.TempDir(), "school.dump")
	dbURL := dbtest.URLFor(t, h.school.DbName)
	if out, err := exec.Command("pg_dump", "-Fc", "-f", dump, dbURL).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}

	// Work after the backup.
	if resp, out := h.do(t, "POST", fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier/advance", lic, early), "application/json",
		`{"request_id":"na-backup-1","from":"observe"}`); resp.StatusCode != 200 {
		t.Fatalf("advance: %d %s", resp.StatusCode, out)
	}
	h.waitPhase(t, lic, d1, "understand")
	late := h.createPupil(t, h.cookie, lic, "Laat", "6b")
	h.openDossier(t, h.cookie, lic, late)
	d2 := h.dossierOf(t, lic, late)
	h.waitPhase(t, lic, d2, "observe")

	// The restore: the database as it was at the backup.
	name := pgx.Identifier{h.school.DbName}.Sanitize()
	if _, err := h.platform.Pool.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.platform.Pool.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pg_restore", "--exit-on-error", "-d", dbURL, dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}
	h.platform.Tenants.Forget(lic)
	if step := h.phase(t, lic, d1); step.Step != "observe" {
		t.Fatalf("after the restore the projection says %q, want observe (the backup's)", step.Step)
	}

	acts := worker.Activities(h.srv.temporal, worker.Deps{Tenants: h.platform.Tenants})
	rep, err := acts.ReconcileLicence(ctx, lic.String())
	if err != nil {
		t.Fatal(err)
	}
	d1wf, d2wf := workflows.DossierWorkflowID(lic.String(), d1.String()), workflows.DossierWorkflowID(lic.String(), d2.String())
	lateWF := workflows.EnrolmentWorkflowID(lic.String(), late.String())
	if !slices.Contains(rep.ProjectionsRepaired, d1wf) {
		t.Errorf("the advanced dossier's projection was not repaired: %+v", rep)
	}
	if !slices.Contains(rep.WorkflowsWithoutEntity, d2wf) || !slices.Contains(rep.WorkflowsWithoutEntity, lateWF) {
		t.Errorf("the later pupil's and dossier's workflows are not reported: %+v", rep)
	}
	if slices.Contains(rep.ProjectionsRepaired, d2wf) || len(rep.DossiersWithoutWorkflow) != 0 {
		t.Errorf("guessed or misreported: %+v", rep)
	}
	if step := h.phase(t, lic, d1); step.Step != "understand" {
		t.Errorf("after the reconciliation the projection says %q, want understand (the workflow's)", step.Step)
	}
	again, err := acts.ReconcileLicence(ctx, lic.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(again.ProjectionsRepaired) != 0 || len(again.WorkflowsWithoutEntity) != 2 {
		t.Errorf("second run: %+v, want nothing repaired and the two still reported", again)
	}
	runs, err := platform.New(h.platform.Pool).LatestReconcileRuns(ctx, platform.LatestReconcileRunsParams{LicenceID: lic, Limit: 5})
	if err != nil || len(runs) != 2 || runs[1].ProjectionsRepaired < 1 || runs[0].WorkflowsWithoutEntity != 2 {
		t.Errorf("kept reports: %+v (%v)", runs, err)
	}
	// Nothing in a report names a child: ids only.
	for _, r := range runs {
		if s := string(r.Details); strings.Contains(s, "Vroeg") || strings.Contains(s, "Laat") || strings.Contains(s, "Leest graag") {
			t.Errorf("a report holds personal data: %s", s)
		}
	}
}
