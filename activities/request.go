package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/temporal"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/swv"
	"github.com/topdossier/topdossier/documents"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/workflows"
)

// RecordRequestStep writes where a request stands into the SWV database:
// the projection, the request's status and a logbook line, in one
// transaction.
func (a *Activities) RecordRequestStep(ctx context.Context, in workflows.RequestStep) error {
	licenceID, requestID, err := parseIDs(in.LicenceID, in.EntityID)
	if err != nil {
		return err
	}
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := swv.New(tx)
			if err := q.UpsertProcessStep(ctx, swv.UpsertProcessStepParams{WorkflowID: in.WorkflowID, EntityKind: in.EntityKind,
				EntityID: requestID, Step: in.Step, WaitingFor: in.WaitingFor, DueAt: in.DueAt, Seq: in.Seq}); err != nil {
				return err
			}
			if err := q.SetRequestStatus(ctx, swv.SetRequestStatusParams{ID: requestID, Status: in.Step, ClosedReason: in.Reason}); err != nil {
				return err
			}
			return logbook.Append(ctx, tx, logbook.Entry{ActorRole: "system", Action: logbook.ActionProcess, Entity: "request_step",
				EntityID: fmt.Sprintf("%s:%s:%d", requestID, in.Step, in.Seq)})
		})
	})
	return wrap("record request step", err)
}

// Event kinds the school sees (the rest stays inside the SWV).
var schoolVisible = map[string]bool{"intake": true, "resubmit": true, "decision": true, "herinnering_onvolledig": true,
	"herinnering_heraanvraag": true, "withdrawal": true, "objection": true, "objection_decided": true, "evaluation": true, "handled": true}

