package activities

import (
	"context"
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
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/workflows"
)

// OpenConsentRound creates the round of a frozen handelingsdeel version
// (or finds the one made before), marks older open rounds superseded and
// writes the parties for today.
func (a *Activities) OpenConsentRound(ctx context.Context, in workflows.OpenConsentRoundInput) (workflows.ConsentRoundInfo, error) {
	var info workflows.ConsentRoundInfo
	licenceID, dossierID, err := parseIDs(in.LicenceID, in.DossierID)
	if err != nil {
		return info, err
	}
	pupilID, err := parseID("pupil", in.PupilID)
	if err != nil {
		return info, err
	}
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			round, err := q.CreateConsentRound(ctx, school.CreateConsentRoundParams{DossierID: dossierID,
				ActionPartNumber: in.Version, DeadlineAt: in.DeadlineAt})
			if err != nil {
				return fmt.Errorf("create consent round: %w", db.Classify(err))
			}
			info.RoundID = round.ID.String()
			if info.Superseded, err = q.SupersedeOlderRounds(ctx, school.SupersedeOlderRoundsParams{DossierID: dossierID,
				ActionPartNumber: in.Version}); err != nil {
				return fmt.Errorf("supersede older rounds: %w", err)
			}
			pupil, guardians, err := pupilAndGuardians(ctx, q, pupilID)
			if err != nil {
				return err
			}
			info.Parties = plan.ConsentPartiesAt(pupil.BirthDate, in.At, store.Guardians(guardians), in.Ages)
			for _, p := range info.Parties {
				if err := upsertParty(ctx, q, round.ID, p); err != nil {
					return err
				}
			}
			for _, at := range []struct {
				age int
				to  **time.Time
			}{{in.Ages.Share, &info.SharesAt}, {in.Ages.Decide, &info.DecidesAt}} {
				if t := pupil.BirthDate.AddDate(at.age, 0, 0); t.After(in.At) {
					*at.to = &t
				}
			}
			return logbook.Append(ctx, tx, logbook.Entry{At: in.At, ActorRole: "system", Action: logbook.ActionProcess,
				PupilID: &pupilID, Entity: "consent_round", EntityID: fmt.Sprintf("%s:%d:open", dossierID, in.Version)})
		})
	})
	return info, wrap("open consent round", err)
}

// pupilAndGuardians reads what decides who is asked: the pupil's birth
// date and the guardians with their parental authority.
func pupilAndGuardians(ctx context.Context, q *school.Queries, pupilID uuid.UUID) (school.Pupil, []school.Guardian, error) {
	pupil, err := q.GetPupil(ctx, pupilID)
	if err != nil {
		return pupil, nil, fmt.Errorf("read pupil: %w", db.Classify(err))
	}
	guardians, err := q.ListGuardians(ctx, pupilID)
	if err != nil {
		return pupil, nil, fmt.Errorf("read guardians: %w", err)
	}
	return pupil, guardians, nil
}

func upsertParty(ctx context.Context, q *school.Queries, roundID uuid.UUID, p plan.ConsentParty) error {
	guardianID, err := plan.PartyGuardian(p.Key)
	if err != nil {
		return temporal.NewNonRetryableApplicationError("invalid party key", errInvalidInput, err)
	}
	err = q.UpsertConsentParty(ctx, school.UpsertConsentPartyParams{RoundID: roundID, PartyKey: p.Key, Kind: p.Kind,
		GuardianID: guardianID, Decides: p.Decides, Shares: p.Shares})
	if err != nil {
		return fmt.Errorf("write consent party: %w", err)
	}
	return nil
}

