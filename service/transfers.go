package service

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/internal/requestlog"
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/temporalx"
	"github.com/topdossier/topdossier/workflows"
)

// TransfersConfig is what transfers take from the configuration.
type TransfersConfig struct {
	Location *time.Location
	// ConsentWithin is how long the parties have to agree (zero:
	// law.TransferConsentWithin).
	ConsentWithin time.Duration
	// SiteURL is the public address, for the links in mails.
	SiteURL string
}

// Transfers is the overdracht of a pupil's plan to another school on the
// platform: the sending school starts it, the parties agree in the portal,
// the receiving school accepts or declines. TransferWorkflow carries it;
// the plan crosses databases only in its activities.
type Transfers struct {
	tenants  *tenants.Manager
	temporal client.Client
	logger   *slog.Logger
	dossiers *Dossiers
	pupils   *Pupils
	cfg      TransfersConfig
}

// NewTransfers returns the transfer service.
func NewTransfers(tm *tenants.Manager, tc client.Client, logger *slog.Logger, dossiers *Dossiers, pupils *Pupils, cfg TransfersConfig) *Transfers {
	if cfg.Location == nil {
		cfg.Location = law.Netherlands()
	}
	return &Transfers{tenants: tm, temporal: tc, logger: logger, dossiers: dossiers, pupils: pupils, cfg: cfg}
}

// TransferForm is the sending school's choice: to which school, which
// parts and which attachments.
type TransferForm struct {
	ToLicenceID string
	Parts       []string
	Attachments []string
}

// Schools are the schools on the platform a transfer may go to, by name
// or BRIN, those of the school's own SWV first.
func (s *Transfers) Schools(ctx context.Context, lic platform.Licence, query string) ([]platform.SearchSchoolLicencesRow, error) {
	return platform.New(s.tenants.Platform()).SearchSchoolLicences(ctx, platform.SearchSchoolLicencesParams{SwvID: lic.SwvID,
		NotID: lic.ID, Query: strings.TrimSpace(query)})
}

// ErrTransferOpen: the pupil has a transfer in progress already.
var ErrTransferOpen = fault.FieldErrors{"to_licence": "Voor deze leerling loopt al een overdracht. Trek die eerst in, of wacht op de uitkomst."}

