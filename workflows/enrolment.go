package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/topdossier/topdossier/law"
)

// Enrolment steps as stored in process_step and the TopStep attribute.
const (
	EnrolmentStepCheck   = "inschrijving_controleren"
	EnrolmentStepOverdue = "inschrijving_controleren_te_laat"
	EnrolmentStepActive  = "ingeschreven"
	EnrolmentStepLeft    = "uitgeschreven"
)

// Signal and query names of the enrolment workflow.
const (
	SignalConfirmEnrolment = "confirm-enrolment"
	SignalPupilLeft        = "pupil-left"
	QueryEnrolmentStatus   = "status"
)

// EnrolmentWorkflowID is the business key of a pupil's enrolment workflow.
func EnrolmentWorkflowID(licenceID, pupilID string) string {
	return fmt.Sprintf("enrolment/%s/%s", licenceID, pupilID)
}

// EnrolmentInput starts the enrolment workflow of one pupil.
type EnrolmentInput struct {
	LicenceID string
	PupilID   string
	// CheckWithin is how long the school has to check the enrolment
	// (guardians and parental authority) before it shows as overdue.
	CheckWithin time.Duration
	// ShareAge is the age from which the pupil exercises their own
	// privacy rights (16): on that birthday the pupil gets a portal
	// account of their own. Zero: no such timer (runs started before).
	ShareAge int
}

// ConfirmEnrolment is the signal that the school checked the enrolment.
type ConfirmEnrolment struct {
	RequestID string
}

// PupilLeft is the signal that the pupil left the school, to the
// enrolment, the open dossier and an open consent round. UserID is who
// recorded it (for the logbook); empty in runs of before.
type PupilLeft struct {
	RequestID string
	UserID    string
}

// EnrolmentStatus is what the status query returns.
type EnrolmentStatus struct {
	Step       string
	WaitingFor string
	DueAt      *time.Time
	Confirmed  bool
	// PortalOpened: the pupil reached ShareAge and their own portal was
	// arranged (an account and invitation, or a request for an address).
	PortalOpened bool
	// OfAge: the pupil turned 18 and pupil and guardians were told.
	OfAge bool
	// Handled counts the signals that had an effect; duplicates do not count.
	Handled int
}

// EnrolmentWorkflow is the welcome step of a newly enrolled pupil: it asks
// the school to check the enrolment within a deadline, marks it overdue
// when the deadline passes, and lives on until the pupil leaves.
func EnrolmentWorkflow(ctx workflow.Context, in EnrolmentInput) (EnrolmentStatus, error) {
	e := &enrolment{in: in}
	return e.run(ctx)
}

type enrolment struct {
	in      EnrolmentInput
	status  EnrolmentStatus
	seen    requestLog
	seq     int32
	sending int // outbox sends under way
}

func (e *enrolment) run(ctx workflow.Context) (EnrolmentStatus, error) {
	var acts *Activities
	if e.in.LicenceID == "" || e.in.PupilID == "" || e.in.CheckWithin <= 0 {
		return e.status, fmt.Errorf("enrolment workflow: incomplete input")
	}
	if err := workflow.SetQueryHandler(ctx, QueryEnrolmentStatus, func() (EnrolmentStatus, error) {
		return e.status, nil
	}); err != nil {
		return e.status, err
	}
	ctx = activityOptions(ctx)

	due := workflow.Now(ctx).Add(e.in.CheckWithin)
	if err := e.moveTo(ctx, EnrolmentStepCheck, "school", &due); err != nil {
		return e.status, err
	}

	// The day the pupil's own privacy rights start: a timer to that
	// birthday (at once for a pupil enrolling older). Runs started before
	// this existed replay without it.
	var rights workflow.Future
	if workflow.GetVersion(ctx, "pupil-portal-at-share-age", workflow.DefaultVersion, 1) == 1 && e.in.ShareAge > 0 {
		var at *time.Time
		err := workflow.ExecuteActivity(ctx, acts.PupilShareAt, PupilShareAgeInput{
			LicenceID: e.in.LicenceID, PupilID: e.in.PupilID, ShareAge: e.in.ShareAge}).Get(ctx, &at)
		if err != nil {
			return e.status, err
		}
		if at != nil {
			rights = workflow.NewTimer(ctx, max(at.Sub(workflow.Now(ctx)), 0))
		}
	}

	// The 18th birthday: the pupil decides, the parents' access ends
	// unless the pupil lets them read on; both are told. Runs started
	// before this existed replay without it.
	var adult workflow.Future
	if workflow.GetVersion(ctx, "pupil-of-age", workflow.DefaultVersion, 1) == 1 && e.in.ShareAge > 0 {
		var at *time.Time
		err := workflow.ExecuteActivity(ctx, acts.PupilShareAt, PupilShareAgeInput{
			LicenceID: e.in.LicenceID, PupilID: e.in.PupilID, ShareAge: law.DecideAge}).Get(ctx, &at)
		if err != nil {
			return e.status, err
		}
		if at != nil {
			adult = workflow.NewTimer(ctx, max(at.Sub(workflow.Now(ctx)), 0))
		}
	}

	timerCtx, cancelTimer := workflow.WithCancel(ctx)
	defer cancelTimer()
	deadline := workflow.NewTimer(timerCtx, e.in.CheckWithin)
	deadlinePending := true
	confirmCh := workflow.GetSignalChannel(ctx, SignalConfirmEnrolment)
	leftCh := workflow.GetSignalChannel(ctx, SignalPupilLeft)
	birthCh := workflow.GetSignalChannel(ctx, SignalBirthDateChanged)

	for e.status.Step != EnrolmentStepLeft {
		var err error
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(confirmCh, func(c workflow.ReceiveChannel, _ bool) {
			var sig ConfirmEnrolment
			c.Receive(ctx, &sig)
			err = e.confirm(ctx, sig)
			if e.status.Confirmed {
				cancelTimer()
				deadlinePending = false
			}
		})
		sel.AddReceive(leftCh, func(c workflow.ReceiveChannel, _ bool) {
			var sig PupilLeft
			c.Receive(ctx, &sig)
			if sig.RequestID == "" || e.seen.seen(sig.RequestID) {
				return
			}
			e.status.Handled++
			err = e.moveTo(ctx, EnrolmentStepLeft, "", nil)
		})
		sel.AddReceive(birthCh, func(c workflow.ReceiveChannel, _ bool) {
			// The LAS corrected the birth date: the birthdays still to
			// come move (one already past has done its work).
			var sig BirthDateChanged
			c.Receive(ctx, &sig)
			if sig.RequestID == "" || e.seen.seen(sig.RequestID) {
				return
			}
			if rights != nil {
				if rights, err = e.birthday(ctx, e.in.ShareAge); err != nil {
					return
				}
			}
			if adult != nil {
				adult, err = e.birthday(ctx, law.DecideAge)
			}
		})
		if rights != nil {
			sel.AddFuture(rights, func(workflow.Future) {
				rights = nil
				err = e.openPortal(ctx)
			})
		}
		if adult != nil {
			sel.AddFuture(adult, func(workflow.Future) {
				adult = nil
				err = e.comeOfAge(ctx)
			})
		}
		if deadlinePending {
			sel.AddFuture(deadline, func(f workflow.Future) {
				deadlinePending = false
				if f.Get(ctx, nil) != nil { // cancelled
					return
				}
				err = e.moveTo(ctx, EnrolmentStepOverdue, "school", &due)
			})
		}
		sel.Select(ctx)
		if err != nil {
			return e.status, err
		}
	}
	err := workflow.Await(ctx, func() bool { return e.sending == 0 })
	return e.status, err
}

