package service

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
)

// Logbook writes the lines of what people read: every read of a pupil's
// data goes to the licence's logbook. Writes append their line inside
// their own transaction instead.
type Logbook struct {
	tenants *tenants.Manager
}

// NewLogbook returns the logbook service.
func NewLogbook(tm *tenants.Manager) *Logbook {
	return &Logbook{tenants: tm}
}

// Record writes that the actor did action (a view, an export) on entity
// of the pupil, in its own transaction.
func (s *Logbook) Record(ctx context.Context, actor Actor, licenceID, pupilID uuid.UUID, action, entity string) error {
	return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			return logbook.Append(ctx, tx, actor.entry(ctx, pupilID, action, entity))
		})
	})
}

// RecordList writes that the actor saw a list of pupils (names, groups,
// process steps): one line with the number shown, not one per pupil.
func (s *Logbook) RecordList(ctx context.Context, actor Actor, licenceID uuid.UUID, shown int) error {
	if shown == 0 {
		return nil
	}
	e := actor.listEntry(ctx, shown)
	return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error { return logbook.Append(ctx, tx, e) })
	})
}

// OfPupil reads a pupil and the last 500 lines of their logbook, newest
// first.
func (s *Logbook) OfPupil(ctx context.Context, licenceID, pupilID uuid.UUID) (school.Pupil, []school.Logbook, error) {
	var p school.Pupil
	var rows []school.Logbook
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		var err error
		if p, err = q.GetPupil(ctx, pupilID); err != nil {
			return db.Classify(err)
		}
		rows, err = q.ListLogbookForPupil(ctx, &pupilID)
		return err
	})
	return p, rows, err
}

// ActorNames are the display names of the people behind rows, by user
// id; an account deleted since has none.
func (s *Logbook) ActorNames(ctx context.Context, rows []school.Logbook) (map[uuid.UUID]string, error) {
	var ids []uuid.UUID
	for _, r := range rows {
		if r.ActorUserID != nil {
			ids = append(ids, *r.ActorUserID)
		}
	}
	return userNames(ctx, s.tenants, ids)
}
