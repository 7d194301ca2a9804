package activities

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/swv"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/temporalx"
	"github.com/topdossier/topdossier/workflows"
)

// SWVAVGAnswered tells whether the SWV answered a request under the AVG
// (or the request is gone with the data it was about).
func (a *Activities) SWVAVGAnswered(ctx context.Context, ref workflows.SWVAVGRef) (bool, error) {
	licenceID, id, err := parseIDs(ref.SWVLicenceID, ref.AVGRequestID)
	if err != nil {
		return false, err
	}
	answered := false
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		r, err := swv.New(pool).GetAVGRequest(ctx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			answered = true
			return nil
		}
		answered = err == nil && r.Status != "open"
		return err
	})
	return answered, wrap("swv avg answered", err)
}

// CarryOutSWVAVG follows the SWV's answer to a request under the AVG:
// the requester is mailed through the school's outbox (the SWV keeps no
// addresses; the mail names no child), and an honoured erasure ends the
// request's retention term today. It returns the school licence whose
// outbox to send ("" when there is nothing to send). Done before, it
// sends nothing twice (the mail's dedupe key) and erases nothing twice.
func (a *Activities) CarryOutSWVAVG(ctx context.Context, ref workflows.SWVAVGRef) (string, error) {
	licenceID, id, err := parseIDs(ref.SWVLicenceID, ref.AVGRequestID)
	if err != nil {
		return "", err
	}
	var ar swv.AvgRequest
	var req swv.Request
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		q := swv.New(pool)
		if ar, err = q.GetAVGRequest(ctx, id); err != nil {
			return db.Classify(err)
		}
		req, err = q.GetRequest(ctx, ar.RequestID)
		return db.Classify(err)
	})
	if errors.Is(err, fault.ErrNotFound) || (err == nil && ar.Status == "open") {
		return "", nil // erased already, or not answered: nothing to carry out
	}
	if err != nil {
		return "", wrap("carry out swv avg", err)
	}
	lic, err := platform.New(a.Tenants.Platform()).GetLicence(ctx, licenceID)
	if err != nil {
		return "", wrap("carry out swv avg", err)
	}
	erase := ar.Kind == "erasure" && ar.Status == "accepted"
	err = a.Tenants.With(ctx, req.SchoolLicenceID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		sr, err := q.GetSWVRequestByID(ctx, req.SchoolRequestID)
		if err != nil {
			return db.Classify(err)
		}
		p, err := q.GetPupil(ctx, sr.PupilID)
		if err != nil {
			return db.Classify(err)
		}
		to, err := store.RequesterAddress(ctx, q, p, ar.PartyKey)
		if err != nil {
			return err
		}
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			if to != "" {
				if err := q.EnqueueMail(ctx, school.EnqueueMailParams{DedupeKey: "avg-swv:" + id.String(), ToAddress: to,
					Subject: "Antwoord van het samenwerkingsverband op uw verzoek", Body: swvAVGMail(lic.Name, ar.Kind, erase)}); err != nil {
					return err
				}
			}
			return logbook.Append(ctx, tx, logbook.Entry{ActorRole: "system", Action: logbook.ActionProcess, PupilID: &sr.PupilID,
				Entity: "avg_request_swv_answered", EntityID: sr.ID.String()})
		})
	})
	schoolLicence := req.SchoolLicenceID.String()
	if errors.Is(err, fault.ErrNotFound) {
		schoolLicence, err = "", nil // the school's side is gone: nobody to tell there
	}
	if err != nil {
		return "", wrap("carry out swv avg", err)
	}
	if erase {
		if err := a.eraseRequestNow(ctx, licenceID, req.ID, ar); err != nil {
			return "", err
		}
	}
	return schoolLicence, nil
}

// eraseRequestNow ends a request's retention term today (the run's erase
// update, in the name of whoever honoured the request). A run that ended deleted the request already; under a legal
// hold placed after the answer the hold wins and the data goes when it
// ends (the SWV's page shows the hold).
func (a *Activities) eraseRequestNow(ctx context.Context, licenceID, requestID uuid.UUID, ar swv.AvgRequest) error {
	wid := workflows.RetentionWorkflowID(licenceID.String(), workflows.RetentionRequest, requestID.String())
	act := workflows.RetentionAction{RequestID: "avg:" + ar.ID.String(), Reason: "verzoek"}
	if ar.DecidedBy != nil {
		act.ActorID = ar.DecidedBy.String() // who honoured the request
	}
	err := temporalx.Update(ctx, a.Temporal, wid, act.RequestID+":"+workflows.RetentionRequest, workflows.UpdateRetentionErase, nil, act)
	var refusal *fault.Refusal
	switch {
	case err == nil, errors.Is(err, fault.ErrNoProcess):
		return nil
	case errors.As(err, &refusal) && (refusal.Code == fault.CodeRetentionDone || refusal.Code == fault.CodeRetentionHeld):
		return nil
	}
	return fmt.Errorf("erase request: %w", err)
}

// swvAVGMail is the requester's mail about the SWV's answer; no child's
// name, and after an erasure the answer itself (the portal shows nothing
// of the request any more).
func swvAVGMail(swvName, kind string, erased bool) string {
	if erased {
		return fmt.Sprintf("Beste ouder, verzorger of leerling,\n\n%s honoreert uw verzoek om verwijdering. De aanvraag met wat de school "+
			"deelde, de adviezen, het besluit en de aantekeningen van het samenwerkingsverband worden nu verwijderd.\n\n"+
			"Wat de school zelf bewaart, valt hier niet onder: daarvoor doet u een verzoek bij de school.\n\n"+
			"Met vriendelijke groet,\n%s\n", swvName, swvName)
	}
	return fmt.Sprintf("Beste ouder, verzorger of leerling,\n\n%s heeft uw verzoek (%s) beantwoord. Log in op TOP dossier om het "+
		"antwoord te lezen, bij 'Uw rechten'.\n\nMet vriendelijke groet,\n%s\n", swvName, plan.AVGRequestKinds()[kind], swvName)
}
