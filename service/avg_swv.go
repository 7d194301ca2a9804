package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/swv"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/workflows"
)

// Requests under the AVG made to an SWV about what it holds (AVG art.
// 16–18 and 21; the copy of art. 15 is Portal.SWVCopy). The requester is
// a guardian with parental authority or the pupil from the share age, in
// the portal; the request concerns one of the pupil's requests the school
// sent to the SWV. The SWV's admin answers within a month (art. 12(3)):
//
//   - correction (art. 16): honoured, the requester's statement is added
//     to the request's file (the "aanvullende verklaring"), read by
//     everyone who reads the file; the answer says what was corrected.
//     A decision itself is changed only on objection (Awb), not here.
//   - erasure (art. 17): honoured only once the SWV no longer needs the
//     data for its legal task (art. 17(3)(b)): the request is closed, no
//     decision is in force or open to objection, and no legal hold runs.
//     Then the request goes today (its retention run's erase update).
//   - restriction (art. 18) and objection (art. 21): honoured, the request
//     is kept and read but nobody at the SWV works on it (every step,
//     note, action and expert question is refused) until the admin lifts
//     it.
//
// Every step is in the SWV's logbook and the ask in the school's.

// SWVTarget is a request the school sent to an SWV, as the portal offers
// it for a request under the AVG.
type SWVTarget struct {
	SchoolRequestID uuid.UUID
	SWV             string
	Kind            string
	SubmittedAt     time.Time
}

// SWVAVGLine is one of the reader's requests under the AVG at an SWV.
type SWVAVGLine struct {
	SWV string
	swv.AvgRequest
}

// SWVRights is what the portal shows about the reader's rights at the
// SWV: the requests they can ask about and what they asked.
type SWVRights struct {
	Targets []SWVTarget
	Asked   []SWVAVGLine
}

// sentSWVRequests are the pupil's requests the school sent to an SWV
// (with the SWV's licence and request id), newest first per dossier.
func sentSWVRequests(ctx context.Context, q *school.Queries, pupilID uuid.UUID) ([]school.SwvRequest, error) {
	dossiers, err := q.ListDossiersOfPupil(ctx, pupilID)
	if err != nil {
		return nil, err
	}
	var sent []school.SwvRequest
	for _, d := range dossiers {
		reqs, err := q.ListSWVRequests(ctx, d.ID)
		if err != nil {
			return nil, err
		}
		for _, r := range reqs {
			if r.SwvLicenceID != nil && r.SwvRequestID != nil {
				sent = append(sent, r)
			}
		}
	}
	return sent, nil
}

