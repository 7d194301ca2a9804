// Package dossiertest writes dossiers for tests and benchmarks, as staff
// would fill them in through the pages.
package dossiertest

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/plan"
)

// Complete opens a dossier for pupilID with every section of cycle 1
// filled in, one observation, and handelingsdeel version 1 consented, so
// every phase may be advanced.
func Complete(ctx context.Context, q *school.Queries, pupilID uuid.UUID) (school.Dossier, error) {
	d, err := q.CreateDossier(ctx, school.CreateDossierParams{PupilID: pupilID, SupportLevel: school.SupportLevelExtraSchool,
		Reason: "Rekenen blijft achter", StartedOn: time.Now()})
	if err != nil {
		return d, fmt.Errorf("create dossier: %w", err)
	}
	content := Content(uuid.NewString())
	for _, sec := range plan.Sections() {
		raw, err := json.Marshal(content[sec])
		if err != nil {
			return d, err
		}
		if err := q.CreateSection(ctx, school.CreateSectionParams{DossierID: d.ID, Cycle: 1, Section: sec, Content: raw}); err != nil {
			return d, fmt.Errorf("create section: %w", err)
		}
	}
	if _, err := q.AddGrowthEntry(ctx, school.AddGrowthEntryParams{DossierID: d.ID, Cycle: 1, Kind: "observation",
		OccurredOn: time.Now(), Body: "Telt op de vingers"}); err != nil {
		return d, fmt.Errorf("add growth entry: %w", err)
	}
	if _, err := q.FreezeActionPart(ctx, school.FreezeActionPartParams{DossierID: d.ID, Cycle: 1}); err != nil {
		return d, fmt.Errorf("freeze action part: %w", err)
	}
	if err := q.SetActionPartConsent(ctx, school.SetActionPartConsentParams{DossierID: d.ID, Number: 1,
		ConsentStatus: plan.ConsentGiven}); err != nil {
		return d, fmt.Errorf("record consent: %w", err)
	}
	return d, nil
}

// Content is every section of a complete plan (cycle 1), with one goal
// of id goalID: what Complete writes and what SeedPlans copies.
func Content(goalID string) map[string]any {
	goal := plan.Goal{ID: goalID, Domain: "Rekenen", Goal: "Tafels tot 10", Criterion: "90% goed", EvaluateOn: "2027-03-01"}
	return map[string]any{
		plan.SectionUnderstand: plan.Understand{Promoting: plan.Factors{Pupil: "Gemotiveerd"},
			Hindering: plan.Factors{Teaching: "Tempo"}, EducationalNeeds: "Herhaling", SupportNeeds: "Extra instructie"},
		plan.SectionPerspective: plan.Perspective{Destination: "vmbo_kb", Rationale: "Gemotiveerd, maar het tempo remt."},
		plan.SectionActionPart: plan.ActionPart{Goals: []plan.Goal{goal},
			Support: []plan.Intervention{{What: "Verlengde instructie", Who: "Leerkracht", HowOften: "Dagelijks", Where: "In de klas"}}},
		plan.SectionRealise:    plan.Realise{Results: []plan.GoalResult{{GoalID: goal.ID, Outcome: plan.OutcomeAchieved}}},
		plan.SectionEvaluation: plan.Evaluation{MeetingOn: "2027-03-02", Participants: "Ouders, IB", Summary: "Behaald"},
		plan.SectionHearing: plan.Hearing{HeardOn: "2026-11-20", How: "conversation",
			Summary: "Wil de tafels oefenen met de computer."},
	}
}

// Restrict restricts (on) or lifts (off) the use of a pupil's data, as
// an honoured AVG request (art. 18) and its lifting do.
func Restrict(ctx context.Context, q *school.Queries, pupilID uuid.UUID, on bool) error {
	var at *time.Time
	if on {
		now := time.Now()
		at = &now
	}
	_, err := q.SetPupilRestricted(ctx, school.SetPupilRestrictedParams{RestrictedAt: at, ID: pupilID})
	return err
}
