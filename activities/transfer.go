package activities

import (
	"context"
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
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/workflows"
)

// The transfer's activities are the only code that reads one school's
// database and writes another's: the sending school's package goes to
// the receiving school's database here, nowhere else.

// TransferProcesses starts the processes of a pupil and dossier that came
// with a transfer (service.Transfers), with the receiving school's
// settings.
type TransferProcesses interface {
	StartReceived(ctx context.Context, licenceID, pupilID, dossierID uuid.UUID) error
}

// errNoTransfers: the worker was built without the transfer service.
var errNoTransfers = errors.New("worker without transfer processes")

type transferIDs struct {
	from, to, transfer, dossier, pupil uuid.UUID
}

func parseTransfer(in workflows.TransferInput) (transferIDs, error) {
	var ids transferIDs
	var err error
	for _, p := range []struct {
		what string
		s    string
		to   *uuid.UUID
	}{{"licence", in.FromLicenceID, &ids.from}, {"licence", in.ToLicenceID, &ids.to}, {"transfer", in.TransferID, &ids.transfer},
		{"dossier", in.DossierID, &ids.dossier}, {"pupil", in.PupilID, &ids.pupil}} {
		if *p.to, err = parseID(p.what, p.s); err != nil {
			return ids, err
		}
	}
	return ids, nil
}

// TransferConsentState reads where the parties' answers stand: every one
// agreed, or one refused.
func (a *Activities) TransferConsentState(ctx context.Context, in workflows.TransferInput) (workflows.TransferConsent, error) {
	var out workflows.TransferConsent
	ids, err := parseTransfer(in)
	if err != nil {
		return out, err
	}
	err = a.Tenants.With(ctx, ids.from, func(pool *pgxpool.Pool) error {
		parties, err := school.New(pool).ListTransferParties(ctx, ids.transfer)
		if err != nil {
			return err
		}
		out.Agreed = len(parties) > 0
		for _, p := range parties {
			switch {
			case p.Answer == nil:
				out.Agreed = false
			case *p.Answer == "refuse":
				out.Refused = true
			}
		}
		out.Agreed = out.Agreed && !out.Refused
		return nil
	})
	return out, wrap("read transfer consent", err)
}

// sentPackage is the package as it goes: the attachments every party let
// go, with their bytes, and the onderwijskundig rapport.
type sentPackage struct {
	out    school.TransferOut
	pkg    plan.TransferPackage
	files  []school.Attachment
	report []byte
}

// readSent reads what goes from the sending school's database (read
// only; nothing there changes).
func (a *Activities) readSent(ctx context.Context, ids transferIDs, withFiles bool) (sentPackage, error) {
	var s sentPackage
	err := a.Tenants.With(ctx, ids.from, func(pool *pgxpool.Pool) error {
		return pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
			q := school.New(tx)
			var err error
			if s.out, err = q.GetTransferOut(ctx, ids.transfer); err != nil {
				return db.Classify(err)
			}
			if err := json.Unmarshal(s.out.Package, &s.pkg); err != nil {
				return permanent(fmt.Errorf("transfer package: %w", err))
			}
			parties, err := q.ListTransferParties(ctx, ids.transfer)
			if err != nil {
				return err
			}
			shares, err := q.ListTransferShares(ctx, ids.transfer)
			if err != nil {
				return err
			}
			letGo := map[string]map[string]bool{}
			for _, sh := range shares {
				if letGo[sh.AttachmentID.String()] == nil {
					letGo[sh.AttachmentID.String()] = map[string]bool{}
				}
				letGo[sh.AttachmentID.String()][sh.PartyKey] = sh.Share
			}
			s.pkg = s.pkg.KeepAttachments(func(id string) bool {
				for _, p := range parties {
					if !letGo[id][p.PartyKey] {
						return false
					}
				}
				return len(parties) > 0
			})
			s.report = s.out.ReportPdf
			if !withFiles {
				return nil
			}
			for _, at := range s.pkg.Attachments {
				id, err := uuid.Parse(at.ID)
				if err != nil {
					continue
				}
				f, err := q.GetAttachment(ctx, school.GetAttachmentParams{ID: id, DossierID: ids.dossier})
				if errors.Is(err, pgx.ErrNoRows) {
					continue // removed since: it does not go
				}
				if err != nil {
					return err
				}
				s.files = append(s.files, f)
			}
			return nil
		})
	})
	return s, err
}

