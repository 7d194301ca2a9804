package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/workflows"
)

// AskAVG records a request under the AVG from a guardian with authority
// or the pupil (partyKey): correct, erase, restrict or stop using data.
// The school answers within the term (AVG art. 12(3)); the request's
// workflow reminds it.
func (s *Retention) AskAVG(ctx context.Context, actor Actor, licenceID, pupilID uuid.UUID, partyKey, kind, body string) error {
	body, err := avgForm(kind, body)
	if err != nil {
		return err
	}
	due := time.Now().Add(s.cfg.AVGRespondWithin)
	var req school.AvgRequest
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			var err error
			if req, err = school.New(tx).CreateAVGRequest(ctx, school.CreateAVGRequestParams{PupilID: pupilID, Kind: kind, PartyKey: partyKey,
				Body: body, DueAt: due}); err != nil {
				return err
			}
			e := actor.entry(ctx, pupilID, logbook.ActionCreate, "avg_request")
			e.EntityID = req.ID.String()
			return logbook.Append(ctx, tx, e)
		})
	})
	if err != nil {
		return err
	}
	if err := workflows.StartAVGRequest(ctx, s.temporal, workflows.AVGRequestInput{LicenceID: licenceID.String(), PupilID: pupilID.String(),
		RequestID: req.ID.String(), RespondWithin: s.cfg.AVGRespondWithin}); err != nil {
		// The request is stored and shows on the school's pupil page; the
		// term's reminder is what is missing.
		s.logger.ErrorContext(ctx, "avg request workflow not started", "err", err)
	}
	return nil
}

// avgForm checks a request under the AVG as the requester typed it: a
// kind and 1 to 5,000 characters of what they ask; it returns the text
// trimmed.
func avgForm(kind, body string) (string, error) {
	body = strings.TrimSpace(body)
	errs := fault.FieldErrors{}
	if plan.AVGRequestKinds()[kind] == "" {
		errs["avg_kind"] = "Kies wat u vraagt."
	}
	if body == "" || len([]rune(body)) > 5000 {
		errs["avg_body"] = "Schrijf op wat er niet klopt of wat u vraagt (hoogstens 5000 tekens)."
	}
	if len(errs) > 0 {
		return "", errs
	}
	return body, nil
}

// avgAnswer checks an answer to a request under the AVG: honoured, or
// rejected with the reason the requester reads.
func avgAnswer(decision, reason, who string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case decision != "accepted" && decision != "rejected":
		return "", fault.FieldErrors{"decision": "Kies of " + who + " het verzoek honoreert of afwijst."}
	case decision == "rejected" && reason == "":
		return "", fault.FieldErrors{"reason": "Schrijf bij een afwijzing de reden op; de ouder of leerling leest die."}
	case len([]rune(reason)) > 5000:
		return "", fault.FieldErrors{"reason": "De toelichting is te lang (hoogstens 5000 tekens)."}
	}
	return reason, nil
}

