package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/temporalx"
	"github.com/topdossier/topdossier/workflows"
)

// RetentionConfig are the retention terms that start when a pupil leaves.
type RetentionConfig struct {
	Location           *time.Location
	Dossier, Enrolment time.Duration
	// AVGRespondWithin is the term to answer a request under the AVG.
	AVGRespondWithin time.Duration
}

// Retention is what happens to a pupil's data when they leave, come back,
// or use their rights under the AVG, and the legal holds that keep it
// longer.
type Retention struct {
	tenants  *tenants.Manager
	temporal client.Client
	logger   *slog.Logger
	cfg      RetentionConfig
}

// NewRetention returns the retention service.
func NewRetention(tm *tenants.Manager, tc client.Client, logger *slog.Logger, cfg RetentionConfig) *Retention {
	return &Retention{tenants: tm, temporal: tc, logger: logger, cfg: cfg}
}

// Refusals of the erase update that the caller handles.
var (
	ErrRetentionNotRunning = errors.New("no retention run")
	ErrRetentionHeld       = errors.New("retention held")
)

// kinds are the terms that start when a pupil leaves.
func (s *Retention) kinds() map[string]time.Duration {
	return map[string]time.Duration{workflows.RetentionDossier: s.cfg.Dossier, workflows.RetentionEnrolment: s.cfg.Enrolment}
}

// Leave records that a pupil left the school on leftOn (a date as people
// type it): the enrolment workflow ends, an open consent round and the
// open dossier stop, and the retention terms start, each a workflow of
// its own. Called again (a retry), it tells only what is still open. A
// day ahead (at most a year) is planned: the LeavingWorkflow does the
// same on that day, until then nothing stops.
func (s *Retention) Leave(ctx context.Context, actor Actor, licenceID, pupilID uuid.UUID, requestID, leftOn string) error {
	left, err := s.leavingDay(leftOn)
	if err != nil {
		return err
	}
	if left.After(Today(s.cfg.Location)) {
		return s.planLeaving(ctx, actor, licenceID, pupilID, requestID, left)
	}
	return s.leave(ctx, actor, licenceID, pupilID, requestID, left)
}

// leavingDay reads a leaving date as typed: today, earlier, or at most a
// year ahead.
func (s *Retention) leavingDay(leftOn string) (time.Time, error) {
	left, err := time.Parse(time.DateOnly, strings.TrimSpace(leftOn))
	switch {
	case err != nil:
		return left, fault.FieldErrors{"left_on": "Vul de datum van uitschrijving in."}
	case left.After(Today(s.cfg.Location).AddDate(1, 0, 0)):
		return left, fault.FieldErrors{"left_on": "Plan een uitschrijving hoogstens een jaar vooruit."}
	}
	return left, nil
}

// LeavingPreview is what a leaving will do, for the confirmation the
// school sees before it: the day, whether it is planned ahead, the phase
// the open dossier closes in, whether a consent round stops, and the days
// the dossier and the enrolment are deleted.
type LeavingPreview struct {
	LeftOn, DossierDeletedOn, EnrolmentDeletedOn time.Time
	Planned                                      bool
	DossierPhase                                 string // "" : no open dossier
	ConsentOpen                                  bool
}

// PreviewLeaving checks a leaving date and tells what the leaving will
// do; nothing is written.
func (s *Retention) PreviewLeaving(ctx context.Context, v DossierView, leftOn string) (LeavingPreview, error) {
	left, err := s.leavingDay(leftOn)
	if err != nil {
		return LeavingPreview{}, err
	}
	if left.Before(v.Pupil.EnrolledOn) {
		return LeavingPreview{}, fault.FieldErrors{"left_on": "De uitschrijving kan niet vóór de inschrijving liggen."}
	}
	out := LeavingPreview{LeftOn: left, Planned: left.After(Today(s.cfg.Location)),
		DossierDeletedOn: law.TermEnd(left, s.cfg.Dossier), EnrolmentDeletedOn: law.TermEnd(left, s.cfg.Enrolment)}
	if v.Dossier.ID != uuid.Nil && v.Dossier.ClosedAt == nil {
		out.DossierPhase = string(v.Phase())
	}
	out.ConsentOpen = v.Consent != nil && v.Consent.Round.Status == "open"
	return out, nil
}