// RecordRequest writes rec into the SWV database with its logbook line,
// once: a retried activity changes nothing the second time.
func (a *Activities) RecordRequest(ctx context.Context, rec workflows.RequestRecord) error {
	licenceID, requestID, err := parseIDs(rec.SWVLicenceID, rec.RequestID)
	if err != nil {
		return err
	}
	var actor *uuid.UUID
	if rec.ActorID != "" {
		id, err := parseID("actor", rec.ActorID)
		if err != nil {
			return err
		}
		actor = &id
	}
	eventKey := fmt.Sprintf("%s:%s:%s", requestID, rec.Kind, rec.InputKey)
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := swv.New(tx)
			if done, err := q.RequestEventExists(ctx, eventKey); err != nil || done {
				return err // done before: a retry changes nothing
			}
			input, err := q.TakeRequestInput(ctx, rec.InputKey)
			if err != nil {
				return err
			}
			kind, body := rec.Kind, input.Body
			switch rec.Kind {
			case "intake":
				kind = "intake_accepted"
				if !rec.Accept {
					kind = "intake_incomplete"
					break
				}
				// Accepted: to the school's consultant, unless one was set.
				req, err := q.GetRequest(ctx, requestID)
				if err != nil {
					return db.Classify(err)
				}
				consultant, err := platform.New(a.Tenants.Platform()).GetSchoolConsultant(ctx, req.SchoolLicenceID)
				switch {
				case err == nil:
					if err := q.SetRequestConsultant(ctx, swv.SetRequestConsultantParams{ID: requestID, ConsultantID: &consultant}); err != nil {
						return err
					}
				case !errors.Is(err, pgx.ErrNoRows):
					return err
				}
			case "advice":
				var outcome *string
				if rec.Outcome != "" {
					outcome = &rec.Outcome
				}
				if err := q.AddExpertAdvice(ctx, swv.AddExpertAdviceParams{RequestID: requestID, ExpertID: *actor,
					ExpertName: input.ActorName, Profession: rec.Profession, Advice: input.Body, SignedOffAt: rec.At, Outcome: outcome}); err != nil {
					return err
				}
				body = ""
			case "vote":
				if err := q.AddDecisionVote(ctx, swv.AddDecisionVoteParams{RequestID: requestID, MemberID: *actor, Chair: rec.Chair,
					Approve: rec.Approve, Motivation: input.Body, At: rec.At}); err != nil {
					return err
				}
				body = ""
			case "decision":
				// The motivation is the chair's.
				chairID, _, _ := strings.Cut(rec.InputKey, ":") // a decision taken anew carries its number after the chair
				chair, err := uuid.Parse(chairID)
				if err != nil {
					return errInvalid("chair", err)
				}
				vote, err := q.GetDecisionVote(ctx, swv.GetDecisionVoteParams{RequestID: requestID, MemberID: chair})
				if err != nil {
					return db.Classify(err)
				}
				p := swv.AddDecisionParams{RequestID: requestID, Approved: rec.Approve, Motivation: vote.Motivation, DecidedOn: rec.At}
				if rec.Approve {
					p.StartOn, p.EndOn = &rec.StartOn, &rec.EndOn
				}
				if err := q.AddDecision(ctx, p); err != nil {
					return err
				}
				body = map[bool]string{true: "toegekend", false: "afgewezen"}[rec.Approve]
			case "proposal":
				var category *string
				if rec.Category != "" {
					category = &rec.Category
				}
				if err := q.SetRequestProposal(ctx, swv.SetRequestProposalParams{ID: requestID, StartOn: rec.StartOn, EndOn: rec.EndOn,
					Category: category}); err != nil {
					return err
				}
				body = fmt.Sprintf("looptijd van %s tot en met %s", rec.StartOn.Format("02-01-2006"), rec.EndOn.Format("02-01-2006"))
				if rec.Category != "" {
					body += ", categorie " + rec.Category
				}
			case "category":
				category := rec.Category
				if err := q.SetRequestCategory(ctx, swv.SetRequestCategoryParams{ID: requestID, Category: &category}); err != nil {
					return err
				}
				body = "categorie " + rec.Category
			case "objection_decided":
				if rec.Anew {
					if _, err := q.ArchiveDecision(ctx, requestID); err != nil {
						return err
					}
					if err := q.DeleteDecisionVotes(ctx, requestID); err != nil {
						return err
					}
					if err := q.DeleteDecision(ctx, requestID); err != nil {
						return err
					}
					if err := q.ClearRequestProposal(ctx, requestID); err != nil {
						return err
					}
				}
			case "objection_decide_by":
				body = "Het samenwerkingsverband beslist op het bezwaar uiterlijk op " + rec.EndOn.In(law.Netherlands()).Format("02-01-2006") +
					" (artikel 7:10 Awb)."
			case "objection_extended":
				body = strings.TrimSpace("De beslissing op het bezwaar is verdaagd tot " + rec.EndOn.In(law.Netherlands()).Format("02-01-2006") +
					" (artikel 7:10 lid 3 Awb). " + input.Body)
			case "schedule":
				meeting, err := parseID("meeting", rec.MeetingID)
				if err != nil {
					return err
				}
				if err := q.SetRequestMeeting(ctx, swv.SetRequestMeetingParams{ID: requestID, MeetingID: &meeting}); err != nil {
					return err
				}
			case "evaluation":
				body = strings.TrimSpace(rec.Result + ": " + input.Body)
				body = strings.TrimSuffix(body, ":")
			}
			visibility := "internal"
			if schoolVisible[rec.Kind] || rec.Visibility == "school" {
				visibility = "school"
			}
			var due *time.Time
			if rec.Kind == "objection_decide_by" || rec.Kind == "objection_extended" {
				due = &rec.EndOn // the monitor counts whether the term was met
			}
			if err := q.AddRequestEvent(ctx, swv.AddRequestEventParams{RequestID: requestID, Kind: kind, Visibility: visibility,
				Body: body, ActorID: actor, DueAt: due, EventKey: eventKey, At: rec.At}); err != nil {
				return err
			}
			if rec.InputKey != "" {
				if err := q.DeleteRequestInput(ctx, rec.InputKey); err != nil {
					return err
				}
			}
			return logbook.Append(ctx, tx, logbook.Entry{At: rec.At, ActorID: actor, ActorRole: "swv", Action: logbook.ActionProcess,
				Entity: "request_" + kind, EntityID: requestID.String(), RequestID: rec.InputKey})
		})
	})
	if err != nil || rec.Kind != "decision" {
		return wrap("record request", err)
	}
	return a.emit(ctx, licenceID, store.EventRequestDecided, "decided:"+eventKey, rec.At, map[string]string{
		"request_id": requestID.String(), "outcome": map[bool]string{true: "granted", false: "refused"}[rec.Approve]})
}

