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

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/workflows"
)

// PupilShareAt returns the day the pupil turns in.ShareAge, or nil when the pupil has left. The date is a
// payload, encrypted like every other.
func (a *Activities) PupilShareAt(ctx context.Context, in workflows.PupilShareAgeInput) (*time.Time, error) {
	licenceID, pupilID, err := parseIDs(in.LicenceID, in.PupilID)
	if err != nil {
		return nil, err
	}
	var at *time.Time
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		p, err := school.New(pool).GetPupil(ctx, pupilID)
		if err != nil {
			return db.Classify(err)
		}
		if p.LeftOn == nil {
			t := p.BirthDate.AddDate(in.ShareAge, 0, 0) // as ConsentPartiesAt counts
			at = &t
		}
		return nil
	})
	return at, wrap("pupil share age", err)
}

// OpenPupilPortal gives a pupil who reached the age of their own privacy
// rights a portal account of their own, without anybody at school having
// to act: an account for the address the school keeps, linked to the
// pupil, and an invitation mail in the outbox. Without an address the
// pupil page asks the school for one. Either way the logbook says so.
// A pupil who has an activated, linked account already gets no mail.
func (a *Activities) OpenPupilPortal(ctx context.Context, in workflows.OpenPupilPortalInput) (mailed bool, err error) {
	licenceID, pupilID, err := parseIDs(in.LicenceID, in.PupilID)
	if err != nil {
		return false, err
	}
	lic, err := platform.New(a.Tenants.Platform()).GetLicence(ctx, licenceID)
	if err != nil {
		return false, wrap("open pupil portal", db.Classify(err))
	}
	var p school.Pupil
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		p, err = school.New(pool).GetPupil(ctx, pupilID)
		return db.Classify(err)
	})
	if err != nil {
		return false, wrap("open pupil portal", err)
	}
	entity := "pupil_rights"
	var account store.PortalAccount
	if p.Email != "" && p.LeftOn == nil {
		name := strings.Join(strings.Fields(p.GivenName+" "+p.NameInfix+" "+p.FamilyName), " ")
		err = db.InTx(ctx, a.Tenants.Platform(), func(tx pgx.Tx) error {
			account, err = store.PortalAccountFor(ctx, platform.New(tx), platform.UserKindPupil, p.Email, name, licenceID, pupilID, nil)
			return err
		})
		if errors.Is(err, store.ErrOtherAccountKind) {
			entity, err = "pupil_rights_address_taken", nil
		}
		if err != nil {
			return false, wrap("open pupil portal", err)
		}
	}
	mailed = account.UserID != uuid.Nil && (account.Token != "" || !account.WasLinked)
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			if mailed {
				url := ""
				if account.Token != "" {
					url = a.Mail.SiteURL + "/activeren/" + account.Token
				}
				subject, body := store.PortalInviteMail(true, p.GivenName, lic.Name, url)
				if err := school.New(tx).EnqueueMail(ctx, school.EnqueueMailParams{DedupeKey: "portal:pupil:" + pupilID.String() + ":share-age",
					ToAddress: p.Email, Subject: subject, Body: body}); err != nil {
					return err
				}
				entity = "pupil_portal_invitation"
			}
			return logbook.Append(ctx, tx, logbook.Entry{ActorRole: "system", Action: logbook.ActionProcess, PupilID: &pupilID,
				Entity: entity, EntityID: pupilID.String()})
		})
	})
	return mailed, wrap("open pupil portal", err)
}

// PupilOfAge tells, on the 18th birthday, the pupil that they now decide
// on their plan (and whether their parents read on), and the guardians
// with authority that their access ends unless the pupil lets them read
// on; a pupil who left gets nothing. The logbook says so. It reports
// whether a mail was written.
func (a *Activities) PupilOfAge(ctx context.Context, in workflows.PupilOfAgeInput) (bool, error) {
	licenceID, pupilID, err := parseIDs(in.LicenceID, in.PupilID)
	if err != nil {
		return false, err
	}
	lic, err := platform.New(a.Tenants.Platform()).GetLicence(ctx, licenceID)
	if err != nil {
		return false, wrap("pupil of age", db.Classify(err))
	}
	mailed := false
	err = a.Tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			p, err := q.GetPupil(ctx, pupilID)
			if err != nil {
				return db.Classify(err)
			}
			if p.LeftOn != nil {
				return nil
			}
			guardians, err := q.ListGuardians(ctx, pupilID)
			if err != nil {
				return err
			}
			mail := func(to, subject, body string) error {
				mailed = true
				return q.EnqueueMail(ctx, school.EnqueueMailParams{DedupeKey: "of-age:" + pupilID.String() + ":" + to,
					ToAddress: to, Subject: subject, Body: body})
			}
			if p.Email != "" {
				if err := mail(p.Email, "Je bent 18: jij beslist over je plan",
					fmt.Sprintf("Beste %s,\n\nGefeliciteerd! Nu je 18 bent, beslis jij over het plan dat %s met je maakt: jij stemt in "+
						"met het handelingsdeel, niet meer je ouders. Je ouders lezen je plan niet meer mee, tenzij jij dat wilt; "+
						"dat kies je in je eigen portaal in TOP dossier.\n", p.GivenName, lic.Name)); err != nil {
					return err
				}
			}
			for _, g := range guardians {
				if !g.ParentalAuthority || g.Email == "" || p.GuardiansGrantedAt != nil {
					continue
				}
				if err := mail(g.Email, "Uw kind is 18",
					fmt.Sprintf("Beste ouder of verzorger,\n\nUw kind is 18 geworden en beslist vanaf nu zelf over het plan dat %s "+
						"met uw kind maakt. Uw toegang tot het plan in TOP dossier stopt, tenzij uw kind in het eigen portaal "+
						"aanzet dat u mag meelezen.\n", lic.Name)); err != nil {
					return err
				}
			}
			return logbook.Append(ctx, tx, logbook.Entry{ActorRole: "system", Action: logbook.ActionProcess, PupilID: &pupilID,
				Entity: "pupil_of_age", EntityID: pupilID.String()})
		})
	})
	return mailed, wrap("pupil of age", err)
}