// Start starts a transfer of the pupil's open dossier: the package is
// built now from the parts chosen and frozen, the parties (as for
// sharing: the guardians with authority, the pupil from 16, the pupil
// alone from 18) are asked by mail, and the workflow waits for them. The
// report is the onderwijskundig rapport as it goes (the server renders
// it).
func (s *Transfers) Start(ctx context.Context, actor Actor, lic platform.Licence, d school.Dossier, f TransferForm, report []byte) (uuid.UUID, error) {
	errs := fault.FieldErrors{}
	toID, err := uuid.Parse(strings.TrimSpace(f.ToLicenceID))
	var to platform.Licence
	switch {
	case err != nil:
		errs["to_licence"] = "Kies de school waar de leerling naartoe gaat."
	case toID == lic.ID:
		errs["to_licence"] = "Een overdracht gaat naar een andere school, niet naar de eigen school."
	default:
		to, err = platform.New(s.tenants.Platform()).GetLicence(ctx, toID)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && (to.Kind == platform.LicenceKindSwv || to.Status != platform.LicenceStatusActive)) {
			errs["to_licence"] = "Deze school staat niet (meer) op het platform. Kies een andere school, of gebruik de OSO-export."
		} else if err != nil {
			return uuid.Nil, err
		}
	}
	for _, p := range f.Parts {
		if !slices.Contains(plan.TransferParts(), p) {
			errs["parts"] = "Kies alleen delen uit de lijst."
		}
	}
	if len(errs) > 0 {
		return uuid.Nil, errs
	}
	if d.ClosedAt != nil {
		return uuid.Nil, fault.FieldErrors{"to_licence": "Het dossier is gesloten; een gesloten dossier gaat niet over."}
	}
	v, err := s.dossiers.Load(ctx, lic.ID, d.PupilID)
	if err != nil {
		return uuid.Nil, err
	}
	rules, err := s.dossiers.ConsentRules(ctx, lic.ID)
	if err != nil {
		return uuid.Nil, err
	}
	parties := sharingParties(v, rules, Today(s.cfg.Location))
	if len(parties) == 0 {
		return uuid.Nil, fault.FieldErrors{"to_licence": "Er is niemand om toestemming te vragen: vul eerst de ouders met gezag in."}
	}
	var id uuid.UUID
	due := time.Now().Add(cmp.Or(s.cfg.ConsentWithin, law.TransferConsentWithin))
	err = writeOfPupil(ctx, s.tenants, lic.ID, d.PupilID, func(tx pgx.Tx) error {
		q := school.New(tx)
		pkg, err := buildTransferPackage(ctx, q, lic, v, f)
		if err != nil {
			return err
		}
		raw, err := json.Marshal(pkg)
		if err != nil {
			return err
		}
		t, err := q.CreateTransferOut(ctx, school.CreateTransferOutParams{DossierID: d.ID, PupilID: d.PupilID, ToLicenceID: to.ID,
			ToName: to.Name, Package: raw, ReportPdf: report, CreatedBy: actor.userID(), ConsentDueAt: due})
		if err != nil {
			if errors.Is(db.Classify(err), fault.ErrConflict) {
				return ErrTransferOpen
			}
			return err
		}
		id = t.ID
		for _, p := range parties {
			guardianID, err := plan.PartyGuardian(p.Key)
			if err != nil {
				return err
			}
			if err := q.UpsertTransferParty(ctx, school.UpsertTransferPartyParams{TransferID: t.ID, PartyKey: p.Key, Kind: p.Kind,
				GuardianID: guardianID}); err != nil {
				return err
			}
		}
		if err := s.askParties(ctx, tx, lic, d.PupilID, t); err != nil {
			return err
		}
		e := actor.entry(ctx, d.PupilID, logbook.ActionCreate, "transfer")
		e.EntityID = t.ID.String()
		return logbook.Append(ctx, tx, e)
	})
	if err != nil {
		return uuid.Nil, err
	}
	SendOutbox(ctx, s.temporal, s.logger, lic.ID)
	err = workflows.StartTransfer(ctx, s.temporal, workflows.TransferInput{FromLicenceID: lic.ID.String(), TransferID: id.String(),
		DossierID: d.ID.String(), PupilID: d.PupilID.String(), ToLicenceID: to.ID.String(), ConsentDueAt: due})
	if err != nil {
		return id, errors.Join(fault.ErrUnavailable, err)
	}
	return id, nil
}

// askParties mails each party their link into the portal.
func (s *Transfers) askParties(ctx context.Context, tx pgx.Tx, lic platform.Licence, pupilID uuid.UUID, t school.TransferOut) error {
	q := school.New(tx)
	rows, err := q.ListTransferParties(ctx, t.ID)
	if err != nil {
		return err
	}
	back := fmt.Sprintf("/ouder/%s/%s#overdracht-%s", lic.ID, pupilID, t.ID)
	for _, p := range rows {
		if p.Email == "" {
			continue
		}
		link, err := store.PortalLink(ctx, s.tenants.Platform(), s.cfg.SiteURL, p.GuardianID, p.Email, p.Name, lic.ID, pupilID, back)
		if err != nil {
			return err
		}
		body := "Beste ouder of verzorger,\n\nDe school wil het plan van uw kind overdragen aan " + t.ToName + ". In TOP dossier " +
			"leest u precies wat er meegaat, geeft u per bijlage aan of die mee mag, en geeft u uw antwoord. U kunt ook het " +
			"onderwijskundig rapport lezen en er uw zienswijze aan toevoegen.\n\n" + store.PortalLinkText(link, false) + "\n"
		if err := q.EnqueueMail(ctx, school.EnqueueMailParams{DedupeKey: fmt.Sprintf("transfer:%s:ask:%s", t.ID, p.PartyKey),
			ToAddress: p.Email, Subject: "Toestemming voor de overdracht van het plan", Body: body}); err != nil {
			return err
		}
	}
	return nil
}