// DecideAVG is the school's answer to a request under the AVG: accepted
// (and acted on) or rejected with the reason, which the requester reads
// in the portal. It reports whether the pupil's data was erased.
//
// An accepted request for erasure deletes now what the law lets go: the
// dossier with everything in it, the guardians and their portal access
// (the retention run's term ends today). The enrolment record stays with
// its minimal fields (a legal duty) until its own term. While the pupil is
// at school the OPP is a legal duty too: accepting is refused with that
// reason, and so is it under a legal hold. The requester gets a mail: the
// portal shows nothing afterwards. An accepted restriction makes the data
// read-only from now on.
func (s *Retention) DecideAVG(ctx context.Context, actor Actor, lic platform.Licence, pupilID, id uuid.UUID, decision, reason string) (bool, error) {
	reason, err := avgAnswer(decision, reason, "de school")
	if err != nil {
		return false, err
	}
	uid := actor.UserID
	var req school.AvgRequest
	var to string // the requester's address, for the mail after an erasure
	err = s.tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		var err error
		if req, err = q.GetAVGRequest(ctx, id); err != nil {
			return db.Classify(err)
		}
		if req.PupilID != pupilID {
			return fault.ErrNotFound
		}
		if req.Kind != "erasure" || decision != "accepted" {
			return nil
		}
		p, err := q.GetPupil(ctx, pupilID)
		if err != nil {
			return db.Classify(err)
		}
		if p.LeftOn == nil {
			return fault.FieldErrors{"decision": "Verwijderen kan pas als de leerling is uitgeschreven: zolang de leerling op school " +
				"extra ondersteuning krijgt, is het OPP een wettelijke plicht (AVG art. 17 lid 3 onder b). Wijs het verzoek af " +
				"met die reden, of schrijf de leerling eerst uit."}
		}
		to, err = store.RequesterAddress(ctx, q, p, req.PartyKey)
		return err
	})
	if err != nil {
		return false, err
	}
	erase := req.Kind == "erasure" && decision == "accepted"
	if erase {
		if st := s.Status(ctx, lic.ID, workflows.RetentionDossier, pupilID); st != nil && st.Holds > 0 {
			return false, fault.FieldErrors{"decision": fmt.Sprintf("De gegevens worden om een wettelijke reden (bezwaar of geschil) bewaard tot %s "+
				"(zie het archief). Wijs het verzoek af met die reden.", st.DueAt.In(s.cfg.Location).Format("02-01-2006"))}
		}
	}
	retry := erase && req.Status == "accepted" // an earlier try recorded the answer; the erasure did not start
	if !retry {
		err = s.tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
			return db.InTx(ctx, pool, func(tx pgx.Tx) error {
				n, err := school.New(tx).DecideAVGRequest(ctx, school.DecideAVGRequestParams{ID: id, PupilID: pupilID, Status: decision,
					Reason: reason, DecidedBy: &uid})
				if err != nil {
					return err
				}
				if n == 0 {
					return fault.FieldErrors{"decision": "Dit verzoek is al beantwoord."}
				}
				e := actor.entry(ctx, pupilID, logbook.ActionUpdate, "avg_request")
				e.EntityID = id.String()
				if err := logbook.Append(ctx, tx, e); err != nil {
					return err
				}
				// The request's process is told in the same transaction.
				if err := store.EnqueueSignal(ctx, school.New(tx), workflows.AVGRequestWorkflowID(lic.ID.String(), id.String()),
					workflows.SignalAVGDecided, nil); err != nil {
					return err
				}
				if req.Kind != "restriction" || decision != "accepted" {
					return nil
				}
				// Honoured restriction: from now on kept and read only.
				now := time.Now()
				if _, err := school.New(tx).SetPupilRestricted(ctx, school.SetPupilRestrictedParams{ID: pupilID, RestrictedAt: &now}); err != nil {
					return err
				}
				return logbook.Append(ctx, tx, actor.entry(ctx, pupilID, logbook.ActionUpdate, "pupil_restricted"))
			})
		})
		if err != nil {
			return false, err
		}
		deliverSignals(ctx, s.tenants, s.temporal, s.logger, lic.ID, workflows.AVGRequestWorkflowID(lic.ID.String(), id.String()))
	}
	if !erase {
		return false, nil
	}
	if err := s.EraseNow(ctx, actor, lic.ID, pupilID, id); err != nil {
		return false, err
	}
	// Told once the erasure is under way: the portal shows nothing after.
	if to != "" {
		err = s.tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
			return school.New(pool).EnqueueMail(ctx, school.EnqueueMailParams{DedupeKey: "avg-erased:" + id.String(), ToAddress: to,
				Subject: "Uw verzoek om verwijdering is uitgevoerd", Body: erasureMail(lic.Name)})
		})
		if err != nil {
			return true, err
		}
		SendOutbox(ctx, s.temporal, s.logger, lic.ID)
	}
	return true, nil
}

// erasureMail is the answer to an honoured erasure; no child's name.
func erasureMail(schoolName string) string {
	return fmt.Sprintf("Beste ouder, verzorger of leerling,\n\n%s honoreert uw verzoek om verwijdering. Het dossier met de plannen, "+
		"instemmingen en bijlagen wordt nu verwijderd, net als de gegevens van de ouders en verzorgers en de toegang tot het portaal.\n\n"+
		"Wat de wet de school verplicht te bewaren, blijft: de inschrijving (naam, geboortedatum, datum van in- en uitschrijving), "+
		"tot vijf jaar na de uitschrijving.\n\nMet vriendelijke groet,\n%s\n", schoolName, schoolName)
}

// AVGRequests are the requests under the AVG about a pupil, for the
// school's pupil page.
func (s *Retention) AVGRequests(ctx context.Context, licenceID, pupilID uuid.UUID) ([]school.AvgRequest, error) {
	var out []school.AvgRequest
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		out, err = school.New(pool).ListAVGRequests(ctx, pupilID)
		return err
	})
	return out, err
}

// LiftRestriction ends a restriction of use: the reason for it fell away
// (the school tells the requester first, AVG art. 18(3)). A pupil not
// restricted (any more) has nothing to lift.
func (s *Retention) LiftRestriction(ctx context.Context, actor Actor, licenceID, pupilID uuid.UUID) error {
	return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			n, err := school.New(tx).SetPupilRestricted(ctx, school.SetPupilRestrictedParams{ID: pupilID})
			if err != nil || n == 0 {
				return err
			}
			return logbook.Append(ctx, tx, actor.entry(ctx, pupilID, logbook.ActionUpdate, "pupil_restriction_lifted"))
		})
	})
}
