package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/workflows"
)

var errNotLeft = errors.New("the pupil has not left the school")

// RetentionDue is when the term ends: Term after the pupil left. A pupil
// who is still at school has no end yet: an error no retry cures (the
// workflow is started when the pupil leaves, and cancelled on return).
func (a *Activities) RetentionDue(ctx context.Context, ref workflows.RetentionRef) (time.Time, error) {
	licenceID, pupilID, err := parseIDs(ref.LicenceID, ref.EntityID)
	if err != nil {
		return time.Time{}, err
	}
	var due time.Time
	if ref.Kind == workflows.RetentionKindRequest {
		// Term after the TLV's (or arrangement's) end, else after it closed.
		err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
			r, err := swv.New(pool).RequestRetentionStart(ctx, pupilID)
			if err != nil {
				return db.Classify(err)
			}
			due = law.TermEnd(r.Since, ref.Term)
			return nil
		})
		return due, wrap("retention due", err)
	}
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		p, err := school.New(pool).GetPupil(ctx, pupilID)
		if err != nil {
			return db.Classify(err)
		}
		if p.LeftOn == nil {
			return permanent(errNotLeft)
		}
		due = law.TermEnd(*p.LeftOn, ref.Term)
		return nil
	})
	return due, wrap("retention due", err)
}

// RecordRetention writes a retention step and its logbook line, once.
func (a *Activities) RecordRetention(ctx context.Context, ev workflows.RetentionEvent) error {
	licenceID, pupilID, err := parseIDs(ev.LicenceID, ev.EntityID)
	if err != nil {
		return err
	}
	var actor *uuid.UUID
	if ev.ActorID != "" {
		id, err := parseID("actor", ev.ActorID)
		if err != nil {
			return err
		}
		actor = &id
	}
	key := fmt.Sprintf("%s:%s:%s:%s", ev.Kind, pupilID, ev.What, ev.InputKey)
	if ev.Kind == workflows.RetentionKindRequest {
		// At the SWV the step is a logbook line about the request (its id
		// goes when the request does).
		err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
			return db.InTx(ctx, pool, func(tx pgx.Tx) error {
				return logbook.Append(ctx, tx, logbook.Entry{ActorID: actor, ActorRole: "system", Action: logbook.ActionProcess,
					Entity: "retention_" + ev.What, EntityID: pupilID.String()})
			})
		})
		return wrap("record retention", err)
	}
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			// A pupil already forgotten (the other term ended first, both
			// past at the start) gets no new line: nothing may name them.
			if _, err := school.New(tx).LockPupil(ctx, pupilID); errors.Is(db.Classify(err), fault.ErrNotFound) {
				return nil
			} else if err != nil {
				return err
			}
			var until *time.Time
			if !ev.Until.IsZero() {
				until = &ev.Until
			}
			due := ev.DueAt
			if err := school.New(tx).AddRetentionEvent(ctx, school.AddRetentionEventParams{Kind: ev.Kind, EntityID: pupilID, What: ev.What,
				DueAt: &due, Until: until, Reason: ev.Reason, ActorID: actor, EventKey: key}); err != nil {
				return err
			}
			role := "system"
			if actor != nil {
				role = "staff"
			}
			return logbook.Append(ctx, tx, logbook.Entry{ActorID: actor, ActorRole: role, Action: logbook.ActionProcess, PupilID: &pupilID,
				Entity: "retention_" + ev.What, EntityID: ev.Kind, RequestID: ev.InputKey})
		})
	})
	return wrap("record retention", err)
}

// ExpireRetention deletes what the term covered, in one transaction, and
// keeps one deletion record with anonymous counts:
//   - dossier: every dossier of the pupil with its sections, versions,
//     consent rounds and answers, attachments (their bytes live in the
//     database, so they go with it) and requests to the SWV; the
//     guardians, the AVG requests, the accounts' links to the pupil
//     (platform); the record keeps only names, birth date and the dates
//     of enrolment and leaving (minimised);
//   - enrolment: the same, then the pupil record itself with its process
//     steps and retention steps;
//
// and either way the logbook lines about the pupil lose their link to the
// pupil (logbook.Redact: the chain still verifies).
//
// Done before, it changes nothing.
func (a *Activities) ExpireRetention(ctx context.Context, ref workflows.RetentionRef) error {
	licenceID, pupilID, err := parseIDs(ref.LicenceID, ref.EntityID)
	if err != nil {
		return err
	}
	if ref.Kind == workflows.RetentionKindRequest {
		return a.expireRequest(ctx, licenceID, pupilID)
	}
	if ref.Kind != workflows.RetentionKindDossier && ref.Kind != workflows.RetentionKindEnrolment {
		return permanent(fmt.Errorf("retention kind %q", ref.Kind))
	}
	// The deletion record's key names no pupil: a hash of what expired.
	sum := sha256.Sum256([]byte("expire:" + ref.Kind + ":" + pupilID.String()))
	key := hex.EncodeToString(sum[:])
	// The portal's links first (with the dossier there is nothing left to
	// read): a retry after a failure below finds none and goes on.
	if err := platform.New(a.Tenants.Platform()).DeletePupilLinks(ctx, platform.DeletePupilLinksParams{LicenceID: licenceID,
		PupilID: pupilID}); err != nil {
		return wrap("expire retention", err)
	}
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			if done, err := q.DeletionRecorded(ctx, key); err != nil || done {
				return err
			}
			counts, err := q.CountPupilData(ctx, pupilID)
			if err != nil {
				return err
			}
			dossiers, err := q.DossierIDsOfPupil(ctx, pupilID)
			if err != nil {
				return err
			}
			if err := q.DeleteDossiersOfPupil(ctx, pupilID); err != nil {
				return err
			}
			// The guardians, the AVG requests and the pupil's own address go
			// with the dossier; the record keeps only what the enrolment
			// administration needs until its own term.
			requests, err := q.DeleteAVGRequestsOfPupil(ctx, pupilID)
			if err != nil {
				return err
			}
			if _, err := q.DeleteMailsAboutPupil(ctx, pupilID.String()); err != nil {
				return err
			}
			if err := q.DeleteGuardiansOfPupil(ctx, pupilID); err != nil {
				return err
			}
			if err := q.MinimisePupil(ctx, pupilID); err != nil {
				return err
			}
			steps := append(dossiers, requests...)
			rule := "dossier: 2 jaar na vertrek"
			if ref.Kind == workflows.RetentionKindEnrolment {
				rule = "inschrijving: 5 jaar na vertrek"
				steps = append(steps, pupilID)
				if err := q.DeleteRetentionEventsOf(ctx, pupilID); err != nil {
					return err
				}
				if err := q.DeletePupil(ctx, pupilID); err != nil {
					return err
				}
			}
			if _, err := logbook.Redact(ctx, tx, pupilID, ref.Kind); err != nil {
				return err
			}
			if err := q.DeleteProcessStepsOf(ctx, steps); err != nil {
				return err
			}
			summary, err := json.Marshal(counts)
			if err != nil {
				return err
			}
			return q.AddDeletionRecord(ctx, school.AddDeletionRecordParams{Kind: ref.Kind, Rule: rule, DeletedOn: time.Now().UTC(),
				Counts: summary, EventKey: key})
		})
	})
	return wrap("expire retention", err)
}

