package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/plan"
)

// Update, signal and query names of the dossier workflow.
const (
	UpdateAdvanceDossier        = "advance"
	SignalDossierSupportChanged = "support-changed"
	SignalDossierConsent        = "consent-changed"
	// SignalDossierPupilLeft closes the dossier from any phase: the pupil
	// left the school (PupilLeft).
	SignalDossierPupilLeft = "pupil-left"
	QueryDossierStatus     = "status"
)

// Deadline kinds.
const (
	DeadlineOPP        = "opp"        // OPP established within six weeks
	DeadlineEvaluation = "evaluation" // evaluated with parents at least once a year
)

// Deadline states, as in process_step.deadline_state.
const (
	DeadlineStateNone     = ""
	DeadlineStateReminder = "reminder"
	DeadlineStateOverdue  = "overdue"
)

// DossierWorkflowID is the business key of a dossier's workflow.
func DossierWorkflowID(licenceID, dossierID string) string {
	return fmt.Sprintf("dossier/%s/%s", licenceID, dossierID)
}

// DossierTimers are the legal terms of a dossier, configurable so tests
// run them in seconds.
type DossierTimers struct {
	// OPPWithin: an OPP is established within this long after a dossier
	// opens for extra support; OPPReminder is when the school is reminded.
	OPPWithin, OPPReminder time.Duration
	// EvaluationEvery: the OPP is evaluated with the parents at least this
	// often; EvaluationReminder is how long before the school is reminded.
	EvaluationEvery, EvaluationReminder time.Duration
}

// DefaultDossierTimers are the terms of the law: six weeks (reminder after
// four), a yearly evaluation (reminder four weeks before).
func DefaultDossierTimers() DossierTimers {
	week := 7 * 24 * time.Hour
	return DossierTimers{OPPWithin: law.OPPWithin, OPPReminder: 4 * week, EvaluationEvery: law.EvaluationEvery, EvaluationReminder: 4 * week}
}

func (t DossierTimers) valid() bool {
	return t.OPPWithin > 0 && t.OPPReminder > 0 && t.OPPReminder < t.OPPWithin &&
		t.EvaluationEvery > 0 && t.EvaluationReminder > 0 && t.EvaluationReminder < t.EvaluationEvery
}

// DossierInput starts (or continues) the workflow of one dossier. It
// carries ids, dates and counters; the content is in the school database.
type DossierInput struct {
	LicenceID string
	DossierID string
	PupilID   string
	Cycle     int32
	// Phase is where this run starts: observe for a new cycle, or where
	// the run before stopped when it continued as new.
	Phase plan.Phase
	// ExtraSupport: the support level needs an OPP (extra ondersteuning),
	// counted from OpenedAt.
	ExtraSupport bool
	OpenedAt     time.Time
	// OPPEstablishedAt is set when the first handelingsdeel with a consent
	// outcome went into realisation; EvaluationDueAt is the next yearly
	// evaluation.
	OPPEstablishedAt *time.Time
	EvaluationDueAt  *time.Time
	Timers           DossierTimers
	// ConsentPending: the handelingsdeel was offered and the parents'
	// answer is awaited.
	ConsentPending bool
	// ConsentRefused: the last answer on the handelingsdeel was geen
	// instemming. The OPP is then not vastgesteld (WPO 40a lid 2, WEC 41a,
	// WVO 17a): support goes on, the six-week term shows as not met with
	// that reason, until a later version is consented.
	ConsentRefused bool
	// Seq and Seen carry the projection order and handled request ids over
	// a continue-as-new.
	Seq  int32
	Seen []string
}

// AdvanceDossier asks to end the current phase. From is the phase the
// person saw, so two people clicking at once cause one transition; To is
// only chosen at the end of evaluation: observe (a next cycle) or closed.
// Checklist is what the server read of the content just before.
type AdvanceDossier struct {
	RequestID string
	UserID    string
	Role      string // the role the person acts in, for the logbook
	From      plan.Phase
	To        plan.Phase
	Checklist plan.Checklist
}

