package server

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/service"
)

// rolesFor are the roles the person behind c hands out on a licence of
// this kind: the platform admin only appoints the licence's admin.
func rolesFor(c *gin.Context, kind platform.LicenceKind) []auth.Role {
	swv := kind == platform.LicenceKindSwv
	switch {
	case accessOf(c).Scope == auth.ScopePlatform:
		return []auth.Role{auth.AdminRoleFor(swv)}
	case swv:
		return auth.SWVRoles()
	}
	return auth.SchoolRoles()
}

var professionLabels = map[string]string{"orthopedagoog": "orthopedagoog", "psycholoog": "psycholoog", "kinderpsychiater": "kinderpsychiater",
	"maatschappelijk_werker": "maatschappelijk werker", "arts": "arts", "other": "andere discipline"}

type staffRow struct {
	platform.ListStaffForLicenceRow
	RoleLabel string
	Groups    string
	Self      bool
}

type roleOption struct{ Value, Label string }

type staffPage struct {
	Licence        platform.Licence
	IsSWV          bool
	Staff          []staffRow
	Roles          []roleOption
	Form           service.StaffForm
	Errors         fault.FieldErrors
	ActivationLink string
	Added          string
	Reset          string
	MailedTo       string
	// The platform admin's way in (issue 19, fix 2): the first admin of a
	// licence, or Noodtoegang when its admins are all gone.
	PlatformAdmin bool
	Steward       service.Steward
	BreakGlass    service.BreakGlassForm
	BrokeGlass    string
}

// CanAdd: the add form is there for the licence's own admins, and for the
// platform admin only while the licence never had an admin.
func (p staffPage) CanAdd() bool {
	return !p.PlatformAdmin || !p.Steward.HadAdmin && p.Steward.ActiveAdmins == 0
}

// CanBreakGlass: the platform admin, at a licence that had admins and has
// none left.
func (p staffPage) CanBreakGlass() bool {
	return p.PlatformAdmin && p.Steward.HadAdmin && p.Steward.ActiveAdmins == 0
}

func (s *Server) renderStaff(c *gin.Context, status int, page staffPage) error {
	id, err := uuidParam(c, "licence")
	if err != nil {
		return err
	}
	var rows []platform.ListStaffForLicenceRow
	var groups map[uuid.UUID][]string
	if page.Licence, rows, groups, err = s.staff.List(c, id); err != nil {
		return err
	}
	me := principalOf(c).UserID
	for _, r := range rows {
		row := staffRow{ListStaffForLicenceRow: r, RoleLabel: auth.Role(r.Role).Label(), Self: r.UserID == me}
		if r.Profession != nil {
			label := professionLabels[string(*r.Profession)]
			if r.ProfessionOther != nil {
				label = *r.ProfessionOther
			}
			row.RoleLabel += " (" + label + ")"
		}
		if r.Role == platform.StaffRoleTeacher {
			row.Groups = strings.Join(groups[r.UserID], ", ")
		}
		page.Staff = append(page.Staff, row)
	}
	page.IsSWV = page.Licence.Kind == platform.LicenceKindSwv
	if page.PlatformAdmin = accessOf(c).Scope == auth.ScopePlatform; page.PlatformAdmin {
		if page.Steward, err = s.staff.Steward(c, id); err != nil {
			return err
		}
		if page.BreakGlass.Contact == "" {
			page.BreakGlass.Contact = page.Steward.ContactEmail
		}
	}
	for _, r := range rolesFor(c, page.Licence.Kind) {
		page.Roles = append(page.Roles, roleOption{Value: string(r), Label: r.Label()})
	}
	if page.Form.Role == "" {
		page.Form.Role = string(page.Roles[len(page.Roles)-1].Value)
	}
	s.render(c, status, "staff", page)
	return nil
}

func (s *Server) handleStaffIndex(c *gin.Context) error {
	return s.renderStaff(c, http.StatusOK, staffPage{})
}

// handleStaffAdd gives a person a role on the school (service.Staff.Add)
// and shows the activation link of a new account to pass on.
func (s *Server) handleStaffAdd(c *gin.Context) error {
	licenceID, err := uuidParam(c, "licence")
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	form := service.StaffForm{Name: c.PostForm("name"), Email: c.PostForm("email"), Role: c.PostForm("role"),
		Groups: c.PostForm("groups"), Profession: c.PostForm("profession"), ProfessionOther: c.PostForm("profession_other")}
	lic, err := platform.New(s.tenants.Platform()).GetLicence(c, licenceID)
	if err != nil {
		return db.Classify(err)
	}
	activation, err := s.staff.Add(c, actorOf(c), licenceID, rolesFor(c, lic.Kind), form)
	if fields, ok := asFieldErrors(err); ok {
		form.Name, form.Email = strings.TrimSpace(form.Name), strings.ToLower(strings.TrimSpace(form.Email))
		return s.renderStaff(c, http.StatusUnprocessableEntity, staffPage{Form: form, Errors: fields})
	}
	if err != nil {
		return err
	}
	page := staffPage{Added: strings.TrimSpace(form.Name)}
	if activation != "" {
		page.ActivationLink = siteURL(c) + activation
	}
	return s.renderStaff(c, http.StatusOK, page)
}

// handleBreakGlassShow is the staff page with the Noodtoegang form (the way
// back after re-authenticating).
func (s *Server) handleBreakGlassShow(c *gin.Context) error {
	return s.renderStaff(c, http.StatusOK, staffPage{})
}

