package workflows

import (
	"fmt"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/law"
)

// Request kinds a school can submit to its SWV.
const (
	RequestKindArrangement = "arrangement"
	RequestKindTLV         = "tlv"
	RequestKindAdvice      = "advice"
	RequestKindContact     = "contact"
	RequestKindMDO         = "mdo"
	RequestKindMDOT        = "mdo_t"
	RequestKindOT          = "ot"
)

// Request steps, as stored in process_step, request.status and TopStep.
const (
	RequestStepIntake     = "intake"
	RequestStepIncomplete = "onvolledig"
	RequestStepConsultant = "bij_consulent"
	RequestStepScheduled  = "geagendeerd"
	RequestStepSigning    = "ondertekenen"
	RequestStepObjection  = "bezwaartermijn"
	RequestStepObjected   = "bezwaar_ingediend"
	RequestStepRunning    = "loopt"
	RequestStepEvaluation = "evalueren"
	RequestStepClosed     = "afgesloten"
)

// Reasons a request closes with.
const (
	CloseRejected  = "afgewezen"
	CloseWithdrawn = "ingetrokken"
	CloseExpired   = "onvolledig_verlopen"
	CloseHandled   = "afgehandeld"
	CloseEnded     = "afgelopen"
	CloseRevoked   = "herroepen" // the objection was upheld
	// CloseStale: nobody acted on the request for StaleAfter (left at
	// intake, at the consultant, on an agenda or unsigned): it closes, so
	// its retention term starts.
	CloseStale = "verlopen_zonder_besluit"
)

// Update, signal and query names of the request workflow.
const (
	UpdateRequestIntake   = "intake"
	UpdateRequestResubmit = "resubmit"
	UpdateRequestSchedule = "schedule"
	UpdateRequestAdvice   = "advice"
	UpdateRequestVote     = "vote"
	// UpdateRequestPropose: the chair puts the term (and the category)
	// to the committee before it votes.
	UpdateRequestPropose = "propose"
	// UpdateRequestCategory: the chair sets or changes a TLV's category
	// after the vote, before signing.
	UpdateRequestCategory         = "category"
	UpdateRequestSign             = "sign"
	UpdateRequestHandled          = "handled"
	UpdateRequestEvaluate         = "evaluate"
	UpdateRequestObject           = "object"
	UpdateRequestWithdraw         = "withdraw"
	UpdateRequestObjectionDecided = "objection-decided"
	// UpdateRequestObjectionAdvice records the advice of the Landelijke
	// Bezwaaradviescommissie on an objection to a TLV decision.
	UpdateRequestObjectionAdvice = "objection-advice"
	// UpdateRequestExtendObjection postpones the decision on an objection
	// once by ObjectionExtend, with notice (Awb 7:10 lid 3).
	UpdateRequestExtendObjection = "objection-extend"
	QueryRequestStatus           = "status"
)

// RequestWorkflowID is the business key of a request's workflow.
func RequestWorkflowID(swvLicenceID, requestID string) string {
	return fmt.Sprintf("request/%s/%s", swvLicenceID, requestID)
}

// RequestTimers are the request's terms, configuration with legal
// defaults (see DefaultRequestTimers).
type RequestTimers struct {
	IncompleteWithin   time.Duration // the school completes an incomplete request within
	IncompleteReminder time.Duration // reminder to the school after
	ObjectionWindow    time.Duration // bezwaar within six weeks of the decision (Awb 6:7)
	ObjectionAdvice    time.Duration // the advice committee is asked within two weeks of an objection
	// ObjectionDecideWithin is the Awb 7:10 term to decide on an
	// objection, from the end of the objection term: six weeks, twice
	// that for a TLV (an advisory committee, Awb 7:13); ObjectionExtend
	// postpones it once. Zero: runs of before, without these terms.
	ObjectionDecideWithin, ObjectionExtend time.Duration
	ReapplyLead                            time.Duration // TLV: remind the school this long before the end date
	// StaleAfter closes a request nobody acted on this long in a step that
	// waits for the SWV (zero: runs of before, which never expire so).
	StaleAfter time.Duration
}

// DefaultRequestTimers: four weeks to complete (reminder after two), six
// weeks for bezwaar, two weeks to ask the advice committee, and a
// re-application reminder on 15 April for a TLV ending 31 July.
func DefaultRequestTimers() RequestTimers {
	day := 24 * time.Hour
	return RequestTimers{IncompleteWithin: 28 * day, IncompleteReminder: 14 * day, ObjectionWindow: law.ObjectionWindow,
		ObjectionAdvice: 14 * day, ReapplyLead: 107 * day, StaleAfter: law.RequestStaleAfter,
		ObjectionDecideWithin: law.ObjectionDecideWithin, ObjectionExtend: law.ObjectionDecideWithin}
}

func (t RequestTimers) valid() bool {
	return t.IncompleteWithin > 0 && t.IncompleteReminder > 0 && t.IncompleteReminder < t.IncompleteWithin &&
		t.ObjectionWindow > 0 && t.ObjectionAdvice > 0 && t.ReapplyLead > 0
}

