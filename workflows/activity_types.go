package workflows

import (
	"time"

	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/plan"
)

// ProcessStep is one row of the process_step projection.
type ProcessStep struct {
	LicenceID  string
	WorkflowID string
	EntityKind string
	EntityID   string
	Step       string
	WaitingFor string
	DueAt      *time.Time
	// DeadlineState is "", "reminder" or "overdue" (school licences).
	DeadlineState string
	// Seq increases with every step of one workflow; an older write never
	// replaces a newer one.
	Seq int32
}

// ConfirmEnrolmentInput records that the school checked an enrolment.
type ConfirmEnrolmentInput struct {
	LicenceID   string
	PupilID     string
	RequestID   string
	ConfirmedAt time.Time
}

// AdvanceDossierInput is one phase transition.
type AdvanceDossierInput struct {
	LicenceID  string
	DossierID  string
	PupilID    string
	WorkflowID string
	RequestID  string
	UserID     string
	// Role is the role the person acted in, for the logbook.
	Role     string
	Cycle    int32
	From, To plan.Phase
	// PupilLeft closes the dossier from any phase, without the checklist:
	// the pupil left the school.
	PupilLeft bool
	At        time.Time
	// Step is the projection after the transition.
	Step ProcessStep
	// EstablishOPP: with this transition the OPP is vastgesteld (into
	// realisation with consent on the handelingsdeel).
	EstablishOPP bool
}

// StartDossierCycleInput moves a dossier to its next cycle.
type StartDossierCycleInput struct {
	LicenceID string
	DossierID string
	ToCycle   int32
}

// CloseDossierInput closes a dossier.
type CloseDossierInput struct {
	LicenceID string
	DossierID string
	At        time.Time
}

// OpenConsentRoundInput opens the round of one handelingsdeel version.
type OpenConsentRoundInput struct {
	LicenceID, DossierID, PupilID string
	Version                       int32
	At, DeadlineAt                time.Time
	Ages                          law.ConsentAges
}

// ConsentRoundInfo is what the workflow needs of a round: its parties and
// the moments the pupil's rights change (nil when passed or not within
// the round's reach). It carries no names.
type ConsentRoundInfo struct {
	RoundID    string
	Parties    []plan.ConsentParty
	SharesAt   *time.Time
	DecidesAt  *time.Time
	Superseded []int32
}

// RerouteConsentInput re-routes an open round on the day the pupil's
// rights change.
type RerouteConsentInput struct {
	LicenceID, RoundID, PupilID string
	At                          time.Time
	Ages                        law.ConsentAges
}

// ConsentReroute is the round's parties after re-routing, and the keys of
// the parties who are new or got a new role and must be invited.
type ConsentReroute struct {
	Parties []plan.ConsentParty
	Invite  []string
	// SharesAt and DecidesAt are the pupil's next birthdays that change
	// the parties, from the birth date of now (nil when passed).
	SharesAt, DecidesAt *time.Time
}

// InviteConsentInput asks parties for their answer, by mail through the
// outbox. Kind is invitation or reminder; N numbers the mails of one kind.
type InviteConsentInput struct {
	LicenceID, RoundID, PupilID string
	Keys                        []string
	Kind                        string
	N                           int
}

// RecordConsentAnswerInput is an answer to store.
type RecordConsentAnswerInput struct {
	LicenceID, RoundID, PupilID string
	Answer                      plan.ConsentAnswer
	At                          time.Time
}

// CloseConsentRoundInput closes a round with its outcome.
type CloseConsentRoundInput struct {
	LicenceID, RoundID, DossierID, PupilID string
	Version                                int32
	Outcome                                string
	At                                     time.Time
}

// EscalateConsentInput puts an unanswered round on the school's list.
type EscalateConsentInput struct {
	LicenceID, RoundID, PupilID string
	At                          time.Time
	Week                        int // 0 at the deadline, then 1, 2, … for the weekly reminders
}

// SendOutboxInput names the licence whose outbox to send.
type SendOutboxInput struct {
	LicenceID string
}

// PupilShareAgeInput asks for the day the pupil reaches the age of their
// own privacy rights.
type PupilShareAgeInput struct {
	LicenceID, PupilID string
	ShareAge           int
}

// OpenPupilPortalInput opens the pupil's own portal on the day they reach
// the age of their own privacy rights.
type OpenPupilPortalInput struct {
	LicenceID, PupilID string
}

// RequestStep is a request's step, for process_step and the request row.
type RequestStep struct {
	ProcessStep
	Reason string // why it closed
}

// RequestRecord is one fact of a request the workflow has accepted: an
// intake outcome, an advice, a vote, the decision, a reminder. A text that
// goes with it waits in request_input under InputKey.
type RequestRecord struct {
	SWVLicenceID, RequestID string
	Kind                    string
	ActorID                 string
	InputKey                string
	Visibility              string // reminders: "school" or "swv"
	Accept, Approve, Chair  bool
	Result                  string // evaluation: behaald, deels or niet
	Profession              string // advice
	Outcome                 string // advice: positief, negatief, anders or ""
	MeetingID               string // schedule
	Category                string // proposal: laag, midden, hoog or ""
	// Anew: an upheld objection revokes the decision and the request is
	// decided again (objection_decided).
	Anew           bool
	At             time.Time
	StartOn, EndOn time.Time
}

