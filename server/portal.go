package server

import (
	"cmp"
	"context"
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

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/service"
)

const portalKey = "td.portal"

// portalUser is who reads a pupil's plan in the portal: a guardian, or the
// pupil from the age of their own privacy rights.
type portalUser struct {
	Pupil     bool   // the pupil themselves
	PartyKey  string // their key in a consent round
	CanAnswer bool   // a guardian without parental authority only reads
	Ages      law.ConsentAges
}

// portalAccess decides whether the account behind link may read the
// pupil's plan today: a guardian with parental authority, one without
// where the school allows it, and the pupil from ages.Share.
func portalAccess(ctx context.Context, q *school.Queries, link platform.PupilLink, kind platform.UserKind,
	share int, today time.Time) (portalUser, bool, error) {
	switch {
	case kind == platform.UserKindGuardian && link.GuardianID != nil:
		g, err := q.GetGuardian(ctx, school.GetGuardianParams{ID: *link.GuardianID, PupilID: link.PupilID})
		if errors.Is(err, pgx.ErrNoRows) {
			return portalUser{}, false, nil
		}
		if err != nil {
			return portalUser{}, false, err
		}
		u := portalUser{PartyKey: plan.GuardianPartyKey(g.ID), CanAnswer: g.ParentalAuthority}
		if g.ParentalAuthority {
			return u, true, nil
		}
		set, err := q.GetSchoolSetting(ctx)
		return u, err == nil && set.ViewWithoutAuthority, err
	case kind == platform.UserKindPupil && link.GuardianID == nil:
		p, err := q.GetPupil(ctx, link.PupilID)
		if errors.Is(err, pgx.ErrNoRows) {
			return portalUser{}, false, nil
		}
		if err != nil {
			return portalUser{}, false, err
		}
		ok := !today.Before(p.BirthDate.AddDate(share, 0, 0))
		return portalUser{Pupil: true, PartyKey: plan.PupilPartyKey, CanAnswer: true}, ok, nil
	}
	return portalUser{}, false, nil
}

// linkedPortal lets a guardian or pupil reach only a pupil their account
// is linked to, and only while portalAccess allows it; anybody else gets
// 404.
func (s *Server) linkedPortal(c *gin.Context) {
	p := principalOf(c)
	if p == nil || p.session.MfaAt == nil {
		s.unauthenticated(c)
		return
	}
	licenceID, err1 := uuidParam(c, "licence")
	pupilID, err2 := uuidParam(c, "pupil")
	if err1 != nil || err2 != nil || (!p.IsGuardian() && !p.IsPupil()) {
		s.fail(c, fault.ErrNotFound)
		return
	}
	link, err := platform.New(s.tenants.Platform()).GetPupilLink(c, platform.GetPupilLinkParams{UserID: p.UserID,
		LicenceID: licenceID, PupilID: pupilID})
	if err != nil {
		s.fail(c, fault.ErrNotFound)
		return
	}
	rules, err := s.dossiers.ConsentRules(c, licenceID)
	if err != nil {
		s.fail(c, err)
		return
	}
	var u portalUser
	ok := false
	err = s.tenants.With(c, licenceID, func(pool *pgxpool.Pool) error {
		u, ok, err = portalAccess(c, school.New(pool), link, p.session.UserKind, rules.Ages.Share, s.today())
		return err
	})
	u.Ages = rules.Ages
	if err != nil || !ok {
		s.fail(c, cmp.Or(err, fault.ErrNotFound))
		return
	}
	c.Set(portalKey, u)
	c.Next()
}

// today is the date in the school's time zone, as a UTC midnight like the
// dates the database returns.
func (s *Server) today() time.Time { return service.Today(s.location) }

// portalActorOf is the guardian or pupil behind c, as the services know
// them.
func portalActorOf(c *gin.Context) service.Actor {
	p := principalOf(c)
	role := "guardian"
	if p.IsPupil() {
		role = "pupil"
	}
	return service.Actor{UserID: p.UserID, Name: p.Name, Role: auth.Role(role)}
}

