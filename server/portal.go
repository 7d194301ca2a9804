package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/activities"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/workflows"
)

const guardianKey = "td.guardian"

// linkedGuardian lets a guardian reach only a pupil their account is
// linked to, as the guardian row the school keeps; anybody else gets 404.
func (s *Server) linkedGuardian(c *gin.Context) {
	p := principalOf(c)
	if p == nil || p.session.MfaAt == nil {
		s.unauthenticated(c)
		return
	}
	licenceID, err1 := uuidParam(c, "licence")
	pupilID, err2 := uuidParam(c, "pupil")
	if err1 != nil || err2 != nil || p.session.UserKind != platform.UserKindGuardian {
		s.fail(c, db.ErrNotFound)
		return
	}
	link, err := platform.New(s.tenants.Platform()).GetPupilLink(c, platform.GetPupilLinkParams{UserID: p.UserID,
		LicenceID: licenceID, PupilID: pupilID})
	if err != nil || link.GuardianID == nil {
		s.fail(c, db.ErrNotFound)
		return
	}
	c.Set(guardianKey, *link.GuardianID)
	c.Next()
}

// portalEntry is a logbook line for what a guardian does in the portal.
func (s *Server) portalEntry(c *gin.Context, pupilID uuid.UUID, action, entity string) logbook.Entry {
	uid := principalOf(c).UserID
	return logbook.Entry{ActorID: &uid, ActorRole: "guardian", Action: action, PupilID: &pupilID, Entity: entity,
		EntityID: pupilID.String(), RequestID: requestIDOf(c)}
}

type portalChild struct {
	LicenceID  uuid.UUID
	School     string
	Pupil      school.Pupil
	HasDossier bool
}

type portalHomePage struct {
	Children []portalChild
}

// handlePortalHome lists the children a guardian is linked to, at every
// school, after one login.
func (s *Server) handlePortalHome(c *gin.Context) error {
	p := principalOf(c)
	if p.session.UserKind != platform.UserKindGuardian {
		return db.ErrNotFound
	}
	q := platform.New(s.tenants.Platform())
	links, err := q.ListPupilLinksForUser(c, p.UserID)
	if err != nil {
		return err
	}
	var page portalHomePage
	for _, l := range links {
		if l.GuardianID == nil {
			continue
		}
		lic, err := q.GetLicence(c, l.LicenceID)
		if err != nil {
			continue // a licence that ended shows nothing
		}
		child := portalChild{LicenceID: l.LicenceID, School: lic.Name}
		err = s.tenants.With(c, l.LicenceID, func(pool *pgxpool.Pool) error {
			return db.InTx(c, pool, func(tx pgx.Tx) error {
				sq := school.New(tx)
				var err error
				if child.Pupil, err = sq.GetPupil(c, l.PupilID); err != nil {
					return db.Classify(err)
				}
				d, err := sq.CurrentDossierOfPupil(c, l.PupilID)
				child.HasDossier = err == nil && d.ClosedAt == nil
				return logbook.Append(c, tx, s.portalEntry(c, l.PupilID, logbook.ActionView, "pupil_list"))
			})
		})
		if errors.Is(err, db.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		page.Children = append(page.Children, child)
	}
	s.render(c, http.StatusOK, "portal", page)
	return nil
}

type portalPupilPage struct {
	LicenceID uuid.UUID
	dossierView
	HasDossier bool
	Party      string // the guardian's party key in the open round, if asked
	Answered   string // their last answer
	RequestID  string
	Errors     db.FieldErrors
	Notice     string
	Views      []logbookRow
}

// handlePortalPupil shows a guardian the plan of their child, read-only,
// with the consent question when they are asked, and who looked at the
// dossier.
func (s *Server) handlePortalPupil(c *gin.Context) error {
	return s.renderPortalPupil(c, http.StatusOK, nil)
}

func (s *Server) renderPortalPupil(c *gin.Context, status int, errs db.FieldErrors) error {
	licenceID, _ := uuidParam(c, "licence")
	pupilID, _ := uuidParam(c, "pupil")
	guardianID := c.MustGet(guardianKey).(uuid.UUID)
	page := portalPupilPage{LicenceID: licenceID, RequestID: uuid.NewString(), Errors: errs}
	v, err := s.loadDossier(c, licenceID, pupilID)
	switch {
	case err == nil:
		page.dossierView, page.HasDossier = v, true
	case errors.Is(err, db.ErrNotFound) && v.Pupil.ID != uuid.Nil:
		page.dossierView = v
	default:
		return err
	}
	key := activities.GuardianPartyKey(guardianID)
	if v.Consent != nil && v.Consent.Round.Status == "open" {
		for _, p := range v.Consent.Parties {
			if p.Key == key && !p.Removed {
				page.Party = key
			}
		}
	}
	if v.Consent != nil {
		for _, r := range v.Consent.Responses {
			if r.PartyKey == key {
				page.Answered = r.Answer
			}
		}
	}
	if c.Query("beantwoord") == "1" {
		page.Notice = "Dank u wel, uw antwoord is vastgelegd."
	}
	var seen []school.Logbook // the views and exports, newest first
	err = s.tenants.With(c, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(c, pool, func(tx pgx.Tx) error {
			rows, err := school.New(tx).ListLogbookForPupil(c, &pupilID)
			if err != nil {
				return err
			}
			for _, r := range rows {
				if (r.Action == logbook.ActionView || r.Action == logbook.ActionExport) && len(seen) < 50 {
					seen = append(seen, r)
				}
			}
			return logbook.Append(c, tx, s.portalEntry(c, pupilID, logbook.ActionView, "dossier"))
		})
	})
	if err != nil {
		return err
	}
	if page.Views, err = s.logbookRows(c, seen); err != nil {
		return err
	}
	s.render(c, status, "portal_pupil", page)
	return nil
}

