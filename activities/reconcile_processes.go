package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/workflows"
)

// ReconcileLicences lists the school licences whose databases the nightly
// reconciliation compares with Temporal (an SWV's database holds requests,
// whose workflows live at the SWV: left out for now).
func (a *Activities) ReconcileLicences(ctx context.Context) ([]string, error) {
	rows, err := platform.New(a.Tenants.Platform()).ListActiveLicences(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range rows {
		if r.Kind != platform.LicenceKindSwv {
			out = append(out, r.ID.String())
		}
	}
	return out, nil
}

// ReconcileLicence compares one school's database with Temporal (issue 19,
// drill 11), for instance after the database was restored to an earlier
// point:
//   - a running dossier or enrolment workflow whose dossier or pupil is not
//     in the database is reported (what the restore lost is not guessed);
//   - one whose projection (process_step) is missing or says another step
//     than the workflow answers to its query is repaired from that answer;
//   - an open dossier without a running workflow is reported (restarting
//     it would have to guess its deadlines).
//
// The report (ids only) is kept in the platform database.
func (a *Activities) ReconcileLicence(ctx context.Context, licence string) (workflows.ProcessReconcileReport, error) {
	rep := workflows.ProcessReconcileReport{LicenceID: licence}
	licenceID, err := parseID("licence", licence)
	if err != nil {
		return rep, err
	}
	running := map[string]bool{}
	query := fmt.Sprintf("%s = '%s' AND ExecutionStatus = 'Running'", workflows.SearchAttrLicence, licence)
	var token []byte
	for {
		resp, err := a.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, PageSize: 1000, NextPageToken: token})
		if err != nil {
			return rep, err
		}
		for _, e := range resp.Executions {
			running[e.Execution.WorkflowId] = true
		}
		if token = resp.NextPageToken; len(token) == 0 {
			break
		}
	}
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		steps, err := q.ListProcessSteps(ctx)
		if err != nil {
			return err
		}
		projected := map[string]school.ProcessStep{}
		for _, s := range steps {
			projected[s.WorkflowID] = s
		}
		for id := range running {
			kind, entity, ok := processOf(id, licence)
			if !ok {
				continue
			}
			rep.WorkflowsChecked++
			if activity.IsActivity(ctx) {
				activity.RecordHeartbeat(ctx, rep.WorkflowsChecked)
			}
			var exists bool
			if kind == "dossier" {
				exists, err = q.DossierExists(ctx, entity)
			} else {
				exists, err = q.PupilExists(ctx, entity)
			}
			if err != nil {
				return err
			}
			if !exists {
				rep.WorkflowsWithoutEntity = append(rep.WorkflowsWithoutEntity, id)
				continue
			}
			want, err := a.askStep(ctx, id, kind, entity)
			var notFound *serviceerror.NotFound
			if errors.As(err, &notFound) {
				continue // it ended in the meantime
			}
			if err != nil {
				return err
			}
			if have, ok := projected[id]; ok && have.Step == want.Step && have.WaitingFor == want.WaitingFor {
				continue
			}
			if err := q.RepairProcessStep(ctx, school.RepairProcessStepParams{WorkflowID: id, EntityKind: want.EntityKind,
				EntityID: entity, Step: want.Step, WaitingFor: want.WaitingFor, DueAt: want.DueAt, DeadlineState: want.DeadlineState}); err != nil {
				return err
			}
			rep.ProjectionsRepaired = append(rep.ProjectionsRepaired, id)
		}
		open, err := q.ListOpenDossierIDs(ctx)
		if err != nil {
			return err
		}
		for _, d := range open {
			if id := workflows.DossierWorkflowID(licence, d.String()); !running[id] {
				rep.DossiersWithoutWorkflow = append(rep.DossiersWithoutWorkflow, d.String())
			}
		}
		return nil
	})
	if err != nil {
		return rep, wrap("reconcile licence", err)
	}
	details, err := json.Marshal(rep)
	if err != nil {
		return rep, err
	}
	err = platform.New(a.Tenants.Platform()).RecordReconcileRun(ctx, platform.RecordReconcileRunParams{LicenceID: licenceID,
		WorkflowsChecked: int32(rep.WorkflowsChecked), DossiersWithoutWorkflow: int32(len(rep.DossiersWithoutWorkflow)),
		WorkflowsWithoutEntity: int32(len(rep.WorkflowsWithoutEntity)), ProjectionsRepaired: int32(len(rep.ProjectionsRepaired)), Details: details})
	return rep, err
}

// processOf reads a workflow id of the licence: a dossier's or a pupil's
// enrolment process, with its entity; anything else is not compared.
func processOf(id, licence string) (kind string, entity uuid.UUID, ok bool) {
	for _, kind := range []string{"dossier", "enrolment"} {
		rest, found := strings.CutPrefix(id, kind+"/"+licence+"/")
		if !found {
			continue
		}
		e, err := uuid.Parse(rest)
		return kind, e, err == nil
	}
	return "", uuid.Nil, false
}

// askStep asks the workflow for its step, as its projection would show it.
func (a *Activities) askStep(ctx context.Context, id, kind string, entity uuid.UUID) (workflows.ProcessStep, error) {
	queryType := workflows.QueryEnrolmentStatus
	if kind == "dossier" {
		queryType = workflows.QueryDossierStatus
	}
	resp, err := a.Temporal.QueryWorkflowWithOptions(ctx, &client.QueryWorkflowWithOptionsRequest{WorkflowID: id,
		QueryType: queryType, QueryRejectCondition: enumspb.QUERY_REJECT_CONDITION_NOT_OPEN})
	if err != nil {
		return workflows.ProcessStep{}, err
	}
	if resp.QueryRejected != nil {
		return workflows.ProcessStep{}, serviceerror.NewNotFound("workflow closed")
	}
	step := workflows.ProcessStep{WorkflowID: id, EntityKind: kind, EntityID: entity.String()}
	if kind == "dossier" {
		var st workflows.DossierStatus
		if err := resp.QueryResult.Get(&st); err != nil {
			return step, err
		}
		step.Step, step.WaitingFor = string(st.Phase), st.WaitingFor
		if st.Deadline != nil {
			due := st.Deadline.DueAt
			step.DueAt, step.DeadlineState = &due, st.Deadline.State
		}
		return step, nil
	}
	var st workflows.EnrolmentStatus
	if err := resp.QueryResult.Get(&st); err != nil {
		return step, err
	}
	step.EntityKind = "pupil"
	step.Step, step.WaitingFor, step.DueAt = st.Step, st.WaitingFor, st.DueAt
	return step, nil
}