// planLeaving stores a leaving day ahead and starts the process that
// carries it out on that day (a changed day restarts it).
func (s *Retention) planLeaving(ctx context.Context, actor Actor, licenceID, pupilID uuid.UUID, requestID string, left time.Time) error {
	set := func(day *time.Time, entity string) error {
		return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
			return db.InTx(ctx, pool, func(tx pgx.Tx) error {
				q := school.New(tx)
				p, err := q.GetPupil(ctx, pupilID)
				if err != nil {
					return db.Classify(err)
				}
				if day != nil && day.Before(p.EnrolledOn) {
					return fault.FieldErrors{"left_on": "De uitschrijving kan niet vóór de inschrijving liggen."}
				}
				if p.LeftOn != nil {
					return fault.FieldErrors{"left_on": "Deze leerling is al uitgeschreven."}
				}
				if _, err := q.SetPupilLeaving(ctx, school.SetPupilLeavingParams{ID: pupilID, LeavingOn: day}); err != nil {
					return err
				}
				return logbook.Append(ctx, tx, actor.entry(ctx, pupilID, logbook.ActionUpdate, entity))
			})
		})
	}
	if err := set(&left, "pupil_leaving_planned"); err != nil {
		return err
	}
	err := workflows.StartLeaving(ctx, s.temporal, workflows.LeavingInput{LicenceID: licenceID.String(), PupilID: pupilID.String(),
		RequestID: requestID})
	if err != nil {
		// Nothing half-done: without its process the plan would never be
		// carried out.
		return errors.Join(fault.ErrUnavailable, err, set(nil, "pupil_leaving_cancelled"))
	}
	return nil
}

// CancelLeaving withdraws a planned leaving: the pupil stays.
func (s *Retention) CancelLeaving(ctx context.Context, actor Actor, licenceID, pupilID uuid.UUID) error {
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			n, err := school.New(tx).SetPupilLeaving(ctx, school.SetPupilLeavingParams{ID: pupilID})
			if err != nil || n == 0 {
				return err
			}
			return logbook.Append(ctx, tx, actor.entry(ctx, pupilID, logbook.ActionUpdate, "pupil_leaving_cancelled"))
		})
	})
	if err != nil {
		return err
	}
	// The process finds nothing planned when it wakes; cancelling it now
	// only tidies up.
	if err := s.temporal.CancelWorkflow(ctx, workflows.LeavingWorkflowID(licenceID.String(), pupilID.String()), ""); err != nil {
		s.logger.InfoContext(ctx, "leaving workflow not cancelled", "err", err)
	}
	return nil
}

// PlannedLeaving is the moment the pupil's planned leaving day starts
// where the school is; nil when nothing is planned (any more).
func (s *Retention) PlannedLeaving(ctx context.Context, licenceID, pupilID uuid.UUID) (*time.Time, error) {
	p, err := readPupil(ctx, s.tenants, licenceID, pupilID)
	if err != nil || p.LeftOn != nil || p.LeavingOn == nil {
		return nil, err
	}
	y, m, d := p.LeavingOn.Date()
	at := time.Date(y, m, d, 0, 0, 0, 0, s.cfg.Location)
	return &at, nil
}

// LeavePlanned carries out a planned leaving on its day, in the name of
// the system, as the page does for a leaving typed that day. Cancelled or
// done before, it does nothing.
func (s *Retention) LeavePlanned(ctx context.Context, licenceID, pupilID uuid.UUID, requestID string) error {
	p, err := readPupil(ctx, s.tenants, licenceID, pupilID)
	if err != nil || p.LeftOn != nil || p.LeavingOn == nil {
		return err
	}
	return s.leave(ctx, Actor{Role: "system"}, licenceID, pupilID, requestID, *p.LeavingOn)
}

