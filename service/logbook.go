package service

import (
	"context"
	"sync"

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

	mu     sync.Mutex
	groups map[uuid.UUID]*logbook.Group // by licence
}

// NewLogbook returns the logbook service.
func NewLogbook(tm *tenants.Manager) *Logbook {
	return &Logbook{tenants: tm, groups: map[uuid.UUID]*logbook.Group{}}
}

// Record writes that the actor did action (a view, an export) on entity
// of the pupil, and returns when the line is committed. Lines of one
// licence recorded at the same time share a transaction (logbook.Group):
// under load a page waits for one commit, not for every other page's.
func (s *Logbook) Record(ctx context.Context, actor Actor, licenceID, pupilID uuid.UUID, action, entity string) error {
	return s.group(licenceID).Add(ctx, actor.entry(ctx, pupilID, action, entity))
}

// RecordList writes that the actor saw a list of pupils (names, groups,
// process steps): one line with the number shown, not one per pupil.
func (s *Logbook) RecordList(ctx context.Context, actor Actor, licenceID uuid.UUID, shown int) error {
	if shown == 0 {
		return nil
	}
	return s.group(licenceID).Add(ctx, actor.listEntry(ctx, shown))
}

// group is the licence's group writer.
func (s *Logbook) group(licenceID uuid.UUID) *logbook.Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[licenceID]
	if !ok {
		g = logbook.NewGroup(func(ctx context.Context, fn func(pgx.Tx) error) error {
			return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error { return db.InTx(ctx, pool, fn) })
		})
		s.groups[licenceID] = g
	}
	return g
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
