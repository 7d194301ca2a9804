package activities

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/temporal"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/workflows"
)

// AdvanceDossierPhase checks, inside one transaction, that the phase being
// left is complete, then records the transition, the projection and a
// logbook line. It is keyed by the request id, so a retry writes nothing
// twice. Run as a local activity, it costs the update no extra round trip.
func (a *Activities) AdvanceDossierPhase(ctx context.Context, in workflows.AdvanceDossierInput) error {
	licenceID, dossierID, err := parseIDs(in.LicenceID, in.DossierID)
	if err != nil {
		return err
	}
	pupilID, err := parseID("pupil", in.PupilID)
	if err != nil {
		return err
	}
	actor := actorOf(in.UserID)
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
				// Done before: a retry, or the same advance again after its
				// workflow task was lost (Temporal away). The projection
				// still gets this run's step: a projection written since,
				// from the state before the lost task, may carry a newer
				// seq than the first attempt's (the seq guard keeps the
				// newest).
				return upsertSchoolStep(ctx, q, in.Step, dossierID)
			}
			switch {
			case in.PupilLeft && in.To != plan.PhaseClosed:
				return permanent(fmt.Errorf("leaving closes, it does not move to %q", in.To))
			case !in.PupilLeft:
				// Moving the plan on changes it: not while its use is
				// restricted (AVG art. 18). Leaving still closes it.
				if err := refuseRestricted(ctx, q, pupilID); err != nil {
					return err
				}
				check, err := store.ReadChecklist(ctx, q, dossierID, in.Cycle)
				if err != nil {
					return err
				}
				if missing := plan.Missing(in.From, check); len(missing) > 0 {
					return temporal.NewNonRetryableApplicationError("dossier incomplete", fault.CodeDossierIncomplete, nil, missing)
				}
			}
			if in.From == plan.PhaseEvaluate && in.To == plan.PhaseObserve {
				// The next cycle starts with the transition, for the same reason.
				if err := startCycle(ctx, q, dossierID, in.Cycle+1); err != nil {
					return err
				}
			}
			if in.To == plan.PhaseClosed {
				// Closed with the transition, so pages never show a closed
				// process on an open dossier.
				reason := "completed" // the school closed it after the evaluation
				if in.PupilLeft {
					reason = "left"
				}
				if err := q.CloseDossier(ctx, school.CloseDossierParams{ID: dossierID, ClosedAt: &in.At, Reason: reason}); err != nil {
					return fmt.Errorf("close dossier: %w", err)
				}
			}
			if in.EstablishOPP && d.OppEstablishedOn == nil {
				on := law.DateOf(in.At)
				if err := q.SetOPPEstablished(ctx, school.SetOPPEstablishedParams{ID: dossierID, OppEstablishedOn: &on}); err != nil {
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
	if err != nil {
		return wrap("advance dossier phase", err)
	}
	return a.emit(ctx, licenceID, store.EventDossierPhase, fmt.Sprintf("phase:%s:%d:%s:%s", dossierID, in.Cycle, in.From, in.To), in.At,
		map[string]string{"pupil_id": pupilID.String(), "dossier_id": dossierID.String(), "cycle": fmt.Sprint(in.Cycle),
			"from": string(in.From), "phase": string(in.To)})
}

// StartDossierCycle copies the content of the cycle before ToCycle into
// ToCycle (no double entry) and makes ToCycle the dossier's current one.
// The advance that ends an evaluation does this already in its own
// transaction; the workflow calls it again before continuing as new, which
// then changes nothing. Copying is keyed by (dossier, cycle, section).
func (a *Activities) StartDossierCycle(ctx context.Context, in workflows.StartDossierCycleInput) error {
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

// CloseDossier marks the dossier closed; it stays readable until its
// retention period ends.
func (a *Activities) CloseDossier(ctx context.Context, in workflows.CloseDossierInput) error {
	licenceID, dossierID, err := parseIDs(in.LicenceID, in.DossierID)
	if err != nil {
		return err
	}
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		// Closed with its last transition already; this is the backstop
		// (and changes nothing when it was).
		return school.New(pool).CloseDossier(ctx, school.CloseDossierParams{ID: dossierID, ClosedAt: &in.At, Reason: "completed"})
	})
	return wrap("close dossier", err)
}