// buildTransferPackage is the dossier as it would go, minimised to the
// parts and attachments chosen.
func buildTransferPackage(ctx context.Context, q *school.Queries, lic platform.Licence, v DossierView, f TransferForm) (plan.TransferPackage, error) {
	p := v.Pupil
	pkg := plan.TransferPackage{School: lic.Name, SupportLevel: string(v.Dossier.SupportLevel), StartedOn: v.Dossier.StartedOn.Format(time.DateOnly),
		Pupil: plan.TransferPupil{GivenName: p.GivenName, NameInfix: p.NameInfix, FamilyName: p.FamilyName,
			BirthDate: p.BirthDate.Format(time.DateOnly), Group: p.GroupName},
		ReportView: v.Dossier.ParentsReportView}
	if lic.SchoolType != nil {
		pkg.SchoolType = string(*lic.SchoolType)
	}
	for _, g := range v.Guardians {
		pkg.Guardians = append(pkg.Guardians, plan.TransferGuardian{GivenName: g.GivenName, NameInfix: g.NameInfix, FamilyName: g.FamilyName,
			Email: g.Email, Phone: g.Phone, Relation: string(g.Relation), ParentalAuthority: g.ParentalAuthority})
	}
	sections, err := q.ListAllSections(ctx, v.Dossier.ID)
	if err != nil {
		return pkg, err
	}
	byCycle := map[int32]map[string][]byte{}
	for _, sec := range sections {
		if byCycle[sec.Cycle] == nil {
			byCycle[sec.Cycle] = map[string][]byte{}
		}
		byCycle[sec.Cycle][sec.Section] = sec.Content
	}
	for c := int32(1); c <= v.Dossier.Cycle; c++ {
		if byCycle[c] == nil {
			continue
		}
		content, err := plan.DecodeContent(byCycle[c])
		if err != nil {
			return pkg, err
		}
		pkg.Cycles = append(pkg.Cycles, plan.TransferCycle{Cycle: c, Understand: content.Understand, Hearing: content.Hearing,
			Perspective: content.Perspective, Realise: content.Realise, Evaluation: content.Evaluation})
	}
	versions, err := q.ListActionPartVersions(ctx, v.Dossier.ID)
	if err != nil {
		return pkg, err
	}
	responses, err := q.ListConsentResponsesOfDossier(ctx, v.Dossier.ID)
	if err != nil {
		return pkg, err
	}
	for _, ver := range versions {
		var ap plan.ActionPart
		if err := json.Unmarshal(ver.Content, &ap); err != nil {
			return pkg, err
		}
		tv := plan.TransferVersion{Number: ver.Number, Cycle: ver.Cycle, FrozenOn: ver.FrozenAt.In(law.Netherlands()).Format(time.DateOnly),
			Content: ap, ConsentStatus: ver.ConsentStatus}
		if ver.ConsentRecordedAt != nil {
			tv.ConsentOn = ver.ConsentRecordedAt.In(law.Netherlands()).Format(time.DateOnly)
		}
		for _, r := range responses {
			if r.ActionPartNumber != ver.Number {
				continue
			}
			who := "ouder/verzorger"
			if r.PartyKey == plan.PupilPartyKey {
				who = "leerling"
			}
			tv.Answers = append(tv.Answers, plan.TransferAnswer{Who: who, Answer: r.Answer, On: r.At.In(law.Netherlands()).Format(time.DateOnly),
				Channel: r.Channel})
		}
		pkg.ActionParts = append(pkg.ActionParts, tv)
	}
	for _, g := range v.Growth {
		pkg.Growth = append(pkg.Growth, plan.TransferNote{On: g.OccurredOn.Format(time.DateOnly), Kind: g.Kind, Body: g.Body})
	}
	for _, t := range v.Tests {
		pkg.Tests = append(pkg.Tests, plan.SnapshotTest{Instrument: t.Instrument, TakenOn: t.TakenOn.Format(time.DateOnly), Score: t.Score, Level: t.Level})
	}
	for _, a := range v.Attachments {
		if slices.Contains(f.Attachments, a.ID.String()) && a.FromSchool == "" {
			pkg.Attachments = append(pkg.Attachments, plan.SnapshotAttachment{ID: a.ID.String(), FileName: a.FileName,
				ContentType: a.ContentType, SizeBytes: a.SizeBytes})
		}
	}
	return pkg.Minimise(f.Parts), nil
}