// birthday is a timer to the pupil's birthday of age, from the birth date
// of now (nil when there is none to wait for).
func (e *enrolment) birthday(ctx workflow.Context, age int) (workflow.Future, error) {
	var acts *Activities
	var at *time.Time
	err := workflow.ExecuteActivity(ctx, acts.PupilShareAt, PupilShareAgeInput{
		LicenceID: e.in.LicenceID, PupilID: e.in.PupilID, ShareAge: age}).Get(ctx, &at)
	if err != nil || at == nil {
		return nil, err
	}
	return workflow.NewTimer(ctx, max(at.Sub(workflow.Now(ctx)), 0)), nil
}

// openPortal gives the pupil their own portal account on the birthday and
// sends the invitation.
func (e *enrolment) openPortal(ctx workflow.Context) error {
	var acts *Activities
	var mailed bool
	err := workflow.ExecuteActivity(ctx, acts.OpenPupilPortal, OpenPupilPortalInput{
		LicenceID: e.in.LicenceID, PupilID: e.in.PupilID}).Get(ctx, &mailed)
	if err != nil {
		return err
	}
	e.status.PortalOpened = true
	if mailed {
		goSendOutbox(ctx, e.in.LicenceID, &e.sending)
	}
	return nil
}

// comeOfAge tells the pupil at 18 that they decide now, and the
// guardians that their access ends unless the pupil lets them read on.
func (e *enrolment) comeOfAge(ctx workflow.Context) error {
	var acts *Activities
	var mailed bool
	err := workflow.ExecuteActivity(ctx, acts.PupilOfAge, PupilOfAgeInput{
		LicenceID: e.in.LicenceID, PupilID: e.in.PupilID}).Get(ctx, &mailed)
	if err != nil {
		return err
	}
	e.status.OfAge = true
	if mailed {
		goSendOutbox(ctx, e.in.LicenceID, &e.sending)
	}
	return nil
}

func (e *enrolment) confirm(ctx workflow.Context, sig ConfirmEnrolment) error {
	var acts *Activities
	if sig.RequestID == "" || e.seen.seen(sig.RequestID) || e.status.Confirmed {
		return nil
	}
	e.status.Handled++
	err := workflow.ExecuteActivity(ctx, acts.ConfirmEnrolment, ConfirmEnrolmentInput{
		LicenceID:   e.in.LicenceID,
		PupilID:     e.in.PupilID,
		RequestID:   sig.RequestID,
		ConfirmedAt: workflow.Now(ctx),
	}).Get(ctx, nil)
	if err != nil {
		return err
	}
	// Confirmed only once the step is recorded, so a query never shows a
	// confirmed enrolment that is still waiting for the school.
	if err := e.moveTo(ctx, EnrolmentStepActive, "", nil); err != nil {
		return err
	}
	e.status.Confirmed = true
	return nil
}

// moveTo records a step in the process_step projection and the search
// attribute, then in the queryable status.
func (e *enrolment) moveTo(ctx workflow.Context, step, waitingFor string, due *time.Time) error {
	var acts *Activities
	e.seq++
	err := workflow.ExecuteActivity(ctx, acts.RecordProcessStep, ProcessStep{
		LicenceID:  e.in.LicenceID,
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID,
		EntityKind: "pupil",
		EntityID:   e.in.PupilID,
		Step:       step,
		WaitingFor: waitingFor,
		DueAt:      due,
		Seq:        e.seq,
	}).Get(ctx, nil)
	if err != nil {
		return err
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, StepKey().ValueSet(step)); err != nil {
		return err
	}
	e.status.Step, e.status.WaitingFor, e.status.DueAt = step, waitingFor, due
	return nil
}