// RerouteConsentRound recomputes the parties for the day At: from 16 the
// pupil joins for sharing, from 18 the pupil replaces the guardians.
// Guardians who no longer decide keep their row, marked removed.
func (a *Activities) RerouteConsentRound(ctx context.Context, in workflows.RerouteConsentInput) (workflows.ConsentReroute, error) {
	var out workflows.ConsentReroute
	licenceID, roundID, err := parseIDs(in.LicenceID, in.RoundID)
	if err != nil {
		return out, err
	}
	pupilID, err := parseID("pupil", in.PupilID)
	if err != nil {
		return out, err
	}
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			pupil, guardians, err := pupilAndGuardians(ctx, q, pupilID)
			if err != nil {
				return err
			}
			before, err := q.ListConsentParties(ctx, roundID)
			if err != nil {
				return err
			}
			was := map[string]school.ListConsentPartiesRow{}
			for _, p := range before {
				if p.RemovedAt == nil {
					was[p.PartyKey] = p
				}
			}
			out.Parties = plan.ConsentPartiesAt(pupil.BirthDate, in.At, store.Guardians(guardians), in.Ages)
			for _, at := range []struct {
				age int
				to  **time.Time
			}{{in.Ages.Share, &out.SharesAt}, {in.Ages.Decide, &out.DecidesAt}} {
				if t := pupil.BirthDate.AddDate(at.age, 0, 0); t.After(in.At) {
					*at.to = &t
				}
			}
			now := map[string]bool{}
			for _, p := range out.Parties {
				now[p.Key] = true
				if old, ok := was[p.Key]; !ok || old.Decides != p.Decides || old.Shares != p.Shares {
					out.Invite = append(out.Invite, p.Key)
				}
				if err := upsertParty(ctx, q, roundID, p); err != nil {
					return err
				}
			}
			for _, p := range before {
				if p.RemovedAt == nil && !now[p.PartyKey] {
					if err := q.RemoveConsentParty(ctx, school.RemoveConsentPartyParams{RoundID: roundID, PartyKey: p.PartyKey}); err != nil {
						return err
					}
				}
			}
			return logbook.Append(ctx, tx, logbook.Entry{At: in.At, ActorRole: "system", Action: logbook.ActionProcess,
				PupilID: &pupilID, Entity: "consent_round", EntityID: in.RoundID + ":rerouted"})
		})
	})
	return out, wrap("reroute consent round", err)
}

// InviteConsentParties writes a mail for every party with an address and
// a logbook line for every party asked. The dedupe key (round, party,
// kind, n) makes a retry write nothing twice. A party without an address
// (the pupil, until the portal gives them an account) is asked in the
// portal only; the number mailed is returned.
func (a *Activities) InviteConsentParties(ctx context.Context, in workflows.InviteConsentInput) (int, error) {
	licenceID, roundID, err := parseIDs(in.LicenceID, in.RoundID)
	if err != nil {
		return 0, err
	}
	pupilID, err := parseID("pupil", in.PupilID)
	if err != nil {
		return 0, err
	}
	wanted := map[string]bool{}
	for _, k := range in.Keys {
		wanted[k] = true
	}
	// First who is asked, then their links (a guardian's portal account
	// is made and linked in the platform database), then the mails and
	// logbook lines in one school transaction.
	var round school.ConsentRound
	var parties []school.ListConsentPartiesRow
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		var err error
		if round, err = q.GetConsentRound(ctx, roundID); err != nil {
			return db.Classify(err)
		}
		parties, err = q.ListConsentParties(ctx, roundID)
		return err
	})
	if err != nil {
		return 0, wrap("invite consent parties", err)
	}
	back := fmt.Sprintf("/ouder/%s/%s#vraag", licenceID, pupilID)
	links := map[string]string{}
	for _, p := range parties {
		if !wanted[p.PartyKey] || p.RemovedAt != nil || p.Email == "" {
			continue
		}
		link, err := store.PortalLink(ctx, a.Tenants.Platform(), a.Mail.SiteURL, p.GuardianID, p.Email, p.FullName, licenceID, pupilID, back)
		if err != nil {
			return 0, wrap("invite consent parties", err)
		}
		links[p.PartyKey] = link
	}
	mailed := 0
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			for _, p := range parties {
				if !wanted[p.PartyKey] || p.RemovedAt != nil {
					continue
				}
				key := fmt.Sprintf("consent:%s:%s:%s:%d", roundID, p.PartyKey, in.Kind, in.N)
				if p.Email != "" {
					subject, body := consentMail(in.Kind, p.Kind == "pupil", p.Decides, p.GivenName, round.ActionPartNumber, round.DeadlineAt,
						links[p.PartyKey])
					if err := q.EnqueueMail(ctx, school.EnqueueMailParams{DedupeKey: key, ToAddress: p.Email, Subject: subject, Body: body}); err != nil {
						return fmt.Errorf("enqueue mail: %w", err)
					}
					mailed++
				}
				if err := logbook.Append(ctx, tx, logbook.Entry{ActorRole: "system", Action: logbook.ActionProcess, PupilID: &pupilID,
					Entity: "consent_" + in.Kind, EntityID: key}); err != nil {
					return err
				}
			}
			return nil
		})
	})
	return mailed, wrap("invite consent parties", err)
}

