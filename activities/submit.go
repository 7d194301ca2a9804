package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/temporal"

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

// CopyRequestToSWV copies one inzage round of a school's request into the
// SWV's database in one transaction there: the request, the snapshot the
// guardians saw with their views, and the attachments every party let go.
// Each write is keyed by (request, round), so a retry writes nothing
// twice. It reads the school's database and writes the SWV's; it never
// writes the school's.
func (a *Activities) CopyRequestToSWV(ctx context.Context, in workflows.CopyRequestInput) (workflows.CopiedRequest, error) {
	var out workflows.CopiedRequest
	schoolLicenceID, requestID, err := parseIDs(in.SchoolLicenceID, in.SchoolRequestID)
	if err != nil {
		return out, err
	}
	dossierID, err := parseID("dossier", in.DossierID)
	if err != nil {
		return out, err
	}
	swvLicenceID, err := parseID("SWV licence", in.SWVLicenceID)
	if err != nil {
		return out, err
	}
	pupilID, err := parseID("pupil", in.PupilID)
	if err != nil {
		return out, err
	}
	lic, err := platform.New(a.Tenants.Platform()).GetLicence(ctx, schoolLicenceID)
	if err != nil {
		return out, wrap("read school licence", err)
	}
	var req school.SwvRequest
	var snap plan.RequestSnapshot
	var shared []school.Attachment
	err = a.Tenants.With(ctx, schoolLicenceID, func(pool *pgxpool.Pool) error {
		return pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
			q := school.New(tx)
			if err := refuseRestricted(ctx, q, pupilID); err != nil {
				return err // sharing is a use of the data
			}
			var err error
			if req, err = q.GetSWVRequest(ctx, school.GetSWVRequestParams{ID: requestID, DossierID: dossierID}); err != nil {
				return fmt.Errorf("read request: %w", db.Classify(err))
			}
			if err := decodeJSON(req.Snapshot, &snap); err != nil {
				return err
			}
			parties, err := q.ListSWVRequestParties(ctx, requestID)
			if err != nil {
				return err
			}
			shares, err := q.ListAttachmentShares(ctx, requestID)
			if err != nil {
				return err
			}
			letGo := store.SharesOf(shares)
			var kept []plan.SnapshotAttachment
			for _, at := range snap.Attachments {
				id, err := uuid.Parse(at.ID)
				if err != nil || !store.SharedByAll(parties, letGo[at.ID]) {
					continue
				}
				f, err := q.GetAttachment(ctx, school.GetAttachmentParams{ID: id, DossierID: dossierID})
				if err != nil {
					return fmt.Errorf("read attachment: %w", db.Classify(err))
				}
				kept, shared = append(kept, at), append(shared, f)
			}
			snap.Attachments = kept
			for _, p := range parties {
				if strings.TrimSpace(p.View) != "" {
					snap.ViewOfParents = append(snap.ViewOfParents, p.View)
				}
				if p.Answer == nil {
					snap.Unanswered++
				}
			}
			// Silence does not block an arrangement or a TLV: the SWV
			// reads that no view was given.
			snap.NoViewGiven = len(snap.ViewOfParents) == 0
			return nil
		})
	})
	if err != nil {
		return out, wrap("read request to submit", err)
	}
	if req.Round != in.Submission {
		// The school put the request out for inzage again meanwhile: this
		// round is not the one the guardians last saw.
		return out, permanent(fmt.Errorf("request %s is in round %d, not %d", requestID, req.Round, in.Submission))
	}
	content, err := json.Marshal(snap)
	if err != nil {
		return out, permanent(err)
	}
	birth, _ := time.Parse(time.DateOnly, snap.BirthDate)
	var swvReq swv.Request
	err = a.Tenants.With(ctx, swvLicenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := swv.New(tx)
			var err error
			swvReq, err = q.CreateRequest(ctx, swv.CreateRequestParams{SchoolLicenceID: schoolLicenceID, SchoolRequestID: requestID,
				SchoolName: lic.Name, Kind: req.Kind, TlvType: req.TlvType, TlvCategory: req.TlvCategory, PupilName: snap.PupilName,
				PupilBirthDate: birth, Question: req.Question})
			if err != nil {
				return err
			}
			if err := q.SetRequestSubmission(ctx, swv.SetRequestSubmissionParams{ID: swvReq.ID, Submission: in.Submission}); err != nil {
				return err
			}
			if err := q.AddSnapshot(ctx, swv.AddSnapshotParams{RequestID: swvReq.ID, Submission: in.Submission, Content: content}); err != nil {
				return err
			}
			for _, f := range shared {
				if err := q.AddRequestAttachment(ctx, swv.AddRequestAttachmentParams{ID: f.ID, RequestID: swvReq.ID, Submission: in.Submission,
					FileName: f.FileName, ContentType: f.ContentType, Data: f.Content}); err != nil {
					return err
				}
			}
			return logbook.Append(ctx, tx, logbook.Entry{ActorRole: "school", Action: logbook.ActionCreate, Entity: "request_submission",
				EntityID: fmt.Sprintf("%s:%d", swvReq.ID, in.Submission), RequestID: in.RequestID})
		})
	})
	if err != nil {
		return out, wrap("copy request to SWV", err)
	}
	return workflows.CopiedRequest{SWVRequestID: swvReq.ID.String(), Resubmit: req.SwvRequestID != nil}, nil
}