// SupportChanged tells the workflow the support level changed.
type SupportChanged struct {
	RequestID    string
	ExtraSupport bool
	OpenedAt     time.Time
}

// ConsentChanged tells the workflow a handelingsdeel version was offered
// (Status pending) or answered (given, refused).
type ConsentChanged struct {
	RequestID string
	Version   int32
	Status    string
}

// Who the dossier waits for.
const (
	WaitingForSchool    = "school"
	WaitingForGuardians = "guardians"
)

// Deadline is the next legal deadline of a dossier.
type Deadline struct {
	Kind     string
	RemindAt time.Time
	DueAt    time.Time
	State    string
	// Reason says why an OPP deadline is not met: DeadlineNoConsent.
	Reason string
}

// DeadlineNoConsent: the OPP is not vastgesteld because the parents (or
// the adult pupil) did not consent to the handelingsdeel.
const DeadlineNoConsent = "geen_instemming"

// DossierStatus answers "where is this dossier".
type DossierStatus struct {
	Cycle            int32
	Phase            plan.Phase
	Done             []plan.Phase
	WaitingFor       string
	Deadline         *Deadline
	OPPEstablishedAt *time.Time
	EvaluationDueAt  *time.Time
	// Transitions counts the phase changes of this run; a duplicate
	// request does not count.
	Transitions int
}

// DossierWorkflow is the HGW cycle of one dossier: waarnemen, begrijpen,
// plannen, realiseren, evalueren, then a next cycle (continue-as-new) or
// the end. Staff advance with the advance update; the legal deadlines
// run as timers and show on the dashboards through process_step.
func DossierWorkflow(ctx workflow.Context, in DossierInput) (DossierStatus, error) {
	d := &dossier{in: in, seen: requestLog{IDs: in.Seen}, seq: in.Seq, phase: in.Phase}
	return d.run(ctx)
}

type dossier struct {
	in          DossierInput
	phase       plan.Phase
	seen        requestLog
	seq         int32
	busy        bool
	dirty       bool
	ending      plan.Phase // observe (next cycle) or closed, once chosen
	left        *PupilLeft // the pupil left: the dossier closes
	transitions int
	recorded    *Deadline // the deadline as last written to the projection
	recordedFor string    // who the projection said we wait for
	// oppNeedsConsent: the OPP counts as vastgesteld only with consent on
	// its handelingsdeel. Runs of before set it at realisation whatever
	// the answer; their histories replay so.
	oppNeedsConsent bool
}

