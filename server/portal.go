package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/service"
)

const portalKey = "td.portal"

// linkedPortal lets a guardian or pupil reach only a pupil their account
// is linked to, and only while service.Portal.Access allows it; anybody
// else gets 404.
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
	u, err := s.portal.Access(c, p.UserID, p.session.UserKind, licenceID, pupilID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Set(portalKey, u)
	c.Next()
}

// portalReader is the reader linkedPortal let through.
func portalReader(c *gin.Context) service.Reader { return c.MustGet(portalKey).(service.Reader) }

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

type portalHomePage struct {
	Self     bool // a pupil's own portal
	Children []service.Child
}

// handlePortalHome lists the children a guardian is linked to, at every
// school, after one login; for a pupil, their own plan.
func (s *Server) handlePortalHome(c *gin.Context) error {
	p := principalOf(c)
	if !p.IsGuardian() && !p.IsPupil() {
		return fault.ErrNotFound
	}
	children, err := s.portal.Children(c, portalActorOf(c), p.session.UserKind)
	if err != nil {
		return err
	}
	// One child to read: straight to their plan (the list is one link
	// back from there).
	if len(children) == 1 && !children[0].Closed && !children[0].Adult && c.Query("alle") == "" {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/ouder/%s/%s", children[0].LicenceID, children[0].Pupil.ID))
		return nil
	}
	s.render(c, http.StatusOK, "portal", portalHomePage{Self: p.IsPupil(), Children: children})
	return nil
}

type portalPupilPage struct {
	LicenceID uuid.UUID
	Self      bool // the pupil reads their own plan
	// Adult: the pupil is of age; in their own portal they choose whether
	// the guardians read on (GuardiansGranted).
	Adult, GuardiansGranted bool
	CanCopy                 bool // AVG: the reader may have a copy (not a guardian without authority)
	service.DossierView
	HasDossier bool
	Party      string // the reader's party key in the open round, if asked
	Decides    bool   // their answer decides on the handelingsdeel
	DecideAge  int    // from this age the pupil decides instead of the guardians
	Answered   string // their last answer
	RequestID  string
	Errors     fault.FieldErrors
	Notice     string
	Views      []viewLine // this page of the view log
	ViewPage   int
	ViewPages  int
	Requests   []portalRequest
	// Transfers are the dossier's transfers to another school: the one
	// the reader is asked about, and how earlier ones ended.
	Transfers []service.TransferView
	// Key is the reader's party key when they may answer for the pupil.
	Key      string
	AVG      []school.AvgRequest // the reader's own requests under the AVG
	AVGKinds map[string]string
	SWV      service.SWVRights // the requests at SWVs to ask about, and the reader's requests there
	Form     formState         // a form that came back, as typed
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
	u := portalReader(c)
	page := portalPupilPage{LicenceID: licenceID, Self: u.Pupil, CanCopy: u.CanAnswer, RequestID: uuid.NewString(), Errors: errs, Form: sentForm(c, errs),
		DecideAge: u.Ages.Decide, Adult: u.Adult, GuardiansGranted: u.GuardiansGranted}
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
	if c.Query("rapport") == "1" {
		page.Notice = "Uw zienswijze is opgeslagen; die gaat mee met het onderwijskundig rapport."
		if u.Pupil {
			page.Notice = "Je zienswijze is opgeslagen; die gaat mee met het onderwijskundig rapport."
		}
	}
	if c.Query("beantwoord") == "1" {
		page.Notice = "Dank u wel, uw antwoord is vastgelegd."
		if u.Pupil {
			page.Notice = "Dank je wel, je antwoord is vastgelegd."
		}
	}
	read, err := s.portal.Read(c, portalActorOf(c), u, licenceID, pupilID)
	if err != nil {
		return err
	}
	seen, err := s.logbookRows(c, read.Seen)
	if err != nil {
		return err
	}
	page.ViewPage, _ = strconv.Atoi(c.Query("bekeken"))
	page.Views, page.ViewPages = pageOf(groupViews(seen, s.location), page.ViewPage, viewsPerPage)
	page.ViewPage = min(max(page.ViewPage, 1), page.ViewPages)
	if page.HasDossier {
		if page.Requests, err = s.portalRequests(c, licenceID, v.Dossier, u.PartyKey); err != nil {
			return err
		}
		if page.Transfers, err = s.transfers.OfPupil(c, licenceID, pupilID); err != nil {
			return err
		}
		if u.CanAnswer {
			page.Key = u.PartyKey
		}
	}
	page.AVGKinds, page.AVG = avgKinds, read.AVG
	if page.SWV, err = s.retention.SWVRights(c, u, licenceID, pupilID); err != nil {
		return err
	}
	if c.Query("ouders") == "1" {
		page.Notice = "Je keuze is vastgelegd."
	}
	if to := c.Query("verzoek"); to != "" {
		who := "de school"
		if to == "swv" {
			who = "het samenwerkingsverband"
		}
		page.Notice = "Uw verzoek is verstuurd; " + who + " antwoordt binnen een maand."
		if u.Pupil {
			page.Notice = "Je verzoek is verstuurd; " + who + " antwoordt binnen een maand."
		}
	}
	s.render(c, status, "portal_pupil", page)
	return nil
}