// OfferTransfer offers the transfer to the receiving school: who is
// coming and what would come, by name. The plan itself stays at the
// sending school until the receiving school accepts.
func (a *Activities) OfferTransfer(ctx context.Context, in workflows.TransferStepInput) error {
	ids, err := parseTransfer(in.TransferInput)
	if err != nil {
		return err
	}
	sent, err := a.readSent(ctx, ids, false)
	if err != nil {
		return wrap("read transfer", err)
	}
	from, err := platform.New(a.Tenants.Platform()).GetLicence(ctx, ids.from)
	if err != nil {
		return wrap("read sending licence", err)
	}
	offer, err := json.Marshal(sent.pkg.Offer())
	if err != nil {
		return permanent(err)
	}
	birth, _ := time.Parse(time.DateOnly, sent.pkg.Pupil.BirthDate)
	// Those who decide at the receiving school are told by mail, without
	// the pupil's name: the page shows who.
	var deciders []platform.ListStaffToRemindRow
	for _, role := range []platform.StaffRole{platform.StaffRoleIb, platform.StaffRoleSchoolAdmin} {
		people, err := platform.New(a.Tenants.Platform()).ListStaffToRemind(ctx, platform.ListStaffToRemindParams{UserIds: []uuid.UUID{},
			LicenceID: &ids.to, Role: role})
		if err != nil {
			return wrap("read the receiving school's staff", err)
		}
		deciders = append(deciders, people...)
	}
	err = a.Tenants.With(ctx, ids.to, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			n, err := q.CreateTransferIn(ctx, school.CreateTransferInParams{ID: ids.transfer, FromLicenceID: ids.from,
				FromName: from.Name, PupilName: sent.pkg.Pupil.Name(), BirthDate: &birth, Offer: offer})
			if err != nil || n == 0 {
				return err // offered before: a retry
			}
			body := from.Name + " wil het plan van een leerling aan uw school overdragen; de ouders gaven toestemming. " +
				"Bekijk de overdracht en neem hem aan of niet: " + a.Mail.SiteURL + "/licenties/" + ids.to.String() + "/overdrachten\n"
			for _, p := range deciders {
				if err := q.EnqueueMail(ctx, school.EnqueueMailParams{DedupeKey: fmt.Sprintf("transfer-in:%s:%s", ids.transfer, p.Email),
					ToAddress: p.Email, Subject: "Een overdracht aangeboden aan uw school", Body: body}); err != nil {
					return err
				}
			}
			return logbook.Append(ctx, tx, logbook.Entry{ActorRole: "system", Action: logbook.ActionCreate, Entity: "transfer_in",
				EntityID: ids.transfer.String(), RequestID: in.RequestID})
		})
	})
	if err != nil {
		return wrap("offer transfer", err)
	}
	if len(deciders) > 0 && a.Temporal != nil {
		if err := workflows.StartSendOutbox(ctx, a.Temporal, ids.to.String()); err != nil {
			return fmt.Errorf("send the receiving school's mail: %w", err)
		}
	}
	if err := a.noticeSWVs(ctx, ids, workflows.TransferStepOffered); err != nil {
		return wrap("tell the SWV", err)
	}
	return wrap("mark transfer offered", a.moveTransferOut(ctx, ids, in, workflows.TransferStepOffered, "", logbook.ActionShare, nil))
}