func errInvalid(what string, err error) error {
	return permanent(fmt.Errorf("invalid %s: %w", what, err))
}

// permanent marks an error that no retry will cure.
func permanent(err error) error {
	return temporal.NewNonRetryableApplicationError(err.Error(), errInvalidInput, err)
}

// IssueDecision numbers, renders and signs the document of a granted TLV
// or arrangement with the SWV's certificate, in one transaction: a
// failure leaves no number used. Done before, it returns the number.
func (a *Activities) IssueDecision(ctx context.Context, in workflows.IssueDecisionInput) (string, error) {
	licenceID, requestID, err := parseIDs(in.SWVLicenceID, in.RequestID)
	if err != nil {
		return "", err
	}
	signerID, err := parseID("signer", in.SignerID)
	if err != nil {
		return "", err
	}
	pq := platform.New(a.Tenants.Platform())
	ident, err := pq.GetSigningIdentityForLicence(ctx, licenceID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", temporal.NewNonRetryableApplicationError("issue decision: no signing identity", fault.CodeSigningUnavailable, nil)
	}
	if err != nil {
		return "", wrap("issue decision: signing identity", err)
	}
	box, err := auth.NewSecretBox(a.SecretKey, "signing-key")
	if err != nil {
		return "", permanent(err)
	}
	keyDER, err := box.Open(ident.KeySealed)
	if err != nil {
		return "", permanent(fmt.Errorf("issue decision: open signing key: %w", err))
	}
	id, err := documents.ParseIdentity([]byte(ident.CertPem), []byte(keyDER))
	if err != nil {
		return "", permanent(err)
	}
	// An expired certificate signs nothing: no number is used, no
	// decision half issued.
	if err := documents.CheckIdentity(id, in.At); err != nil {
		return "", temporal.NewNonRetryableApplicationError("issue decision: "+err.Error(), fault.CodeSigningUnavailable, nil)
	}
	signer, err := pq.GetUser(ctx, signerID)
	if err != nil {
		return "", wrap("issue decision: signer", db.Classify(err))
	}
	var number string
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := swv.New(tx)
			req, err := q.GetRequest(ctx, requestID)
			if err != nil {
				return db.Classify(err)
			}
			dec, err := q.GetDecision(ctx, requestID)
			if err != nil {
				return db.Classify(err)
			}
			if dec.SignedPdf != nil {
				number = *dec.Number
				return nil
			}
			if dec.Approved && (dec.StartOn == nil || dec.EndOn == nil) {
				return permanent(errors.New("issue decision: granted without a term"))
			}
			prefix := map[string]string{"tlv": "TLV", "arrangement": "ARR"}[req.Kind]
			if prefix == "" {
				return permanent(fmt.Errorf("issue decision: no document for %s", req.Kind))
			}
			if !dec.Approved {
				prefix = "AFW" // a refusal is a decision too (Awb 1:3), numbered apart from the TLVs
			}
			year := in.At.Year()
			n, err := q.NextDocumentNumber(ctx, swv.NextDocumentNumberParams{Kind: prefix, Year: int32(year)})
			if err != nil {
				return err
			}
			number = fmt.Sprintf("%s-%d-%04d", prefix, year, n)
			advices, err := q.ListExpertAdvice(ctx, requestID)
			if err != nil {
				return err
			}
			doc := documents.DecisionDocument{Kind: req.Kind, Refused: !dec.Approved, Number: number, SWV: ident.SwvName, Pupil: req.PupilName,
				BirthDate: req.PupilBirthDate, School: req.SchoolName, SchoolType: deref(req.TlvType), Category: deref(req.TlvCategory),
				Support: req.Question, DecidedOn: dec.DecidedOn, Motivation: dec.Motivation,
				Signer: signer.DisplayName, Printed: in.At, ObjectionAddress: ident.ObjectionAddress, ObjectionEmail: ident.ObjectionEmail}
			if doc.Letterhead, err = store.Letterhead(ctx, platform.New(a.Tenants.Platform()), licenceID); err != nil {
				return err
			}
			if dec.Approved {
				doc.StartOn, doc.EndOn = *dec.StartOn, *dec.EndOn
			}
			for _, adv := range advices {
				doc.Experts = append(doc.Experts, documents.Expert{Name: adv.ExpertName, Profession: adv.Profession})
			}
			pdfBytes, err := documents.RenderDecisionPDF(doc)
			if err != nil {
				return permanent(err)
			}
			signed, err := documents.SignPDF(pdfBytes, id, documents.SignatureInfo{Name: signer.DisplayName, Reason: "Besluit " + number,
				Location: ident.SwvName, At: in.At})
			if err != nil {
				return permanent(err)
			}
			if err := q.StoreSignedDecision(ctx, swv.StoreSignedDecisionParams{RequestID: requestID, Number: &number, Pdf: pdfBytes,
				SignedPdf: signed, SignedBy: &signerID, SignedAt: &in.At}); err != nil {
				return err
			}
			return logbook.Append(ctx, tx, logbook.Entry{At: in.At, ActorID: &signerID, ActorRole: "swv_admin", Action: logbook.ActionCreate,
				Entity: "decision_document", EntityID: number})
		})
	})
	if err != nil {
		return number, wrap("issue decision", err)
	}
	return number, a.emit(ctx, licenceID, store.EventDecisionSigned, "signed:"+requestID.String()+":"+number, in.At, map[string]string{
		"request_id": requestID.String(), "number": number})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return strings.TrimSpace(*s)
}