// portalRequest is a request to the SWV as a party sees it in the portal,
// with the id its answer form carries.
type portalRequest struct {
	service.PortalRequest
	RequestID string
}

// portalRequests are the requests of the dossier the reader is asked
// about or that were sent (with their signed decision).
func (s *Server) portalRequests(ctx context.Context, licenceID uuid.UUID, d school.Dossier, key string) ([]portalRequest, error) {
	reqs, err := s.portal.Requests(ctx, licenceID, d, key)
	out := make([]portalRequest, 0, len(reqs))
	for _, r := range reqs {
		out = append(out, portalRequest{PortalRequest: r, RequestID: uuid.NewString()})
	}
	return out, err
}

// handlePortalRequestAnswer is a party's answer on a request to the SWV:
// per attachment whether it may go, agree / refuse / ask for a
// correction, and the zienswijze.
func (s *Server) handlePortalRequestAnswer(c *gin.Context) error {
	licenceID, _ := uuidParam(c, "licence")
	pupilID, _ := uuidParam(c, "pupil")
	u := portalReader(c)
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
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/ouder/%s/%s?beantwoord=1#aanvraag-%s", licenceID, pupilID, requestID))
	return nil
}

// handlePortalRequestAttachment lets a party read an attachment of a
// request before deciding whether it may be shared.
func (s *Server) handlePortalRequestAttachment(c *gin.Context) error {
	licenceID, _ := uuidParam(c, "licence")
	pupilID, _ := uuidParam(c, "pupil")
	requestID, err := uuidParam(c, "request")
	if err != nil {
		return err
	}
	attachmentID, err := uuidParam(c, "attachment")
	if err != nil {
		return err
	}
	a, err := s.portal.RequestAttachment(c, portalActorOf(c), portalReader(c), licenceID, pupilID, requestID, attachmentID)
	if err != nil {
		return err
	}
	serveAttachment(c, a)
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
	if err := s.portal.DecisionDownloaded(c, portalActorOf(c), licenceID, pupilID, requestID); err != nil {
		return err
	}
	return s.serveDecisionPDF(c, *v.Request.SwvLicenceID, *v.Request.SwvRequestID, nil)
}

// handlePortalGuardiansAccess is the adult pupil's choice whether their
// parents may keep reading the plan (service.Portal.SetGuardiansAccess).
func (s *Server) handlePortalGuardiansAccess(c *gin.Context) error {
	licenceID, _ := uuidParam(c, "licence")
	pupilID, _ := uuidParam(c, "pupil")
	if err := parseForm(c); err != nil {
		return err
	}
	if err := s.portal.SetGuardiansAccess(c, portalActorOf(c), portalReader(c), licenceID, pupilID, c.PostForm("granted") == "1"); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/ouder/%s/%s?ouders=1#ouders", licenceID, pupilID))
	return nil
}

// handlePortalConsent is a guardian's own answer: akkoord, niet akkoord
// (with a reason) or a question. It asked for password and code (or a
// passkey) shortly before.
func (s *Server) handlePortalConsent(c *gin.Context) error {
	licenceID, _ := uuidParam(c, "licence")
	pupilID, _ := uuidParam(c, "pupil")
	u := portalReader(c)
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
