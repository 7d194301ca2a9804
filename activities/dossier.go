package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/temporal"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/school"
)

// Checklist says what of a cycle is filled in: facts, no content. The
// server reads it before asking the workflow to advance (so the update's
// validator can refuse with the missing fields named), and the advance
// activity reads it again inside its transaction.
type Checklist struct {
	Cycle            int32
	GrowthEntries    int64
	Promoting        bool
	Hindering        bool
	EducationalNeeds bool
	SupportNeeds     bool
	Destination      bool
	Rationale        bool
	Goals            int
	GoalsComplete    bool
	Support          bool
	// NotHeard: the pupil's view on the plan is not recorded yet
	// (hoorrecht). Fields added later say what is missing, so a checklist
	// recorded before them, replayed, still passes.
	NotHeard bool
	// ActionPartVersion is the last frozen handelingsdeel (0: none), and
	// DraftChanged whether the draft was edited since.
	ActionPartVersion int32
	DraftChanged      bool
	// Consent of that version: "", pending, given or refused.
	Consent         string
	ResultsComplete bool
	MeetingOn       bool
	Participants    bool
	Summary         bool
}

// Codes of what is missing before a phase may end. The server names them
// in Dutch; the workflow and the API carry the codes.
const (
	MissingGrowthEntry      = "growth.entry"
	MissingPromoting        = "understand.promoting"
	MissingHindering        = "understand.hindering"
	MissingEducationalNeeds = "understand.educational_needs"
	MissingSupportNeeds     = "understand.support_needs"
	MissingDestination      = "perspective.destination"
	MissingRationale        = "perspective.rationale"
	MissingGoals            = "action_part.goals"
	MissingSupport          = "action_part.support"
	MissingHearing          = "hearing"
	MissingOffered          = "action_part.offered"
	MissingConsent          = "action_part.consent"
	MissingResults          = "realise.results"
	MissingMeetingOn        = "evaluation.meeting_on"
	MissingParticipants     = "evaluation.participants"
	MissingSummary          = "evaluation.summary"
)

// Missing lists what must be filled in before phase may end, in the order
// of the form. It is pure, so the workflow's validator uses it too.
func Missing(phase Phase, c Checklist) []string {
	var out []string
	need := func(ok bool, code string) {
		if !ok {
			out = append(out, code)
		}
	}
	switch phase {
	case PhaseObserve:
		need(c.GrowthEntries > 0, MissingGrowthEntry)
	case PhaseUnderstand:
		need(c.Promoting, MissingPromoting)
		need(c.Hindering, MissingHindering)
		need(c.EducationalNeeds, MissingEducationalNeeds)
		need(c.SupportNeeds, MissingSupportNeeds)
	case PhasePlan:
		need(c.Destination, MissingDestination)
		need(c.Rationale, MissingRationale)
		need(c.Goals > 0 && c.GoalsComplete, MissingGoals)
		need(c.Support, MissingSupport)
		need(!c.NotHeard, MissingHearing)
		need(c.ActionPartVersion > 0 && !c.DraftChanged, MissingOffered)
		need(c.Consent == ConsentGiven || c.Consent == ConsentRefused, MissingConsent)
	case PhaseRealise:
		need(c.ResultsComplete, MissingResults)
	case PhaseEvaluate:
		need(c.MeetingOn, MissingMeetingOn)
		need(c.Participants, MissingParticipants)
		need(c.Summary, MissingSummary)
	}
	return out
}

// Consent outcomes of a handelingsdeel version. Refused is "geen
// instemming" recorded after talking: the school goes on and keeps
// talking with the parents.
const (
	ConsentPending = "pending"
	ConsentGiven   = "given"
	ConsentRefused = "refused"
)

// ReadChecklist computes the checklist of one cycle of a dossier.
func ReadChecklist(ctx context.Context, q *school.Queries, dossierID uuid.UUID, cycle int32) (Checklist, error) {
	rows, err := q.ListSections(ctx, school.ListSectionsParams{DossierID: dossierID, Cycle: cycle})
	if err != nil {
		return Checklist{Cycle: cycle}, fmt.Errorf("read sections: %w", err)
	}
	growth, err := q.CountGrowthEntries(ctx, school.CountGrowthEntriesParams{DossierID: dossierID, Cycle: cycle})
	if err != nil {
		return Checklist{Cycle: cycle}, fmt.Errorf("count growth entries: %w", err)
	}
	var latest *school.ActionPartVersion
	v, err := q.LatestActionPartVersion(ctx, dossierID)
	switch {
	case err == nil:
		latest = &v
	case !errors.Is(err, pgx.ErrNoRows):
		return Checklist{Cycle: cycle}, fmt.Errorf("read action part version: %w", err)
	}
	return ChecklistOf(cycle, rows, growth, latest)
}