// LeaveTransferred records that the pupil left today because their plan
// went to the next school (a transfer was accepted there), in the name of
// the system: the dossier closes and the retention terms start. Left
// before, it does nothing.
func (s *Retention) LeaveTransferred(ctx context.Context, licenceID, pupilID uuid.UUID, requestID string) error {
	p, err := readPupil(ctx, s.tenants, licenceID, pupilID)
	if err != nil || p.LeftOn != nil {
		return err
	}
	return s.leave(ctx, Actor{Role: "system"}, licenceID, pupilID, requestID, Today(s.cfg.Location))
}

// leave records the leaving on left and stops and starts the processes.
func (s *Retention) leave(ctx context.Context, actor Actor, licenceID, pupilID uuid.UUID, requestID string, left time.Time) error {
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			p, err := q.GetPupil(ctx, pupilID)
			if err != nil {
				return db.Classify(err)
			}
			if left.Before(p.EnrolledOn) {
				return fault.FieldErrors{"left_on": "De uitschrijving kan niet vóór de inschrijving liggen."}
			}
			if _, err := q.MarkPupilLeft(ctx, school.MarkPupilLeftParams{ID: pupilID, LeftOn: &left}); err != nil {
				return db.Classify(err)
			}
			return logbook.Append(ctx, tx, actor.entry(ctx, pupilID, logbook.ActionUpdate, "pupil_left"))
		})
	})
	if err != nil {
		return err
	}
	if err := s.stopPupilProcesses(ctx, actor, licenceID, pupilID, requestID); err != nil {
		return err
	}
	if err := emitEvent(ctx, s.tenants, s.temporal, s.logger, licenceID, store.EventPupilLeft, "left:"+pupilID.String(), time.Now(),
		map[string]string{"pupil_id": pupilID.String(), "left_on": left.Format(time.DateOnly)}); err != nil {
		return err
	}
	for kind, term := range s.kinds() {
		if _, err := workflows.StartRetention(ctx, s.temporal, workflows.RetentionInput{LicenceID: licenceID.String(), Kind: kind,
			EntityID: pupilID.String(), Term: term}); err != nil {
			return errors.Join(fault.ErrUnavailable, err)
		}
	}
	return nil
}