// moveTransferOut moves the sending school's transfer on from an open
// step, with its logbook line and, when given, a mail to the parties.
func (a *Activities) moveTransferOut(ctx context.Context, ids transferIDs, in workflows.TransferStepInput, step, reason, action string,
	mail func(ctx context.Context, q *school.Queries, parties []school.ListTransferPartiesRow) error) error {
	role := in.ActorRole
	actor := actorOf(in.ActorID)
	if step == workflows.TransferStepDeclined || step == workflows.TransferStepAccepted {
		// The receiving school acted: at the sending school it is "the
		// other school", not one of its own people.
		role, actor = "school", nil
	}
	if role == "" {
		role = "system"
	}
	return a.Tenants.With(ctx, ids.from, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			from := []string{workflows.TransferStepConsent, workflows.TransferStepOffered}
			n, err := q.SetTransferOutStatus(ctx, school.SetTransferOutStatusParams{ID: ids.transfer, Status: step, Reason: reason,
				FromStatuses: from})
			if err != nil || n == 0 {
				return err // moved before: a retry
			}
			pupil := ids.pupil
			if err := logbook.Append(ctx, tx, logbook.Entry{ActorID: actor, ActorRole: role, Action: action, PupilID: &pupil,
				Entity: "transfer", EntityID: fmt.Sprintf("%s:%s", ids.transfer, step), RequestID: in.RequestID}); err != nil {
				return err
			}
			if mail == nil {
				return nil
			}
			parties, err := q.ListTransferParties(ctx, ids.transfer)
			if err != nil {
				return err
			}
			return mail(ctx, q, parties)
		})
	})
}

// CloseTransfer ends a transfer without the plan going: refused by a
// party, lapsed, withdrawn by the sending school or declined by the
// receiving school. An offer at the receiving school is closed there
// first, and who it was about wiped.
func (a *Activities) CloseTransfer(ctx context.Context, in workflows.TransferStepInput) error {
	ids, err := parseTransfer(in.TransferInput)
	if err != nil {
		return err
	}
	reason := ""
	if in.Step == workflows.TransferStepDeclined || in.Step == workflows.TransferStepWithdrawn {
		role, actor := in.ActorRole, actorOf(in.ActorID)
		if in.Step == workflows.TransferStepWithdrawn {
			role, actor = "school", nil // the sending school acted
		}
		err := a.Tenants.With(ctx, ids.to, func(pool *pgxpool.Pool) error {
			return db.InTx(ctx, pool, func(tx pgx.Tx) error {
				q := school.New(tx)
				ti, err := q.GetTransferInForUpdate(ctx, ids.transfer)
				if errors.Is(err, pgx.ErrNoRows) {
					return nil // never offered
				}
				if err != nil {
					return err
				}
				if in.Step == workflows.TransferStepDeclined {
					reason = ti.Reason // written by the receiving school with its decision
				}
				n, err := q.CloseTransferIn(ctx, school.CloseTransferInParams{ID: ids.transfer, Status: in.Step, Reason: reason, DecidedBy: actor})
				if err != nil || n == 0 {
					return err // closed before
				}
				return logbook.Append(ctx, tx, logbook.Entry{ActorID: actor, ActorRole: role, Action: logbook.ActionUpdate,
					Entity: "transfer_in", EntityID: fmt.Sprintf("%s:%s", ids.transfer, in.Step), RequestID: in.RequestID})
			})
		})
		if err != nil {
			return wrap("close transfer at the receiving school", err)
		}
		if err := a.noticeSWVs(ctx, ids, in.Step); err != nil {
			return wrap("tell the SWV", err)
		}
	}
	var mail func(context.Context, *school.Queries, []school.ListTransferPartiesRow) error
	if in.Step == workflows.TransferStepDeclined {
		mail = a.transferMail(ids, in.Step, reason)
	}
	return wrap("close transfer", a.moveTransferOut(ctx, ids, in, in.Step, reason, logbook.ActionUpdate, mail))
}

// transferMail tells the parties how the transfer ended.
func (a *Activities) transferMail(ids transferIDs, step, reason string) func(context.Context, *school.Queries, []school.ListTransferPartiesRow) error {
	return func(ctx context.Context, q *school.Queries, parties []school.ListTransferPartiesRow) error {
		var body, subject string
		switch step {
		case workflows.TransferStepAccepted:
			subject = "Het plan is overgedragen aan de nieuwe school"
			body = "Beste ouder of verzorger,\n\nDe nieuwe school heeft het plan aangenomen. Wat u goedkeurde staat nu in hun " +
				"TOP dossier; zij gaan ermee verder. Het dossier bij de oude school wordt gesloten en na de bewaartermijn verwijderd.\n"
		case workflows.TransferStepDeclined:
			subject = "De overdracht van het plan is niet aangenomen"
			body = "Beste ouder of verzorger,\n\nDe school waaraan het plan zou worden overgedragen, heeft de overdracht niet " +
				"aangenomen. De reden die zij gaven:\n\n" + reason + "\n\nDe huidige school neemt contact met u op.\n"
		default:
			return nil
		}
		for _, p := range parties {
			if p.Email == "" {
				continue
			}
			if err := q.EnqueueMail(ctx, school.EnqueueMailParams{DedupeKey: fmt.Sprintf("transfer:%s:%s:%s", ids.transfer, step, p.PartyKey),
				ToAddress: p.Email, Subject: subject, Body: body}); err != nil {
				return err
			}
		}
		return nil
	}
}

