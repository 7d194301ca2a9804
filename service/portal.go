package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/workflows"
)

// Portal is how guardians and pupils get into the parents' and pupils'
// portal: the school invites them, the invitation goes out by mail.
type Portal struct {
	tenants  *tenants.Manager
	temporal client.Client
	logger   *slog.Logger
	dossiers *Dossiers // the SWV's consent rules (the share age)
	requests *Requests // what a party is asked about
	location *time.Location
}

// NewPortal returns the portal service.
func NewPortal(tm *tenants.Manager, tc client.Client, logger *slog.Logger, dossiers *Dossiers, requests *Requests, loc *time.Location) *Portal {
	return &Portal{tenants: tm, temporal: tc, logger: logger, dossiers: dossiers, requests: requests, location: loc}
}

// InviteGuardian invites a guardian of the pupil to the parents' portal.
// A guardian without parental authority is invited only where the school
// lets them read the plan. siteURL is the portal's address for the link.
func (s *Portal) InviteGuardian(ctx context.Context, actor Actor, lic platform.Licence, pupilID, guardianID uuid.UUID, requestID, siteURL string) error {
	var g school.Guardian
	var set school.SchoolSetting
	err := s.tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		var err error
		if g, err = q.GetGuardian(ctx, school.GetGuardianParams{ID: guardianID, PupilID: pupilID}); err != nil {
			return db.Classify(err)
		}
		set, err = q.GetSchoolSetting(ctx)
		return err
	})
	if err != nil {
		return err
	}
	if g.Email == "" {
		return fault.FieldErrors{"email": "Vul eerst het e-mailadres van deze ouder in."}
	}
	if p, err := readPupil(ctx, s.tenants, lic.ID, pupilID); err != nil {
		return err
	} else if law.Reached(p.BirthDate, law.DecideAge, Today(s.location)) && p.GuardiansGrantedAt == nil {
		return fault.FieldErrors{"guardian": "De leerling is 18 en beslist zelf over het plan. Ouders lezen alleen mee als de leerling dat in het eigen portaal aanzet."}
	}
	if !g.ParentalAuthority && !set.ViewWithoutAuthority {
		return fault.FieldErrors{"guardian": "Deze ouder heeft geen gezag. De school laat ouders zonder gezag het plan niet inzien; zet dat eerst aan bij de instellingen van de school."}
	}
	name := strings.Join(strings.Fields(g.GivenName+" "+g.NameInfix+" "+g.FamilyName), " ")
	return s.invite(ctx, actor, lic, pupilID, platform.UserKindGuardian, g.Email, g.GivenName, name, &g.ID, requestID, siteURL)
}

// InvitePupil gives a pupil who reached the share age (16) their own
// portal account now, at the address the school types; the birthday
// timer does the same on its own for an address the school already had.
func (s *Portal) InvitePupil(ctx context.Context, actor Actor, lic platform.Licence, pupilID uuid.UUID, email, requestID, siteURL string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if len(email) > 254 || !ValidEmail(email) {
		return fault.FieldErrors{"pupil_email": "Vul een geldig e-mailadres van de leerling in."}
	}
	var p school.Pupil
	err := s.tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		var err error
		p, err = school.New(pool).GetPupil(ctx, pupilID)
		return db.Classify(err)
	})
	if err != nil {
		return err
	}
	rules, err := s.dossiers.ConsentRules(ctx, lic.ID)
	if err != nil {
		return err
	}
	if !law.Reached(p.BirthDate, rules.Ages.Share, Today(s.location)) {
		return fault.FieldErrors{"pupil_email": fmt.Sprintf("De leerling krijgt een eigen account vanaf %d jaar; tot dan lezen de ouders mee.", rules.Ages.Share)}
	}
	if p.LeftOn != nil {
		return fault.FieldErrors{"pupil_email": "Deze leerling is uitgeschreven."}
	}
	err = s.tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			if err := school.New(tx).SetPupilEmail(ctx, school.SetPupilEmailParams{ID: pupilID, Email: email}); err != nil {
				return err
			}
			return logbook.Append(ctx, tx, actor.entry(ctx, pupilID, logbook.ActionUpdate, "pupil_email"))
		})
	})
	if err != nil {
		return err
	}
	name := strings.Join(strings.Fields(p.GivenName+" "+p.NameInfix+" "+p.FamilyName), " ")
	return s.invite(ctx, actor, lic, pupilID, platform.UserKindPupil, email, p.GivenName, name, nil, requestID, siteURL)
}

// invite links the portal account for email to the pupil (as guardian
// guardianID, or as the pupil), writes the invitation to the school's
// outbox with the logbook line, and sends the outbox. The mail is keyed by
// the request id, so a double click mails once; a form without one (a page
// from before it carried one) mails each time.
func (s *Portal) invite(ctx context.Context, actor Actor, lic platform.Licence, pupilID uuid.UUID, kind platform.UserKind,
	email, givenName, name string, guardianID *uuid.UUID, requestID, siteURL string) error {
	var account store.PortalAccount
	err := db.InTx(ctx, s.tenants.Platform(), func(tx pgx.Tx) error {
		var err error
		account, err = store.PortalAccountFor(ctx, platform.New(tx), kind, email, name, lic.ID, pupilID, guardianID)
		return err
	})
	if errors.Is(err, store.ErrOtherAccountKind) {
		return fault.FieldErrors{"email": "Dit e-mailadres hoort bij een ander soort account."}
	}
	if err != nil {
		return err
	}
	url := ""
	if account.Token != "" {
		url = siteURL + "/activeren/" + account.Token
	}
	subject, body := store.PortalInviteMail(kind == platform.UserKindPupil, givenName, lic.Name, url)
	entityID := pupilID.String()
	if guardianID != nil {
		entityID = guardianID.String()
	}
	if CheckRequestID(requestID) != nil {
		requestID = uuid.NewString()
	}
	err = s.tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			if err := school.New(tx).EnqueueMail(ctx, school.EnqueueMailParams{DedupeKey: "portal:" + entityID + ":" + requestID,
				ToAddress: email, Subject: subject, Body: body}); err != nil {
				return err
			}
			e := actor.entry(ctx, pupilID, logbook.ActionShare, "portal_invitation")
			e.EntityID = entityID
			return logbook.Append(ctx, tx, e)
		})
	})
	if err != nil {
		return err
	}
	SendOutbox(ctx, s.temporal, s.logger, lic.ID)
	return nil
}

// SendOutbox has the licence's outbox sent now. When that cannot start,
// the mails wait in the outbox for the next send.
func SendOutbox(ctx context.Context, tc client.Client, logger *slog.Logger, licenceID uuid.UUID) {
	if err := workflows.StartSendOutbox(ctx, tc, licenceID.String()); err != nil {
		logger.ErrorContext(ctx, "outbox send not started", "err", err)
	}
}

// Outbox is the school's mail outbox, newest first, at most 100: in `make
// run` nothing is sent, and the development mailbox shows it.
func (s *Portal) Outbox(ctx context.Context, licenceID uuid.UUID) ([]school.MailOutbox, error) {
	var mails []school.MailOutbox
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		mails, err = school.New(pool).ListOutbox(ctx, 100)
		return err
	})
	return mails, err
}

// readPupil reads a pupil's record at a school licence.
func readPupil(ctx context.Context, tm *tenants.Manager, licenceID, pupilID uuid.UUID) (school.Pupil, error) {
	var p school.Pupil
	err := tm.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		p, err = school.New(pool).GetPupil(ctx, pupilID)
		return db.Classify(err)
	})
	return p, err
}