// TransferView is a transfer as the sending school and the portal show it.
type TransferView struct {
	Transfer school.TransferOut
	Package  plan.TransferPackage
	Parties  []school.ListTransferPartiesRow
	Shares   map[string]map[string]bool // attachment id → party key → may go
}

// Open reports whether the transfer still waits for someone.
func (v TransferView) Open() bool {
	return v.Transfer.Status == workflows.TransferStepConsent || v.Transfer.Status == workflows.TransferStepOffered
}

// Party is the party with key, if asked.
func (v TransferView) Party(key string) *school.ListTransferPartiesRow {
	for i := range v.Parties {
		if v.Parties[i].PartyKey == key {
			return &v.Parties[i]
		}
	}
	return nil
}

// Goes reports whether attachment id goes: every party let it go.
func (v TransferView) Goes(id string) bool {
	if len(v.Parties) == 0 {
		return false
	}
	for _, p := range v.Parties {
		if !v.Shares[id][p.PartyKey] {
			return false
		}
	}
	return true
}

// OfPupil is the pupil's transfers at the sending school, newest first.
func (s *Transfers) OfPupil(ctx context.Context, licenceID, pupilID uuid.UUID) ([]TransferView, error) {
	var out []TransferView
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		rows, err := q.ListTransfersOfPupil(ctx, pupilID)
		if err != nil {
			return err
		}
		for _, t := range rows {
			v, err := loadTransfer(ctx, q, t)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

func loadTransfer(ctx context.Context, q *school.Queries, t school.TransferOut) (TransferView, error) {
	v := TransferView{Transfer: t, Shares: map[string]map[string]bool{}}
	if err := json.Unmarshal(t.Package, &v.Package); err != nil {
		return v, err
	}
	var err error
	if v.Parties, err = q.ListTransferParties(ctx, t.ID); err != nil {
		return v, err
	}
	shares, err := q.ListTransferShares(ctx, t.ID)
	if err != nil {
		return v, err
	}
	for _, sh := range shares {
		id := sh.AttachmentID.String()
		if v.Shares[id] == nil {
			v.Shares[id] = map[string]bool{}
		}
		v.Shares[id][sh.PartyKey] = sh.Share
	}
	return v, nil
}

// Get is one transfer of the pupil at the sending school.
func (s *Transfers) Get(ctx context.Context, licenceID, pupilID, transferID uuid.UUID) (TransferView, error) {
	var v TransferView
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		t, err := q.GetTransferOut(ctx, transferID)
		if err != nil {
			return db.Classify(err)
		}
		if t.PupilID != pupilID {
			return fault.ErrNotFound
		}
		v, err = loadTransfer(ctx, q, t)
		return err
	})
	return v, err
}

// TransferAnswer is a party's answer: agree or refuse (with why), and per
// attachment whether it may go.
type TransferAnswer struct {
	Answer, Remark string
	Share          map[string]bool
	recordedBy     *uuid.UUID
}