// ChecklistOf computes the checklist from rows already read: the cycle's
// sections, its number of groeidocument entries and the last frozen
// handelingsdeel (nil: none).
func ChecklistOf(cycle int32, sections []school.DossierSection, growthEntries int64, latest *school.ActionPartVersion) (Checklist, error) {
	c := Checklist{Cycle: cycle, GrowthEntries: growthEntries}
	raw := make(map[string][]byte, len(sections))
	draftVersion := int32(0)
	for _, r := range sections {
		raw[r.Section] = r.Content
		if r.Section == SectionActionPart {
			draftVersion = r.Version
		}
	}
	content, err := DecodeContent(raw)
	if err != nil {
		return c, err
	}
	u := content.Understand
	c.Promoting, c.Hindering = u.Promoting.any(), u.Hindering.any()
	c.EducationalNeeds, c.SupportNeeds = u.EducationalNeeds != "", u.SupportNeeds != ""
	c.Destination, c.Rationale = content.Perspective.Destination != "", content.Perspective.Rationale != ""
	c.Goals, c.GoalsComplete = len(content.ActionPart.Goals), true
	for _, g := range content.ActionPart.Goals {
		if g.Domain == "" || g.Goal == "" || g.Criterion == "" || g.EvaluateOn == "" {
			c.GoalsComplete = false
		}
	}
	c.Support = len(content.ActionPart.Support) > 0
	c.NotHeard = !content.Hearing.Done()

	goals := content.ActionPart.Goals
	c.DraftChanged = true
	if latest != nil {
		c.ActionPartVersion, c.Consent = latest.Number, latest.ConsentStatus
		c.DraftChanged = latest.Cycle != cycle || latest.DraftVersion != draftVersion
		var frozen ActionPart
		if err := decodeJSON(latest.Content, &frozen); err != nil {
			return c, err
		}
		goals = frozen.Goals
	}
	evaluated := map[string]bool{}
	for _, r := range content.Realise.Results {
		if r.Outcome != "" {
			evaluated[r.GoalID] = true
		}
	}
	c.ResultsComplete = len(goals) > 0
	for _, g := range goals {
		c.ResultsComplete = c.ResultsComplete && evaluated[g.ID]
	}
	e := content.Evaluation
	c.MeetingOn, c.Participants, c.Summary = e.MeetingOn != "", e.Participants != "", e.Summary != ""
	return c, nil
}

// ErrTypeDossierIncomplete is the application error type of an advance
// refused because fields are missing; its details are the missing codes.
const ErrTypeDossierIncomplete = "DossierIncomplete"

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
	From, To Phase
	// PupilLeft closes the dossier from any phase, without the checklist:
	// the pupil left the school.
	PupilLeft bool
	At        time.Time
	// Step is the projection after the transition.
	Step ProcessStep
}

