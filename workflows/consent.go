package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/plan"
)

// Update, signal and query names of the consent workflow.
const (
	UpdateConsentRespond   = "respond"
	SignalConsentSupersede = "supersede"
	// SignalConsentWithdraw stops an open round: the pupil left the
	// school (PupilLeft).
	SignalConsentWithdraw = "withdraw"
	QueryConsentStatus    = "status"
)

// Consent policies: with PolicyAny one guardian's consent counts unless
// another refuses; with PolicyAll every deciding party must consent.
const (
	PolicyAny = "any"
	PolicyAll = "all"
)

// ConsentWorkflowID is the business key of the consent round of one
// handelingsdeel version.
func ConsentWorkflowID(licenceID, dossierID string, version int32) string {
	return fmt.Sprintf("consent/%s/%s/%d", licenceID, dossierID, version)
}

// ConsentTimers are the terms of a round, configurable per SWV.
type ConsentTimers struct {
	RemindAfter         time.Duration // default 7 days
	Deadline            time.Duration // default 14 days
	SchoolReminderEvery time.Duration // default 7 days, after the deadline
}

// DefaultConsentTimers are the defaults: a reminder after a week, the
// deadline after two, then a weekly reminder to the school.
func DefaultConsentTimers() ConsentTimers {
	day := 24 * time.Hour
	return ConsentTimers{RemindAfter: 7 * day, Deadline: 14 * day, SchoolReminderEvery: 7 * day}
}

func (t ConsentTimers) valid() bool {
	return t.RemindAfter > 0 && t.Deadline > t.RemindAfter && t.SchoolReminderEvery > 0
}

// ConsentInput starts the round of one frozen handelingsdeel version. It
// carries ids and settings; names and birth dates stay in the database
// (the round's activity returns only the moments the pupil's rights
// change, encrypted in the history like every payload).
type ConsentInput struct {
	LicenceID, DossierID, PupilID string
	Version                       int32
	Timers                        ConsentTimers
	Ages                          law.ConsentAges
	Policy                        string
}

// ConsentStatus answers the status query.
type ConsentStatus struct {
	Parties    []plan.ConsentParty
	Answers    []plan.ConsentAnswer // the last answer of each party, without remarks
	Outcome    string               // "", consented, refused or superseded
	DeadlineAt time.Time
	Escalated  bool
	Reminders  int
}

// ConsentWorkflow runs the consent round of one handelingsdeel version: it
// asks the parties, reminds them, puts an unanswered round on the school's
// list at the deadline and reminds the school weekly, re-routes on the
// pupil's 16th and 18th birthday, and records the outcome on the version,
// where the dossier's guard reads it. It never decides for anybody: an
// outcome needs answers.
func ConsentWorkflow(ctx workflow.Context, in ConsentInput) (ConsentStatus, error) {
	c := &consent{in: in}
	return c.run(ctx)
}

type consent struct {
	in      ConsentInput
	info    ConsentRoundInfo
	status  ConsentStatus
	seen    requestLog
	seq     int32
	busy    bool
	closed  bool // the outcome is stored
	sending int  // outbox sends under way
}