// Answer records a party's answer and tells the workflow (through the
// signal outbox, in the same transaction). Only a party asked, who may
// answer for the pupil (canAnswer), is heard; anyone else finds nothing.
func (s *Transfers) Answer(ctx context.Context, actor Actor, licenceID, pupilID, transferID uuid.UUID, partyKey string, canAnswer bool,
	in TransferAnswer) error {
	v, err := s.Get(ctx, licenceID, pupilID, transferID)
	if err != nil {
		return err
	}
	if v.Party(partyKey) == nil || !canAnswer {
		return fault.ErrNotFound
	}
	remark := strings.TrimSpace(in.Remark)
	errs := fault.FieldErrors{}
	switch {
	case in.Answer != "agree" && in.Answer != "refuse":
		errs["transfer_answer"] = "Kies uw antwoord: akkoord of niet akkoord."
	case in.Answer == "refuse" && remark == "":
		errs["transfer_remark"] = "Schrijf op waarom u niet akkoord gaat; de school praat dan met u verder."
	case len([]rune(remark)) > 5000:
		errs["transfer_remark"] = "De toelichting is te lang (hoogstens 5000 tekens)."
	}
	if v.Transfer.Status != workflows.TransferStepConsent {
		errs["transfer_answer"] = "Over deze overdracht is al beslist, of hij is ingetrokken."
	}
	if len(errs) > 0 {
		return errs
	}
	answer := in.Answer
	wfID := workflows.TransferWorkflowID(licenceID.String(), transferID.String())
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		err := db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			n, err := q.AnswerTransfer(ctx, school.AnswerTransferParams{TransferID: transferID, PartyKey: partyKey, Answer: &answer,
				Remark: remark, RecordedBy: in.recordedBy})
			if err != nil {
				return err
			}
			if n == 0 {
				return fault.FieldErrors{"transfer_answer": "Over deze overdracht is al beslist, of hij is ingetrokken."}
			}
			for _, a := range v.Package.Attachments {
				aid, err := uuid.Parse(a.ID)
				if err != nil {
					continue
				}
				if err := q.SetTransferShare(ctx, school.SetTransferShareParams{TransferID: transferID, AttachmentID: aid, PartyKey: partyKey,
					Share: in.Share[a.ID] && answer == "agree"}); err != nil {
					return err
				}
			}
			if err := store.EnqueueSignal(ctx, q, wfID, workflows.SignalTransferAnswered, map[string]string{"party": partyKey}); err != nil {
				return err
			}
			e := actor.entry(ctx, pupilID, logbook.ActionConsent, "transfer")
			e.EntityID = transferID.String()
			return logbook.Append(ctx, tx, e)
		})
		if err != nil {
			return err
		}
		if _, err := store.DeliverSignals(ctx, s.temporal, pool, wfID); err != nil {
			s.logger.WarnContext(ctx, "transfer answer not signalled yet; the deliver schedule sends it", "err", err)
		}
		return nil
	})
	return err
}

// RecordAnswer records what a party said on paper or in a meeting, with
// who recorded it.
func (s *Transfers) RecordAnswer(ctx context.Context, actor Actor, licenceID, pupilID, transferID uuid.UUID, partyKey string, in TransferAnswer) error {
	in.recordedBy = actor.userID()
	return s.Answer(ctx, actor, licenceID, pupilID, transferID, partyKey, true, in)
}

// SetReport replaces the onderwijskundig rapport of the pupil's transfer
// that waits for the parties (after they added their view to it).
func (s *Transfers) SetReport(ctx context.Context, licenceID, pupilID uuid.UUID, report []byte) error {
	return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		t, err := q.OpenTransferOfPupil(ctx, pupilID)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = q.SetTransferReport(ctx, school.SetTransferReportParams{ID: t.ID, ReportPdf: report})
		return err
	})
}

// OpenOfPupil is the pupil's transfer in progress, if any.
func (s *Transfers) OpenOfPupil(ctx context.Context, licenceID, pupilID uuid.UUID) (*school.TransferOut, error) {
	var out *school.TransferOut
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		t, err := school.New(pool).OpenTransferOfPupil(ctx, pupilID)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		out = &t
		return err
	})
	return out, err
}

