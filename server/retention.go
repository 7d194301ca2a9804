package server

import (
	"errors"
	"fmt"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/temporalx"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/api/serviceerror"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/workflows"
)

// retentionKinds are the terms that start when a pupil leaves.
func (s *Server) retentionKinds() map[string]time.Duration {
	return map[string]time.Duration{workflows.RetentionDossier: s.cfg.RetentionDossier, workflows.RetentionEnrolment: s.cfg.RetentionEnrolment}
}

// handlePupilLeave records that a pupil left the school: the enrolment
// workflow ends, and the retention terms start (the dossiers are deleted
// after two years, the record after five), each a workflow of its own.
func (s *Server) handlePupilLeave(c *gin.Context) error {
	lic, pupilID, requestID, err := s.pupilPost(c)
	if err != nil {
		return err
	}
	left, err := time.Parse(dateLayout, c.PostForm("left_on"))
	if err != nil || left.After(s.today()) {
		return fault.FieldErrors{"left_on": "Vul de datum van uitschrijving in (vandaag of eerder)."}
	}
	err = s.tenants.With(c, lic.ID, func(pool *pgxpool.Pool) error {
		return db.InTx(c, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			p, err := q.GetPupil(c, pupilID)
			if err != nil {
				return db.Classify(err)
			}
			if left.Before(p.EnrolledOn) {
				return fault.FieldErrors{"left_on": "De uitschrijving kan niet vóór de inschrijving liggen."}
			}
			if _, err := q.MarkPupilLeft(c, school.MarkPupilLeftParams{ID: pupilID, LeftOn: &left}); err != nil {
				return db.Classify(err)
			}
			return logbook.Append(c, tx, s.entry(c, pupilID, logbook.ActionUpdate, "pupil_left"))
		})
	})
	if err != nil {
		return err
	}
	if err := s.stopPupilProcesses(c, lic.ID, pupilID, requestID); err != nil {
		return err
	}
	for kind, term := range s.retentionKinds() {
		if _, err := workflows.StartRetention(c, s.temporal, workflows.RetentionInput{LicenceID: lic.ID.String(), Kind: kind,
			EntityID: pupilID.String(), Term: term}); err != nil {
			return errors.Join(fault.ErrUnavailable, err)
		}
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingen/%s?m=uitgeschreven", lic.ID, pupilID))
	return nil
}

// stopPupilProcesses ends what runs for a pupil who left: the enrolment
// workflow, an open consent round (stopped, nobody is asked any more) and
// the open dossier (closed from the phase it is in; its deadlines stop).
// Each is told by signal; one that is not running is closed in the
// database directly. Called again (a retry of the leaving), it tells
// only what is still open.
func (s *Server) stopPupilProcesses(c *gin.Context, licenceID, pupilID uuid.UUID, requestID string) error {
	left := workflows.PupilLeft{RequestID: requestID, UserID: principalOf(c).UserID.String()}
	var notFound *serviceerror.NotFound
	err := s.temporal.SignalWorkflow(c, workflows.EnrolmentWorkflowID(licenceID.String(), pupilID.String()), "",
		workflows.SignalPupilLeft, left)
	if err != nil && !errors.As(err, &notFound) {
		return errors.Join(fault.ErrUnavailable, err)
	}
	var rounds []school.OpenRoundsOfPupilRow
	var dossiers []uuid.UUID
	err = s.tenants.With(c, licenceID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		var err error
		if rounds, err = q.OpenRoundsOfPupil(c, pupilID); err != nil {
			return err
		}
		dossiers, err = q.OpenDossiersOfPupil(c, pupilID)
		return err
	})
	if err != nil {
		return err
	}
	// Without a running workflow, the database is closed directly.
	direct := func(close func(q *school.Queries) error, entity, entityID string) error {
		return s.tenants.With(c, licenceID, func(pool *pgxpool.Pool) error {
			return db.InTx(c, pool, func(tx pgx.Tx) error {
				if err := close(school.New(tx)); err != nil {
					return err
				}
				e := s.entry(c, pupilID, logbook.ActionUpdate, entity)
				e.EntityID = entityID
				return logbook.Append(c, tx, e)
			})
		})
	}
	for _, r := range rounds {
		err := s.temporal.SignalWorkflow(c, workflows.ConsentWorkflowID(licenceID.String(), r.DossierID.String(), r.ActionPartNumber), "",
			workflows.SignalConsentWithdraw, left)
		if errors.As(err, &notFound) {
			err = direct(func(q *school.Queries) error {
				_, err := q.CloseConsentRound(c, school.CloseConsentRoundParams{ID: r.ID, Status: plan.RoundWithdrawn})
				return err
			}, "consent_round", fmt.Sprintf("%s:%d:%s", r.DossierID, r.ActionPartNumber, plan.RoundWithdrawn))
		}
		if err != nil {
			return errors.Join(fault.ErrUnavailable, err)
		}
	}
	for _, id := range dossiers {
		err := s.temporal.SignalWorkflow(c, workflows.DossierWorkflowID(licenceID.String(), id.String()), "",
			workflows.SignalDossierPupilLeft, workflows.PupilLeft{RequestID: requestID + ":" + id.String(), UserID: left.UserID})
		if errors.As(err, &notFound) {
			now := time.Now()
			err = direct(func(q *school.Queries) error {
				if err := q.CloseDossier(c, school.CloseDossierParams{ID: id, ClosedAt: &now}); err != nil {
					return err
				}
				return q.DeleteProcessStepsOf(c, []uuid.UUID{id}) // no workflow keeps its deadlines any more
			}, "dossier_closed", id.String())
		}
		if err != nil {
			return errors.Join(fault.ErrUnavailable, err)
		}
	}
	return nil
}

