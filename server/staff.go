package server

import (
	"errors"
	"net/http"
	"net/mail"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/fault"
)

// activationValidity is how long an activation link works.
const activationValidity = auth.ActivationValidity

type staffForm struct {
	Name, Email, Role, Groups, Profession string
}

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

var professionLabels = map[string]string{"orthopedagoog": "orthopedagoog", "psycholoog": "psycholoog", "other": "andere deskundige"}

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
	Form           staffForm
	Errors         fault.FieldErrors
	ActivationLink string
	Added          string
	Reset          string
}

func (s *Server) renderStaff(c *gin.Context, status int, page staffPage) error {
	id, err := uuidParam(c, "licence")
	if err != nil {
		return err
	}
	q := platform.New(s.tenants.Platform())
	if page.Licence, err = q.GetLicence(c, id); err != nil {
		return db.Classify(err)
	}
	rows, err := q.ListStaffForLicence(c, &id)
	if err != nil {
		return err
	}
	groups := map[uuid.UUID][]string{}
	if page.Licence.Kind != platform.LicenceKindSwv { // groups live in school databases
		err = s.tenants.With(c, id, func(pool *pgxpool.Pool) error {
			all, err := school.New(pool).ListAllStaffGroups(c)
			for _, g := range all {
				groups[g.UserID] = append(groups[g.UserID], g.GroupName)
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	me := principalOf(c).UserID
	for _, r := range rows {
		row := staffRow{ListStaffForLicenceRow: r, RoleLabel: auth.Role(r.Role).Label(), Self: r.UserID == me}
		if r.Profession != nil {
			row.RoleLabel += " (" + professionLabels[string(*r.Profession)] + ")"
		}
		if r.Role == platform.StaffRoleTeacher {
			row.Groups = strings.Join(groups[r.UserID], ", ")
		}
		page.Staff = append(page.Staff, row)
	}
	page.IsSWV = page.Licence.Kind == platform.LicenceKindSwv
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

// parseGroups reads "5a, 5b 6" into distinct group names.
func parseGroups(v string) ([]string, bool) {
	seen := map[string]bool{}
	var out []string
	for _, g := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		if len([]rune(g)) > 20 {
			return nil, false
		}
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	sort.Strings(out)
	return out, true
}

// handleStaffAdd gives a person a role on the school. A new address gets
// an account without password and a one-time activation link, shown to
// the admin to pass on; an existing staff account just gets the role.
func (s *Server) handleStaffAdd(c *gin.Context) error {
	licenceID, err := uuidParam(c, "licence")
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	form := staffForm{Name: strings.TrimSpace(c.PostForm("name")), Email: strings.ToLower(strings.TrimSpace(c.PostForm("email"))),
		Role: c.PostForm("role"), Groups: c.PostForm("groups"), Profession: c.PostForm("profession")}
	lic, err := platform.New(s.tenants.Platform()).GetLicence(c, licenceID)
	if err != nil {
		return db.Classify(err)
	}
	errs := fault.FieldErrors{}
	if form.Name == "" || len([]rune(form.Name)) > 100 {
		errs["name"] = "Vul de naam in (hoogstens 100 tekens)."
	}
	if addr, err := mail.ParseAddress(form.Email); err != nil || addr.Address != form.Email {
		errs["email"] = "Vul een geldig e-mailadres in."
	}
	role := auth.Role(form.Role)
	valid := false
	for _, r := range rolesFor(c, lic.Kind) {
		valid = valid || r == role
	}
	if !valid {
		errs["role"] = "Kies een rol."
	}
	profession := platform.ExpertProfession(form.Profession)
	switch {
	case role == auth.RoleExpert && !profession.Valid():
		errs["profession"] = "Kies het beroep van de deskundige: orthopedagoog, psycholoog of andere."
	case role != auth.RoleExpert && form.Profession != "":
		errs["profession"] = "Alleen een deskundige heeft een beroep in deze lijst."
	}
	groups, ok := parseGroups(form.Groups)
	switch {
	case !ok:
		errs["groups"] = "Een groepsnaam is hoogstens 20 tekens."
	case role == auth.RoleTeacher && len(groups) == 0:
		errs["groups"] = "Vul de groepen of klassen van de leerkracht in, bijvoorbeeld 5a, 5b."
	case role != auth.RoleTeacher && len(groups) > 0:
		errs["groups"] = "Alleen een leerkracht of mentor heeft eigen groepen."
	}
	if len(errs) > 0 {
		return s.renderStaff(c, http.StatusUnprocessableEntity, staffPage{Form: form, Errors: errs})
	}

	var userID uuid.UUID
	var activation string
	err = db.InTx(c, s.tenants.Platform(), func(tx pgx.Tx) error {
		q := platform.New(tx)
		user, err := q.GetUserByEmail(c, form.Email)
		switch {
		case err == nil && user.Kind != platform.UserKindStaff:
			return fault.FieldErrors{"email": "Dit e-mailadres hoort bij een account van een ouder of leerling."}
		case err == nil:
		case errors.Is(err, pgx.ErrNoRows):
			if user, err = q.CreateUser(c, platform.CreateUserParams{Kind: platform.UserKindStaff, Email: form.Email, DisplayName: form.Name}); err != nil {
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
			activation = "/activeren/" + token
		default:
			return err
		}
		if user.ID == principalOf(c).UserID {
			// Nobody hands themselves a role: it would let the platform
			// admin read a school's pupils.
			return fault.FieldErrors{"email": "Je kunt jezelf geen rol geven; vraag een andere beheerder."}
		}
		userID = user.ID
		m := platform.CreateMembershipParams{UserID: user.ID, LicenceID: &licenceID, Role: platform.StaffRole(role)}
		if role == auth.RoleExpert {
			m.Profession = &profession
		}
		_, err = q.CreateMembership(c, m)
		if db.Constraint(err) == "membership_unique" {
			return fault.FieldErrors{"role": "Deze medewerker heeft deze rol al."}
		}
		return err
	})
	if fields, ok := asFieldErrors(err); ok {
		return s.renderStaff(c, http.StatusUnprocessableEntity, staffPage{Form: form, Errors: fields})
	}
	if err != nil {
		return err
	}
	if len(groups) > 0 { // a teacher's groups, in the school's database
		err = s.tenants.With(c, licenceID, func(pool *pgxpool.Pool) error {
			q := school.New(pool)
			for _, g := range groups {
				if err := q.AddStaffGroup(c, school.AddStaffGroupParams{UserID: userID, GroupName: g}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	s.logger.InfoContext(c, "staff role added", "licence", licenceID, "user", userID, "role", role)
	page := staffPage{Added: form.Name}
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

// handleStaffRemove takes a role away. Nobody removes their own role, so a
// school never loses its last admin by accident.
func (s *Server) handleStaffRemove(c *gin.Context) error {
	licenceID, target, err := s.staffTarget(c)
	if err != nil {
		return err
	}
	q := platform.New(s.tenants.Platform())
	if target.UserID == principalOf(c).UserID {
		return s.renderStaff(c, http.StatusUnprocessableEntity, staffPage{Errors: fault.FieldErrors{
			"membership": "Je kunt je eigen rol niet verwijderen; vraag een andere beheerder."}})
	}
	if _, err := q.DeleteMembership(c, platform.DeleteMembershipParams{ID: target.MembershipID, LicenceID: &licenceID}); err != nil {
		return db.Classify(err)
	}
	if target.Role == platform.StaffRoleTeacher {
		err := s.tenants.With(c, licenceID, func(pool *pgxpool.Pool) error {
			return school.New(pool).DeleteStaffGroups(c, target.UserID)
		})
		if err != nil {
			return err
		}
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

// handleStaffReset is "wachtwoord vergeten" or "telefoon kwijt" for a
// colleague: their sessions end, password and authenticator stop working,
// and a new one-time link lets them choose a password and set up the app
// again.
// Someone who also works elsewhere is reset by the platform admin only, so
// no school can take over an account another school or the SWV relies on.
func (s *Server) handleStaffReset(c *gin.Context) error {
	licenceID, target, err := s.staffTarget(c)
	if err != nil {
		return err
	}
	q := platform.New(s.tenants.Platform())
	if target.UserID == principalOf(c).UserID {
		return s.renderStaff(c, http.StatusUnprocessableEntity, staffPage{Errors: fault.FieldErrors{
			"membership": "Je eigen toegang herstel je niet hier; vraag een andere beheerder."}})
	}
	elsewhere, err := q.CountMembershipsElsewhere(c, platform.CountMembershipsElsewhereParams{UserID: target.UserID, LicenceID: &licenceID})
	if err != nil {
		return err
	}
	if elsewhere > 0 && accessOf(c).Scope != auth.ScopePlatform {
		return s.renderStaff(c, http.StatusUnprocessableEntity, staffPage{Errors: fault.FieldErrors{
			"membership": target.DisplayName + " werkt ook bij een andere school of het samenwerkingsverband; de platformbeheerder herstelt die toegang."}})
	}
	token, err := newToken()
	if err != nil {
		return err
	}
	err = db.InTx(c, s.tenants.Platform(), func(tx pgx.Tx) error {
		q := platform.New(tx)
		if err := q.DeleteUserSessions(c, target.UserID); err != nil {
			return err
		}
		if err := q.ResetCredentials(c, target.UserID); err != nil {
			return err
		}
		return q.CreateActivation(c, platform.CreateActivationParams{TokenHash: hashToken(token), UserID: target.UserID,
			ExpiresAt: time.Now().Add(activationValidity)})
	})
	if err != nil {
		return err
	}
	s.logger.InfoContext(c, "staff access reset", "licence", licenceID, "user", target.UserID)
	return s.renderStaff(c, http.StatusOK, staffPage{Reset: target.DisplayName, ActivationLink: siteURL(c) + "/activeren/" + token})
}

type activatePage struct {
	Name, Email string
	Error       string
}

func (s *Server) handleActivateShow(c *gin.Context) error {
	act, err := platform.New(s.tenants.Platform()).GetActivation(c, hashToken(c.Param("token")))
	if err != nil {
		return db.Classify(err)
	}
	s.render(c, http.StatusOK, "activate", activatePage{Name: act.DisplayName, Email: act.Email})
	return nil
}

// handleActivate sets the first password of a new account; the second
// factor is set up at the first login.
func (s *Server) handleActivate(c *gin.Context) error {
	th := hashToken(c.Param("token"))
	act, err := platform.New(s.tenants.Platform()).GetActivation(c, th)
	if err != nil {
		return db.Classify(err)
	}
	if err := parseForm(c); err != nil {
		return err
	}
	pw := c.PostForm("password")
	page := activatePage{Name: act.DisplayName, Email: act.Email}
	switch {
	case pw != c.PostForm("password2"):
		page.Error = "De twee wachtwoorden zijn niet gelijk."
	default:
		page.Error = s.common.CheckPassword(pw, act.DisplayName, act.Email, strings.Split(act.Email, "@")[0])
	}
	if page.Error != "" {
		s.render(c, http.StatusUnprocessableEntity, "activate", page)
		return nil
	}
	hash, err := auth.HashPassword(pw, s.cfg.Argon2)
	if err != nil {
		return err
	}
	err = db.InTx(c, s.tenants.Platform(), func(tx pgx.Tx) error {
		q := platform.New(tx)
		n, err := q.UseActivation(c, th)
		if err != nil {
			return err
		}
		if n != 1 {
			return fault.ErrNotFound
		}
		return q.SetPassword(c, platform.SetPasswordParams{ID: act.UserID, PasswordHash: &hash})
	})
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/inloggen?geactiveerd=1")
	return nil
}