// Withdraw withdraws a transfer that is still open.
func (s *Transfers) Withdraw(ctx context.Context, actor Actor, licenceID, pupilID, transferID uuid.UUID) error {
	v, err := s.Get(ctx, licenceID, pupilID, transferID)
	if err != nil {
		return err
	}
	if v.Transfer.Status == workflows.TransferStepWithdrawn {
		return nil
	}
	return s.act(ctx, workflows.TransferWorkflowID(licenceID.String(), transferID.String()), workflows.UpdateTransferWithdraw,
		workflows.TransferAction{RequestID: uuid.NewSHA1(transferID, []byte("withdraw")).String(), ActorID: actorID(actor),
			ActorRole: string(actor.Role)})
}

func (s *Transfers) act(ctx context.Context, workflowID, update string, a workflows.TransferAction) error {
	var st workflows.TransferStatus
	err := temporalx.AsFault(temporalx.Update(ctx, s.temporal, workflowID, a.RequestID, update, &st, a))
	var refusal *fault.Refusal
	switch {
	case errors.As(err, &refusal) && refusal.Fields() != nil:
		return refusal.Fields()
	case errors.Is(err, fault.ErrNoProcess):
		return fault.Refused(fault.CodeTransferStep)
	}
	return err
}

// Incoming is the transfers offered to the school, open ones first.
func (s *Transfers) Incoming(ctx context.Context, actor Actor, licenceID uuid.UUID) ([]IncomingTransfer, error) {
	var out []IncomingTransfer
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			rows, err := q.ListTransfersIn(ctx)
			if err != nil {
				return err
			}
			for _, r := range rows {
				it := IncomingTransfer{TransferIn: r}
				if len(r.Offer) > 0 {
					if err := json.Unmarshal(r.Offer, &it.Offer); err != nil {
						return err
					}
				}
				out = append(out, it)
			}
			// Names of pupils who are not (yet) this school's: one line
			// for the list seen.
			return logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionView, "transfer_in_list", fmt.Sprint(len(rows))))
		})
	})
	return out, err
}

// IncomingTransfer is a transfer offered to the school.
type IncomingTransfer struct {
	school.TransferIn
	Offer plan.TransferOffer
}

// ErrDeclineReason: a decline needs a reason.
var ErrDeclineReason = fault.Refused(fault.CodeTransferNoReason)

// Decide accepts or declines a transfer offered to the school (a decline
// with a reason the sending school and the parents read). On acceptance
// it waits until the plan is here and returns the new pupil's id.
func (s *Transfers) Decide(ctx context.Context, actor Actor, licenceID, transferID uuid.UUID, accept bool, reason string) (uuid.UUID, error) {
	reason = strings.TrimSpace(reason)
	if !accept && reason == "" {
		return uuid.Nil, ErrDeclineReason
	}
	if len([]rune(reason)) > 5000 {
		return uuid.Nil, fault.FieldErrors{"reason": "De reden is te lang (hoogstens 5000 tekens)."}
	}
	var in school.TransferIn
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		in, err = school.New(pool).GetTransferIn(ctx, transferID)
		return db.Classify(err)
	})
	if err != nil {
		return uuid.Nil, err
	}
	if in.Status != workflows.TransferStepOffered {
		if accept && in.Status == workflows.TransferStepAccepted && in.PupilID != nil {
			return *in.PupilID, nil // a double click
		}
		return uuid.Nil, fault.Refused(fault.CodeTransferStep)
	}
	if !accept {
		// The reason stays in this school's database; the process is told
		// only that there is one.
		err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
			n, err := school.New(pool).SetTransferInReason(ctx, school.SetTransferInReasonParams{ID: transferID, Reason: reason})
			if err == nil && n == 0 {
				return fault.Refused(fault.CodeTransferStep)
			}
			return err
		})
		if err != nil {
			return uuid.Nil, err
		}
	}
	var st workflows.TransferStatus
	a := workflows.TransferAction{RequestID: requestlog.ID(ctx), ActorID: actorID(actor), ActorRole: string(actor.Role), Accept: accept,
		ReasonGiven: reason != ""}
	if a.RequestID == "" {
		a.RequestID = uuid.NewString()
	}
	err = temporalx.AsFault(temporalx.Update(ctx, s.temporal, workflows.TransferWorkflowID(in.FromLicenceID.String(), transferID.String()),
		a.RequestID, workflows.UpdateTransferDecide, &st, a))
	var refusal *fault.Refusal
	switch {
	case errors.As(err, &refusal) && refusal.Fields() != nil:
		return uuid.Nil, refusal.Fields()
	case errors.Is(err, fault.ErrNoProcess):
		return uuid.Nil, fault.Refused(fault.CodeTransferStep)
	case err != nil:
		return uuid.Nil, err
	}
	if !accept {
		return uuid.Nil, nil
	}
	id, err := uuid.Parse(st.ToPupilID)
	if err != nil {
		return uuid.Nil, fmt.Errorf("accepted transfer without pupil: %w", err)
	}
	return id, nil
}