// AdvanceDossierPhase checks, inside one transaction, that the phase being
// left is complete, then records the transition, the projection and a
// logbook line. It is keyed by the request id, so a retry writes nothing
// twice. Run as a local activity, it costs the update no extra round trip.
func (a *Activities) AdvanceDossierPhase(ctx context.Context, in AdvanceDossierInput) error {
	licenceID, dossierID, err := parseIDs(in.LicenceID, in.DossierID)
	if err != nil {
		return err
	}
	pupilID, err := parseID("pupil", in.PupilID)
	if err != nil {
		return err
	}
	var actor *uuid.UUID
	if id, err := uuid.Parse(in.UserID); err == nil {
		actor = &id
	}
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			d, err := q.GetDossierForUpdate(ctx, dossierID)
			if err != nil {
				return fmt.Errorf("lock dossier: %w", db.Classify(err))
			}
			n, err := q.InsertTransition(ctx, school.InsertTransitionParams{
				RequestID: in.RequestID, DossierID: dossierID, Cycle: in.Cycle,
				FromPhase: string(in.From), ToPhase: string(in.To), ByUserID: actor,
			})
			if err != nil {
				return fmt.Errorf("record transition: %w", err)
			}
			if n == 0 {
				return nil // done before; this is a retry
			}
			switch {
			case in.PupilLeft && in.To != PhaseClosed:
				return permanent(fmt.Errorf("leaving closes, it does not move to %q", in.To))
			case !in.PupilLeft:
				check, err := ReadChecklist(ctx, q, dossierID, in.Cycle)
				if err != nil {
					return err
				}
				if missing := Missing(in.From, check); len(missing) > 0 {
					return temporal.NewNonRetryableApplicationError("dossier incomplete", ErrTypeDossierIncomplete, nil, missing)
				}
			}
			if in.From == PhaseEvaluate && in.To == PhaseObserve {
				// The next cycle starts with the transition, for the same reason.
				if err := startCycle(ctx, q, dossierID, in.Cycle+1); err != nil {
					return err
				}
			}
			if in.To == PhaseClosed {
				// Closed with the transition, so pages never show a closed
				// process on an open dossier.
				if err := q.CloseDossier(ctx, school.CloseDossierParams{ID: dossierID, ClosedAt: &in.At}); err != nil {
					return fmt.Errorf("close dossier: %w", err)
				}
			}
			if in.To == PhaseRealise && d.OppEstablishedOn == nil {
				if err := q.SetOPPEstablished(ctx, school.SetOPPEstablishedParams{ID: dossierID, OppEstablishedOn: &in.At}); err != nil {
					return fmt.Errorf("set opp established: %w", err)
				}
			}
			if err := upsertSchoolStep(ctx, q, in.Step, dossierID); err != nil {
				return err
			}
			return logbook.Append(ctx, tx, logbook.Entry{
				At: in.At, ActorID: actor, ActorRole: in.Role, Action: logbook.ActionUpdate, PupilID: &pupilID,
				Entity: "dossier_phase", EntityID: fmt.Sprintf("%s:%d:%s", dossierID, in.Cycle, in.To), RequestID: in.RequestID,
			})
		})
	})
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return err
	}
	return wrap("advance dossier phase", err)
}

// StartDossierCycleInput moves a dossier to its next cycle.
type StartDossierCycleInput struct {
	LicenceID string
	DossierID string
	ToCycle   int32
}

// StartDossierCycle copies the content of the cycle before ToCycle into
// ToCycle (no double entry) and makes ToCycle the dossier's current one.
// The advance that ends an evaluation does this already in its own
// transaction; the workflow calls it again before continuing as new, which
// then changes nothing. Copying is keyed by (dossier, cycle, section).
func (a *Activities) StartDossierCycle(ctx context.Context, in StartDossierCycleInput) error {
	licenceID, dossierID, err := parseIDs(in.LicenceID, in.DossierID)
	if err != nil {
		return err
	}
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			return startCycle(ctx, school.New(tx), dossierID, in.ToCycle)
		})
	})
	return wrap("start dossier cycle", err)
}

// startCycle copies the previous cycle's content into cycle and makes it
// the dossier's current one; a second call changes nothing.
func startCycle(ctx context.Context, q *school.Queries, dossierID uuid.UUID, cycle int32) error {
	if err := q.CopySectionsToCycle(ctx, school.CopySectionsToCycleParams{
		ToCycle: cycle, DossierID: dossierID, FromCycle: cycle - 1,
	}); err != nil {
		return fmt.Errorf("copy sections: %w", err)
	}
	if err := q.SetDossierCycle(ctx, school.SetDossierCycleParams{ID: dossierID, Cycle: cycle}); err != nil {
		return fmt.Errorf("set dossier cycle: %w", err)
	}
	return nil
}

// CloseDossierInput closes a dossier.
type CloseDossierInput struct {
	LicenceID string
	DossierID string
	At        time.Time
}

// CloseDossier marks the dossier closed; it stays readable until its
// retention period ends.
func (a *Activities) CloseDossier(ctx context.Context, in CloseDossierInput) error {
	licenceID, dossierID, err := parseIDs(in.LicenceID, in.DossierID)
	if err != nil {
		return err
	}
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return school.New(pool).CloseDossier(ctx, school.CloseDossierParams{ID: dossierID, ClosedAt: &in.At})
	})
	return wrap("close dossier", err)
}
