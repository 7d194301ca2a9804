package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// HousekeepingScheduleID is the id of the daily housekeeping schedule.
const HousekeepingScheduleID = "housekeeping"

// HousekeepingWorkflow removes expired login traces and anchors the
// logbooks' heads once; the schedule runs it every day, so nothing depends
// on a cron script.
func HousekeepingWorkflow(ctx workflow.Context, in HousekeepingInput) (HousekeepingResult, error) {
	var acts *Activities
	ctx = activityOptions(ctx)
	var r HousekeepingResult
	if err := workflow.ExecuteActivity(ctx, acts.Housekeep, in).Get(ctx, &r); err != nil {
		return r, err
	}
	err := workflow.ExecuteActivity(ctx, acts.AnchorLogbooks).Get(ctx, &r.LogbooksAnchored)
	return r, err
}

// EnsureHousekeepingSchedule creates the daily schedule (03:00 UTC), or
// brings the input of an existing one up to date; workers call it at
// start.
func EnsureHousekeepingSchedule(ctx context.Context, c client.Client, in HousekeepingInput) error {
	return ensureSchedule(ctx, c, client.ScheduleOptions{
		ID: HousekeepingScheduleID,
		Spec: client.ScheduleSpec{
			Intervals: []client.ScheduleIntervalSpec{{Every: 24 * time.Hour, Offset: 3 * time.Hour}},
		},
		Action: &client.ScheduleWorkflowAction{
			ID:                    "housekeeping/run",
			Workflow:              HousekeepingWorkflow,
			Args:                  []any{in},
			TaskQueue:             TaskQueue,
			TypedSearchAttributes: temporal.NewSearchAttributes(KindKey().ValueSet("housekeeping")),
		},
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
	})
}

// ensureSchedule creates a schedule, or gives an existing one (made by an
// earlier version, with the configuration of then) this action.
func ensureSchedule(ctx context.Context, c client.Client, opts client.ScheduleOptions) error {
	_, err := c.ScheduleClient().Create(ctx, opts)
	if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		err = c.ScheduleClient().GetHandle(ctx, opts.ID).Update(ctx, client.ScheduleUpdateOptions{
			DoUpdate: func(u client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
				u.Description.Schedule.Action = opts.Action
				return &client.ScheduleUpdate{Schedule: &u.Description.Schedule}, nil
			},
		})
	}
	if err != nil {
		return fmt.Errorf("ensure schedule %s: %w", opts.ID, err)
	}
	return nil
}