func (c *consent) run(ctx workflow.Context) (ConsentStatus, error) {
	var acts *Activities
	in := c.in
	if in.LicenceID == "" || in.DossierID == "" || in.PupilID == "" || in.Version < 1 || !in.Timers.valid() ||
		in.Ages.Share <= 0 || in.Ages.Decide < in.Ages.Share || (in.Policy != PolicyAny && in.Policy != PolicyAll) {
		return c.status, temporal.NewNonRetryableApplicationError("consent workflow: incomplete input", "InvalidInput", nil)
	}
	if err := workflow.SetQueryHandler(ctx, QueryConsentStatus, func() (ConsentStatus, error) { return c.status, nil }); err != nil {
		return c.status, err
	}
	actx := activityOptions(ctx)
	start := workflow.Now(ctx)
	c.status.DeadlineAt = start.Add(in.Timers.Deadline)
	err := workflow.ExecuteActivity(actx, acts.OpenConsentRound, OpenConsentRoundInput{
		LicenceID: in.LicenceID, DossierID: in.DossierID, PupilID: in.PupilID, Version: in.Version,
		At: start, DeadlineAt: c.status.DeadlineAt, Ages: in.Ages,
	}).Get(ctx, &c.info)
	if err != nil {
		return c.status, err
	}
	c.status.Parties = c.info.Parties
	// Answers are taken from the moment the round exists: a parent who
	// follows the mail's link at once is not turned away while the other
	// invitations and steps still run; the answer waits for them.
	opened := false
	respond := func(ctx workflow.Context, a plan.ConsentAnswer) (ConsentStatus, error) {
		if err := workflow.Await(ctx, func() bool { return opened }); err != nil {
			return c.status, err
		}
		return c.respond(ctx, a)
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateConsentRespond, respond,
		workflow.UpdateHandlerOptions{Validator: c.validate}); err != nil {
		return c.status, err
	}
	// An older open round of this dossier ends: this version replaces it.
	for _, v := range c.info.Superseded {
		f := workflow.SignalExternalWorkflow(ctx, ConsentWorkflowID(in.LicenceID, in.DossierID, v), "", SignalConsentSupersede, in.Version)
		_ = f.Get(ctx, nil) // an ended round has nothing left to stop
	}
	if err := c.invite(ctx, c.keys(func(plan.ConsentParty) bool { return true }), "invitation", 0); err != nil {
		return c.status, err
	}
	c.tellDossier(ctx, plan.ConsentPending)
	if err := c.record(ctx, "instemming_gevraagd", false); err != nil {
		return c.status, err
	}
	opened = true

	supersede := workflow.GetSignalChannel(ctx, SignalConsentSupersede)
	withdraw := workflow.GetSignalChannel(ctx, SignalConsentWithdraw)
	birth := workflow.GetSignalChannel(ctx, SignalBirthDateChanged)
	remind := workflow.NewTimer(ctx, in.Timers.RemindAfter)
	deadline := workflow.NewTimer(ctx, in.Timers.Deadline)
	var shares, decides, weekly workflow.Future
	if c.info.SharesAt != nil && c.info.SharesAt.After(start) {
		shares = workflow.NewTimer(ctx, c.info.SharesAt.Sub(start))
	}
	if c.info.DecidesAt != nil && c.info.DecidesAt.After(start) {
		decides = workflow.NewTimer(ctx, c.info.DecidesAt.Sub(start))
	}
	ready := func(f workflow.Future) bool { return f != nil && f.IsReady() }
	week := 0
	// Answers arrive through the update handler, which may decide; the
	// loop wakes for that, for a newer version and for each timer.
	for c.status.Outcome == "" {
		err := workflow.Await(ctx, func() bool {
			return c.status.Outcome != "" || supersede.Len() > 0 || withdraw.Len() > 0 || birth.Len() > 0 || ready(remind) || ready(deadline) ||
				ready(weekly) || ready(shares) || ready(decides)
		})
		switch {
		case err != nil:
		case c.status.Outcome != "":
		case supersede.Len() > 0:
			var newer int32
			supersede.Receive(ctx, &newer)
			if newer <= in.Version {
				break
			}
			// An answer being recorded finishes first; it may decide.
			if err = workflow.Await(ctx, func() bool { return !c.busy }); err == nil && c.status.Outcome == "" {
				c.status.Outcome = plan.RoundSuperseded
			}
		case withdraw.Len() > 0:
			withdraw.Receive(ctx, nil)
			// Runs of before left this signal unread; they replay so.
			if workflow.GetVersion(ctx, "withdraw-on-leave", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
				break
			}
			if err = workflow.Await(ctx, func() bool { return !c.busy }); err == nil && c.status.Outcome == "" {
				c.status.Outcome = plan.RoundWithdrawn
			}
		case birth.Len() > 0:
			// The LAS corrected the birth date: who is asked follows the
			// new date now, and the birthdays to come move with it.
			var sig BirthDateChanged
			birth.Receive(ctx, &sig)
			if sig.RequestID == "" || c.seen.seen(sig.RequestID) {
				break
			}
			var r ConsentReroute
			if r, err = c.rerouteAt(ctx); err == nil {
				shares, decides = nil, nil
				now := workflow.Now(ctx)
				if r.SharesAt != nil {
					shares = workflow.NewTimer(ctx, r.SharesAt.Sub(now))
				}
				if r.DecidesAt != nil {
					decides = workflow.NewTimer(ctx, r.DecidesAt.Sub(now))
				}
			}
		case ready(shares):
			shares = nil
			err = c.reroute(ctx)
		case ready(decides):
			decides = nil
			err = c.reroute(ctx)
		case ready(remind):
			remind = nil
			c.status.Reminders++
			err = c.invite(ctx, c.unanswered(), "reminder", 1)
		case ready(deadline):
			deadline = nil
			// One agreement and no refusal decides at the deadline;
			// otherwise the round goes on the school's list.
			if c.decide(true); c.status.Outcome != "" {
				break
			}
			c.status.Escalated = true
			err = c.escalate(ctx, week)
			weekly = workflow.NewTimer(ctx, in.Timers.SchoolReminderEvery)
		case ready(weekly):
			week++
			err = c.escalate(ctx, week)
			weekly = workflow.NewTimer(ctx, in.Timers.SchoolReminderEvery)
		}
		if err != nil {
			return c.status, err
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return c.status, err
	}
	if !c.closed {
		if err := c.close(ctx); err != nil {
			return c.status, err
		}
	}
	err = workflow.Await(ctx, func() bool { return c.sending == 0 })
	return c.status, err
}

// keys lists the active parties that match.
func (c *consent) keys(match func(plan.ConsentParty) bool) []string {
	var out []string
	for _, p := range c.status.Parties {
		if match(p) {
			out = append(out, p.Key)
		}
	}
	return out
}

// unanswered lists the parties whose answer is still awaited.
func (c *consent) unanswered() []string {
	return c.keys(func(p plan.ConsentParty) bool {
		for _, a := range c.status.Answers {
			if a.PartyKey == p.Key && a.Answer != plan.AnswerQuestion {
				return false
			}
		}
		return true
	})
}

// invite writes the mails to the outbox, then sends the outbox; a mail
// server that is down delays the mails, not the round.
func (c *consent) invite(ctx workflow.Context, keys []string, kind string, n int) error {
	var acts *Activities
	if len(keys) == 0 {
		return nil
	}
	err := workflow.ExecuteActivity(activityOptions(ctx), acts.InviteConsentParties, InviteConsentInput{
		LicenceID: c.in.LicenceID, RoundID: c.info.RoundID, PupilID: c.in.PupilID, Keys: keys, Kind: kind, N: n,
	}).Get(ctx, nil)
	if err != nil {
		return err
	}
	goSendOutbox(ctx, c.in.LicenceID, &c.sending)
	return nil
}

func (c *consent) escalate(ctx workflow.Context, week int) error {
	var acts *Activities
	var mailed int
	err := workflow.ExecuteActivity(activityOptions(ctx), acts.EscalateConsentRound, EscalateConsentInput{
		LicenceID: c.in.LicenceID, RoundID: c.info.RoundID, PupilID: c.in.PupilID, At: workflow.Now(ctx), Week: week,
	}).Get(ctx, &mailed)
	if err != nil {
		return err
	}
	// The school's reminders go by mail too (runs started before only
	// listed them).
	if mailed > 0 && workflow.GetVersion(ctx, "escalation-mail", workflow.DefaultVersion, 1) == 1 {
		goSendOutbox(ctx, c.in.LicenceID, &c.sending)
	}
	return c.record(ctx, "instemming_te_laat", true)
}

// reroute applies the pupil's new rights on a birthday and asks whoever
// is new.
func (c *consent) reroute(ctx workflow.Context) error {
	_, err := c.rerouteAt(ctx)
	return err
}

// rerouteAt is reroute, returning the parties and birthdays of now.
func (c *consent) rerouteAt(ctx workflow.Context) (ConsentReroute, error) {
	var acts *Activities
	var r ConsentReroute
	err := workflow.ExecuteActivity(activityOptions(ctx), acts.RerouteConsentRound, RerouteConsentInput{
		LicenceID: c.in.LicenceID, RoundID: c.info.RoundID, PupilID: c.in.PupilID, At: workflow.Now(ctx), Ages: c.in.Ages,
	}).Get(ctx, &r)
	if err != nil {
		return r, err
	}
	c.status.Parties = r.Parties
	// Answers of parties who no longer decide do not count any more.
	kept := c.status.Answers[:0]
	for _, a := range c.status.Answers {
		for _, p := range r.Parties {
			if p.Key == a.PartyKey {
				kept = append(kept, a)
				break
			}
		}
	}
	c.status.Answers = kept
	if err := c.invite(ctx, r.Invite, "invitation", len(c.status.Parties)); err != nil {
		return r, err
	}
	c.decide(c.status.Escalated)
	return r, c.record(ctx, "instemming_gevraagd", c.status.Escalated)
}

// party returns the active party with key.
func (c *consent) party(key string) (plan.ConsentParty, bool) {
	for _, p := range c.status.Parties {
		if p.Key == key {
			return p, true
		}
	}
	return plan.ConsentParty{}, false
}

func (c *consent) validate(_ workflow.Context, a plan.ConsentAnswer) error {
	if a.RequestID == "" || len(a.RequestID) > 100 {
		return temporal.NewApplicationError("request id missing", fault.CodeConsentInvalid)
	}
	if c.seen.has(a.RequestID) {
		return nil
	}
	return c.check(a)
}

func (c *consent) check(a plan.ConsentAnswer) error {
	switch {
	case c.status.Outcome != "":
		return temporal.NewApplicationError("round closed", fault.CodeConsentClosed, c.status.Outcome)
	case a.Answer != plan.AnswerAgree && a.Answer != plan.AnswerDisagree && a.Answer != plan.AnswerQuestion,
		a.Channel != "portal" && a.Channel != "school":
		return temporal.NewApplicationError("unknown answer", fault.CodeConsentInvalid)
	case a.Answer == plan.AnswerDisagree && len(a.Remark) == 0:
		return temporal.NewApplicationError("remark required", fault.CodeConsentNoRemark)
	}
	if _, ok := c.party(a.PartyKey); !ok {
		return temporal.NewApplicationError("not a party", fault.CodeConsentNoParty)
	}
	// After the deadline the round is on the school's list: the school
	// talks with the parents and records what they say.
	if c.status.Escalated && a.Channel == "portal" {
		return temporal.NewApplicationError("deadline passed", fault.CodeConsentLate)
	}
	return nil
}

// respond records one answer (once per request id) and decides when the
// answers allow it.
func (c *consent) respond(ctx workflow.Context, a plan.ConsentAnswer) (ConsentStatus, error) {
	var acts *Activities
	if err := workflow.Await(ctx, func() bool { return !c.busy }); err != nil {
		return c.status, err
	}
	if c.seen.has(a.RequestID) {
		return c.status, nil
	}
	if err := c.check(a); err != nil {
		return c.status, err
	}
	c.busy = true
	defer func() { c.busy = false }()
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{ScheduleToCloseTimeout: time.Minute, StartToCloseTimeout: 10 * time.Second})
	err := workflow.ExecuteLocalActivity(lctx, acts.RecordConsentAnswer, RecordConsentAnswerInput{
		LicenceID: c.in.LicenceID, RoundID: c.info.RoundID, PupilID: c.in.PupilID, Answer: a, At: workflow.Now(ctx),
	}).Get(ctx, nil)
	if err != nil {
		return c.status, unwrapApplicationError(err)
	}
	c.seen.seen(a.RequestID)
	a.Remark = "" // the database keeps the remark; the status and the history need not
	replaced := false
	for i := range c.status.Answers {
		if c.status.Answers[i].PartyKey == a.PartyKey {
			c.status.Answers[i], replaced = a, true
		}
	}
	if !replaced {
		c.status.Answers = append(c.status.Answers, a)
	}
	c.decide(c.status.Escalated)
	if c.status.Outcome != "" {
		// Stored before the answer returns, so whoever answered sees the
		// outcome on the plan at once.
		if err := c.close(ctx); err != nil {
			return c.status, err
		}
	}
	return c.status, nil
}