// DossierHistory is what came with a transfer into a dossier.
type DossierHistory struct {
	school.DossierHistory
	Package plan.TransferPackage
}

// History is the read-only history of a dossier that came by transfer.
func (s *Transfers) History(ctx context.Context, licenceID, dossierID uuid.UUID) ([]DossierHistory, error) {
	var out []DossierHistory
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		rows, err := school.New(pool).ListDossierHistory(ctx, dossierID)
		if err != nil {
			return err
		}
		for _, r := range rows {
			h := DossierHistory{DossierHistory: r}
			if err := json.Unmarshal(r.Package, &h.Package); err != nil {
				return err
			}
			out = append(out, h)
		}
		return nil
	})
	return out, err
}

// Outgoing is the school's transfers, open ones first, with the pupil's
// name (staff of the sending school).
func (s *Transfers) Outgoing(ctx context.Context, actor Actor, licenceID uuid.UUID) ([]school.ListTransfersOutRow, error) {
	var out []school.ListTransfersOutRow
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			var err error
			if out, err = school.New(tx).ListTransfersOut(ctx); err != nil {
				return err
			}
			return logbook.Append(ctx, tx, actor.listEntry(ctx, len(out)))
		})
	})
	return out, err
}

// StartReceived starts, at the receiving school, the processes of a
// pupil and dossier that came with a transfer: the enrolment check (the
// school checks the guardians and their authority, as for any new pupil)
// and the dossier's HGW cycle. Both start idempotently.
func (s *Transfers) StartReceived(ctx context.Context, licenceID, pupilID, dossierID uuid.UUID) error {
	var d school.Dossier
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		d, err = school.New(pool).GetDossier(ctx, dossierID)
		return db.Classify(err)
	})
	if err != nil {
		return err
	}
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err := s.pupils.StartEnrolment(ctx, licenceID, pupilID); err != nil && !errors.As(err, &started) {
		return err
	}
	return s.dossiers.Start(ctx, licenceID, d)
}

// Attachment is an attachment of a transfer the party is asked about,
// to read before deciding whether it may go (logged as an export).
func (s *Transfers) Attachment(ctx context.Context, actor Actor, partyKey string, canAnswer bool, licenceID, pupilID, transferID,
	attachmentID uuid.UUID) (school.Attachment, error) {
	var a school.Attachment
	if !canAnswer {
		return a, fault.ErrNotFound
	}
	v, err := s.Get(ctx, licenceID, pupilID, transferID)
	if err != nil {
		return a, err
	}
	listed := slices.ContainsFunc(v.Package.Attachments, func(at plan.SnapshotAttachment) bool { return at.ID == attachmentID.String() })
	if v.Party(partyKey) == nil || !listed {
		return a, fault.ErrNotFound
	}
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			var err error
			if a, err = school.New(tx).GetAttachment(ctx, school.GetAttachmentParams{ID: attachmentID, DossierID: v.Transfer.DossierID}); err != nil {
				return db.Classify(err)
			}
			e := actor.entry(ctx, pupilID, logbook.ActionExport, "attachment")
			e.EntityID = attachmentID.String()
			return logbook.Append(ctx, tx, e)
		})
	})
	return a, err
}
