package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// SignalBirthDateChanged tells the enrolment and an open consent round
// that the pupil's birth date changed (an import from the LAS): they
// move the timers of the pupil's birthdays.
const SignalBirthDateChanged = "birth-date-changed"

// BirthDateChanged is the signal's payload: ids only.
type BirthDateChanged struct {
	RequestID string
}

// LASScheduleID is the id of a school's nightly LAS update.
func LASScheduleID(licenceID string) string { return "las-import/" + licenceID }

// LASImportInput is the nightly update of one school. It holds the
// licence id only: the file and its pupils stay in the school's database.
type LASImportInput struct {
	LicenceID string
	// Attempts and RetryEvery rule the fetch: tried Attempts times,
	// RetryEvery apart (doubling), then the admin is told.
	Attempts   int32
	RetryEvery time.Duration
}

// LASImportResult is what a run did, for the Temporal UI: the status and
// counts, no names.
type LASImportResult struct {
	ImportID string
	Status   string // applied, waiting, refused, failed, off
	Message  string
}

// LASImportWorkflow fetches a school's export, checks it and applies it
// when within the school's limits (RunLASImport does it all in one
// activity, so a half-done run never shows). A fetch that keeps failing
// is recorded for the admin (FailLASImport); nothing is half-applied.
func LASImportWorkflow(ctx workflow.Context, in LASImportInput) (LASImportResult, error) {
	var acts *Activities
	if in.LicenceID == "" {
		return LASImportResult{}, temporal.NewNonRetryableApplicationError("las import: incomplete input", "InvalidInput", nil)
	}
	attempts, every := in.Attempts, in.RetryEvery
	if attempts <= 0 {
		attempts = 4
	}
	if every <= 0 {
		every = 5 * time.Minute
	}
	run := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: every, BackoffCoefficient: 2, MaximumAttempts: attempts},
	})
	var r LASImportResult
	err := workflow.ExecuteActivity(run, acts.RunLASImport, in.LicenceID).Get(ctx, &r)
	if err == nil {
		return r, nil
	}
	reason := "onbekende fout"
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		reason = appErr.Message()
	}
	if ferr := workflow.ExecuteActivity(activityOptions(ctx), acts.FailLASImport, in.LicenceID, reason).Get(ctx, nil); ferr != nil {
		return r, ferr
	}
	return LASImportResult{Status: "failed", Message: reason}, nil
}

// EnsureLASSchedule creates or updates a school's nightly update at hour
// (the school's time), with up to half an hour of jitter so forty schools
// do not all fetch at once.
func EnsureLASSchedule(ctx context.Context, c client.Client, licenceID string, hour int, loc *time.Location) error {
	id := LASScheduleID(licenceID)
	spec := client.ScheduleSpec{
		Calendars:    []client.ScheduleCalendarSpec{{Hour: []client.ScheduleRange{{Start: hour}}, Minute: []client.ScheduleRange{{Start: 0}}}},
		Jitter:       30 * time.Minute,
		TimeZoneName: loc.String(),
	}
	opts := client.ScheduleOptions{
		ID:   id,
		Spec: spec,
		Action: &client.ScheduleWorkflowAction{
			ID:                    "las-import/run/" + licenceID,
			Workflow:              LASImportWorkflow,
			Args:                  []any{LASImportInput{LicenceID: licenceID}},
			TaskQueue:             TaskQueue,
			TypedSearchAttributes: temporal.NewSearchAttributes(LicenceKey().ValueSet(licenceID), KindKey().ValueSet("las-import")),
		},
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
	}
	_, err := c.ScheduleClient().Create(ctx, opts)
	if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		err = c.ScheduleClient().GetHandle(ctx, id).Update(ctx, client.ScheduleUpdateOptions{
			DoUpdate: func(u client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
				u.Description.Schedule.Action = opts.Action
				u.Description.Schedule.Spec = &spec
				return &client.ScheduleUpdate{Schedule: &u.Description.Schedule}, nil
			},
		})
	}
	if err != nil {
		return fmt.Errorf("ensure schedule %s: %w", id, err)
	}
	return nil
}

// RemoveLASSchedule deletes a school's nightly update (none is fine).
func RemoveLASSchedule(ctx context.Context, c client.Client, licenceID string) error {
	err := c.ScheduleClient().GetHandle(ctx, LASScheduleID(licenceID)).Delete(ctx)
	var notFound *serviceerror.NotFound
	if err != nil && !errors.As(err, &notFound) {
		return fmt.Errorf("remove schedule: %w", err)
	}
	return nil
}

// TriggerLASSchedule runs a school's nightly update now ("nu ophalen").
func TriggerLASSchedule(ctx context.Context, c client.Client, licenceID string) error {
	return c.ScheduleClient().GetHandle(ctx, LASScheduleID(licenceID)).Trigger(ctx, client.ScheduleTriggerOptions{
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP})
}