// IssueDecisionInput asks for the signed document of a granted request.
type IssueDecisionInput struct {
	SWVLicenceID, RequestID, SignerID string
	At                                time.Time
}

// NotifyDecisionInput names a decided request.
type NotifyDecisionInput struct {
	SWVLicenceID, RequestID string
}

// Retention kinds handled in a school database.
const (
	RetentionKindDossier   = "dossier"   // the pupil's dossiers: plan, consent, attachments, requests
	RetentionKindEnrolment = "enrolment" // the pupil record itself: the last to go
	RetentionKindRequest   = "tlv"       // at the SWV: a request with its snapshot, advices and decision
)

// RetentionRef names what a retention workflow keeps: a pupil's dossiers
// or enrolment at a school licence.
type RetentionRef struct {
	LicenceID, Kind, EntityID string
	Term                      time.Duration
}

// RetentionEvent is one step of a retention: started, extended (a legal
// hold until a date, with a reason code), cancelled.
type RetentionEvent struct {
	RetentionRef
	What     string
	ActorID  string
	Until    time.Time
	Reason   string
	InputKey string
	DueAt    time.Time
}

// RetentionOverdue is data whose term has passed, found by the monthly
// reconciliation.
type RetentionOverdue struct {
	LicenceID, Kind string
	PupilID         string // the pupil, or for kind request the SWV's request
}

// ReconcileInput carries the terms to check against. TLV is the SWV's
// term for a closed request; zero (schedules of before) leaves the SWVs
// out.
type ReconcileInput struct {
	Dossier, Enrolment time.Duration
	TLV                time.Duration
}

// HousekeepingInput says how long login traces are kept.
type HousekeepingInput struct {
	// SessionIdle ends sessions unused this long (the server refuses them
	// already; this removes the rows).
	SessionIdle time.Duration
	// KeepLoginAttempts is how long failed and successful login attempts
	// stay for the rate limits and for inquiry.
	KeepLoginAttempts time.Duration
	// KeepSentMail is how long a sent mail stays in a school's outbox
	// (for "was it sent?"); zero keeps them (schedules of before).
	KeepSentMail time.Duration
}

// HousekeepingResult counts what was removed and anchored.
type HousekeepingResult struct {
	Sessions, LoginAttempts, Activations, SentMails, PortalAccounts int64
	IdempotencyKeys                                                 int64
	LogbooksAnchored                                                int
}

// CopyRequestInput copies one round of a school's request into its SWV's
// database.
type CopyRequestInput struct {
	SchoolLicenceID, SchoolRequestID, DossierID, PupilID, SWVLicenceID string
	Submission                                                         int32
	RequestID                                                          string
}

// CopiedRequest is the SWV's request the copy landed in, and whether the
// school's request was at the SWV before (a resubmission).
type CopiedRequest struct {
	SWVRequestID string
	Resubmit     bool
}

// ResubmitRequestInput asks the SWV's process to take a completed request
// back in, under UpdateID.
type ResubmitRequestInput struct {
	SWVLicenceID, SWVRequestID, ActorID, UpdateID string
}

// MarkRequestSubmittedInput marks the school's request submitted, with
// the logbook line of the sharing.
type MarkRequestSubmittedInput struct {
	SchoolLicenceID, SchoolRequestID, DossierID, PupilID string
	SWVLicenceID, SWVRequestID                           string
	ActorID, ActorRole, RequestID                        string
}

// DeliverInput says how long a writer gets to send its own signals and
// mails before the deliver schedule takes them.
type DeliverInput struct {
	WaitedFor time.Duration
}

// DeliverResult counts what the deliver schedule sent: signals, and the
// licences whose outbox held mail from before (sent after the activity).
type DeliverResult struct {
	Signals     int
	MailWaiting []string // licence ids
	MailsSent   int
	MailFailed  int // licences whose outbox could not be sent this run
	// LicencesFailed were not reached this run (their database or
	// Temporal away); the next run tries again.
	LicencesFailed int
	// Webhooks are the webhook deliveries (re)started.
	Webhooks int
}

// MadeKnownInput records the bekendmaking of a request's decision (the
// mail to the parents and the school went out at At) and asks for the
// objection term that starts the day after.
type MadeKnownInput struct {
	SWVLicenceID, RequestID string
	At                      time.Time
	Window                  time.Duration
}

// ObjectionTerm is a decision's objection term: its last day (shown) and
// the moment it has run out (the workflow's timer).
type ObjectionTerm struct {
	LastDay, EndsAt time.Time
}

// PupilOfAgeInput: the pupil turned 18 (law.DecideAge).
type PupilOfAgeInput struct {
	LicenceID, PupilID string
}

// SWVAVGRef names a request under the AVG made to an SWV.
type SWVAVGRef struct {
	SWVLicenceID, AVGRequestID string
}

// PupilRef names a pupil at a school licence.
type PupilRef struct {
	LicenceID, PupilID string
}
