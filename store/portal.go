package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/platform"
)

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
		if out.Token, err = auth.NewToken(); err != nil {
			return out, err
		}
		if err := q.CreateActivation(ctx, platform.CreateActivationParams{TokenHash: auth.HashToken(out.Token), UserID: user.ID,
			ExpiresAt: time.Now().Add(auth.ActivationValidity)}); err != nil {
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

// PortalLink is the link a mail to a party of a consent round or a
// request carries, landing on back (a path in the portal). A guardian's
// portal account is made and linked to the pupil first, as the school's
// invite button does: one not yet activated gets a one-time activation
// link that lands on back once the password and second step are set, an
// active one a link to back itself. The pupil gets a link when they have
// an account of their own. "" when no link fits: the address belongs to a
// member of staff, or the pupil has no account yet.
func PortalLink(ctx context.Context, pool *pgxpool.Pool, siteURL string, guardianID *uuid.UUID, email, name string,
	licenceID, pupilID uuid.UUID, back string) (string, error) {
	if email == "" {
		return "", nil
	}
	if guardianID == nil {
		u, err := platform.New(pool).GetUserByEmail(ctx, email)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && (u.Kind != platform.UserKindPupil || u.PasswordHash == nil)) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		return siteURL + back, nil
	}
	var account PortalAccount
	err := db.InTx(ctx, pool, func(tx pgx.Tx) error {
		var err error
		account, err = PortalAccountFor(ctx, platform.New(tx), platform.UserKindGuardian, email, name, licenceID, pupilID, guardianID)
		return err
	})
	switch {
	case errors.Is(err, ErrOtherAccountKind):
		return "", nil
	case err != nil:
		return "", err
	case account.Token != "":
		return siteURL + "/activeren/" + account.Token + "?terug=" + url.QueryEscape(back), nil
	}
	return siteURL + back, nil
}

// PortalLinkText is the paragraph of a mail with the link (u-vorm for a
// guardian, je-vorm for the pupil); without a link it says to log in.
func PortalLinkText(link string, pupil bool) string {
	switch {
	case link == "":
		return "Log in op TOP dossier om het te lezen en te antwoorden."
	case strings.Contains(link, "/activeren/") && pupil:
		return "Open deze link om je account te activeren; daarna kom je meteen bij de vraag (7 dagen geldig, één keer te gebruiken):\n" + link
	case strings.Contains(link, "/activeren/"):
		return "Open deze link om uw account te activeren: u kiest een wachtwoord, stelt een app-code in en komt meteen bij de vraag " +
			"(7 dagen geldig, één keer te gebruiken):\n" + link
	}
	return "Lees het en antwoord via deze link (log in als dat gevraagd wordt):\n" + link
}