// handleBreakGlass makes an admin for a licence whose admins are all gone
// (service.Staff.BreakGlass): recent re-authentication (the route), a
// reason, the school told.
func (s *Server) handleBreakGlass(c *gin.Context) error {
	licenceID, err := uuidParam(c, "licence")
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	form := service.BreakGlassForm{Name: c.PostForm("name"), Email: c.PostForm("email"), Reason: c.PostForm("reason"), Contact: c.PostForm("contact")}
	activation, err := s.staff.BreakGlass(c, actorOf(c), licenceID, form, s.location)
	if fields, ok := asFieldErrors(err); ok {
		return s.renderStaff(c, http.StatusUnprocessableEntity, staffPage{BreakGlass: form, Errors: fields})
	}
	if err != nil {
		return err
	}
	page := staffPage{BrokeGlass: strings.TrimSpace(form.Name)}
	if activation != "" {
		page.ActivationLink = siteURL(c) + activation
	}
	return s.renderStaff(c, http.StatusOK, page)
}

// staffTarget resolves the :membership in the path to a role on the
// licence in the path; a membership of another licence is not found.
func (s *Server) staffTarget(c *gin.Context) (uuid.UUID, platform.ListStaffForLicenceRow, error) {
	licenceID, err := uuidParam(c, "licence")
	if err != nil {
		return licenceID, platform.ListStaffForLicenceRow{}, err
	}
	membershipID, err := uuidParam(c, "membership")
	if err != nil {
		return licenceID, platform.ListStaffForLicenceRow{}, err
	}
	staff, err := platform.New(s.tenants.Platform()).ListStaffForLicence(c, &licenceID)
	if err != nil {
		return licenceID, platform.ListStaffForLicenceRow{}, err
	}
	for _, m := range staff {
		if m.MembershipID == membershipID {
			return licenceID, m, nil
		}
	}
	return licenceID, platform.ListStaffForLicenceRow{}, fault.ErrNotFound
}

// handleStaffRemove takes a role away (service.Staff.Remove).
func (s *Server) handleStaffRemove(c *gin.Context) error {
	licenceID, target, err := s.staffTarget(c)
	if err != nil {
		return err
	}
	err = s.staff.Remove(c, actorOf(c), licenceID, target)
	if fields, ok := asFieldErrors(err); ok {
		return s.renderStaff(c, http.StatusUnprocessableEntity, staffPage{Errors: fields})
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/licenties/"+licenceID.String()+"/medewerkers")
	return nil
}

// siteURL is the address this request came in on, for links a person
// passes on. Behind a TLS-terminating proxy the request is plain HTTP, so
// only a local address keeps http.
func siteURL(c *gin.Context) string {
	host := c.Request.Host
	local := strings.HasPrefix(host, "127.0.0.1") || strings.HasPrefix(host, "localhost")
	if c.Request.TLS == nil && local {
		return "http://" + host
	}
	return "https://" + host
}

// handleStaffReset restores a colleague's access (service.Staff.Reset)
// and shows the new activation link to pass on.
func (s *Server) handleStaffReset(c *gin.Context) error {
	licenceID, target, err := s.staffTarget(c)
	if err != nil {
		return err
	}
	activation, mailed, err := s.staff.Reset(c, actorOf(c), accessOf(c).Scope == auth.ScopePlatform, licenceID, target, siteURL(c))
	if fields, ok := asFieldErrors(err); ok {
		return s.renderStaff(c, http.StatusUnprocessableEntity, staffPage{Errors: fields})
	}
	if err != nil {
		return err
	}
	if mailed {
		return s.renderStaff(c, http.StatusOK, staffPage{Reset: target.DisplayName, MailedTo: target.Email})
	}
	return s.renderStaff(c, http.StatusOK, staffPage{Reset: target.DisplayName, ActivationLink: siteURL(c) + activation})
}

type activatePage struct {
	Name, Email string
	Error       string
}

func (s *Server) handleActivateShow(c *gin.Context) error {
	act, err := s.staff.Activation(c, hashToken(c.Param("token")))
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "activate", activatePage{Name: act.DisplayName, Email: act.Email})
	return nil
}

// handleActivate sets the first password of a new account and signs the
// person in; the second factor is set up right after.
func (s *Server) handleActivate(c *gin.Context) error {
	th := hashToken(c.Param("token"))
	act, err := s.staff.Activation(c, th)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	pw := c.PostForm("password")
	page := activatePage{Name: act.DisplayName, Email: act.Email}
	orgs, err := s.staff.OrganisationNames(c, act.UserID)
	if err != nil {
		return err
	}
	switch {
	case pw != c.PostForm("password2"):
		page.Error = "De twee wachtwoorden zijn niet gelijk."
	default:
		page.Error = s.common.CheckPassword(pw, orgs, act.DisplayName, act.Email, strings.Split(act.Email, "@")[0])
	}
	if page.Error != "" {
		s.render(c, http.StatusUnprocessableEntity, "activate", page)
		return nil
	}
	hash, err := auth.HashPassword(pw, s.cfg.Argon2)
	if err != nil {
		return err
	}
	if err := s.staff.Activate(c, th, act.UserID, hash); err != nil {
		return err
	}
	// The link proved the address and the password is set: signed in
	// now, the second step next, then on to where the mail pointed
	// (terug: the consent or the request to answer).
	if err := s.startSession(c, act.UserID); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/inloggen/code?terug="+urlEscape(safeBack(c.Query("terug"))))
	return nil
}
