package store

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/plan"
)

// Received is a plan that comes into a school from elsewhere: a transfer
// from another school on the platform, or an OSO dossier.
type Received struct {
	// Key names where it came from (the transfer's or the import's id):
	// the history and the attachments are keyed by it.
	Key      uuid.UUID
	FromName string
	Package  plan.TransferPackage
	Files    []ReceivedFile
	// SchoolType is the receiving school's type: a destination it does
	// not know is left for the school to choose.
	SchoolType string
	Today      time.Time
	// Actor, Role and RequestID are who took it in, for the logbook.
	Actor     *uuid.UUID
	Role      string
	RequestID string
}

// ReceivedFile is an attachment that comes with it.
type ReceivedFile struct {
	ID                uuid.UUID // its id where it came from
	Name, ContentType string
	Content           []byte
}

// ReceivedPlan is the pupil and dossier it became.
type ReceivedPlan struct {
	Pupil    school.Pupil
	Dossier  school.Dossier
	NewPupil bool
}

// Receive writes a received plan in tx: the pupil (or the one the school
// has already, by name and birth date, without an open dossier) with the
// guardians when it has none, a new dossier whose first sections start
// from the last cycle carried, the whole package read-only as its
// history marked with where it came from, and the attachments; every
// write with its logbook line.
func Receive(ctx context.Context, tx pgx.Tx, in Received) (ReceivedPlan, error) {
	var out ReceivedPlan
	q := school.New(tx)
	pkg := in.Package
	birth, err := time.Parse(time.DateOnly, pkg.Pupil.BirthDate)
	if err != nil {
		return out, fmt.Errorf("received birth date: %w", err)
	}
	found, err := q.FindPupilByNameAndBirth(ctx, school.FindPupilByNameAndBirthParams{GivenName: pkg.Pupil.GivenName,
		FamilyName: pkg.Pupil.FamilyName, BirthDate: birth})
	if err != nil {
		return out, err
	}
	if len(found) == 1 {
		out.Pupil = found[0]
	} else {
		out.NewPupil = true
		enrolled := in.Today
		if !enrolled.After(birth) {
			enrolled = birth.AddDate(0, 0, 1)
		}
		if out.Pupil, err = q.CreatePupil(ctx, school.CreatePupilParams{GivenName: pkg.Pupil.GivenName, NameInfix: pkg.Pupil.NameInfix,
			FamilyName: pkg.Pupil.FamilyName, BirthDate: birth, EnrolledOn: enrolled}); err != nil {
			return out, fmt.Errorf("create pupil: %w", db.Classify(err))
		}
	}
	pupilID := out.Pupil.ID
	entry := func(action, entity, entityID string) logbook.Entry {
		return logbook.Entry{ActorID: in.Actor, ActorRole: in.Role, Action: action, PupilID: &pupilID, Entity: entity,
			EntityID: entityID, RequestID: in.RequestID}
	}
	if out.NewPupil {
		if err := logbook.Append(ctx, tx, entry(logbook.ActionCreate, "pupil", pupilID.String())); err != nil {
			return out, err
		}
	}
	guardians, err := q.ListGuardians(ctx, pupilID)
	if err != nil {
		return out, err
	}
	if len(guardians) == 0 {
		for _, g := range pkg.Guardians {
			rel := school.GuardianRelation(g.Relation)
			if !rel.Valid() {
				rel = school.GuardianRelationOther
			}
			row, err := q.CreateGuardian(ctx, school.CreateGuardianParams{PupilID: pupilID, GivenName: orText(g.GivenName, "(onbekend)"),
				NameInfix: g.NameInfix, FamilyName: orText(g.FamilyName, pkg.Pupil.FamilyName), Email: g.Email, Phone: g.Phone, Relation: rel,
				ParentalAuthority: g.ParentalAuthority})
			if err != nil {
				return out, fmt.Errorf("create guardian: %w", err)
			}
			guardians = append(guardians, row)
		}
	}
	level := school.SupportLevel(pkg.SupportLevel)
	if !level.Valid() {
		level = school.SupportLevelExtraSchool
	}
	if out.Dossier, err = q.CreateDossier(ctx, school.CreateDossierParams{PupilID: pupilID, SupportLevel: level,
		Reason: "Overgenomen van " + in.FromName, StartedOn: in.Today}); err != nil {
		return out, fmt.Errorf("create dossier: %w", db.Classify(err))
	}
	d := out.Dossier
	for _, sec := range plan.Sections() {
		if err := q.CreateSection(ctx, school.CreateSectionParams{DossierID: d.ID, Cycle: 1, Section: sec,
			Content: startSection(pkg, sec, in.SchoolType)}); err != nil {
			return out, fmt.Errorf("create section: %w", err)
		}
	}
	for _, g := range guardians {
		gid := g.ID
		if _, err := q.AddParticipant(ctx, school.AddParticipantParams{DossierID: d.ID, Kind: "guardian",
			Name: strings.Join(strings.Fields(g.GivenName+" "+g.NameInfix+" "+g.FamilyName), " "),
			Role: plan.RelationLabel(string(g.Relation)), GuardianID: &gid}); err != nil {
			return out, fmt.Errorf("add guardian: %w", err)
		}
	}
	if _, err := q.RecordDossierStart(ctx, school.RecordDossierStartParams{DossierID: d.ID, StartedOn: in.Today,
		Reason: "overgenomen van " + in.FromName, ByUserID: in.Actor}); err != nil {
		return out, fmt.Errorf("record start: %w", err)
	}
	history, err := json.Marshal(pkg)
	if err != nil {
		return out, err
	}
	if err := q.AddDossierHistory(ctx, school.AddDossierHistoryParams{DossierID: d.ID, TransferID: in.Key, FromName: in.FromName,
		Package: history}); err != nil {
		return out, err
	}
	for _, f := range in.Files {
		sum := sha256.Sum256(f.Content)
		if err := q.AddTransferredAttachment(ctx, school.AddTransferredAttachmentParams{ID: uuid.NewSHA1(in.Key, f.ID[:]),
			DossierID: d.ID, FileName: f.Name, ContentType: f.ContentType, SizeBytes: int32(len(f.Content)),
			Sha256: sum[:], Content: f.Content, FromSchool: in.FromName}); err != nil {
			return out, err
		}
	}
	return out, logbook.Append(ctx, tx, entry(logbook.ActionCreate, "dossier", d.ID.String()))
}

func orText(s, fallback string) string {
	if strings.TrimSpace(s) == "" {
		return fallback
	}
	return s
}

// startSection is the first content of a section of the received
// dossier: the last cycle carried, so the school continues from there
// (its own consent round still comes: consent was given to the other
// school). A destination the school type does not know is left empty.
func startSection(pkg plan.TransferPackage, section, schoolType string) []byte {
	last, ok := pkg.Latest()
	var v any
	switch section {
	case plan.SectionUnderstand:
		if ok {
			v = last.Understand
		}
	case plan.SectionPerspective:
		if ok {
			p := last.Perspective
			if !slices.Contains(plan.Destinations(schoolType), p.Destination) {
				p.Destination = ""
			}
			v = p
		}
	case plan.SectionActionPart:
		if ap, ok := pkg.LatestActionPart(); ok {
			v = ap.Content
		}
	}
	if v == nil {
		return []byte("{}")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return []byte("{}")
	}
	return b
}