// consentMail is the Dutch mail to a party. It names no child and no
// content: the plan is read after logging in. The pupil is addressed as
// "je"; under the decide age they are asked for their view, as the
// guardians decide.
func consentMail(kind string, pupil, decides bool, givenName string, version int32, deadline time.Time, link string) (string, string) {
	if pupil {
		subject := "De school vraagt wat jij van je plan vindt"
		if decides {
			subject = "De school vraagt jouw instemming met je plan"
		}
		if kind == "reminder" {
			subject = "Herinnering: " + strings.ToLower(subject[:1]) + subject[1:]
		}
		body := fmt.Sprintf("Hoi %s,\n\nDe school heeft het handelingsdeel (versie %d) van je ontwikkelingsperspectiefplan klaar. "+
			"Je antwoordt met akkoord, niet akkoord, of een vraag, graag vóór %s.\n\n%s\n\nVragen? Loop binnen bij de intern begeleider of je mentor.\n",
			givenName, version, deadline.In(law.Netherlands()).Format("02-01-2006"), store.PortalLinkText(link, true))
		return subject, body
	}
	subject := "Uw instemming gevraagd met het plan van de school"
	intro := "De school vraagt uw instemming met het handelingsdeel"
	if kind == "reminder" {
		subject = "Herinnering: uw instemming gevraagd met het plan van de school"
		intro = "De school wacht nog op uw antwoord over het handelingsdeel"
	}
	if givenName == "" {
		givenName = "ouder of verzorger"
	}
	body := fmt.Sprintf("Beste %s,\n\n%s (versie %d) van het ontwikkelingsperspectiefplan. "+
		"U antwoordt met akkoord, niet akkoord, of een vraag, graag vóór %s.\n\n%s\n\n"+
		"Heeft u vragen, neem dan contact op met de intern begeleider van de school.\n",
		givenName, intro, version, deadline.In(law.Netherlands()).Format("02-01-2006"), store.PortalLinkText(link, false))
	return subject, body
}

// RecordConsentAnswer stores an answer with its logbook line, once per
// request id.
func (a *Activities) RecordConsentAnswer(ctx context.Context, in workflows.RecordConsentAnswerInput) error {
	licenceID, roundID, err := parseIDs(in.LicenceID, in.RoundID)
	if err != nil {
		return err
	}
	pupilID, err := parseID("pupil", in.PupilID)
	if err != nil {
		return err
	}
	actor := actorOf(in.Answer.UserID)
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			n, err := school.New(tx).InsertConsentResponse(ctx, school.InsertConsentResponseParams{RequestID: in.Answer.RequestID,
				RoundID: roundID, PartyKey: in.Answer.PartyKey, Answer: in.Answer.Answer, Remark: in.Answer.Remark,
				Channel: in.Answer.Channel, RecordedBy: actor})
			if err != nil {
				return fmt.Errorf("record consent answer: %w", db.Classify(err))
			}
			if n == 0 {
				return nil
			}
			role := in.Answer.PartyKey
			if in.Answer.Channel == "school" {
				role = "school"
			}
			return logbook.Append(ctx, tx, logbook.Entry{At: in.At, ActorID: actor, ActorRole: role, Action: logbook.ActionConsent,
				PupilID: &pupilID, Entity: "consent_response", EntityID: in.RoundID + ":" + in.Answer.Answer, RequestID: in.Answer.RequestID})
		})
	})
	return wrap("record consent answer", err)
}