func (d *dossier) run(ctx workflow.Context) (DossierStatus, error) {
	if d.in.LicenceID == "" || d.in.DossierID == "" || d.in.PupilID == "" || d.in.Cycle < 1 || !d.in.Timers.valid() {
		return DossierStatus{}, temporal.NewNonRetryableApplicationError("dossier workflow: incomplete input", "InvalidInput", nil)
	}
	if d.phase == "" {
		d.phase = plan.PhaseObserve
	}
	if !d.phase.Valid() {
		return DossierStatus{}, temporal.NewNonRetryableApplicationError("dossier workflow: unknown phase", "InvalidInput", nil)
	}
	if err := workflow.SetQueryHandler(ctx, QueryDossierStatus, func() (DossierStatus, error) {
		return d.status(workflow.Now(ctx)), nil
	}); err != nil {
		return DossierStatus{}, err
	}
	// An advance that arrives with the start (an update in the first
	// workflow task runs as soon as its handler is set) waits for the
	// first projection: it ran alongside it, and the start's "observe"
	// landed over the advance's "understand" with a higher seq (found by
	// make drill). Runs of before did not wait; their histories replay so.
	d.busy = workflow.GetVersion(ctx, "record-before-updates", workflow.DefaultVersion, 1) == 1
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateAdvanceDossier, d.advance, workflow.UpdateHandlerOptions{
		Validator: d.validate,
	}); err != nil {
		return DossierStatus{}, err
	}
	supportCh := workflow.GetSignalChannel(ctx, SignalDossierSupportChanged)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var sig SupportChanged
			supportCh.Receive(ctx, &sig)
			if sig.RequestID == "" || d.seen.seen(sig.RequestID) {
				continue
			}
			d.in.ExtraSupport, d.in.OpenedAt = sig.ExtraSupport, sig.OpenedAt
			d.dirty = true
		}
	})
	consentCh := workflow.GetSignalChannel(ctx, SignalDossierConsent)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var sig ConsentChanged
			consentCh.Receive(ctx, &sig)
			if sig.RequestID == "" || d.seen.seen(sig.RequestID) {
				continue
			}
			d.in.ConsentPending = sig.Status == "pending"
			if d.oppNeedsConsent {
				d.consentAnswered(workflow.Now(ctx), sig.Status)
			}
			d.dirty = true
		}
	})
	leftCh := workflow.GetSignalChannel(ctx, SignalDossierPupilLeft)
	workflow.Go(ctx, func(ctx workflow.Context) {
		var sig PupilLeft
		leftCh.Receive(ctx, &sig)
		// Runs of before ignored this signal; their histories replay so.
		if workflow.GetVersion(ctx, "close-on-leave", workflow.DefaultVersion, 1) == workflow.DefaultVersion || sig.RequestID == "" {
			return
		}
		d.left = &sig
	})

	d.oppNeedsConsent = workflow.GetVersion(ctx, "opp-needs-consent", workflow.DefaultVersion, 1) == 1
	// A projection the loop writes while an advance is under way would
	// carry the phase before it with a newer seq, and land over the
	// advance's (found by make drill: the parents' consent arriving as
	// the IB'er moved the plan into realisation left it in "plan"). It
	// waits for the update. Runs of before did not; they replay so.
	recordAfterUpdates := workflow.GetVersion(ctx, "record-after-updates", workflow.DefaultVersion, 1) == 1
	err := d.record(ctx, workflow.Now(ctx))
	d.busy = false
	if err != nil {
		return DossierStatus{}, err
	}
	// One timer runs to the next moment the deadline changes state; it is
	// replaced only when that moment moves, so an advance adds no timer
	// events to the history.
	var timer workflow.Future
	var timerAt time.Time
	cancelTimer := func() {}
	for d.ending == "" && d.left == nil && !workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
		now := workflow.Now(ctx)
		stale := func() bool { return !sameDeadline(d.recorded, d.deadline(now)) || d.recordedFor != d.waitingFor() }
		if stale() && recordAfterUpdates && d.busy {
			if err := workflow.Await(ctx, func() bool { return !d.busy }); err != nil {
				return d.status(now), err
			}
			now = workflow.Now(ctx)
		}
		if stale() {
			if err := d.record(ctx, now); err != nil {
				return d.status(now), err
			}
		}
		next, ok := d.nextChange(now)
		switch {
		case !ok && timer != nil:
			cancelTimer()
			timer, timerAt = nil, time.Time{}
		case ok && (timer == nil || !next.Equal(timerAt) || timer.IsReady()):
			cancelTimer()
			var tctx workflow.Context
			tctx, cancelTimer = workflow.WithCancel(ctx)
			timer, timerAt = workflow.NewTimer(tctx, next.Sub(now)), next
		}
		d.dirty = false
		err := workflow.Await(ctx, func() bool {
			return d.dirty || d.ending != "" || d.left != nil || (timer != nil && timer.IsReady())
		})
		if err != nil {
			return d.status(now), err
		}
	}
	cancelTimer()
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return d.status(workflow.Now(ctx)), err
	}
	if d.left != nil && d.ending != plan.PhaseClosed {
		if err := d.closeOnLeave(ctx); err != nil {
			return d.status(workflow.Now(ctx)), err
		}
	}
	return d.finish(ctx)
}