// ResubmitRequest asks the SWV's process to take the completed request
// back in. A refusal (the request is not waiting for the school) ends the
// submission with the refusal's code; Temporal being away is retried.
func (a *Activities) ResubmitRequest(ctx context.Context, in workflows.ResubmitRequestInput) error {
	err := temporalx.Update(ctx, a.Temporal, workflows.RequestWorkflowID(in.SWVLicenceID, in.SWVRequestID), in.UpdateID,
		workflows.UpdateRequestResubmit, nil, workflows.RequestAction{RequestID: in.UpdateID, ActorID: in.ActorID})
	var refusal *fault.Refusal
	switch {
	case errors.As(err, &refusal):
		return temporal.NewNonRetryableApplicationError("resubmission refused", refusal.Code, err)
	case errors.Is(err, fault.ErrNoProcess):
		return temporal.NewNonRetryableApplicationError("the request's process ended", fault.CodeRequestClosed, err)
	}
	return err
}

// MarkRequestSubmitted marks the school's request submitted to the SWV's
// request, with the logbook line of the sharing, once.
func (a *Activities) MarkRequestSubmitted(ctx context.Context, in workflows.MarkRequestSubmittedInput) error {
	schoolLicenceID, requestID, err := parseIDs(in.SchoolLicenceID, in.SchoolRequestID)
	if err != nil {
		return err
	}
	dossierID, err := parseID("dossier", in.DossierID)
	if err != nil {
		return err
	}
	pupilID, err := parseID("pupil", in.PupilID)
	if err != nil {
		return err
	}
	swvLicenceID, swvRequestID, err := parseIDs(in.SWVLicenceID, in.SWVRequestID)
	if err != nil {
		return err
	}
	actor := actorOf(in.ActorID)
	err = a.Tenants.With(ctx, schoolLicenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			req, err := q.GetSWVRequestForUpdate(ctx, school.GetSWVRequestForUpdateParams{ID: requestID, DossierID: dossierID})
			if err != nil {
				return db.Classify(err)
			}
			if req.Status == "submitted" {
				return nil // marked before: a retry
			}
			if err := q.SubmitSWVRequest(ctx, school.SubmitSWVRequestParams{ID: requestID, SwvLicenceID: &swvLicenceID,
				SwvRequestID: &swvRequestID}); err != nil {
				return err
			}
			return logbook.Append(ctx, tx, logbook.Entry{ActorID: actor, ActorRole: in.ActorRole, Action: logbook.ActionShare,
				PupilID: &pupilID, Entity: "swv_request", EntityID: requestID.String(), RequestID: in.RequestID})
		})
	})
	return wrap("mark request submitted", err)
}
