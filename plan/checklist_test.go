package plan

import (
	"encoding/json"
	"slices"
	"testing"
)

// complete is a checklist on which every phase may end.
func complete() Checklist {
	return Checklist{Cycle: 1, GrowthEntries: 1, Promoting: true, Hindering: true, EducationalNeeds: true, SupportNeeds: true,
		Destination: true, Rationale: true, Goals: 2, GoalsComplete: true, Support: true, ActionPartVersion: 1,
		Consent: ConsentGiven, ResultsComplete: true, MeetingOn: true, Participants: true, Summary: true}
}

// TestMissing pins the rule that gates the phases in three layers (the
// page, the workflow's validator, the activity's transaction): what must
// be filled in before each phase of the HGW cycle may end.
func TestMissing(t *testing.T) {
	with := func(change func(*Checklist)) Checklist {
		c := complete()
		change(&c)
		return c
	}
	cases := []struct {
		name  string
		phase Phase
		check Checklist
		want  []string
	}{
		{"observe complete", PhaseObserve, complete(), nil},
		{"observe without growth note", PhaseObserve, with(func(c *Checklist) { c.GrowthEntries = 0 }), []string{MissingGrowthEntry}},
		{"understand complete", PhaseUnderstand, complete(), nil},
		{"understand empty", PhaseUnderstand, Checklist{}, []string{MissingPromoting, MissingHindering, MissingEducationalNeeds, MissingSupportNeeds}},
		{"understand without hindering factors", PhaseUnderstand, with(func(c *Checklist) { c.Hindering = false }), []string{MissingHindering}},
		{"plan complete, consent given", PhasePlan, complete(), nil},
		{"plan, consent refused after talking", PhasePlan, with(func(c *Checklist) { c.Consent = ConsentRefused }), nil},
		{"plan, consent pending", PhasePlan, with(func(c *Checklist) { c.Consent = ConsentPending }), []string{MissingConsent}},
		{"plan, nothing offered", PhasePlan, with(func(c *Checklist) { c.ActionPartVersion, c.Consent = 0, "" }), []string{MissingOffered, MissingConsent}},
		{"plan, draft changed after offering", PhasePlan, with(func(c *Checklist) { c.DraftChanged = true }), []string{MissingOffered}},
		{"plan, a goal incomplete", PhasePlan, with(func(c *Checklist) { c.GoalsComplete = false }), []string{MissingGoals}},
		{"plan, no goals", PhasePlan, with(func(c *Checklist) { c.Goals = 0 }), []string{MissingGoals}},
		{"plan, pupil not heard", PhasePlan, with(func(c *Checklist) { c.NotHeard = true }), []string{MissingHearing}},
		{"plan empty", PhasePlan, Checklist{}, []string{MissingDestination, MissingRationale, MissingGoals, MissingSupport,
			MissingOffered, MissingConsent}},
		{"realise complete", PhaseRealise, complete(), nil},
		{"realise without results", PhaseRealise, with(func(c *Checklist) { c.ResultsComplete = false }), []string{MissingResults}},
		{"evaluate complete", PhaseEvaluate, complete(), nil},
		{"evaluate empty", PhaseEvaluate, Checklist{}, []string{MissingMeetingOn, MissingParticipants, MissingSummary}},
		{"closed has no requirements", PhaseClosed, Checklist{}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Missing(c.phase, c.check); !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// TestChecklistOf computes the checklist from stored sections: what is
// filled in, and whether the frozen handelingsdeel still matches the
// draft.
func TestChecklistOf(t *testing.T) {
	raw := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	goals := ActionPart{Goals: []Goal{{ID: "g1", Domain: "rekenen", Goal: "Tafels", Criterion: "80%", EvaluateOn: "2027-01-15"}},
		Support: []Intervention{{What: "instructietafel"}}}
	sections := []SectionRow{
		{Section: SectionUnderstand, Version: 1, Content: raw(Understand{Promoting: Factors{Pupil: "gemotiveerd"}, EducationalNeeds: "rust"})},
		{Section: SectionActionPart, Version: 3, Content: raw(goals)},
		{Section: SectionRealise, Version: 1, Content: raw(Realise{Results: []GoalResult{{GoalID: "g1", Outcome: OutcomeAchieved}}})},
	}
	frozen := &FrozenActionPart{Number: 1, Cycle: 1, DraftVersion: 3, ConsentStatus: ConsentGiven, Content: raw(goals)}
	c, err := ChecklistOf(1, sections, 2, frozen)
	if err != nil {
		t.Fatal(err)
	}
	want := Checklist{Cycle: 1, GrowthEntries: 2, Promoting: true, EducationalNeeds: true, Goals: 1, GoalsComplete: true,
		Support: true, NotHeard: true, ActionPartVersion: 1, Consent: ConsentGiven, ResultsComplete: true}
	if c != want {
		t.Errorf("got %+v, want %+v", c, want)
	}
	t.Run("draft edited after offering", func(t *testing.T) {
		edited := *frozen
		edited.DraftVersion = 2
		c, err := ChecklistOf(1, sections, 2, &edited)
		if err != nil || !c.DraftChanged {
			t.Errorf("got DraftChanged %v (err %v), want true", c.DraftChanged, err)
		}
	})
	t.Run("nothing offered", func(t *testing.T) {
		c, err := ChecklistOf(1, sections, 0, nil)
		if err != nil || !c.DraftChanged || c.ActionPartVersion != 0 {
			t.Errorf("got %+v (err %v), want a changed draft and no version", c, err)
		}
	})
	t.Run("unreadable handelingsdeel", func(t *testing.T) {
		broken := *frozen
		broken.Content = []byte("{")
		if _, err := ChecklistOf(1, sections, 0, &broken); err == nil {
			t.Error("got no error, want one")
		}
	})
}

func TestPhaseNext(t *testing.T) {
	for i, p := range Phases() {
		want := Phase("")
		if i+1 < len(Phases()) {
			want = Phases()[i+1]
		}
		if got := p.Next(); got != want {
			t.Errorf("%s.Next(): got %q, want %q", p, got, want)
		}
		if !p.Valid() {
			t.Errorf("%s.Valid(): got false, want true", p)
		}
	}
	if PhaseClosed.Valid() || Phase("x").Valid() {
		t.Error("closed and unknown phases: got valid, want invalid")
	}
}
