package activities

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/topdossier/topdossier/workflows"
)

// errNoLeaver: the worker was built without the retention service; the
// activity is retried until a worker with one takes it.
var errNoLeaver = errors.New("worker without a leaver")

// PlannedLeaving is the moment the pupil's planned leaving day starts;
// nil when nothing is planned.
func (a *Activities) PlannedLeaving(ctx context.Context, ref workflows.PupilRef) (*time.Time, error) {
	licenceID, pupilID, err := parseIDs(ref.LicenceID, ref.PupilID)
	if err != nil {
		return nil, err
	}
	if a.Leaver == nil {
		return nil, errNoLeaver
	}
	at, err := a.Leaver.PlannedLeaving(ctx, licenceID, pupilID)
	return at, wrap("planned leaving", nonRetryable(err))
}

// LeavePlanned records a planned leaving on its day, as the pupil page
// does for a leaving typed that day.
func (a *Activities) LeavePlanned(ctx context.Context, in workflows.LeavingInput) error {
	licenceID, pupilID, err := parseIDs(in.LicenceID, in.PupilID)
	if err != nil {
		return err
	}
	if in.RequestID == "" {
		return temporal.NewNonRetryableApplicationError("leave planned: no request id", errInvalidInput, nil)
	}
	if a.Leaver == nil {
		return errNoLeaver
	}
	return wrap("leave planned", nonRetryable(a.Leaver.LeavePlanned(ctx, licenceID, pupilID, in.RequestID)))
}