// NotifyDecision tells the school (whoever prepared the request) and the
// guardians with parental authority that the SWV decided, by mail in the
// school's outbox; the mail names no child and says only where to read
// it. It returns the school licence whose outbox to send ("" when the
// request did not come from a school it can find).
func (a *Activities) NotifyDecision(ctx context.Context, in workflows.NotifyDecisionInput) (string, error) {
	licenceID, requestID, err := parseIDs(in.SWVLicenceID, in.RequestID)
	if err != nil {
		return "", err
	}
	var req swv.Request
	var dec swv.Decision
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		q := swv.New(pool)
		if req, err = q.GetRequest(ctx, requestID); err != nil {
			return db.Classify(err)
		}
		dec, err = q.GetDecision(ctx, requestID)
		return db.Classify(err)
	})
	if err != nil {
		return "", wrap("notify decision", err)
	}
	subject := "Besluit van het samenwerkingsverband"
	body := "Het samenwerkingsverband heeft besloten over een aanvraag van de school. Log in op TOP dossier om het besluit te lezen"
	if dec.SignedPdf != nil {
		body += " en het ondertekende besluit te downloaden"
	}
	body += ".\n\nBent u het niet eens met het besluit? Dan kunt u bezwaar maken bij het samenwerkingsverband, binnen zes weken " +
		"vanaf de dag na vandaag. De laatste dag staat bij het besluit in TOP dossier.\n"
	var to []string
	var schoolPupil uuid.UUID
	err = a.Tenants.With(ctx, req.SchoolLicenceID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		sr, err := q.GetSWVRequestByID(ctx, req.SchoolRequestID)
		if err != nil {
			return db.Classify(err)
		}
		schoolPupil = sr.PupilID
		guardians, err := q.ListGuardians(ctx, sr.PupilID)
		if err != nil {
			return err
		}
		pupil, err := q.GetPupil(ctx, sr.PupilID)
		if err != nil {
			return db.Classify(err)
		}
		// Of age, the pupil is told; the parents only when the pupil lets
		// them read on.
		adult := law.Reached(pupil.BirthDate, law.DecideAge, time.Now())
		if adult && pupil.Email != "" {
			to = append(to, pupil.Email)
		}
		for _, g := range guardians {
			if g.ParentalAuthority && g.Email != "" && (!adult || pupil.GuardiansGrantedAt != nil) {
				to = append(to, g.Email)
			}
		}
		if sr.CreatedBy != nil {
			if u, err := platform.New(a.Tenants.Platform()).GetUser(ctx, *sr.CreatedBy); err == nil && u.DisabledAt == nil {
				to = append(to, u.Email)
			}
		}
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			for _, addr := range to {
				if err := q.EnqueueMail(ctx, school.EnqueueMailParams{DedupeKey: decisionMailKey(requestID, dec, addr),
					ToAddress: addr, Subject: subject, Body: body}); err != nil {
					return err
				}
			}
			return logbook.Append(ctx, tx, logbook.Entry{ActorRole: "system", Action: logbook.ActionProcess, PupilID: &sr.PupilID,
				Entity: "swv_decision", EntityID: sr.ID.String()})
		})
	})
	if errors.Is(err, fault.ErrNotFound) {
		return "", nil // a request without its school's side: nothing to tell
	}
	if err != nil {
		return "", wrap("notify decision", err)
	}
	// The school's own event: its request, its pupil.
	outcome := map[bool]string{true: "granted", false: "refused"}[dec.Approved]
	if err := a.emit(ctx, req.SchoolLicenceID, store.EventRequestDecided, decisionMailKey(requestID, dec, "webhook"), dec.DecidedOn,
		map[string]string{"request_id": req.SchoolRequestID.String(), "pupil_id": schoolPupil.String(), "outcome": outcome}); err != nil {
		return "", err
	}
	return req.SchoolLicenceID.String(), nil
}