// handlePortalConsent is a guardian's own answer: akkoord, niet akkoord
// (with a reason) or a question. It asked for password and code (or a
// passkey) shortly before.
func (s *Server) handlePortalConsent(c *gin.Context) error {
	licenceID, _ := uuidParam(c, "licence")
	pupilID, _ := uuidParam(c, "pupil")
	guardianID := c.MustGet(guardianKey).(uuid.UUID)
	if err := parseForm(c); err != nil {
		return err
	}
	version, err := strconv.ParseInt(c.PostForm("version"), 10, 32)
	if err != nil {
		return s.renderPortalPupil(c, http.StatusUnprocessableEntity, db.FieldErrors{"answer": "Het formulier is verlopen; laad de pagina opnieuw."})
	}
	d, err := s.loadDossierHeader(c, licenceID, pupilID)
	if err != nil {
		return err
	}
	_, err = s.respondConsentAs(c, licenceID, d, int32(version), consentAnswerInput{RequestID: c.PostForm("request_id"),
		Party: activities.GuardianPartyKey(guardianID), Answer: c.PostForm("answer"), Remark: c.PostForm("remark")}, "portal")
	if fields, ok := asFieldErrors(err); ok {
		return s.renderPortalPupil(c, http.StatusUnprocessableEntity, fields)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/ouder/%s/%s?beantwoord=1", licenceID, pupilID))
	return nil
}

// handleGuardianInvite invites a guardian to the portal: an account for
// the guardian's e-mail address (or the one they have) is linked to the
// guardian row, and a mail with a one-time activation link (7 days) goes
// to the school's outbox. The link sets a password; the app code or a
// passkey follows at the first login.
func (s *Server) handleGuardianInvite(c *gin.Context) error {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return err
	}
	guardianID, err := uuidParam(c, "guardian")
	if err != nil {
		return err
	}
	var g school.Guardian
	err = s.tenants.With(c, lic.ID, func(pool *pgxpool.Pool) error {
		var err error
		g, err = school.New(pool).GetGuardian(c, school.GetGuardianParams{ID: guardianID, PupilID: pupilID})
		return db.Classify(err)
	})
	if err != nil {
		return err
	}
	if g.Email == "" {
		return db.FieldErrors{"email": "Vul eerst het e-mailadres van deze ouder in."}
	}
	name := strings.Join(strings.Fields(g.GivenName+" "+g.NameInfix+" "+g.FamilyName), " ")
	var activation string
	err = db.InTx(c, s.tenants.Platform(), func(tx pgx.Tx) error {
		q := platform.New(tx)
		user, err := q.GetUserByEmail(c, g.Email)
		switch {
		case err == nil && user.Kind != platform.UserKindGuardian:
			return db.FieldErrors{"email": "Dit e-mailadres hoort bij een ander soort account."}
		case errors.Is(err, pgx.ErrNoRows):
			if user, err = q.CreateUser(c, platform.CreateUserParams{Kind: platform.UserKindGuardian, Email: g.Email, DisplayName: name}); err != nil {
				return err
			}
			token, err := newToken()
			if err != nil {
				return err
			}
			if err := q.CreateActivation(c, platform.CreateActivationParams{TokenHash: hashToken(token), UserID: user.ID,
				ExpiresAt: time.Now().Add(activationValidity)}); err != nil {
				return err
			}
			activation = siteURL(c) + "/activeren/" + token
		case err != nil:
			return err
		}
		return q.LinkGuardian(c, platform.LinkGuardianParams{UserID: user.ID, LicenceID: lic.ID, PupilID: pupilID, GuardianID: &g.ID})
	})
	if err != nil {
		return err
	}
	body := fmt.Sprintf("Beste %s,\n\n%s nodigt u uit voor het ouderportaal van TOP dossier. Daar leest u het plan "+
		"voor uw kind en geeft u uw antwoord op de vragen van de school.\n\n", g.GivenName, lic.Name)
	if activation != "" {
		body += "Kies uw wachtwoord via deze link (7 dagen geldig, één keer te gebruiken):\n" + activation +
			"\n\nBij de eerste keer inloggen stelt u een app-code of een passkey in.\n"
	} else {
		body += "U heeft al een account: log in met uw e-mailadres en wachtwoord of passkey.\n"
	}
	err = s.tenants.With(c, lic.ID, func(pool *pgxpool.Pool) error {
		return db.InTx(c, pool, func(tx pgx.Tx) error {
			if err := school.New(tx).EnqueueMail(c, school.EnqueueMailParams{DedupeKey: "portal:" + g.ID.String() + ":" + uuid.NewString(),
				ToAddress: g.Email, Subject: "Uitnodiging voor het ouderportaal van " + lic.Name, Body: body}); err != nil {
				return err
			}
			e := s.entry(c, pupilID, logbook.ActionShare, "portal_invitation")
			e.EntityID = g.ID.String()
			return logbook.Append(c, tx, e)
		})
	})
	if err != nil {
		return err
	}
	if err := workflows.StartSendOutbox(c, s.temporal, lic.ID.String()); err != nil {
		// The mail waits in the outbox; the next send takes it.
		s.logger.ErrorContext(c, "outbox send not started", "request_id", requestIDOf(c), "err", err)
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingen/%s?uitgenodigd=1", lic.ID, pupilID))
	return nil
}