// RequestInput starts the workflow of one submitted request. It carries
// ids and codes only; the content is in the SWV database.
type RequestInput struct {
	SWVLicenceID, RequestID string
	Kind                    string
	Timers                  RequestTimers
	// Quorum is the number of votes, the chair's among them, that decide
	// (default 2: the chair and one member).
	Quorum int
	// RetentionTerm: the request is deleted this long after its TLV ends
	// (or it closes); zero keeps it (runs started before).
	RetentionTerm time.Duration
}

// decides reports whether the kind goes to the committee for a decision
// with a document; the other kinds are handled by the consultant.
func decides(kind string) bool { return kind == RequestKindTLV || kind == RequestKindArrangement }

// RequestAction is the argument of every request update: who acts, with
// a request id (a double click is one action). Texts (advice, motivation,
// what is missing) are in the SWV database under the request id before the
// update is sent; the workflow never carries them.
type RequestAction struct {
	RequestID string
	ActorID   string
	// Intake.
	Accept bool
	// Schedule.
	MeetingID string
	// Advice: the expert's profession and whether they are linked to the
	// applying school (the server looks that up).
	Profession     string
	LinkedToSchool bool
	// Outcome is the expert's conclusion: positief, negatief or anders
	// ("" for an advice from before it was asked).
	Outcome string
	// Vote.
	Chair, Member, Approve bool
	StartOn, EndOn         time.Time // the term the chair proposes, for a granted request
	// Category is the bekostigingscategorie of a TLV for SO or VSO the
	// chair proposes (laag, midden, hoog).
	Category string
	// MeetingOn is the start of the day of the meeting the request is on
	// (in the SWV's time zone): a vote before it is refused, so a decision
	// is taken in or after the meeting (zero: runs of before).
	MeetingOn time.Time
	// Evaluate: behaald, deels or niet.
	Result string
}

// ExpertAdvice is one signed-off expert advice in the status.
type ExpertAdvice struct {
	ExpertID, Profession string
}

// RequestVote is one committee member's vote in the status.
type RequestVote struct {
	MemberID string
	Chair    bool
	Approve  bool
}

// RequestStatus answers the status query.
type RequestStatus struct {
	Step       string
	WaitingFor string
	DueAt      *time.Time
	Submission int
	Advices    []ExpertAdvice
	Votes      []RequestVote
	Decided    bool
	Approved   bool
	DecidedAt  time.Time
	Number     string // the signed document's number
	// ObjectionUntil is the last day of the objection term (zero: not
	// made known yet, or a run of before).
	ObjectionUntil time.Time
	Reason         string // why it closed
	Reminders      int    // reminders sent (school, advice committee, re-application)
	// Proposed: the chair put a term (and category) to the committee;
	// approving votes are on it.
	Proposed bool
	// DecideBy is the last moment to decide on an objection (Awb 7:10);
	// Extended: it was postponed once; ObjectionAdvice: for a TLV, the
	// advice committee's advice is recorded.
	DecideBy        time.Time
	Extended        bool
	ObjectionAdvice bool
}

// RequestWorkflow holds one request from intake to its end: intake
// (accept, or back to the school with a deadline and a reminder; the
// school's resubmission continues here), the consultant, the committee's
// agenda, for a TLV two experts' advice, the committee's vote, for a
// granted TLV or arrangement the signed document, the six-week objection
// window, and the end date (re-application reminder, or the evaluation of
// an arrangement). Every step is written to the SWV database and its
// logbook by activities.
func RequestWorkflow(ctx workflow.Context, in RequestInput) (RequestStatus, error) {
	r := &request{in: in}
	return r.run(ctx)
}

type request struct {
	in               RequestInput
	status           RequestStatus
	seen             requestLog
	seq              int32
	startOn, endOn   time.Time // the granted term
	remindedSchool   bool      // the incomplete request's reminder went out
	remindedReapply  bool      // the TLV's re-application reminder went out
	remindedObjected bool      // the advice committee reminder went out
	busy             bool
	sending          int       // outbox sends under way
	stepSince        time.Time // when the request last moved (to the step it is in)
	remindedDecide   bool      // the reminder before the objection's decision term ends went out
	decideOverdue    bool      // the objection's decision term ran out
	rev              int       // counts changes to the timers that move no step
	decisions        int       // decisions revoked on objection; the next is decided anew
	// starting: the first step (intake) is being recorded. Its projection
	// may be read before the activity returns; an update sent then is
	// taken as one in intake and waits until the step is recorded.
	starting bool
}