// DecisionMadeKnown records the bekendmaking of a request's decision and
// returns its objection term (law.ObjectionTerm); a retry keeps the first
// moment and returns the same term.
func (a *Activities) DecisionMadeKnown(ctx context.Context, in workflows.MadeKnownInput) (workflows.ObjectionTerm, error) {
	licenceID, requestID, err := parseIDs(in.SWVLicenceID, in.RequestID)
	if err != nil {
		return workflows.ObjectionTerm{}, err
	}
	if in.Window <= 0 || in.At.IsZero() {
		return workflows.ObjectionTerm{}, nonRetryable(fault.FieldErrors{"window": "objection window or moment missing"})
	}
	last, _ := law.ObjectionTerm(in.At, in.Window)
	var at time.Time
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		at, err = swv.New(pool).SetDecisionMadeKnown(ctx, swv.SetDecisionMadeKnownParams{RequestID: requestID, MadeKnownAt: in.At,
			ObjectionUntil: last})
		return db.Classify(err)
	})
	if err != nil {
		return workflows.ObjectionTerm{}, wrap("decision made known", err)
	}
	last, ends := law.ObjectionTerm(at, in.Window)
	return workflows.ObjectionTerm{LastDay: last, EndsAt: ends}, nil
}

// decisionMailKey makes a decision's mail to addr once; a decision taken
// anew after an upheld objection (another number) is mailed again.
func decisionMailKey(requestID uuid.UUID, dec swv.Decision, addr string) string {
	if dec.Number != nil {
		return fmt.Sprintf("decision:%s:%s:%s", requestID, *dec.Number, addr)
	}
	return fmt.Sprintf("decision:%s:%s", requestID, addr)
}