// CloseConsentRound writes the outcome to the round and, for consent or
// refusal, to the handelingsdeel version, where the dossier's guard reads
// it. A second call changes nothing.
func (a *Activities) CloseConsentRound(ctx context.Context, in workflows.CloseConsentRoundInput) error {
	licenceID, roundID, err := parseIDs(in.LicenceID, in.RoundID)
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
	status := map[string]string{plan.RoundConsented: plan.ConsentGiven, plan.RoundRefused: plan.ConsentRefused}
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			n, err := q.CloseConsentRound(ctx, school.CloseConsentRoundParams{ID: roundID, Status: in.Outcome})
			if err != nil || n == 0 {
				return err
			}
			if s, ok := status[in.Outcome]; ok {
				if err := q.SetActionPartConsent(ctx, school.SetActionPartConsentParams{DossierID: dossierID,
					Number: in.Version, ConsentStatus: s}); err != nil {
					return err
				}
			}
			if in.Outcome == plan.RoundConsented {
				on := law.DateOf(in.At)
				if err := q.SetOPPEstablishedOnConsent(ctx, school.SetOPPEstablishedOnConsentParams{ID: dossierID,
					OppEstablishedOn: &on}); err != nil {
					return err
				}
			}
			return logbook.Append(ctx, tx, logbook.Entry{At: in.At, ActorRole: "system", Action: logbook.ActionProcess,
				PupilID: &pupilID, Entity: "consent_round", EntityID: fmt.Sprintf("%s:%d:%s", dossierID, in.Version, in.Outcome)})
		})
	})
	if err != nil || (in.Outcome != plan.RoundConsented && in.Outcome != plan.RoundRefused) {
		return wrap("close consent round", err)
	}
	return a.emit(ctx, licenceID, store.EventConsentDecided, "consent:"+roundID.String(), in.At, map[string]string{
		"pupil_id": pupilID.String(), "dossier_id": dossierID.String(), "action_part_version": fmt.Sprint(in.Version), "outcome": in.Outcome})
}

// EscalateConsentRound marks the round escalated (the deadline passed
// without an outcome) and logs each weekly reminder to the school.
func (a *Activities) EscalateConsentRound(ctx context.Context, in workflows.EscalateConsentInput) (mailed int, err error) {
	licenceID, roundID, err := parseIDs(in.LicenceID, in.RoundID)
	if err != nil {
		return 0, err
	}
	pupilID, err := parseID("pupil", in.PupilID)
	if err != nil {
		return 0, err
	}
	var staff []uuid.UUID
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		staff, err = school.New(pool).ListRoundStaffParticipants(ctx, roundID)
		return err
	})
	if err != nil {
		return 0, wrap("escalate consent round", err)
	}
	// The staff on the dossier, else every intern begeleider of the school.
	people, err := platform.New(a.Tenants.Platform()).ListStaffToRemind(ctx, platform.ListStaffToRemindParams{
		UserIds: staff, LicenceID: &licenceID, Role: platform.StaffRoleIb})
	if err != nil {
		return 0, wrap("escalate consent round", err)
	}
	var to []string
	for _, onDossier := range []bool{true, false} {
		for _, p := range people {
			if p.Participant == onDossier {
				to = append(to, p.Email)
			}
		}
		if len(to) > 0 {
			break
		}
	}
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			if err := q.MarkConsentEscalated(ctx, school.MarkConsentEscalatedParams{ID: roundID, EscalatedAt: &in.At}); err != nil {
				return err
			}
			subject, body := escalationMail(in.Week, a.Mail.SiteURL+"/licenties/"+licenceID.String()+"/leerlingen/"+pupilID.String()+"/dossier")
			for _, addr := range to {
				if err := q.EnqueueMail(ctx, school.EnqueueMailParams{DedupeKey: fmt.Sprintf("consent-escalation:%s:%d:%s", roundID, in.Week, addr),
					ToAddress: addr, Subject: subject, Body: body}); err != nil {
					return fmt.Errorf("enqueue mail: %w", err)
				}
			}
			return logbook.Append(ctx, tx, logbook.Entry{At: in.At, ActorRole: "system", Action: logbook.ActionProcess,
				PupilID: &pupilID, Entity: "consent_escalation", EntityID: fmt.Sprintf("%s:%d", roundID, in.Week)})
		})
	})
	return len(to), wrap("escalate consent round", err)
}

// escalationMail tells the school a consent request went unanswered past
// its deadline. It names no pupil: the link needs a login.
func escalationMail(week int, link string) (string, string) {
	subject := "Instemming niet op tijd beantwoord"
	intro := "De ouders (of de leerling) hebben niet vóór de termijn geantwoord op de vraag om instemming met een handelingsdeel."
	if week > 0 {
		subject = fmt.Sprintf("Herinnering (week %d): instemming nog niet beantwoord", week)
		intro = "Een vraag om instemming met een handelingsdeel is nog steeds niet beantwoord."
	}
	body := intro + "\n\nNeem contact op met de ouders: het gesprek gaat door en de ondersteuning blijft nodig. " +
		"Leg hun antwoord vast in het dossier zodra het er is.\n\n" + link + "\n\nDeze herinnering komt elke week tot de vraag beantwoord is.\n"
	return subject, body
}
