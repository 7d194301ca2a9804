package plan

import (
	"encoding/json"
	"fmt"
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

// SectionRow is one stored section of a cycle: its name, its version and
// its content as JSON.
type SectionRow struct {
	Section string
	Version int32
	Content []byte
}

// FrozenActionPart is the last handelingsdeel offered for consent: its
// number, the cycle and draft version it was frozen from, its consent
// status and its content as JSON.
type FrozenActionPart struct {
	Number, Cycle, DraftVersion int32
	ConsentStatus               string
	Content                     []byte
}

// ChecklistOf computes the checklist from rows already read: the cycle's
// sections, its number of groeidocument entries and the last frozen
// handelingsdeel (nil: none).
func ChecklistOf(cycle int32, sections []SectionRow, growthEntries int64, latest *FrozenActionPart) (Checklist, error) {
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
		if err := json.Unmarshal(latest.Content, &frozen); err != nil {
			return c, fmt.Errorf("decode handelingsdeel %d: %w", latest.Number, err)
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