func (r *request) run(ctx workflow.Context) (RequestStatus, error) {
	in := r.in
	if in.SWVLicenceID == "" || in.RequestID == "" || !in.Timers.valid() || in.Quorum < 0 {
		return r.status, temporal.NewNonRetryableApplicationError("request workflow: incomplete input", "InvalidInput", nil)
	}
	switch in.Kind {
	case RequestKindArrangement, RequestKindTLV, RequestKindAdvice, RequestKindContact, RequestKindMDO, RequestKindMDOT, RequestKindOT:
	default:
		return r.status, temporal.NewNonRetryableApplicationError("request workflow: unknown kind", "InvalidInput", nil)
	}
	if r.in.Quorum == 0 {
		r.in.Quorum = 2
	}
	r.status.Submission = 1
	if err := workflow.SetQueryHandler(ctx, QueryRequestStatus, func() (RequestStatus, error) { return r.status, nil }); err != nil {
		return r.status, err
	}
	for name, step := range map[string]func(workflow.Context, RequestAction) error{
		UpdateRequestIntake: r.intake, UpdateRequestResubmit: r.resubmit, UpdateRequestSchedule: r.schedule,
		UpdateRequestAdvice: r.advice, UpdateRequestVote: r.vote, UpdateRequestSign: r.sign,
		UpdateRequestHandled: r.handled, UpdateRequestEvaluate: r.evaluate, UpdateRequestObject: r.object,
		UpdateRequestWithdraw: r.withdraw, UpdateRequestObjectionDecided: r.objectionDecided, UpdateRequestPropose: r.propose,
		UpdateRequestObjectionAdvice: r.objectionAdvice, UpdateRequestExtendObjection: r.extendObjection,
		UpdateRequestCategory: r.setCategory,
	} {
		name := name
		if err := workflow.SetUpdateHandlerWithOptions(ctx, name, r.guard(step), workflow.UpdateHandlerOptions{
			Validator: func(ctx workflow.Context, a RequestAction) error { return r.validate(workflow.Now(ctx), name, a) },
		}); err != nil {
			return r.status, err
		}
	}
	r.starting = true
	if err := r.moveTo(ctx, RequestStepIntake, "swv", nil, ""); err != nil {
		return r.status, err
	}
	r.starting = false

	// One timer at a time, for the step's next moment; a step change
	// (or a new due date) replaces it.
	for r.status.Step != RequestStepClosed {
		step, due, since, rev := r.status.Step, r.status.DueAt, r.stepSince, r.rev
		wait, fire := r.nextTimer(workflow.Now(ctx))
		timerCtx, cancel := workflow.WithCancel(ctx)
		var timer workflow.Future
		if fire != nil {
			timer = workflow.NewTimer(timerCtx, max(wait, 0))
		}
		err := workflow.Await(ctx, func() bool {
			return r.status.Step != step || r.status.DueAt != due || r.stepSince != since || r.rev != rev || (timer != nil && timer.IsReady())
		})
		cancel()
		if err == nil && timer != nil && timer.IsReady() {
			// An update being handled finishes first; it may move on.
			if err = workflow.Await(ctx, func() bool { return !r.busy }); err == nil && r.status.Step == step && r.status.DueAt == due &&
				r.stepSince == since && r.rev == rev {
				r.busy = true
				err = fire(activityOptions(ctx))
				r.busy = false
			}
		}
		if err != nil {
			return r.status, err
		}
	}
	err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) && r.sending == 0 })
	return r.status, err
}

// nextTimer is the timer of the current step: how long until it fires and
// what it does then (nil: none).
func (r *request) nextTimer(now time.Time) (time.Duration, func(workflow.Context) error) {
	switch r.status.Step {
	case RequestStepIntake, RequestStepConsultant, RequestStepScheduled, RequestStepSigning, RequestStepEvaluation:
		if r.in.Timers.StaleAfter > 0 {
			return r.stepSince.Add(r.in.Timers.StaleAfter).Sub(now), func(ctx workflow.Context) error {
				return r.close(ctx, CloseStale)
			}
		}
	}
	if r.status.DueAt == nil {
		return 0, nil
	}
	due := *r.status.DueAt
	t := r.in.Timers
	switch r.status.Step {
	case RequestStepIncomplete:
		if !r.remindedSchool {
			return due.Add(t.IncompleteReminder - t.IncompleteWithin).Sub(now), func(ctx workflow.Context) error {
				r.remindedSchool = true
				r.status.Reminders++
				return r.event(ctx, "herinnering_onvolledig", "school")
			}
		}
		return due.Sub(now), func(ctx workflow.Context) error { return r.close(ctx, CloseExpired) }
	case RequestStepObjection:
		return due.Sub(now), func(ctx workflow.Context) error {
			if !r.status.Approved {
				return r.close(ctx, CloseRejected)
			}
			return r.runUntilEnd(ctx)
		}
	case RequestStepObjected:
		if !r.remindedObjected {
			return due.Sub(now), func(ctx workflow.Context) error {
				r.remindedObjected = true
				r.status.Reminders++
				return r.event(ctx, "herinnering_bezwaaradvies", "swv")
			}
		}
		decideBy := r.status.DecideBy
		switch {
		case decideBy.IsZero() || r.decideOverdue:
		case !r.remindedDecide:
			return decideBy.Add(-14 * 24 * time.Hour).Sub(now), func(ctx workflow.Context) error {
				r.remindedDecide = true
				r.status.Reminders++
				return r.event(ctx, "herinnering_beslistermijn_bezwaar", "swv")
			}
		default:
			return decideBy.Sub(now), func(ctx workflow.Context) error {
				r.decideOverdue = true
				return r.event(ctx, "beslistermijn_bezwaar_verstreken", "school")
			}
		}
		return 0, nil
	case RequestStepRunning:
		return due.Sub(now), func(ctx workflow.Context) error {
			end := r.endOn
			switch {
			case r.in.Kind == RequestKindArrangement:
				return r.moveTo(ctx, RequestStepEvaluation, "school", &end, "")
			case !r.remindedReapply:
				r.remindedReapply = true
				r.status.Reminders++
				if err := r.event(ctx, "herinnering_heraanvraag", "school"); err != nil {
					return err
				}
				return r.moveTo(ctx, RequestStepRunning, "", &end, "")
			}
			return r.close(ctx, CloseEnded)
		}
	}
	return 0, nil
}