// SWVRights reads, for the portal, the pupil's requests at SWVs and the
// reader's requests under the AVG about them. A guardian without parental
// authority has no rights to exercise: nothing.
func (s *Retention) SWVRights(ctx context.Context, u Reader, licenceID, pupilID uuid.UUID) (SWVRights, error) {
	var out SWVRights
	if !u.CanAnswer {
		return out, nil
	}
	var sent []school.SwvRequest
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		sent, err = sentSWVRequests(ctx, school.New(pool), pupilID)
		return err
	})
	if err != nil {
		return out, err
	}
	bySWV := map[uuid.UUID][]uuid.UUID{}
	names := map[uuid.UUID]string{}
	for _, r := range sent {
		name, ok := names[*r.SwvLicenceID]
		if !ok {
			lic, err := platform.New(s.tenants.Platform()).GetLicence(ctx, *r.SwvLicenceID)
			if err != nil {
				return out, db.Classify(err)
			}
			name, names[*r.SwvLicenceID] = lic.Name, lic.Name
		}
		at := r.CreatedAt
		if r.SubmittedAt != nil {
			at = *r.SubmittedAt
		}
		out.Targets = append(out.Targets, SWVTarget{SchoolRequestID: r.ID, SWV: name, Kind: r.Kind, SubmittedAt: at})
		bySWV[*r.SwvLicenceID] = append(bySWV[*r.SwvLicenceID], *r.SwvRequestID)
	}
	for swvID, ids := range bySWV {
		err := s.tenants.With(ctx, swvID, func(pool *pgxpool.Pool) error {
			rows, err := swv.New(pool).ListAVGRequestsOf(ctx, swv.ListAVGRequestsOfParams{RequestIds: ids, PartyKey: u.PartyKey})
			for _, r := range rows {
				out.Asked = append(out.Asked, SWVAVGLine{SWV: names[swvID], AvgRequest: r})
			}
			return err
		})
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// AskSWVAVG records a request under the AVG to the SWV about one of the
// pupil's requests the school sent it (schoolRequestID, the school's id),
// from a guardian with authority or the pupil (u), and starts its term.
func (s *Retention) AskSWVAVG(ctx context.Context, actor Actor, u Reader, licenceID, pupilID, schoolRequestID uuid.UUID, kind, body string) error {
	if !u.CanAnswer {
		return fault.ErrNotFound
	}
	body, err := avgForm(kind, body)
	if err != nil {
		return err
	}
	var target *school.SwvRequest
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		sent, err := sentSWVRequests(ctx, school.New(pool), pupilID)
		for i, r := range sent {
			if r.ID == schoolRequestID {
				target = &sent[i]
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	if target == nil {
		return fault.FieldErrors{"avg_to": "Kies bij wie u het verzoek doet."}
	}
	swvID, requestID := *target.SwvLicenceID, *target.SwvRequestID
	var ar swv.AvgRequest
	err = s.tenants.With(ctx, swvID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			var err error
			if ar, err = swv.New(tx).CreateAVGRequest(ctx, swv.CreateAVGRequestParams{RequestID: requestID, Kind: kind, PartyKey: u.PartyKey,
				Body: body, DueAt: time.Now().Add(s.cfg.AVGRespondWithin)}); err != nil {
				return db.Classify(err)
			}
			return logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionCreate, "avg_request", avgEntityID(requestID, ar.ID)))
		})
	})
	if err != nil {
		return err
	}
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			e := actor.entry(ctx, pupilID, logbook.ActionCreate, "avg_request_swv")
			e.EntityID = schoolRequestID.String()
			return logbook.Append(ctx, tx, e)
		})
	})
	if err != nil {
		return err
	}
	if err := workflows.StartAVGRequest(ctx, s.temporal, workflows.AVGRequestInput{LicenceID: swvID.String(), RequestID: ar.ID.String(),
		RespondWithin: s.cfg.AVGRespondWithin, AtSWV: true}); err != nil {
		// The request is stored and on the SWV's list; the term's
		// reminder and the mail with the answer are what is missing.
		s.logger.ErrorContext(ctx, "swv avg request workflow not started", "err", err)
	}
	return nil
}

// avgEntityID names an AVG request in the SWV's logbook under its
// request, so the request's retention redacts it with the rest.
func avgEntityID(requestID, avgID uuid.UUID) string {
	return fmt.Sprintf("%s:avg:%s", requestID, avgID)
}

// SWVAVGRequests is the SWV's list of requests under the AVG: open ones
// first (earliest term first), then those answered in the last year. The
// read is a line in the SWV's logbook.
func (s *Retention) SWVAVGRequests(ctx context.Context, actor Actor, licenceID uuid.UUID) ([]swv.ListAVGRequestsForSWVRow, error) {
	var out []swv.ListAVGRequestsForSWVRow
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			var err error
			if out, err = swv.New(tx).ListAVGRequestsForSWV(ctx); err != nil {
				return err
			}
			return logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionView, "avg_request_list", fmt.Sprint(len(out))))
		})
	})
	return out, err
}

