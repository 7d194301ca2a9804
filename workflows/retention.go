package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/topdossier/topdossier/fault"
)

// Retention kinds: what is kept, and from when its term runs.
const (
	RetentionDossier   = RetentionKindDossier   // school dossier: 2 years after the pupil left
	RetentionEnrolment = RetentionKindEnrolment // enrolment administration: 5 years after leaving
	RetentionRequest   = RetentionKindRequest   // SWV: a request, 3 years after its TLV ended (or it closed)
)

// Signal, update and query names of the retention workflow.
const (
	UpdateRetentionExtend = "extend"
	UpdateRetentionCancel = "cancel"
	// UpdateRetentionErase ends the term now: the school honoured a
	// request for erasure (AVG art. 17). Refused under a legal hold.
	UpdateRetentionErase = "erase"
	QueryRetentionStatus = "status"
)

// RetentionWorkflowID is the business key of an entity's retention.
func RetentionWorkflowID(licenceID, kind, entityID string) string {
	return fmt.Sprintf("retention/%s/%s/%s", licenceID, kind, entityID)
}

// RetentionInput starts the retention of one entity. The moment its term
// ends is read by an activity (it follows from a leaving or end date,
// which stays out of the workflow's input).
type RetentionInput struct {
	LicenceID, Kind, EntityID string
	Term                      time.Duration
	// Rev is the revision of this workflow's code the run started with
	// (RetentionRev; StartRetention sets it): a run takes every change of
	// that revision or before without asking workflow.GetVersion (taken).
	Rev int
}

// RetentionRev is the revision of RetentionWorkflow's code: raise it with
// each change that needs a version, and give that change its number.
const RetentionRev = 1

// RetentionAction is a legal hold (extend until Until, with a reason
// code; the reason's text is in the database) or a cancellation (the
// pupil came back, the dossier reopened).
type RetentionAction struct {
	RequestID string
	ActorID   string
	Until     time.Time
	Reason    string // bezwaar, geschil, wettelijk
}

// RetentionStatus answers the status query.
type RetentionStatus struct {
	DueAt     time.Time
	Holds     int
	State     string // waiting, deleted, cancelled
	DeletedAt time.Time
}

// Retention states.
const (
	RetentionWaiting   = "waiting"
	RetentionDeleted   = "deleted"
	RetentionCancelled = "cancelled"
)