// runUntilEnd: the objection window passed without objection; a granted
// request runs until its end date (a TLV is reminded ReapplyLead before).
func (r *request) runUntilEnd(ctx workflow.Context) error {
	at := r.endOn
	if r.in.Kind == RequestKindTLV {
		if at = r.endOn.Add(-r.in.Timers.ReapplyLead); at.Before(workflow.Now(ctx)) {
			r.remindedReapply = true // too late for a reminder: the end is near
			at = r.endOn
		}
	}
	return r.moveTo(ctx, RequestStepRunning, "", &at, "")
}

// steps says in which steps an update may come.
var requestUpdateSteps = map[string][]string{
	UpdateRequestIntake:           {RequestStepIntake},
	UpdateRequestResubmit:         {RequestStepIncomplete},
	UpdateRequestSchedule:         {RequestStepConsultant, RequestStepScheduled},
	UpdateRequestAdvice:           {RequestStepConsultant, RequestStepScheduled},
	UpdateRequestVote:             {RequestStepScheduled},
	UpdateRequestPropose:          {RequestStepScheduled},
	UpdateRequestSign:             {RequestStepSigning},
	UpdateRequestCategory:         {RequestStepSigning},
	UpdateRequestHandled:          {RequestStepConsultant, RequestStepScheduled},
	UpdateRequestEvaluate:         {RequestStepEvaluation},
	UpdateRequestObject:           {RequestStepObjection},
	UpdateRequestWithdraw:         {RequestStepIntake, RequestStepIncomplete, RequestStepConsultant, RequestStepScheduled},
	UpdateRequestObjectionDecided: {RequestStepObjected},
	UpdateRequestObjectionAdvice:  {RequestStepObjected},
	UpdateRequestExtendObjection:  {RequestStepObjected},
}

// validate refuses, before anything enters the history, an update that
// is out of step or breaks a rule; a repeated request id is accepted and
// has no second effect.
func (r *request) validate(now time.Time, name string, a RequestAction) error {
	if a.RequestID == "" || len(a.RequestID) > 100 || a.ActorID == "" {
		return temporal.NewApplicationError("request id or actor missing", fault.CodeRequestInvalid)
	}
	if r.seen.has(a.RequestID) {
		return nil
	}
	step := r.status.Step
	if r.starting {
		step = RequestStepIntake
	}
	ok := false
	for _, s := range requestUpdateSteps[name] {
		ok = ok || s == step
	}
	if !ok || r.busy {
		return temporal.NewApplicationError("not in this step", fault.CodeRequestStep, r.status.Step)
	}
	switch name {
	case UpdateRequestAdvice:
		return r.checkAdvice(a)
	case UpdateRequestVote:
		return r.checkVote(now, a)
	case UpdateRequestCategory:
		switch {
		case r.in.Kind != RequestKindTLV || !r.status.Approved:
			return temporal.NewApplicationError("a category is for a granted TLV", fault.CodeRequestStep, r.status.Step)
		case !a.Chair:
			return temporal.NewApplicationError("only the chair sets the category", fault.CodeNotChair)
		case !slices.Contains([]string{"laag", "midden", "hoog"}, a.Category):
			return temporal.NewApplicationError("category", fault.CodeRequestInvalid)
		}
	case UpdateRequestObjectionAdvice:
		if r.in.Kind != RequestKindTLV {
			return temporal.NewApplicationError("advice committee is for a TLV", fault.CodeRequestStep, r.status.Step)
		}
	case UpdateRequestExtendObjection:
		if r.status.DecideBy.IsZero() || r.status.Extended {
			return temporal.NewApplicationError("extended before", fault.CodeObjectionExtended)
		}
	case UpdateRequestObjectionDecided:
		if r.in.Kind == RequestKindTLV && !r.status.DecideBy.IsZero() && !r.status.ObjectionAdvice {
			return temporal.NewApplicationError("advice committee first", fault.CodeObjectionAdviceMissing)
		}
	case UpdateRequestPropose:
		switch {
		case !a.Chair:
			return temporal.NewApplicationError("only the chair proposes", fault.CodeNotChair)
		case len(r.status.Votes) > 0:
			return temporal.NewApplicationError("votes were cast on the proposal", fault.CodeProposalLocked)
		case a.StartOn.IsZero() || !a.EndOn.After(a.StartOn):
			return temporal.NewApplicationError("term", fault.CodeRequestInvalid)
		}
	case UpdateRequestSchedule:
		if a.MeetingID == "" {
			return temporal.NewApplicationError("meeting missing", fault.CodeRequestInvalid)
		}
	case UpdateRequestHandled:
		if decides(r.in.Kind) {
			return temporal.NewApplicationError("decided by the committee", fault.CodeRequestStep, r.status.Step)
		}
	case UpdateRequestEvaluate:
		if a.Result != "behaald" && a.Result != "deels" && a.Result != "niet" {
			return temporal.NewApplicationError("result", fault.CodeRequestInvalid)
		}
	}
	return nil
}