// stopPupilProcesses ends what runs for a pupil who left: the enrolment
// workflow, an open consent round (stopped, nobody is asked any more) and
// the open dossier (closed from the phase it is in; its deadlines stop).
// Each is told by signal under an id derived from requestID; one that is
// not running is closed in the database directly.
func (s *Retention) stopPupilProcesses(ctx context.Context, actor Actor, licenceID, pupilID uuid.UUID, requestID string) error {
	left := workflows.PupilLeft{RequestID: requestID, UserID: actorID(actor)}
	var notFound *serviceerror.NotFound
	err := s.temporal.SignalWorkflow(ctx, workflows.EnrolmentWorkflowID(licenceID.String(), pupilID.String()), "",
		workflows.SignalPupilLeft, left)
	if err != nil && !errors.As(err, &notFound) {
		return errors.Join(fault.ErrUnavailable, err)
	}
	var rounds []school.OpenRoundsOfPupilRow
	var dossiers []uuid.UUID
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		var err error
		if rounds, err = q.OpenRoundsOfPupil(ctx, pupilID); err != nil {
			return err
		}
		dossiers, err = q.OpenDossiersOfPupil(ctx, pupilID)
		return err
	})
	if err != nil {
		return err
	}
	// Without a running workflow, the database is closed directly.
	direct := func(close func(q *school.Queries) error, entity, entityID string) error {
		return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
			return db.InTx(ctx, pool, func(tx pgx.Tx) error {
				if err := close(school.New(tx)); err != nil {
					return err
				}
				e := actor.entry(ctx, pupilID, logbook.ActionUpdate, entity)
				e.EntityID = entityID
				return logbook.Append(ctx, tx, e)
			})
		})
	}
	for _, r := range rounds {
		err := s.temporal.SignalWorkflow(ctx, workflows.ConsentWorkflowID(licenceID.String(), r.DossierID.String(), r.ActionPartNumber), "",
			workflows.SignalConsentWithdraw, left)
		if errors.As(err, &notFound) {
			err = direct(func(q *school.Queries) error {
				_, err := q.CloseConsentRound(ctx, school.CloseConsentRoundParams{ID: r.ID, Status: plan.RoundWithdrawn})
				return err
			}, "consent_round", fmt.Sprintf("%s:%d:%s", r.DossierID, r.ActionPartNumber, plan.RoundWithdrawn))
		}
		if err != nil {
			return errors.Join(fault.ErrUnavailable, err)
		}
	}
	for _, id := range dossiers {
		err := s.temporal.SignalWorkflow(ctx, workflows.DossierWorkflowID(licenceID.String(), id.String()), "",
			workflows.SignalDossierPupilLeft, workflows.PupilLeft{RequestID: requestID + ":" + id.String(), UserID: left.UserID})
		if errors.As(err, &notFound) {
			now := time.Now()
			err = direct(func(q *school.Queries) error {
				if err := q.CloseDossier(ctx, school.CloseDossierParams{ID: id, ClosedAt: &now, Reason: "left"}); err != nil {
					return err
				}
				return q.DeleteProcessStepsOf(ctx, []uuid.UUID{id}) // no workflow keeps its deadlines any more
			}, "dossier_closed", id.String())
		}
		if err != nil {
			return errors.Join(fault.ErrUnavailable, err)
		}
	}
	return nil
}

// Return records that the pupil is back at school: the retention terms
// stop and nothing is deleted.
func (s *Retention) Return(ctx context.Context, actor Actor, licenceID, pupilID uuid.UUID, requestID string) error {
	for kind := range s.kinds() {
		if err := s.Update(ctx, actor, licenceID, pupilID, kind, workflows.UpdateRetentionCancel,
			workflows.RetentionAction{RequestID: requestID}); err != nil {
			return err
		}
	}
	return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			if _, err := school.New(tx).MarkPupilReturned(ctx, pupilID); err != nil {
				return err
			}
			return logbook.Append(ctx, tx, actor.entry(ctx, pupilID, logbook.ActionUpdate, "pupil_returned"))
		})
	})
}

// Hold keeps an entity's data of kind longer, until (a date as people
// type it), for a legal reason: bezwaar, geschil or wettelijk.
func (s *Retention) Hold(ctx context.Context, actor Actor, licenceID, entityID uuid.UUID, kind, requestID, until, reason string) error {
	day, err := time.Parse(time.DateOnly, strings.TrimSpace(until))
	if err != nil || (reason != "bezwaar" && reason != "geschil" && reason != "wettelijk") {
		if kind == workflows.RetentionRequest {
			return fault.FieldErrors{"until": "Kies tot wanneer en waarom de aanvraag langer bewaard blijft."}
		}
		return fault.FieldErrors{"until": "Kies tot wanneer en waarom de gegevens langer bewaard blijven."}
	}
	return s.Update(ctx, actor, licenceID, entityID, kind, workflows.UpdateRetentionExtend,
		workflows.RetentionAction{RequestID: requestID, Until: day, Reason: reason})
}