// closeOnLeave closes the dossier from the phase it is in, without the
// checklist: the pupil left the school. The deadlines stop with it; the
// retention term (two years) runs from the leaving.
func (d *dossier) closeOnLeave(ctx workflow.Context) error {
	var acts *Activities
	now := workflow.Now(ctx)
	after := *d
	after.phase = plan.PhaseClosed
	d.seq++
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: time.Hour,
		StartToCloseTimeout:    10 * time.Second,
	})
	err := workflow.ExecuteLocalActivity(lctx, acts.AdvanceDossierPhase, AdvanceDossierInput{
		LicenceID: d.in.LicenceID, DossierID: d.in.DossierID, PupilID: d.in.PupilID,
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, RequestID: d.left.RequestID, UserID: d.left.UserID, Role: "system",
		Cycle: d.in.Cycle, From: d.phase, To: plan.PhaseClosed, PupilLeft: true, At: now, Step: after.step(now, d.seq),
	}).Get(ctx, nil)
	if err != nil {
		return err
	}
	d.phase, d.ending = plan.PhaseClosed, plan.PhaseClosed
	d.recorded, d.recordedFor = nil, ""
	d.transitions++
	return workflow.UpsertTypedSearchAttributes(ctx, StepKey().ValueSet(string(plan.PhaseClosed)))
}

// finish ends this run: the next cycle or the same one continues as new,
// a closed dossier completes.
func (d *dossier) finish(ctx workflow.Context) (DossierStatus, error) {
	var acts *Activities
	actx := activityOptions(ctx)
	next := d.in
	next.Phase, next.Seq, next.Seen = d.phase, d.seq, d.seen.IDs
	switch d.ending {
	case plan.PhaseClosed:
		err := workflow.ExecuteActivity(actx, acts.CloseDossier, CloseDossierInput{
			LicenceID: d.in.LicenceID, DossierID: d.in.DossierID, At: workflow.Now(ctx),
		}).Get(ctx, nil)
		return d.status(workflow.Now(ctx)), err
	case plan.PhaseObserve:
		next.Cycle, next.Phase = d.in.Cycle+1, plan.PhaseObserve
		err := workflow.ExecuteActivity(actx, acts.StartDossierCycle, StartDossierCycleInput{
			LicenceID: d.in.LicenceID, DossierID: d.in.DossierID, ToCycle: next.Cycle,
		}).Get(ctx, nil)
		if err != nil {
			return d.status(workflow.Now(ctx)), err
		}
	}
	return DossierStatus{}, workflow.NewContinueAsNewError(ctx, DossierWorkflow, next)
}

// target is the phase a request leads to, or an error when it asks for
// something this phase cannot do.
func (d *dossier) target(req AdvanceDossier) (plan.Phase, error) {
	if d.phase == plan.PhaseEvaluate {
		if req.To != plan.PhaseObserve && req.To != plan.PhaseClosed {
			return "", temporal.NewApplicationError("choose a next cycle or closing", fault.CodeDossierInvalidStep)
		}
		return req.To, nil
	}
	if req.To != "" && req.To != d.phase.Next() {
		return "", temporal.NewApplicationError("phases are taken in order", fault.CodeDossierInvalidStep)
	}
	return d.phase.Next(), nil
}

// check is what the validator and, after waiting its turn, the handler
// require: the phase the person saw, a possible next step, and a complete
// phase according to the checklist read just before.
func (d *dossier) check(req AdvanceDossier) (plan.Phase, error) {
	if d.ending != "" || req.From != d.phase || req.Checklist.Cycle != d.in.Cycle {
		return "", temporal.NewApplicationError("the dossier moved on", fault.CodeDossierPhaseMoved, d.phase)
	}
	to, err := d.target(req)
	if err != nil {
		return "", err
	}
	if missing := plan.Missing(d.phase, req.Checklist); len(missing) > 0 {
		return "", temporal.NewApplicationError("dossier incomplete", fault.CodeDossierIncomplete, missing)
	}
	return to, nil
}

func (d *dossier) validate(_ workflow.Context, req AdvanceDossier) error {
	if req.RequestID == "" || len(req.RequestID) > 100 {
		return temporal.NewApplicationError("request id missing", fault.CodeDossierInvalidStep)
	}
	if d.seen.has(req.RequestID) {
		return nil
	}
	_, err := d.check(req)
	return err
}