// checkAdvice: a TLV rests on two experts, one an orthopedagoog or
// psycholoog, neither linked to the applying school.
func (r *request) checkAdvice(a RequestAction) error {
	switch {
	case r.in.Kind != RequestKindTLV:
		return temporal.NewApplicationError("advice is for a TLV", fault.CodeRequestStep, r.status.Step)
	case a.LinkedToSchool:
		return temporal.NewApplicationError("expert linked to the school", fault.CodeExpertLinked)
	case !slices.Contains([]string{"orthopedagoog", "psycholoog", "kinderpsychiater", "maatschappelijk_werker", "arts", "other"}, a.Profession):
		return temporal.NewApplicationError("profession", fault.CodeRequestInvalid)
	}
	for _, adv := range r.status.Advices {
		if adv.ExpertID == a.ActorID {
			return temporal.NewApplicationError("expert advised already", fault.CodeExpertTwice)
		}
	}
	if len(r.status.Advices) >= 2 {
		return temporal.NewApplicationError("two advices given", fault.CodeExpertTwice)
	}
	// One of the two is an orthopedagoog or a psycholoog (WPO art. 18a
	// lid 11); the other may be of another discipline.
	core := func(p string) bool { return p == "orthopedagoog" || p == "psycholoog" }
	if len(r.status.Advices) == 1 && !core(r.status.Advices[0].Profession) && !core(a.Profession) {
		return temporal.NewApplicationError("one expert must be orthopedagoog or psycholoog", fault.CodeExpertProfession)
	}
	return nil
}

func (r *request) checkVote(now time.Time, a RequestAction) error {
	if !a.Chair && !a.Member {
		return temporal.NewApplicationError("not on the committee of this meeting", fault.CodeNotMember)
	}
	if now.Before(a.MeetingOn) {
		return temporal.NewApplicationError("before the meeting", fault.CodeBeforeMeeting)
	}
	if r.in.Kind == RequestKindTLV && len(r.status.Advices) < 2 {
		return temporal.NewApplicationError("advice missing", fault.CodeAdviceMissing)
	}
	for _, v := range r.status.Votes {
		if v.MemberID == a.ActorID {
			return temporal.NewApplicationError("voted already", fault.CodeAlreadyVoted)
		}
	}
	// Approving is approving the chair's proposal; runs of before (and a
	// vote from before proposals) carried a term of their own.
	if a.Approve && !r.status.Proposed && (a.StartOn.IsZero() || !a.EndOn.After(a.StartOn)) {
		if a.StartOn.IsZero() {
			return temporal.NewApplicationError("no proposal", fault.CodeNoProposal)
		}
		return temporal.NewApplicationError("term", fault.CodeRequestInvalid)
	}
	return nil
}

// propose records the chair's proposal of the term (and category) the
// committee votes on.
func (r *request) propose(ctx workflow.Context, a RequestAction) error {
	if err := r.record(ctx, RequestRecord{Kind: "proposal", ActorID: a.ActorID, StartOn: a.StartOn, EndOn: a.EndOn,
		Category: a.Category, InputKey: a.RequestID}); err != nil {
		return err
	}
	r.startOn, r.endOn, r.status.Proposed = a.StartOn, a.EndOn, true
	return nil
}

// guard runs an update's step once per request id and one at a time.
func (r *request) guard(step func(workflow.Context, RequestAction) error) func(workflow.Context, RequestAction) (RequestStatus, error) {
	return func(ctx workflow.Context, a RequestAction) (RequestStatus, error) {
		if err := workflow.Await(ctx, func() bool { return !r.busy && !r.starting }); err != nil {
			return r.status, err
		}
		if r.seen.seen(a.RequestID) {
			return r.status, nil
		}
		r.busy = true
		defer func() { r.busy = false }()
		err := step(activityOptions(ctx), a)
		return r.status, err
	}
}