// decide applies the policy to the answers of the deciding parties. A
// question decides nothing and any disagreement is "geen instemming".
// Agreement of every deciding party decides at once. With PolicyAny one
// agreement counts unless another deciding party disagrees before the
// deadline (atDeadline); with PolicyAll a round without every agreement
// stays open and goes on the school's list.
func (c *consent) decide(atDeadline bool) {
	if c.status.Outcome != "" {
		return
	}
	deciders, agreed := 0, 0
	for _, p := range c.status.Parties {
		if !p.Decides {
			continue
		}
		deciders++
		for _, a := range c.status.Answers {
			if a.PartyKey != p.Key {
				continue
			}
			switch a.Answer {
			case plan.AnswerDisagree:
				c.status.Outcome = plan.RoundRefused
				return
			case plan.AnswerAgree:
				agreed++
			}
		}
	}
	switch {
	case deciders == 0 || agreed == 0:
	case agreed == deciders:
		c.status.Outcome = plan.RoundConsented
	case c.in.Policy == PolicyAny && atDeadline:
		c.status.Outcome = plan.RoundConsented
	}
}

// close writes the outcome and tells the dossier, once.
func (c *consent) close(ctx workflow.Context) error {
	var acts *Activities
	if c.closed {
		return nil
	}
	err := workflow.ExecuteActivity(activityOptions(ctx), acts.CloseConsentRound, CloseConsentRoundInput{
		LicenceID: c.in.LicenceID, RoundID: c.info.RoundID, DossierID: c.in.DossierID, PupilID: c.in.PupilID,
		Version: c.in.Version, Outcome: c.status.Outcome, At: workflow.Now(ctx),
	}).Get(ctx, nil)
	if err != nil {
		return err
	}
	c.closed = true
	if err := c.record(ctx, "instemming_"+c.status.Outcome, false); err != nil {
		return err
	}
	if c.status.Outcome == plan.RoundSuperseded || c.status.Outcome == plan.RoundWithdrawn {
		return nil
	}
	status := map[string]string{plan.RoundConsented: plan.ConsentGiven, plan.RoundRefused: plan.ConsentRefused}
	c.tellDossier(ctx, status[c.status.Outcome])
	return nil
}