// advance ends the current phase. Handlers take turns, so two requests
// never interleave around the activity; a request id seen before returns
// the status without a second transition.
func (d *dossier) advance(ctx workflow.Context, req AdvanceDossier) (DossierStatus, error) {
	var acts *Activities
	if err := workflow.Await(ctx, func() bool { return !d.busy }); err != nil {
		return DossierStatus{}, err
	}
	if d.seen.has(req.RequestID) {
		return d.status(workflow.Now(ctx)), nil
	}
	to, err := d.check(req)
	if err != nil {
		return d.status(workflow.Now(ctx)), err
	}
	d.busy = true
	defer func() { d.busy = false }()

	now := workflow.Now(ctx)
	after := *d
	after.phase = to
	switch {
	case to == plan.PhaseRealise && d.in.OPPEstablishedAt == nil && d.oppNeedsConsent && req.Checklist.Consent != plan.ConsentGiven:
		// Geen instemming: realisation starts, the OPP is not vastgesteld.
		due := now.Add(d.in.Timers.EvaluationEvery)
		after.in.EvaluationDueAt, after.in.ConsentRefused = &due, req.Checklist.Consent == plan.ConsentRefused
	case to == plan.PhaseRealise && d.in.OPPEstablishedAt == nil:
		due := now.Add(d.in.Timers.EvaluationEvery)
		after.in.OPPEstablishedAt, after.in.EvaluationDueAt = &now, &due
	case d.phase == plan.PhaseEvaluate && d.in.OPPEstablishedAt != nil:
		due := now.Add(d.in.Timers.EvaluationEvery)
		after.in.EvaluationDueAt = &due
	}
	d.seq++
	step := after.step(now, d.seq)
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: time.Minute,
		StartToCloseTimeout:    10 * time.Second,
	})
	err = workflow.ExecuteLocalActivity(lctx, acts.AdvanceDossierPhase, AdvanceDossierInput{
		LicenceID: d.in.LicenceID, DossierID: d.in.DossierID, PupilID: d.in.PupilID,
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, RequestID: req.RequestID, UserID: req.UserID, Role: req.Role,
		Cycle: d.in.Cycle, From: d.phase, To: to, At: now, Step: step,
		EstablishOPP: after.in.OPPEstablishedAt != nil && d.in.OPPEstablishedAt == nil,
	}).Get(ctx, nil)
	if err != nil {
		return d.status(now), unwrapApplicationError(err)
	}
	d.seen.seen(req.RequestID)
	d.phase, d.in.OPPEstablishedAt, d.in.EvaluationDueAt = after.phase, after.in.OPPEstablishedAt, after.in.EvaluationDueAt
	d.in.ConsentRefused = after.in.ConsentRefused
	d.recorded, d.recordedFor = d.deadline(now), d.waitingFor()
	if d.phase == plan.PhaseClosed || (to == plan.PhaseObserve && req.From == plan.PhaseEvaluate) {
		d.ending = to
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, StepKey().ValueSet(string(to))); err != nil {
		return d.status(now), err
	}
	d.transitions++
	d.dirty = true
	return d.status(now), nil
}

// unwrapApplicationError hands the caller of the update the activity's own
// application error (type and details), not the activity wrapper.
func unwrapApplicationError(err error) error {
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) {
		return err
	}
	var details []string
	if appErr.HasDetails() {
		if derr := appErr.Details(&details); derr != nil {
			return err
		}
		return temporal.NewApplicationError(appErr.Message(), appErr.Type(), details)
	}
	return temporal.NewApplicationError(appErr.Message(), appErr.Type())
}

// consentAnswered takes an answer on the handelingsdeel (status given,
// refused or pending): consent given after the plan went into
// realisation establishes the OPP now; geen instemming keeps it open.
func (d *dossier) consentAnswered(now time.Time, status string) {
	switch status {
	case plan.ConsentRefused:
		d.in.ConsentRefused = true
	case plan.ConsentGiven:
		d.in.ConsentRefused = false
		if d.in.OPPEstablishedAt == nil && (d.phase == plan.PhaseRealise || d.phase == plan.PhaseEvaluate) {
			d.in.OPPEstablishedAt = &now
			if d.in.EvaluationDueAt == nil {
				due := now.Add(d.in.Timers.EvaluationEvery)
				d.in.EvaluationDueAt = &due
			}
		}
	}
}