func (r *request) intake(ctx workflow.Context, a RequestAction) error {
	if err := r.record(ctx, RequestRecord{Kind: "intake", Accept: a.Accept, ActorID: a.ActorID, InputKey: a.RequestID}); err != nil {
		return err
	}
	if !a.Accept {
		due := workflow.Now(ctx).Add(r.in.Timers.IncompleteWithin)
		r.remindedSchool = false
		return r.moveTo(ctx, RequestStepIncomplete, "school", &due, "")
	}
	return r.moveTo(ctx, RequestStepConsultant, "consulent", nil, "")
}

func (r *request) resubmit(ctx workflow.Context, a RequestAction) error {
	r.status.Submission++
	if err := r.record(ctx, RequestRecord{Kind: "resubmit", ActorID: a.ActorID, InputKey: a.RequestID}); err != nil {
		return err
	}
	return r.moveTo(ctx, RequestStepIntake, "swv", nil, "")
}

func (r *request) schedule(ctx workflow.Context, a RequestAction) error {
	if err := r.record(ctx, RequestRecord{Kind: "schedule", ActorID: a.ActorID, MeetingID: a.MeetingID, InputKey: a.RequestID}); err != nil {
		return err
	}
	return r.moveTo(ctx, RequestStepScheduled, "commissie", nil, "")
}

func (r *request) advice(ctx workflow.Context, a RequestAction) error {
	if err := r.record(ctx, RequestRecord{Kind: "advice", ActorID: a.ActorID, Profession: a.Profession, Outcome: a.Outcome, InputKey: a.RequestID}); err != nil {
		return err
	}
	r.status.Advices = append(r.status.Advices, ExpertAdvice{ExpertID: a.ActorID, Profession: a.Profession})
	return nil
}

// vote records a member's vote; with the chair's vote and a quorum the
// majority decides (the chair's vote breaks a tie). A vote after that is
// refused by the validator: it has no second effect.
func (r *request) vote(ctx workflow.Context, a RequestAction) error {
	if err := r.record(ctx, RequestRecord{Kind: "vote", ActorID: a.ActorID, Approve: a.Approve, Chair: a.Chair,
		InputKey: a.RequestID}); err != nil {
		return err
	}
	r.status.Votes = append(r.status.Votes, RequestVote{MemberID: a.ActorID, Chair: a.Chair, Approve: a.Approve})
	// The term is the chair's proposal; before proposals it was the
	// chair's when the chair approved, else the last approving member's.
	if a.Approve && !r.status.Proposed && (a.Chair || r.endOn.IsZero() || !r.chairApproved()) {
		r.startOn, r.endOn = a.StartOn, a.EndOn
	}
	var chair *RequestVote
	yes := 0
	for i, v := range r.status.Votes {
		if v.Chair {
			chair = &r.status.Votes[i]
		}
		if v.Approve {
			yes++
		}
	}
	if chair == nil || len(r.status.Votes) < r.in.Quorum {
		return nil
	}
	no := len(r.status.Votes) - yes
	approved := yes > no || (yes == no && chair.Approve)
	now := workflow.Now(ctx)
	r.status.Decided, r.status.Approved, r.status.DecidedAt = true, approved, now
	err := r.record(ctx, RequestRecord{Kind: "decision", Approve: approved, At: now, StartOn: r.startOn, EndOn: r.endOn,
		InputKey: r.decisionKey()})
	if err != nil {
		return err
	}
	// Granted or refused, the decision is a signed document with its
	// motivation and objection clause (Awb 3:45, 3:46); runs of before
	// made a refusal known without one.
	if approved || workflow.GetVersion(ctx, "refusal-signed", workflow.DefaultVersion, 1) == 1 {
		return r.moveTo(ctx, RequestStepSigning, "ondertekenaar", nil, "")
	}
	if err := r.notify(ctx); err != nil {
		return err
	}
	due := now.Add(r.in.Timers.ObjectionWindow)
	if err := r.madeKnown(ctx, &due); err != nil {
		return err
	}
	return r.moveTo(ctx, RequestStepObjection, "", &due, "")
}

func (r *request) chairApproved() bool {
	for _, v := range r.status.Votes {
		if v.Chair {
			return v.Approve
		}
	}
	return false
}

// decisionKey names the decision's record: the chair's id, and for a
// decision taken anew after an upheld objection also its number, so it is
// a record of its own.
func (r *request) decisionKey() string {
	key := chairKey(r.status.Votes)
	if r.decisions > 0 {
		key = fmt.Sprintf("%s:%d", key, r.decisions)
	}
	return key
}

func chairKey(votes []RequestVote) string {
	for _, v := range votes {
		if v.Chair {
			return v.MemberID
		}
	}
	return ""
}

