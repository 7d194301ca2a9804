// Package store holds the database reads and writes that both the
// services under the pages and the activities under the workflows need,
// so neither imports the other.
package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/plan"
)

// ReadChecklist computes the checklist of one cycle of a dossier.
func ReadChecklist(ctx context.Context, q *school.Queries, dossierID uuid.UUID, cycle int32) (plan.Checklist, error) {
	rows, err := q.ListSections(ctx, school.ListSectionsParams{DossierID: dossierID, Cycle: cycle})
	if err != nil {
		return plan.Checklist{Cycle: cycle}, fmt.Errorf("read sections: %w", err)
	}
	growth, err := q.CountGrowthEntries(ctx, school.CountGrowthEntriesParams{DossierID: dossierID, Cycle: cycle})
	if err != nil {
		return plan.Checklist{Cycle: cycle}, fmt.Errorf("count growth entries: %w", err)
	}
	var latest *school.ActionPartVersion
	v, err := q.LatestActionPartVersion(ctx, dossierID)
	switch {
	case err == nil:
		latest = &v
	case !errors.Is(err, pgx.ErrNoRows):
		return plan.Checklist{Cycle: cycle}, fmt.Errorf("read action part version: %w", err)
	}
	return ChecklistOf(cycle, rows, growth, latest)
}

// ChecklistOf computes the checklist from the rows of a cycle already
// read: its sections, its number of groeidocument entries and the last
// frozen handelingsdeel (nil: none).
func ChecklistOf(cycle int32, sections []school.DossierSection, growthEntries int64, latest *school.ActionPartVersion) (plan.Checklist, error) {
	rows := make([]plan.SectionRow, len(sections))
	for i, r := range sections {
		rows[i] = plan.SectionRow{Section: r.Section, Version: r.Version, Content: r.Content}
	}
	var frozen *plan.FrozenActionPart
	if latest != nil {
		frozen = &plan.FrozenActionPart{Number: latest.Number, Cycle: latest.Cycle, DraftVersion: latest.DraftVersion,
			ConsentStatus: latest.ConsentStatus, Content: latest.Content}
	}
	return plan.ChecklistOf(cycle, rows, growthEntries, frozen)
}

// Guardians are the guardians of rows, as the consent rules see them.
func Guardians(rows []school.Guardian) []plan.Guardian {
	out := make([]plan.Guardian, len(rows))
	for i, g := range rows {
		out[i] = plan.Guardian{ID: g.ID, ParentalAuthority: g.ParentalAuthority}
	}
	return out
}

// PupilName is the pupil's full name: given name, infix, family name.
func PupilName(p school.Pupil) string {
	parts := []string{p.GivenName}
	if p.NameInfix != "" {
		parts = append(parts, p.NameInfix)
	}
	return strings.Join(append(parts, p.FamilyName), " ")
}