// AcceptTransfer copies the plan into the receiving school's database in
// one transaction, keyed by the transfer: the pupil (or the one the school
// has already, by name and birth date, without an open dossier) with the
// guardians, a new dossier whose first sections start from the last
// cycle carried, the whole package read-only as its history marked with
// the sending school, the attachments let go and the onderwijskundig
// rapport. Then it starts the new dossier's processes there.
func (a *Activities) AcceptTransfer(ctx context.Context, in workflows.TransferStepInput) (workflows.TransferAccepted, error) {
	var out workflows.TransferAccepted
	ids, err := parseTransfer(in.TransferInput)
	if err != nil {
		return out, err
	}
	if a.Transfers == nil {
		return out, errNoTransfers
	}
	sent, err := a.readSent(ctx, ids, true)
	if err != nil {
		return out, wrap("read transfer", err)
	}
	pf := platform.New(a.Tenants.Platform())
	from, err := pf.GetLicence(ctx, ids.from)
	if err != nil {
		return out, wrap("read sending licence", err)
	}
	to, err := pf.GetLicence(ctx, ids.to)
	if err != nil {
		return out, wrap("read receiving licence", err)
	}
	toType := plan.NoSchool
	if to.SchoolType != nil {
		toType = string(*to.SchoolType)
	}
	actor := actorOf(in.ActorID)
	today := time.Now().In(law.Netherlands())
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	files := make([]store.ReceivedFile, 0, len(sent.files)+1)
	for _, f := range sent.files {
		files = append(files, store.ReceivedFile{ID: f.ID, Name: f.FileName, ContentType: f.ContentType, Content: f.Content})
	}
	if len(sent.report) > 0 {
		files = append(files, store.ReceivedFile{ID: uuid.NewSHA1(ids.transfer, []byte("onderwijskundig-rapport")),
			Name: "Onderwijskundig rapport " + from.Name + ".pdf", ContentType: "application/pdf", Content: sent.report})
	}
	var got store.ReceivedPlan
	err = a.Tenants.With(ctx, ids.to, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			ti, err := q.GetTransferInForUpdate(ctx, ids.transfer)
			if err != nil {
				return db.Classify(err)
			}
			if ti.Status == workflows.TransferStepAccepted && ti.PupilID != nil && ti.DossierID != nil {
				got.Pupil.ID, got.Dossier.ID = *ti.PupilID, *ti.DossierID
				return nil // copied before: a retry
			}
			if ti.Status != workflows.TransferStepOffered {
				return permanent(fmt.Errorf("transfer %s is %s", ids.transfer, ti.Status))
			}
			if got, err = store.Receive(ctx, tx, store.Received{Key: ids.transfer, FromName: from.Name, Package: sent.pkg, Files: files,
				SchoolType: toType, Today: today, Actor: actor, Role: in.ActorRole, RequestID: in.RequestID}); err != nil {
				return err
			}
			pupilID, did := got.Pupil.ID, got.Dossier.ID
			if n, err := q.AcceptTransferIn(ctx, school.AcceptTransferInParams{ID: ids.transfer, DecidedBy: actor, PupilID: &pupilID,
				DossierID: &did}); err != nil || n == 0 {
				return errors.Join(err, errors.New("transfer moved on while accepting"))
			}
			return logbook.Append(ctx, tx, logbook.Entry{ActorID: actor, ActorRole: in.ActorRole, Action: logbook.ActionUpdate, PupilID: &pupilID,
				Entity: "transfer_in", EntityID: fmt.Sprintf("%s:%s", ids.transfer, workflows.TransferStepAccepted), RequestID: in.RequestID})
		})
	})
	if err != nil {
		return out, wrap("copy transfer", err)
	}
	// Started idempotently, also on a retry after the copy.
	if err := a.Transfers.StartReceived(ctx, ids.to, got.Pupil.ID, got.Dossier.ID); err != nil {
		return out, fmt.Errorf("start received processes: %w", err)
	}
	return workflows.TransferAccepted{PupilID: got.Pupil.ID.String(), DossierID: got.Dossier.ID.String()}, nil
}