// sign has the document numbered, rendered and signed by the signer, then
// sent to school and guardians; the objection window starts at the
// decision date.
func (r *request) sign(ctx workflow.Context, a RequestAction) error {
	var acts *Activities
	var number string
	err := workflow.ExecuteActivity(ctx, acts.IssueDecision, IssueDecisionInput{
		SWVLicenceID: r.in.SWVLicenceID, RequestID: r.in.RequestID, SignerID: a.ActorID, At: workflow.Now(ctx),
	}).Get(ctx, &number)
	if err != nil {
		// The signer reads why (no valid certificate): the activity's own
		// refusal, not its wrapper.
		return unwrapApplicationError(err)
	}
	r.status.Number = number
	if err := r.notify(ctx); err != nil {
		return err
	}
	due := r.status.DecidedAt.Add(r.in.Timers.ObjectionWindow)
	if err := r.madeKnown(ctx, &due); err != nil {
		return err
	}
	return r.moveTo(ctx, RequestStepObjection, "", &due, "")
}

// madeKnown records that the decision was made known (the mail to the
// parents and the school just went out: its bekendmaking, Awb 3:41) and
// sets due to the end of the objection term, which starts the day after
// (Awb 6:8) and ends after the last day, a working day (Algemene
// termijnenwet). Runs of before counted from the vote and leave due.
func (r *request) madeKnown(ctx workflow.Context, due *time.Time) error {
	if workflow.GetVersion(ctx, "objection-from-bekendmaking", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	var acts *Activities
	var term ObjectionTerm
	err := workflow.ExecuteActivity(activityOptions(ctx), acts.DecisionMadeKnown, MadeKnownInput{SWVLicenceID: r.in.SWVLicenceID,
		RequestID: r.in.RequestID, At: workflow.Now(ctx), Window: r.in.Timers.ObjectionWindow}).Get(ctx, &term)
	if err != nil {
		return err
	}
	r.status.ObjectionUntil, *due = term.LastDay, term.EndsAt
	return nil
}

// notify tells school and guardians the decision is there, and sends the
// school's outbox.
func (r *request) notify(ctx workflow.Context) error {
	var acts *Activities
	var schoolLicence string
	err := workflow.ExecuteActivity(activityOptions(ctx), acts.NotifyDecision, NotifyDecisionInput{
		SWVLicenceID: r.in.SWVLicenceID, RequestID: r.in.RequestID}).Get(ctx, &schoolLicence)
	if err != nil || schoolLicence == "" {
		return err
	}
	goSendOutbox(ctx, schoolLicence, &r.sending)
	return nil
}

func (r *request) handled(ctx workflow.Context, a RequestAction) error {
	if err := r.record(ctx, RequestRecord{Kind: "handled", ActorID: a.ActorID, InputKey: a.RequestID}); err != nil {
		return err
	}
	return r.close(ctx, CloseHandled)
}

func (r *request) evaluate(ctx workflow.Context, a RequestAction) error {
	if err := r.record(ctx, RequestRecord{Kind: "evaluation", ActorID: a.ActorID, Result: a.Result, InputKey: a.RequestID}); err != nil {
		return err
	}
	return r.close(ctx, CloseEnded)
}

func (r *request) object(ctx workflow.Context, a RequestAction) error {
	if err := r.record(ctx, RequestRecord{Kind: "objection", ActorID: a.ActorID, InputKey: a.RequestID}); err != nil {
		return err
	}
	now := workflow.Now(ctx)
	if within := r.in.Timers.ObjectionDecideWithin; within > 0 {
		// Awb 7:10: from the end of the objection term, six weeks, twelve
		// when an advisory committee advises (the LBBO on a TLV, Awb 7:13).
		if r.in.Kind == RequestKindTLV {
			within *= 2
		}
		windowEnd := now
		if r.status.DueAt != nil && r.status.DueAt.After(now) {
			windowEnd = *r.status.DueAt
		}
		r.status.DecideBy = windowEnd.Add(within)
		if err := r.record(ctx, RequestRecord{Kind: "objection_decide_by", Visibility: "school", EndOn: r.status.DecideBy,
			InputKey: fmt.Sprintf("decide-by:%d", r.seq)}); err != nil {
			return err
		}
	}
	due := now.Add(r.in.Timers.ObjectionAdvice)
	return r.moveTo(ctx, RequestStepObjected, "swv", &due, "")
}

// setCategory records the category the chair sets or changes after the
// vote, before the TLV is signed (the term stays the proposal's).
func (r *request) setCategory(ctx workflow.Context, a RequestAction) error {
	return r.record(ctx, RequestRecord{Kind: "category", ActorID: a.ActorID, Category: a.Category, InputKey: a.RequestID})
}

// objectionAdvice records the Landelijke Bezwaaradviescommissie's advice
// on an objection to a TLV decision; the SWV decides after it.
func (r *request) objectionAdvice(ctx workflow.Context, a RequestAction) error {
	if err := r.record(ctx, RequestRecord{Kind: "objection_advice", ActorID: a.ActorID, InputKey: a.RequestID}); err != nil {
		return err
	}
	r.status.ObjectionAdvice = true
	return nil
}

// extendObjection postpones the decision on the objection once, with
// notice to the school and the parents (Awb 7:10 lid 3).
func (r *request) extendObjection(ctx workflow.Context, a RequestAction) error {
	r.status.DecideBy = r.status.DecideBy.Add(r.in.Timers.ObjectionExtend)
	if err := r.record(ctx, RequestRecord{Kind: "objection_extended", ActorID: a.ActorID, InputKey: a.RequestID,
		Visibility: "school", EndOn: r.status.DecideBy}); err != nil {
		r.status.DecideBy = r.status.DecideBy.Add(-r.in.Timers.ObjectionExtend)
		return err
	}
	r.status.Extended, r.remindedDecide, r.decideOverdue = true, false, false
	r.rev++
	return nil
}

// objectionDecided: after the advice committee, the SWV decides on the
// objection. Accept: the decision stands; otherwise it is revoked.
func (r *request) objectionDecided(ctx workflow.Context, a RequestAction) error {
	// An upheld objection revokes the decision, and the committee decides
	// the request anew (Awb 7:11): a new proposal, votes and signature.
	// Runs of before closed the request as revoked.
	anew := !a.Accept && r.in.Timers.ObjectionDecideWithin > 0
	if err := r.record(ctx, RequestRecord{Kind: "objection_decided", ActorID: a.ActorID, Accept: a.Accept,
		InputKey: a.RequestID, Anew: anew}); err != nil {
		return err
	}
	if anew {
		advices := r.status.Advices
		r.status = RequestStatus{Step: r.status.Step, WaitingFor: r.status.WaitingFor, DueAt: r.status.DueAt,
			Submission: r.status.Submission, Advices: advices, Reminders: r.status.Reminders}
		r.startOn, r.endOn = time.Time{}, time.Time{}
		r.remindedObjected, r.remindedDecide, r.decideOverdue = false, false, false
		r.decisions++
		return r.moveTo(ctx, RequestStepScheduled, "commissie", nil, "")
	}
	switch {
	case !a.Accept:
		return r.close(ctx, CloseRevoked)
	case r.status.Approved:
		return r.runUntilEnd(ctx)
	}
	return r.close(ctx, CloseRejected)
}

func (r *request) withdraw(ctx workflow.Context, a RequestAction) error {
	if err := r.record(ctx, RequestRecord{Kind: "withdrawal", ActorID: a.ActorID, InputKey: a.RequestID}); err != nil {
		return err
	}
	return r.close(ctx, CloseWithdrawn)
}

func (r *request) close(ctx workflow.Context, reason string) error {
	r.status.Reason = reason
	if err := r.moveTo(ctx, RequestStepClosed, "", nil, reason); err != nil {
		return err
	}
	if r.in.RetentionTerm <= 0 {
		return nil
	}
	// The request's own term starts: deleted RetentionTerm after its
	// TLV ended, or after it closed. The run outlives this one.
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            RetentionWorkflowID(r.in.SWVLicenceID, RetentionRequest, r.in.RequestID),
		TaskQueue:             TaskQueue,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(LicenceKey().ValueSet(r.in.SWVLicenceID), KindKey().ValueSet("retention")),
	})
	child := workflow.ExecuteChildWorkflow(cctx, RetentionWorkflow, RetentionInput{LicenceID: r.in.SWVLicenceID, Kind: RetentionRequest,
		EntityID: r.in.RequestID, Term: r.in.RetentionTerm, Rev: RetentionRev})
	if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil && !temporal.IsWorkflowExecutionAlreadyStartedError(err) {
		return err
	}
	return nil
}