// portalEntry is a logbook line for what a guardian or pupil does in the
// portal.
func (s *Server) portalEntry(c *gin.Context, pupilID uuid.UUID, action, entity string) logbook.Entry {
	p := principalOf(c)
	role := "guardian"
	if p.IsPupil() {
		role = "pupil"
	}
	return logbook.Entry{ActorID: &p.UserID, ActorRole: role, Action: action, PupilID: &pupilID, Entity: entity,
		EntityID: pupilID.String(), RequestID: requestIDOf(c)}
}

type portalChild struct {
	LicenceID  uuid.UUID
	School     string
	Pupil      school.Pupil
	HasDossier bool
	Closed     bool // a guardian without authority where the school does not share the plan
}

type portalHomePage struct {
	Self     bool // a pupil's own portal
	Children []portalChild
}

// handlePortalHome lists the children a guardian is linked to, at every
// school, after one login; for a pupil, their own plan.
func (s *Server) handlePortalHome(c *gin.Context) error {
	p := principalOf(c)
	if !p.IsGuardian() && !p.IsPupil() {
		return fault.ErrNotFound
	}
	q := platform.New(s.tenants.Platform())
	links, err := q.ListPupilLinksForUser(c, p.UserID)
	if err != nil {
		return err
	}
	page := portalHomePage{Self: p.IsPupil()}
	for _, l := range links {
		lic, err := q.GetLicence(c, l.LicenceID)
		if err != nil {
			continue // a licence that ended shows nothing
		}
		child := portalChild{LicenceID: l.LicenceID, School: lic.Name}
		shown := false
		rules, err := s.dossiers.ConsentRules(c, l.LicenceID)
		if err != nil {
			return err
		}
		err = s.tenants.With(c, l.LicenceID, func(pool *pgxpool.Pool) error {
			return db.InTx(c, pool, func(tx pgx.Tx) error {
				sq := school.New(tx)
				u, ok, err := portalAccess(c, sq, l, p.session.UserKind, rules.Ages.Share, s.today())
				if err != nil || (!ok && (u.PartyKey == "" || u.Pupil)) {
					return err // not theirs (any more), or the pupil is not yet old enough
				}
				if child.Pupil, err = sq.GetPupil(c, l.PupilID); err != nil {
					return db.Classify(err)
				}
				shown, child.Closed = true, !ok
				if child.Closed {
					return nil
				}
				d, err := sq.CurrentDossierOfPupil(c, l.PupilID)
				child.HasDossier = err == nil && d.ClosedAt == nil
				return logbook.Append(c, tx, s.portalEntry(c, l.PupilID, logbook.ActionView, "pupil_list"))
			})
		})
		if errors.Is(err, fault.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if shown {
			page.Children = append(page.Children, child)
		}
	}
	s.render(c, http.StatusOK, "portal", page)
	return nil
}

type portalPupilPage struct {
	LicenceID uuid.UUID
	Self      bool // the pupil reads their own plan
	CanCopy   bool // AVG: the reader may have a copy (not a guardian without authority)
	service.DossierView
	HasDossier bool
	Party      string // the reader's party key in the open round, if asked
	Decides    bool   // their answer decides on the handelingsdeel
	DecideAge  int    // from this age the pupil decides instead of the guardians
	Answered   string // their last answer
	RequestID  string
	Errors     fault.FieldErrors
	Notice     string
	Views      []logbookRow
	Requests   []portalRequest
	AVG        []school.AvgRequest // the reader's own requests under the AVG
	AVGKinds   map[string]string
}

// handlePortalPupil shows a guardian the plan of their child, read-only,
// with the consent question when they are asked, and who looked at the
// dossier.
func (s *Server) handlePortalPupil(c *gin.Context) error {
	return s.renderPortalPupil(c, http.StatusOK, nil)
}

func (s *Server) renderPortalPupil(c *gin.Context, status int, errs fault.FieldErrors) error {
	licenceID, _ := uuidParam(c, "licence")
	pupilID, _ := uuidParam(c, "pupil")
	u := c.MustGet(portalKey).(portalUser)
	page := portalPupilPage{LicenceID: licenceID, Self: u.Pupil, CanCopy: u.CanAnswer, RequestID: uuid.NewString(), Errors: errs,
		DecideAge: u.Ages.Decide}
	v, err := s.dossiers.Load(c, licenceID, pupilID)
	switch {
	case err == nil:
		page.DossierView, page.HasDossier = v, true
	case errors.Is(err, fault.ErrNotFound) && v.Pupil.ID != uuid.Nil:
		page.DossierView = v
	default:
		return err
	}
	key := u.PartyKey
	if v.Consent != nil && v.Consent.Round.Status == "open" && u.CanAnswer {
		for _, p := range v.Consent.Parties {
			if p.Key == key && !p.Removed {
				page.Party, page.Decides = key, p.Decides
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
		if u.Pupil {
			page.Notice = "Dank je wel, je antwoord is vastgelegd."
		}
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
	if page.HasDossier {
		if page.Requests, err = s.portalRequests(c, licenceID, v.Dossier, u.PartyKey); err != nil {
			return err
		}
	}
	page.AVGKinds = avgKinds
	err = s.tenants.With(c, licenceID, func(pool *pgxpool.Pool) error {
		all, err := school.New(pool).ListAVGRequests(c, pupilID)
		for _, r := range all {
			if r.PartyKey == u.PartyKey {
				page.AVG = append(page.AVG, r)
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	if c.Query("verzoek") == "1" {
		page.Notice = "Uw verzoek is verstuurd; de school antwoordt binnen een maand."
		if u.Pupil {
			page.Notice = "Je verzoek is verstuurd; de school antwoordt binnen een maand."
		}
	}
	s.render(c, status, "portal_pupil", page)
	return nil
}

// portalRequest is a request to the SWV as a party sees it in the portal.
type portalRequest struct {
	service.RequestView
	Mine      *school.ListSWVRequestPartiesRow // this reader's row, when asked
	RequestID string
}

// portalRequests are the requests of the dossier the reader is asked
// about or that were sent (with their signed decision).
func (s *Server) portalRequests(ctx context.Context, licenceID uuid.UUID, d school.Dossier, key string) ([]portalRequest, error) {
	var reqs []school.SwvRequest
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		reqs, err = school.New(pool).ListSWVRequests(ctx, d.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []portalRequest
	for _, r := range reqs {
		v, err := s.requests.Load(ctx, licenceID, d, r.ID)
		if err != nil {
			return nil, err
		}
		pr := portalRequest{RequestView: v, RequestID: uuid.NewString()}
		for i, p := range v.Parties {
			if p.PartyKey == key {
				pr.Mine = &v.Parties[i]
			}
		}
		if pr.Mine != nil || r.Status == "submitted" {
			out = append(out, pr)
		}
	}
	return out, nil
}

// handlePortalRequestAnswer is a party's answer on a request to the SWV:
// per attachment whether it may go, agree / refuse / ask for a
// correction, and the zienswijze.
func (s *Server) handlePortalRequestAnswer(c *gin.Context) error {
	licenceID, _ := uuidParam(c, "licence")
	pupilID, _ := uuidParam(c, "pupil")
	u := c.MustGet(portalKey).(portalUser)
	requestID, err := uuidParam(c, "request")
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	d, err := s.loadDossierHeader(c, licenceID, pupilID)
	if err != nil {
		return err
	}
	round, _ := strconv.Atoi(c.PostForm("round"))
	in := service.RequestAnswer{Answer: c.PostForm("answer"), Remark: c.PostForm("remark"), View: c.PostForm("view"),
		Round: round, Share: map[string]bool{}}
	for key, values := range c.Request.PostForm {
		if id, ok := strings.CutPrefix(key, "share_"); ok {
			in.Share[id] = len(values) > 0 && values[0] == "1"
		}
	}
	err = s.requests.Answer(c, portalActorOf(c), licenceID, d, requestID, u.PartyKey, u.CanAnswer, in)
	if fields, ok := asFieldErrors(err); ok {
		return s.renderPortalPupil(c, http.StatusUnprocessableEntity, fields)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/ouder/%s/%s?beantwoord=1#aanvragen", licenceID, pupilID))
	return nil
}

// handlePortalDecisionPDF lets a party download the signed decision on
// a request of their child's dossier.
func (s *Server) handlePortalDecisionPDF(c *gin.Context) error {
	licenceID, _ := uuidParam(c, "licence")
	pupilID, _ := uuidParam(c, "pupil")
	requestID, err := uuidParam(c, "request")
	if err != nil {
		return err
	}
	d, err := s.loadDossierHeader(c, licenceID, pupilID)
	if err != nil {
		return err
	}
	v, err := s.requests.Load(c, licenceID, d, requestID)
	if err != nil {
		return err
	}
	if v.Request.SwvRequestID == nil || v.Request.SwvLicenceID == nil {
		return fault.ErrNotFound
	}
	err = s.tenants.With(c, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(c, pool, func(tx pgx.Tx) error {
			e := s.portalEntry(c, pupilID, logbook.ActionExport, "decision_document")
			e.EntityID = requestID.String()
			return logbook.Append(c, tx, e)
		})
	})
	if err != nil {
		return err
	}
	return s.serveDecisionPDF(c, *v.Request.SwvLicenceID, *v.Request.SwvRequestID, nil)
}

// handlePortalConsent is a guardian's own answer: akkoord, niet akkoord
// (with a reason) or a question. It asked for password and code (or a
// passkey) shortly before.
func (s *Server) handlePortalConsent(c *gin.Context) error {
	licenceID, _ := uuidParam(c, "licence")
	pupilID, _ := uuidParam(c, "pupil")
	u := c.MustGet(portalKey).(portalUser)
	if !u.CanAnswer {
		return fault.ErrNotFound
	}
	if err := parseForm(c); err != nil {
		return err
	}
	version, err := strconv.ParseInt(c.PostForm("version"), 10, 32)
	if err != nil {
		return s.renderPortalPupil(c, http.StatusUnprocessableEntity, fault.FieldErrors{"answer": "Het formulier is verlopen; laad de pagina opnieuw."})
	}
	d, err := s.loadDossierHeader(c, licenceID, pupilID)
	if err != nil {
		return err
	}
	_, err = s.dossiers.RespondConsentAs(c, actorOf(c), licenceID, d, int32(version), service.ConsentAnswerInput{RequestID: c.PostForm("request_id"),
		Party: u.PartyKey, Answer: c.PostForm("answer"), Remark: c.PostForm("remark")}, "portal")
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
// passkey follows at the first login. A guardian without parental
// authority is invited only where the school lets them read the plan.
func (s *Server) handleGuardianInvite(c *gin.Context) error {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return err
	}
	guardianID, err := uuidParam(c, "guardian")
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	if err := s.portal.InviteGuardian(c, actorOf(c), lic, pupilID, guardianID, c.PostForm("request_id"), siteURL(c)); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingen/%s?uitgenodigd=1", lic.ID, pupilID))
	return nil
}

// handlePupilInvite gives a pupil of 16 or older their own portal account
// now, at the address the school types (the birthday timer does the same
// on its own for an address the school already had).
func (s *Server) handlePupilInvite(c *gin.Context) error {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	if err := s.portal.InvitePupil(c, actorOf(c), lic, pupilID, c.PostForm("email"), c.PostForm("request_id"), siteURL(c)); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingen/%s?uitgenodigd=1", lic.ID, pupilID))
	return nil
}