// CompleteTransfer closes the transfer at the sending school once the
// plan is at the receiving school: the parties are told, and the pupil
// leaves today, so the dossier closes and its retention starts.
func (a *Activities) CompleteTransfer(ctx context.Context, in workflows.TransferStepInput) error {
	ids, err := parseTransfer(in.TransferInput)
	if err != nil {
		return err
	}
	if a.Leaver == nil {
		return errNoLeaver
	}
	err = a.moveTransferOut(ctx, ids, in, workflows.TransferStepAccepted, "", logbook.ActionShare,
		a.transferMail(ids, workflows.TransferStepAccepted, ""))
	if err != nil {
		return wrap("mark transfer accepted", err)
	}
	if err := a.noticeSWVs(ctx, ids, workflows.TransferStepAccepted); err != nil {
		return wrap("tell the SWV", err)
	}
	return wrap("leave after transfer", nonRetryable(a.Leaver.LeaveTransferred(ctx, ids.from, ids.pupil, "transfer:"+ids.transfer.String())))
}

// noticeSWVs tells each SWV that granted the pupil an arrangement or a
// TLV where the transfer stands (from the offer on, once the parties
// agreed): the SWV reads it on its transfer overview. It reads the
// sending school's requests and writes the SWVs' databases.
func (a *Activities) noticeSWVs(ctx context.Context, ids transferIDs, step string) error {
	var reqs []school.SwvRequest
	err := a.Tenants.With(ctx, ids.from, func(pool *pgxpool.Pool) error {
		var err error
		reqs, err = school.New(pool).ListSWVRequests(ctx, ids.dossier)
		return err
	})
	if err != nil {
		return err
	}
	pf := platform.New(a.Tenants.Platform())
	var from, to platform.Licence
	for _, r := range reqs {
		if r.Status != "submitted" || (r.Kind != "tlv" && r.Kind != "arrangement") || r.SwvLicenceID == nil || r.SwvRequestID == nil {
			continue
		}
		if from.ID == uuid.Nil {
			if from, err = pf.GetLicence(ctx, ids.from); err != nil {
				return err
			}
			if to, err = pf.GetLicence(ctx, ids.to); err != nil {
				return err
			}
		}
		swvLic, err := pf.GetLicence(ctx, *r.SwvLicenceID)
		if errors.Is(err, pgx.ErrNoRows) {
			continue // the SWV left the platform
		}
		if err != nil {
			return err
		}
		err = a.Tenants.With(ctx, swvLic.ID, func(pool *pgxpool.Pool) error {
			q := swv.New(pool)
			if step == workflows.TransferStepDeclined || step == workflows.TransferStepWithdrawn {
				return q.UpdateTransferNoticeStatus(ctx, swv.UpdateTransferNoticeStatusParams{TransferID: ids.transfer, Status: step})
			}
			err := q.UpsertTransferNotice(ctx, swv.UpsertTransferNoticeParams{TransferID: ids.transfer, RequestID: *r.SwvRequestID,
				FromName: from.Name, ToLicenceID: to.ID, ToName: to.Name, SameSwv: to.SwvID == swvLic.SwvID, Status: step,
				FromType: typeOf(from), ToType: typeOf(to)})
			if db.Constraint(err) == "transfer_notice_request_id_fkey" {
				return nil // the SWV deleted its request (retention, erasure)
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// typeOf is a licence's school type, "" for the SWV's own school licence.
func typeOf(l platform.Licence) string {
	if l.SchoolType == nil {
		return ""
	}
	return string(*l.SchoolType)
}
