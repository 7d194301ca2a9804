package activities

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
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
)

// ActivationValidity is how long a one-time activation link works.
const ActivationValidity = 7 * 24 * time.Hour

// NewToken is a random, URL-safe secret of 32 bytes.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// HashToken is how a token is stored: only its sha256.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// ErrOtherAccountKind: the address belongs to an account of another kind
// (a member of staff, or a guardian where a pupil is invited).
var ErrOtherAccountKind = errors.New("e-mail address belongs to another kind of account")

// PortalAccount is the result of PortalAccountFor.
type PortalAccount struct {
	UserID uuid.UUID
	// Token is a new one-time activation token, set when the account has
	// no password yet (new, or an earlier link was never used).
	Token string
	// WasLinked: the account was linked to this pupil already.
	WasLinked bool
}

// PortalAccountFor finds or creates the portal account of kind for email
// and links it to the pupil: as guardian guardianID, or as the pupil
// themselves when guardianID is nil. Run it in a platform transaction.
func PortalAccountFor(ctx context.Context, q *platform.Queries, kind platform.UserKind, email, name string,
	licenceID, pupilID uuid.UUID, guardianID *uuid.UUID) (PortalAccount, error) {
	var out PortalAccount
	user, err := q.GetUserByEmail(ctx, email)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		if user, err = q.CreateUser(ctx, platform.CreateUserParams{Kind: kind, Email: email, DisplayName: name}); err != nil {
			return out, fmt.Errorf("create portal account: %w", err)
		}
	case err != nil:
		return out, fmt.Errorf("read portal account: %w", err)
	case user.Kind != kind:
		return out, ErrOtherAccountKind
	}
	out.UserID = user.ID
	link, err := q.GetPupilLink(ctx, platform.GetPupilLinkParams{UserID: user.ID, LicenceID: licenceID, PupilID: pupilID})
	switch {
	case err == nil:
		out.WasLinked = (link.GuardianID == nil) == (guardianID == nil) &&
			(guardianID == nil || *link.GuardianID == *guardianID)
	case !errors.Is(err, pgx.ErrNoRows):
		return out, fmt.Errorf("read pupil link: %w", err)
	}
	if user.PasswordHash == nil {
		if out.Token, err = NewToken(); err != nil {
			return out, err
		}
		if err := q.CreateActivation(ctx, platform.CreateActivationParams{TokenHash: HashToken(out.Token), UserID: user.ID,
			ExpiresAt: time.Now().Add(ActivationValidity)}); err != nil {
			return out, fmt.Errorf("create activation: %w", err)
		}
	}
	err = q.LinkGuardian(ctx, platform.LinkGuardianParams{UserID: user.ID, LicenceID: licenceID, PupilID: pupilID, GuardianID: guardianID})
	if err != nil {
		return out, fmt.Errorf("link portal account: %w", err)
	}
	return out, nil
}

// PortalInviteMail is the invitation to the portal, for a guardian
// (u-vorm) or the pupil (je-vorm). It names no child and no content.
func PortalInviteMail(pupil bool, givenName, schoolName, activationURL string) (subject, body string) {
	if pupil {
		subject = "Je eigen account voor TOP dossier van " + schoolName
		body = fmt.Sprintf("Hoi %s,\n\nJe bent nu oud genoeg voor je eigen privacyrechten. Daarom mag je zelf meelezen in het plan dat %s met jou "+
			"en je ouders maakt, en beslis je mee wie het mag zien.\n\n", givenName, schoolName)
		if activationURL != "" {
			body += "Kies je wachtwoord via deze link (7 dagen geldig, één keer te gebruiken):\n" + activationURL +
				"\n\nDaarna stel je een app-code of een passkey in, zodat alleen jij kunt inloggen.\n"
		} else {
			body += "Je hebt al een account: log in met je e-mailadres en wachtwoord of passkey.\n"
		}
		return subject, body
	}
	subject = "Uitnodiging voor het ouderportaal van " + schoolName
	body = fmt.Sprintf("Beste %s,\n\n%s nodigt u uit voor het ouderportaal van TOP dossier. Daar leest u het plan "+
		"voor uw kind en geeft u uw antwoord op de vragen van de school.\n\n", givenName, schoolName)
	if activationURL != "" {
		body += "Kies uw wachtwoord via deze link (7 dagen geldig, één keer te gebruiken):\n" + activationURL +
			"\n\nBij de eerste keer inloggen stelt u een app-code of een passkey in.\n"
	} else {
		body += "U heeft al een account: log in met uw e-mailadres en wachtwoord of passkey.\n"
	}
	return subject, body
}

// PupilShareAgeInput asks for the day the pupil reaches the age of their
// own privacy rights.
type PupilShareAgeInput struct {
	LicenceID, PupilID string
	ShareAge           int
}

// PupilShareAt returns the day the pupil turns in.ShareAge, or nil when the pupil has left. The date is a
// payload, encrypted like every other.
func (a *Activities) PupilShareAt(ctx context.Context, in PupilShareAgeInput) (*time.Time, error) {
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

// OpenPupilPortalInput opens the pupil's own portal on the day they reach
// the age of their own privacy rights.
type OpenPupilPortalInput struct {
	LicenceID, PupilID string
}

// OpenPupilPortal gives a pupil who reached the age of their own privacy
// rights a portal account of their own, without anybody at school having
// to act: an account for the address the school keeps, linked to the
// pupil, and an invitation mail in the outbox. Without an address the
// pupil page asks the school for one. Either way the logbook says so.
// A pupil who has an activated, linked account already gets no mail.
func (a *Activities) OpenPupilPortal(ctx context.Context, in OpenPupilPortalInput) (mailed bool, err error) {
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
	var account PortalAccount
	if p.Email != "" && p.LeftOn == nil {
		name := strings.Join(strings.Fields(p.GivenName+" "+p.NameInfix+" "+p.FamilyName), " ")
		err = db.InTx(ctx, a.Tenants.Platform(), func(tx pgx.Tx) error {
			account, err = PortalAccountFor(ctx, platform.New(tx), platform.UserKindPupil, p.Email, name, licenceID, pupilID, nil)
			return err
		})
		if errors.Is(err, ErrOtherAccountKind) {
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
				subject, body := PortalInviteMail(true, p.GivenName, lic.Name, url)
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