// tellDossier lets the dossier's workflow know whom it waits for. A
// closed dossier has no workflow to tell; the version holds the outcome.
func (c *consent) tellDossier(ctx workflow.Context, status string) {
	f := workflow.SignalExternalWorkflow(ctx, DossierWorkflowID(c.in.LicenceID, c.in.DossierID), "", SignalDossierConsent,
		ConsentChanged{RequestID: ConsentWorkflowID(c.in.LicenceID, c.in.DossierID, c.in.Version) + ":" + status,
			Version: c.in.Version, Status: status})
	_ = f.Get(ctx, nil)
}

// record writes the round's step into the projection: who it waits for
// and until when.
func (c *consent) record(ctx workflow.Context, step string, overdue bool) error {
	var acts *Activities
	c.seq++
	s := ProcessStep{LicenceID: c.in.LicenceID, WorkflowID: ConsentWorkflowID(c.in.LicenceID, c.in.DossierID, c.in.Version),
		EntityKind: "consent", EntityID: c.in.DossierID, Step: step, Seq: c.seq}
	if c.status.Outcome == "" {
		s.WaitingFor = "guardians"
		if p, ok := c.party(plan.PupilPartyKey); ok && p.Decides {
			s.WaitingFor = "pupil"
		}
		due := c.status.DeadlineAt
		s.DueAt = &due
		if overdue {
			s.WaitingFor, s.DeadlineState = "school", DeadlineStateOverdue
		}
	}
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{ScheduleToCloseTimeout: time.Hour, StartToCloseTimeout: 10 * time.Second})
	return workflow.ExecuteLocalActivity(lctx, acts.RecordProcessStep, s).Get(ctx, nil)
}