// Update asks an entity's retention workflow of one kind; one that ended
// (deleted, cancelled) or never ran has nothing to change, except for
// erase, which then answers ErrRetentionNotRunning (and ErrRetentionHeld
// under a legal hold).
func (s *Retention) Update(ctx context.Context, actor Actor, licenceID, entityID uuid.UUID, kind, update string, a workflows.RetentionAction) error {
	a.ActorID = actorID(actor)
	err := temporalx.Update(ctx, s.temporal, workflows.RetentionWorkflowID(licenceID.String(), kind, entityID.String()),
		a.RequestID+":"+kind, update, nil, a)
	var refusal *fault.Refusal
	ended := errors.Is(err, fault.ErrNoProcess) || (errors.As(err, &refusal) && refusal.Code == fault.CodeRetentionDone)
	switch {
	case err == nil:
		return nil
	case update == workflows.UpdateRetentionErase && ended:
		return ErrRetentionNotRunning
	case update == workflows.UpdateRetentionErase && errors.As(err, &refusal) && refusal.Code == fault.CodeRetentionHeld:
		return ErrRetentionHeld
	case ended:
		return nil
	case errors.As(err, &refusal) && refusal.Fields() != nil:
		return refusal.Fields()
	}
	return err
}

// EraseNow ends the dossier's retention term today, for an honoured
// erasure request (AVG art. 17). A pupil whose run is missing (it ended,
// or never started) gets one first; under a legal hold the erasure waits
// for the hold to end.
func (s *Retention) EraseNow(ctx context.Context, actor Actor, licenceID, pupilID, avgRequestID uuid.UUID) error {
	a := workflows.RetentionAction{RequestID: "avg:" + avgRequestID.String(), Reason: "verzoek"}
	err := s.Update(ctx, actor, licenceID, pupilID, workflows.RetentionDossier, workflows.UpdateRetentionErase, a)
	if errors.Is(err, ErrRetentionNotRunning) {
		if _, err = workflows.StartRetention(ctx, s.temporal, workflows.RetentionInput{LicenceID: licenceID.String(),
			Kind: workflows.RetentionDossier, EntityID: pupilID.String(), Term: s.cfg.Dossier}); err != nil {
			return errors.Join(fault.ErrUnavailable, err)
		}
		err = s.Update(ctx, actor, licenceID, pupilID, workflows.RetentionDossier, workflows.UpdateRetentionErase, a)
	}
	if errors.Is(err, ErrRetentionHeld) {
		return fault.FieldErrors{"decision": "Het verzoek is gehonoreerd vastgelegd, maar er loopt een wettelijke bewaarplicht " +
			"(bezwaar of geschil, zie het archief): de gegevens worden verwijderd zodra die afloopt."}
	}
	return err
}

// Status asks a retention run when it deletes; nil when none runs (not
// started yet, or it ended) or Temporal does not answer: pages show the
// rest without the date.
func (s *Retention) Status(ctx context.Context, licenceID uuid.UUID, kind string, entityID uuid.UUID) *workflows.RetentionStatus {
	v, err := s.temporal.QueryWorkflow(ctx, workflows.RetentionWorkflowID(licenceID.String(), kind, entityID.String()), "",
		workflows.QueryRetentionStatus)
	var st workflows.RetentionStatus
	if err == nil {
		err = v.Get(&st)
	}
	if err != nil || st.State != workflows.RetentionWaiting {
		return nil
	}
	return &st
}

// Archive is what a school keeps of pupils who left, and of closed
// dossiers of pupils still at school, with when each is deleted.
type Archive struct {
	Pupils  []school.ListLeftPupilsRow
	Closed  []school.ListClosedDossiersOfPupilsAtSchoolRow // closed dossiers of pupils still at school
	Deleted []school.DeletionCountsRow                     // anonymous counts per year and kind
}

// Archive reads the school's archive, with one logbook line of the number
// of pupils shown.
func (s *Retention) Archive(ctx context.Context, actor Actor, licenceID uuid.UUID) (Archive, error) {
	var a Archive
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			var err error
			if a.Pupils, err = q.ListLeftPupils(ctx); err != nil {
				return err
			}
			if a.Closed, err = q.ListClosedDossiersOfPupilsAtSchool(ctx); err != nil {
				return err
			}
			if a.Deleted, err = q.DeletionCounts(ctx); err != nil {
				return err
			}
			if shown := len(a.Pupils) + len(a.Closed); shown > 0 {
				return logbook.Append(ctx, tx, actor.listEntry(ctx, shown))
			}
			return nil
		})
	})
	return a, err
}
