package workflows

import (
	"context"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// StartEnrolment starts a pupil's enrolment workflow. It is idempotent: a
// second start while it runs returns the running one, and a workflow that
// ended (the pupil left) is not started again under the same id.
func StartEnrolment(ctx context.Context, c client.Client, in EnrolmentInput) (client.WorkflowRun, error) {
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       EnrolmentWorkflowID(in.LicenceID, in.PupilID),
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			LicenceKey().ValueSet(in.LicenceID),
			KindKey().ValueSet("enrolment"),
		),
	}, EnrolmentWorkflow, in)
	if err != nil {
		return nil, fmt.Errorf("start enrolment workflow: %w", err)
	}
	return run, nil
}

// StartDossier starts a dossier's workflow, idempotently: a second start
// while it runs returns the running one.
func StartDossier(ctx context.Context, c client.Client, in DossierInput) (client.WorkflowRun, error) {
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       DossierWorkflowID(in.LicenceID, in.DossierID),
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			LicenceKey().ValueSet(in.LicenceID),
			KindKey().ValueSet("dossier"),
		),
	}, DossierWorkflow, in)
	if err != nil {
		return nil, fmt.Errorf("start dossier workflow: %w", err)
	}
	return run, nil
}

// StartConsent starts the consent round of a frozen handelingsdeel
// version, idempotently: a second start while it runs returns the running
// round, and a round that ended is not asked again.
func StartConsent(ctx context.Context, c client.Client, in ConsentInput) (client.WorkflowRun, error) {
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       ConsentWorkflowID(in.LicenceID, in.DossierID, in.Version),
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			LicenceKey().ValueSet(in.LicenceID),
			KindKey().ValueSet("consent"),
		),
	}, ConsentWorkflow, in)
	if err != nil {
		return nil, fmt.Errorf("start consent workflow: %w", err)
	}
	return run, nil
}

// StartRequest starts a submitted request's workflow, idempotently.
func StartRequest(ctx context.Context, c client.Client, in RequestInput) (client.WorkflowRun, error) {
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       RequestWorkflowID(in.SWVLicenceID, in.RequestID),
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			LicenceKey().ValueSet(in.SWVLicenceID),
			KindKey().ValueSet("request"),
		),
	}, RequestWorkflow, in)
	if err != nil {
		return nil, fmt.Errorf("start request workflow: %w", err)
	}
	return run, nil
}

// StartRetention starts the retention of a pupil's data of one kind,
// idempotently: while it runs, a second start returns it. A finished run
// (deleted or cancelled) may be followed by a new one (the pupil left
// again).
func StartRetention(ctx context.Context, c client.Client, in RetentionInput) (client.WorkflowRun, error) {
	in.Rev = RetentionRev
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       RetentionWorkflowID(in.LicenceID, in.Kind, in.EntityID),
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			LicenceKey().ValueSet(in.LicenceID),
			KindKey().ValueSet("retention"),
		),
	}, RetentionWorkflow, in)
	if err != nil {
		return nil, fmt.Errorf("start retention workflow: %w", err)
	}
	return run, nil
}

// StartAVGRequest starts the term of an AVG request, idempotently.
func StartAVGRequest(ctx context.Context, c client.Client, in AVGRequestInput) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       AVGRequestWorkflowID(in.LicenceID, in.RequestID),
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			LicenceKey().ValueSet(in.LicenceID),
			KindKey().ValueSet("avg"),
		),
	}, AVGRequestWorkflow, in)
	if err != nil {
		return fmt.Errorf("start avg request workflow: %w", err)
	}
	return nil
}