// record writes a fact of the request (and its logbook line) through the
// activity; texts come from the SWV database under InputKey.
func (r *request) record(ctx workflow.Context, rec RequestRecord) error {
	var acts *Activities
	rec.SWVLicenceID, rec.RequestID = r.in.SWVLicenceID, r.in.RequestID
	if rec.At.IsZero() {
		rec.At = workflow.Now(ctx)
	}
	return workflow.ExecuteActivity(activityOptions(ctx), acts.RecordRequest, rec).Get(ctx, nil)
}

// event records a reminder or notice for the school or the SWV.
func (r *request) event(ctx workflow.Context, kind, to string) error {
	return r.record(ctx, RequestRecord{Kind: kind, Visibility: to,
		InputKey: fmt.Sprintf("%s:%d", kind, r.seq)})
}

// moveTo writes the step to process_step and the request row, and the
// search attribute, then the queryable status.
func (r *request) moveTo(ctx workflow.Context, step, waitingFor string, due *time.Time, reason string) error {
	var acts *Activities
	r.seq++
	err := workflow.ExecuteActivity(activityOptions(ctx), acts.RecordRequestStep, RequestStep{
		ProcessStep: ProcessStep{LicenceID: r.in.SWVLicenceID, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID,
			EntityKind: "request", EntityID: r.in.RequestID, Step: step, WaitingFor: waitingFor, DueAt: due, Seq: r.seq},
		Reason: reason,
	}).Get(ctx, nil)
	if err != nil {
		return err
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, StepKey().ValueSet(step)); err != nil {
		return err
	}
	r.status.Step, r.status.WaitingFor, r.status.DueAt = step, waitingFor, due
	r.stepSince = workflow.Now(ctx)
	return nil
}