// deadline is the next legal deadline as it stands at now.
func (d *dossier) deadline(now time.Time) *Deadline {
	t := d.in.Timers
	var dl *Deadline
	switch {
	case d.phase == plan.PhaseClosed:
		return nil
	case d.in.OPPEstablishedAt == nil && d.in.ExtraSupport:
		dl = &Deadline{Kind: DeadlineOPP, RemindAt: d.in.OpenedAt.Add(t.OPPReminder), DueAt: d.in.OpenedAt.Add(t.OPPWithin)}
		if d.in.ConsentRefused {
			dl.Reason = DeadlineNoConsent
		}
	case d.in.EvaluationDueAt != nil:
		due := *d.in.EvaluationDueAt
		dl = &Deadline{Kind: DeadlineEvaluation, RemindAt: due.Add(-t.EvaluationReminder), DueAt: due}
	default:
		return nil
	}
	switch {
	case !now.Before(dl.DueAt):
		dl.State = DeadlineStateOverdue
	case !now.Before(dl.RemindAt):
		dl.State = DeadlineStateReminder
	}
	return dl
}

// nextChange is when the deadline's state changes next.
func (d *dossier) nextChange(now time.Time) (time.Time, bool) {
	dl := d.deadline(now)
	switch {
	case dl == nil || dl.State == DeadlineStateOverdue:
		return time.Time{}, false
	case dl.State == DeadlineStateReminder:
		return dl.DueAt, true
	}
	return dl.RemindAt, true
}

func sameDeadline(a, b *Deadline) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// step is the projection row of the dossier as it stands.
func (d *dossier) step(now time.Time, seq int32) ProcessStep {
	s := ProcessStep{
		LicenceID: d.in.LicenceID, WorkflowID: DossierWorkflowID(d.in.LicenceID, d.in.DossierID),
		EntityKind: "dossier", EntityID: d.in.DossierID, Step: string(d.phase), Seq: seq,
	}
	s.WaitingFor = d.waitingFor()
	if dl := d.deadline(now); dl != nil {
		due := dl.DueAt
		s.DueAt, s.DeadlineState = &due, dl.State
	}
	return s
}

// record writes the projection as it stands (a local activity: no extra
// round trip) and remembers which deadline it showed.
func (d *dossier) record(ctx workflow.Context, now time.Time) error {
	var acts *Activities
	d.seq++
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: time.Hour,
		StartToCloseTimeout:    10 * time.Second,
	})
	if err := workflow.ExecuteLocalActivity(lctx, acts.RecordProcessStep, d.step(now, d.seq)).Get(ctx, nil); err != nil {
		return err
	}
	d.recorded, d.recordedFor = d.deadline(now), d.waitingFor()
	return workflow.UpsertTypedSearchAttributes(ctx, StepKey().ValueSet(string(d.phase)))
}

func (d *dossier) status(now time.Time) DossierStatus {
	st := DossierStatus{Cycle: d.in.Cycle, Phase: d.phase, Deadline: d.deadline(now),
		OPPEstablishedAt: d.in.OPPEstablishedAt, EvaluationDueAt: d.in.EvaluationDueAt, Transitions: d.transitions}
	for _, p := range plan.Phases() {
		if p == d.phase {
			break
		}
		st.Done = append(st.Done, p)
	}
	st.WaitingFor = d.waitingFor()
	if d.ending == plan.PhaseObserve {
		st.Cycle++ // the next cycle has begun; this run is handing over
	}
	return st
}

// waitingFor is who must act next: the parents while an offered
// handelingsdeel awaits their answer in plannen, else the school.
func (d *dossier) waitingFor() string {
	switch {
	case d.phase == plan.PhaseClosed:
		return ""
	case d.phase == plan.PhasePlan && d.in.ConsentPending:
		return WaitingForGuardians
	}
	return WaitingForSchool
}