// DecideSWVAVG is the SWV's answer to a request under the AVG (see the
// rules above). The answer is written with its consequence in one
// transaction; the request's workflow is told after the commit (and reads
// the answer itself at the end of the term should that fail), then mails
// the requester and carries out an honoured erasure.
func (s *Retention) DecideSWVAVG(ctx context.Context, actor Actor, licenceID, id uuid.UUID, decision, reason string) error {
	reason, err := avgAnswer(decision, reason, "het samenwerkingsverband")
	if err != nil {
		return err
	}
	var ar swv.AvgRequest
	var dec *swv.Decision
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		q := swv.New(pool)
		if ar, err = q.GetAVGRequest(ctx, id); err != nil {
			return db.Classify(err)
		}
		d, err := q.GetDecision(ctx, ar.RequestID)
		switch {
		case err == nil:
			dec = &d
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	if ar.Status != "open" {
		return fault.FieldErrors{"decision": "Dit verzoek is al beantwoord."}
	}
	if ar.Kind == "erasure" && decision == "accepted" {
		if err := s.erasable(ctx, licenceID, ar.RequestID, dec); err != nil {
			return err
		}
	}
	uid := actor.UserID
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := swv.New(tx)
			n, err := q.DecideAVGRequest(ctx, swv.DecideAVGRequestParams{ID: id, Status: decision, Reason: reason, DecidedBy: &uid})
			if err != nil {
				return err
			}
			if n == 0 {
				return fault.FieldErrors{"decision": "Dit verzoek is al beantwoord."}
			}
			if err := logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionUpdate, "avg_request", avgEntityID(ar.RequestID, id))); err != nil {
				return err
			}
			if decision != "accepted" {
				return nil
			}
			switch ar.Kind {
			case "correction":
				// Art. 16: the requester's statement joins the file.
				return q.AddRequestEvent(ctx, swv.AddRequestEventParams{RequestID: ar.RequestID, Kind: "avg_correction", Visibility: "internal",
					Body: ar.Body, ActorID: &uid, EventKey: "avg:" + id.String(), At: time.Now()})
			case "restriction", "objection":
				now := time.Now()
				if _, err := q.SetRequestRestricted(ctx, swv.SetRequestRestrictedParams{ID: ar.RequestID, RestrictedAt: &now}); err != nil {
					return err
				}
				return logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionUpdate, "request_restricted", ar.RequestID.String()))
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	wid := workflows.AVGRequestWorkflowID(licenceID.String(), id.String())
	if err := s.temporal.SignalWorkflow(ctx, wid, "", workflows.SignalAVGDecided, nil); err != nil {
		// The workflow reads the answer at the end of the term and daily
		// after; the mail and an erasure follow then.
		s.logger.WarnContext(ctx, "swv avg request: signal not sent", "err", err)
	}
	return nil
}

// erasable refuses an honoured erasure while the SWV still needs the
// request for its legal task (AVG art. 17(3)(b) with WPO 18a/WVO 17a and
// the Awb): the request is open, its decision is in force or still open
// to objection, or a legal hold runs.
func (s *Retention) erasable(ctx context.Context, licenceID, requestID uuid.UUID, dec *swv.Decision) error {
	loc := s.cfg.Location
	today := Today(loc)
	refuse := func(why string) error {
		return fault.FieldErrors{"decision": why + " Wijs het verzoek af met die reden (AVG art. 17 lid 3 onder b)."}
	}
	st := s.Status(ctx, licenceID, workflows.RetentionRequest, requestID)
	switch {
	case st == nil:
		return refuse("De aanvraag loopt nog: het samenwerkingsverband heeft de gegevens nodig om te beslissen en het besluit uit te voeren.")
	case st.Holds > 0:
		return refuse(fmt.Sprintf("De gegevens worden om een wettelijke reden (bezwaar of geschil) bewaard tot %s.", st.DueAt.In(loc).Format("02-01-2006")))
	case dec != nil && dec.Approved && dec.EndOn != nil && !dec.EndOn.Before(today):
		return refuse(fmt.Sprintf("Het besluit geldt nog tot en met %s: zolang hebben school en samenwerkingsverband het nodig.", dec.EndOn.Format("02-01-2006")))
	case dec != nil && dec.ObjectionUntil != nil && !dec.ObjectionUntil.Before(today):
		return refuse(fmt.Sprintf("Tegen het besluit kan nog bezwaar worden gemaakt tot en met %s.", dec.ObjectionUntil.Format("02-01-2006")))
	}
	return nil
}

// LiftSWVRestriction ends a restriction of a request's use: the reason
// fell away (the SWV tells the requester first, AVG art. 18(3)).
func (s *Retention) LiftSWVRestriction(ctx context.Context, actor Actor, licenceID, requestID uuid.UUID) error {
	return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			n, err := swv.New(tx).SetRequestRestricted(ctx, swv.SetRequestRestrictedParams{ID: requestID})
			if err != nil || n == 0 {
				return err
			}
			return logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionUpdate, "request_restriction_lifted", requestID.String()))
		})
	})
}