// FindRetentionOverdue lists, across every school licence, pupils whose
// dossiers or record outlived their term, and across every SWV licence
// the closed requests that outlived theirs: what a lost or failed
// retention workflow left behind. It reports ids only.
func (a *Activities) FindRetentionOverdue(ctx context.Context, in workflows.ReconcileInput) ([]workflows.RetentionOverdue, error) {
	licences, err := platform.New(a.Tenants.Platform()).ListActiveLicences(ctx)
	if err != nil {
		return nil, wrap("list licences", err)
	}
	now := time.Now().UTC()
	var out []workflows.RetentionOverdue
	for _, l := range licences {
		if l.Kind == platform.LicenceKindSwv {
			if in.TLV <= 0 {
				continue
			}
			err := a.Tenants.With(ctx, l.ID, func(pool *pgxpool.Pool) error {
				ids, err := swv.New(pool).RequestsPastTerm(ctx, law.TermStartedBefore(now, in.TLV))
				for _, id := range ids {
					out = append(out, workflows.RetentionOverdue{LicenceID: l.ID.String(), Kind: workflows.RetentionKindRequest, PupilID: id.String()})
				}
				return err
			})
			if err != nil {
				return out, wrap("find requests past their term", err)
			}
			continue
		}
		err := a.Tenants.With(ctx, l.ID, func(pool *pgxpool.Pool) error {
			rows, err := school.New(pool).PupilsPastTerm(ctx, school.PupilsPastTermParams{LeftBefore: law.TermStartedBefore(now, in.Dossier),
				EnrolmentBefore: law.TermStartedBefore(now, in.Enrolment)})
			if err != nil {
				return err
			}
			for _, r := range rows {
				if r.DossierDue {
					out = append(out, workflows.RetentionOverdue{LicenceID: l.ID.String(), Kind: workflows.RetentionKindDossier, PupilID: r.ID.String()})
				}
				if r.RecordDue {
					out = append(out, workflows.RetentionOverdue{LicenceID: l.ID.String(), Kind: workflows.RetentionKindEnrolment, PupilID: r.ID.String()})
				}
			}
			return nil
		})
		if err != nil {
			return out, wrap("find retention overdue", err)
		}
	}
	return out, nil
}

// expireRequest deletes a request at the SWV three years after its TLV
// ended: the request with its snapshots, attachments, events, advices,
// votes, decision and signed document, its process steps, and the SWV
// logbook's lines lose the request's id. One deletion record remains.
func (a *Activities) expireRequest(ctx context.Context, licenceID, requestID uuid.UUID) error {
	sum := sha256.Sum256([]byte("expire:tlv:" + requestID.String()))
	key := hex.EncodeToString(sum[:])
	err := a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := swv.New(tx)
			if done, err := q.SWVDeletionRecorded(ctx, key); err != nil || done {
				return err
			}
			r, err := q.GetRequest(ctx, requestID)
			kind := "onbekend"
			switch {
			case err == nil:
				kind = r.Kind
			case !errors.Is(err, pgx.ErrNoRows):
				return err
			}
			if err := q.DeleteAVGRequestSteps(ctx, requestID); err != nil {
				return err
			}
			if err := q.DeleteRequest(ctx, requestID); err != nil {
				return err
			}
			if err := q.DeleteRequestSteps(ctx, requestID); err != nil {
				return err
			}
			now := time.Now().UTC()
			n, err := q.RedactLogbookForEntity(ctx, swv.RedactLogbookForEntityParams{RedactedAt: &now, ID: requestID.String()})
			if err != nil {
				return err
			}
			if err := logbook.Append(ctx, tx, logbook.Entry{ActorRole: "system", Action: logbook.ActionRedact, Entity: "retention",
				EntityID: fmt.Sprintf("tlv:%d", n)}); err != nil {
				return err
			}
			counts, err := json.Marshal(map[string]any{"kind": kind, "logbook_lines": n})
			if err != nil {
				return err
			}
			return q.AddSWVDeletionRecord(ctx, swv.AddSWVDeletionRecordParams{Kind: "tlv", Rule: "3 jaar na het einde van de TLV",
				DeletedOn: now, Counts: counts, EventKey: key})
		})
	})
	return wrap("expire request", err)
}
