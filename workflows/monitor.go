package workflows

import (
	"context"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// MonitorScheduleID is the id of the nightly monitor schedule.
const MonitorScheduleID = "monitor-nightly"

// MonitorLicence is a licence the nightly monitor run visits: a school
// (or an SWV's own school licence) that publishes its counts to its SWV,
// or an SWV whose figures are refreshed.
type MonitorLicence struct {
	LicenceID, SWVLicenceID string
	Kind                    string // school, swv_school or swv
}

// MonitorResult counts what a run did.
type MonitorResult struct {
	Published, Refreshed int
}

// monitorParallel is how many schools publish at once.
const monitorParallel = 8

// MonitorWorkflow is the nightly monitor run: every school licence
// publishes its counts to its SWV (PublishSchoolFigures: counts only, so
// no SWV query ever reads a school database), then every SWV's summary
// is refreshed (RefreshSWVMonitor). A school that fails is retried by its
// activity; the run goes on with the others.
func MonitorWorkflow(ctx workflow.Context) (MonitorResult, error) {
	var acts *Activities
	actx := activityOptions(ctx)
	var out MonitorResult
	var licences []MonitorLicence
	if err := workflow.ExecuteActivity(actx, acts.MonitorLicences).Get(ctx, &licences); err != nil {
		return out, err
	}
	pctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 5}})
	var pending []workflow.Future
	var swvs []MonitorLicence
	for _, l := range licences {
		if l.Kind == "swv" {
			swvs = append(swvs, l)
			continue
		}
		if l.SWVLicenceID == "" {
			continue
		}
		pending = append(pending, workflow.ExecuteActivity(pctx, acts.PublishSchoolFigures, l))
		if len(pending) == monitorParallel {
			out.Published += drain(ctx, pending)
			pending = pending[:0]
		}
	}
	out.Published += drain(ctx, pending)
	for _, s := range swvs {
		if err := workflow.ExecuteActivity(pctx, acts.RefreshSWVMonitor, s).Get(ctx, nil); err == nil {
			out.Refreshed++
		} else {
			workflow.GetLogger(ctx).Warn("monitor refresh failed", "swv", s.LicenceID, "err", err)
		}
	}
	return out, nil
}

// drain waits for every future and counts those that succeeded.
func drain(ctx workflow.Context, fs []workflow.Future) int {
	ok := 0
	for _, f := range fs {
		if err := f.Get(ctx, nil); err == nil {
			ok++
		} else {
			workflow.GetLogger(ctx).Warn("monitor publication failed", "err", err)
		}
	}
	return ok
}

// EnsureMonitorSchedule creates the nightly monitor schedule (02:30 UTC),
// or brings an existing one up to date; workers call it at start.
func EnsureMonitorSchedule(ctx context.Context, c client.Client) error {
	return ensureSchedule(ctx, c, client.ScheduleOptions{
		ID: MonitorScheduleID,
		Spec: client.ScheduleSpec{
			Intervals: []client.ScheduleIntervalSpec{{Every: 24 * time.Hour, Offset: 2*time.Hour + 30*time.Minute}},
		},
		Action: &client.ScheduleWorkflowAction{
			ID:                    "monitor/run",
			Workflow:              MonitorWorkflow,
			TaskQueue:             TaskQueue,
			TypedSearchAttributes: temporal.NewSearchAttributes(KindKey().ValueSet("monitor")),
		},
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
	})
}

// RunMonitor runs the monitor now and waits (the SWV's "refresh now", tests).
func RunMonitor(ctx context.Context, c client.Client) (MonitorResult, error) {
	var out MonitorResult
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "monitor/now", TaskQueue: TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		TypedSearchAttributes:    temporal.NewSearchAttributes(KindKey().ValueSet("monitor"))}, MonitorWorkflow)
	if err != nil {
		return out, err
	}
	return out, run.Get(ctx, &out)
}