// Refusals of the erase update that the caller handles.
var (
	errRetentionNotRunning = errors.New("no retention run")
	errRetentionHeld       = errors.New("retention held")
)

// retentionUpdate asks a pupil's retention workflow of one kind; one that
// ended (deleted, cancelled) or never ran has nothing to change, except
// for erase, which then answers errRetentionNotRunning.
func (s *Server) retentionUpdate(c *gin.Context, licenceID, pupilID uuid.UUID, kind, update string, a workflows.RetentionAction) error {
	a.ActorID = principalOf(c).UserID.String()
	err := temporalx.Update(c, s.temporal, workflows.RetentionWorkflowID(licenceID.String(), kind, pupilID.String()),
		a.RequestID+":"+kind, update, nil, a)
	var refusal *fault.Refusal
	ended := errors.Is(err, fault.ErrNoProcess) || (errors.As(err, &refusal) && refusal.Code == fault.CodeRetentionDone)
	switch {
	case err == nil:
		return nil
	case update == workflows.UpdateRetentionErase && ended:
		return errRetentionNotRunning
	case update == workflows.UpdateRetentionErase && errors.As(err, &refusal) && refusal.Code == fault.CodeRetentionHeld:
		return errRetentionHeld
	case ended:
		return nil
	case errors.As(err, &refusal) && refusal.Fields() != nil:
		return refusal.Fields()
	}
	return err
}

// retentionStatus asks a retention run when it deletes; nil when none
// runs (not started yet, or it ended) or Temporal does not answer: the
// page shows it without the date.
func (s *Server) retentionStatus(c *gin.Context, licenceID uuid.UUID, kind string, entityID uuid.UUID) *workflows.RetentionStatus {
	v, err := s.temporal.QueryWorkflow(c, workflows.RetentionWorkflowID(licenceID.String(), kind, entityID.String()), "",
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

// handlePupilReturn: the pupil is back at school; the retention terms
// stop and nothing is deleted.
func (s *Server) handlePupilReturn(c *gin.Context) error {
	lic, pupilID, requestID, err := s.pupilPost(c)
	if err != nil {
		return err
	}
	for kind := range s.retentionKinds() {
		if err := s.retentionUpdate(c, lic.ID, pupilID, kind, workflows.UpdateRetentionCancel, workflows.RetentionAction{RequestID: requestID}); err != nil {
			return err
		}
	}
	err = s.tenants.With(c, lic.ID, func(pool *pgxpool.Pool) error {
		return db.InTx(c, pool, func(tx pgx.Tx) error {
			if _, err := school.New(tx).MarkPupilReturned(c, pupilID); err != nil {
				return err
			}
			return logbook.Append(c, tx, s.entry(c, pupilID, logbook.ActionUpdate, "pupil_returned"))
		})
	})
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingen/%s", lic.ID, pupilID))
	return nil
}

type archivePage struct {
	Licence   platform.Licence
	Pupils    []school.ListLeftPupilsRow
	Closed    []school.ListClosedDossiersOfPupilsAtSchoolRow // closed dossiers of pupils still at school
	Deleted   []school.DeletionCountsRow                     // anonymous counts per year and kind
	CanHold   bool
	RequestID string
	Errors    fault.FieldErrors
	Notice    string
}

// handleArchive lists the pupils who left, with when their dossiers and
// record will be deleted and any hold, and the closed dossiers of pupils
// still at school (kept until the pupil leaves).
func (s *Server) handleArchive(c *gin.Context) error {
	return s.renderArchive(c, http.StatusOK, nil)
}

func (s *Server) renderArchive(c *gin.Context, status int, errs fault.FieldErrors) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	page := archivePage{Licence: lic, RequestID: uuid.NewString(), Errors: errs,
		CanHold: principalOf(c).can(auth.PermSchoolSettings, lic.ID)}
	err = s.tenants.With(c, lic.ID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		if page.Pupils, err = q.ListLeftPupils(c); err != nil {
			return err
		}
		if page.Closed, err = q.ListClosedDossiersOfPupilsAtSchool(c); err != nil {
			return err
		}
		page.Deleted, err = q.DeletionCounts(c)
		return err
	})
	if err != nil {
		return err
	}
	if err := s.recordList(c, lic.ID, len(page.Pupils)+len(page.Closed)); err != nil {
		return err
	}
	if c.Query("m") == "bewaard" {
		page.Notice = "De bewaartermijn is verlengd."
	}
	s.render(c, status, "archive", page)
	return nil
}

// handleArchiveHold extends a left pupil's retention for a legal reason
// (an objection, a dispute, a legal duty), by the school admin.
func (s *Server) handleArchiveHold(c *gin.Context) error {
	lic, pupilID, requestID, err := s.pupilPost(c)
	if err != nil {
		return err
	}
	until, err := time.Parse(dateLayout, c.PostForm("until"))
	reason := c.PostForm("reason")
	if err != nil || (reason != "bezwaar" && reason != "geschil" && reason != "wettelijk") {
		return s.renderArchive(c, http.StatusUnprocessableEntity, fault.FieldErrors{"until": "Kies tot wanneer en waarom de gegevens langer bewaard blijven."})
	}
	err = s.retentionUpdate(c, lic.ID, pupilID, workflows.RetentionDossier, workflows.UpdateRetentionExtend,
		workflows.RetentionAction{RequestID: requestID, Until: until, Reason: reason})
	if fields, ok := asFieldErrors(err); ok {
		return s.renderArchive(c, http.StatusUnprocessableEntity, fields)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/archief?m=bewaard", lic.ID))
	return nil
}