// RetentionWorkflow sleeps until an entity's retention term ends (years,
// on a durable timer), then has it deleted and a deletion record kept. A
// legal hold moves the end later; a cancellation ends the workflow without
// deleting anything; an honoured request for erasure moves it to now.
func RetentionWorkflow(ctx workflow.Context, in RetentionInput) (RetentionStatus, error) {
	var acts *Activities
	var st RetentionStatus
	if in.LicenceID == "" || in.EntityID == "" || in.Term <= 0 ||
		(in.Kind != RetentionDossier && in.Kind != RetentionEnrolment && in.Kind != RetentionRequest) {
		return st, temporal.NewNonRetryableApplicationError("retention workflow: incomplete input", "InvalidInput", nil)
	}
	if err := workflow.SetQueryHandler(ctx, QueryRetentionStatus, func() (RetentionStatus, error) { return st, nil }); err != nil {
		return st, err
	}
	actx := activityOptions(ctx)
	var seen requestLog
	// busy: an activity of this run is under way. ready: the end is known
	// and "started" recorded. Updates are taken from the first moment (one
	// sent right after the start would find no handler otherwise) and
	// wait until ready.
	busy, ready := false, false
	record := func(ctx workflow.Context, a RetentionAction, what string) error {
		return workflow.ExecuteActivity(activityOptions(ctx), acts.RecordRetention, RetentionEvent{
			RetentionRef: RetentionRef{LicenceID: in.LicenceID, Kind: in.Kind, EntityID: in.EntityID},
			What:         what, ActorID: a.ActorID, Until: a.Until, Reason: a.Reason, InputKey: a.RequestID, DueAt: st.DueAt,
		}).Get(ctx, nil)
	}
	// check refuses what cannot be done; before the end is known only
	// what needs no end.
	check := func(name string, a RetentionAction) error {
		switch {
		case a.RequestID == "" || a.ActorID == "":
			return temporal.NewApplicationError("request id or actor missing", fault.CodeRetentionInvalid)
		case seen.has(a.RequestID):
			return nil
		case ready && st.State != RetentionWaiting:
			return temporal.NewApplicationError("retention ended", fault.CodeRetentionDone, st.State)
		case name == UpdateRetentionExtend && a.Reason != "bezwaar" && a.Reason != "geschil" && a.Reason != "wettelijk":
			return temporal.NewApplicationError("a hold needs a reason", fault.CodeRetentionInvalid)
		case name == UpdateRetentionExtend && ready && !a.Until.After(st.DueAt):
			return temporal.NewApplicationError("hold must end later", fault.CodeRetentionInvalid)
		case name == UpdateRetentionErase && st.Holds > 0:
			return temporal.NewApplicationError("a legal hold runs", fault.CodeRetentionHeld)
		}
		return nil
	}
	handle := func(name string) func(workflow.Context, RetentionAction) (RetentionStatus, error) {
		return func(ctx workflow.Context, a RetentionAction) (RetentionStatus, error) {
			if err := workflow.Await(ctx, func() bool { return ready && !busy }); err != nil {
				return st, err
			}
			if seen.has(a.RequestID) {
				return st, nil
			}
			if err := check(name, a); err != nil { // the end is known now, or changed while this waited
				return st, err
			}
			seen.seen(a.RequestID)
			busy = true
			defer func() { busy = false }()
			switch name {
			case UpdateRetentionCancel:
				if err := record(ctx, a, "cancelled"); err != nil {
					return st, err
				}
				st.State = RetentionCancelled
				return st, nil
			case UpdateRetentionErase:
				st.DueAt = workflow.Now(ctx)
				return st, record(ctx, a, "erased")
			}
			st.DueAt = a.Until
			st.Holds++
			return st, record(ctx, a, "extended")
		}
	}
	for _, name := range []string{UpdateRetentionExtend, UpdateRetentionCancel, UpdateRetentionErase} {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, name, handle(name), workflow.UpdateHandlerOptions{
			Validator: func(_ workflow.Context, a RetentionAction) error { return check(name, a) }}); err != nil {
			return st, err
		}
	}
	// Reading the end and recording "started" run as local activities:
	// one workflow task instead of three and two activity tasks, which is
	// what a school year of leavers costs the Temporal server. Runs of
	// before replay their activities.
	local := taken(ctx, in.Rev, 1, "retention-local-begin")
	bctx := actx
	if local {
		bctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{ScheduleToCloseTimeout: time.Hour,
			StartToCloseTimeout: 30 * time.Second})
	}
	begin := func(activity, arg, result any) error {
		if local {
			return workflow.ExecuteLocalActivity(bctx, activity, arg).Get(ctx, result)
		}
		return workflow.ExecuteActivity(bctx, activity, arg).Get(ctx, result)
	}
	var due time.Time
	err := begin(acts.RetentionDue, RetentionRef{LicenceID: in.LicenceID, Kind: in.Kind, EntityID: in.EntityID, Term: in.Term}, &due)
	if err != nil {
		return st, err
	}
	st.DueAt, st.State = due, RetentionWaiting
	// The archive shows when this run deletes; one line per run.
	err = begin(acts.RecordRetention, RetentionEvent{
		RetentionRef: RetentionRef{LicenceID: in.LicenceID, Kind: in.Kind, EntityID: in.EntityID},
		What:         "started", InputKey: workflow.GetInfo(ctx).WorkflowExecution.RunID, DueAt: st.DueAt}, nil)
	if err != nil {
		return st, err
	}
	ready = true
	for st.State == RetentionWaiting {
		dueAt := st.DueAt
		timerCtx, cancel := workflow.WithCancel(ctx)
		timer := workflow.NewTimer(timerCtx, max(dueAt.Sub(workflow.Now(ctx)), 0))
		err := workflow.Await(ctx, func() bool { return st.State != RetentionWaiting || !st.DueAt.Equal(dueAt) || timer.IsReady() })
		cancel()
		if err != nil {
			return st, err
		}
		if !timer.IsReady() || st.State != RetentionWaiting || !st.DueAt.Equal(dueAt) {
			continue
		}
		if err := workflow.Await(ctx, func() bool { return !busy }); err != nil {
			return st, err
		}
		if st.State != RetentionWaiting || !st.DueAt.Equal(dueAt) {
			continue // a hold or cancellation came in just now
		}
		busy = true
		ectx := actx
		if taken(ctx, in.Rev, 1, "retention-expiry-queue") {
			ectx = workflow.WithTaskQueue(actx, RetentionExpiryQueue)
		}
		err = workflow.ExecuteActivity(ectx, acts.ExpireRetention, RetentionRef{
			LicenceID: in.LicenceID, Kind: in.Kind, EntityID: in.EntityID}).Get(ctx, nil)
		busy = false
		if err != nil {
			return st, err
		}
		st.State, st.DeletedAt = RetentionDeleted, workflow.Now(ctx)
	}
	err = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	return st, err
}
