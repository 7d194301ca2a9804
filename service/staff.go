package service

import (
	"context"
	"errors"
	"log/slog"
	"net/mail"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/fault"
)

// Staff is how a school's or an SWV's admin gives people a role, takes it
// away and restores a colleague's access.
type Staff struct {
	tenants *tenants.Manager
	logger  *slog.Logger
}

// NewStaff returns the staff service.
func NewStaff(tm *tenants.Manager, logger *slog.Logger) *Staff {
	return &Staff{tenants: tm, logger: logger}
}

// StaffForm is a new role for a person, as typed.
type StaffForm struct {
	Name, Email, Role, Groups, Profession string
	// ProfessionOther names the discipline of an expert of another
	// discipline ("other").
	ProfessionOther string
}

// parseGroups reads a teacher's groups ("5a, 5b 6"): separated by commas,
// semicolons or spaces, each at most 20 characters, each once, in order.
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

// Add gives a person one of roles on the licence. A new address gets an
// account without password and a one-time activation path (returned, for
// the admin to pass on); an existing staff account just gets the role.
// Nobody hands themselves a role.
func (s *Staff) Add(ctx context.Context, actor Actor, licenceID uuid.UUID, roles []auth.Role, form StaffForm) (activation string, err error) {
	form.Name, form.Email = strings.TrimSpace(form.Name), strings.ToLower(strings.TrimSpace(form.Email))
	errs := fault.FieldErrors{}
	if form.Name == "" || len([]rune(form.Name)) > 100 {
		errs["name"] = "Vul de naam in (hoogstens 100 tekens)."
	}
	if addr, err := mail.ParseAddress(form.Email); err != nil || addr.Address != form.Email {
		errs["email"] = "Vul een geldig e-mailadres in."
	}
	role := auth.Role(form.Role)
	valid := false
	for _, r := range roles {
		valid = valid || r == role
	}
	if !valid {
		errs["role"] = "Kies een rol."
	}
	profession := platform.ExpertProfession(form.Profession)
	other := strings.TrimSpace(form.ProfessionOther)
	switch {
	case role == auth.RoleExpert && !profession.Valid():
		errs["profession"] = "Kies de discipline van de deskundige: orthopedagoog, psycholoog, kinderpsychiater, maatschappelijk werker, arts of een andere."
	case role != auth.RoleExpert && form.Profession != "":
		errs["profession"] = "Alleen een deskundige heeft een discipline in deze lijst."
	case profession == platform.ExpertProfessionOther && (other == "" || len([]rune(other)) > 100):
		errs["profession"] = "Schrijf op welke andere discipline de deskundige heeft (hoogstens 100 tekens)."
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
		return "", errs
	}
	var userID uuid.UUID
	err = db.InTx(ctx, s.tenants.Platform(), func(tx pgx.Tx) error {
		q := platform.New(tx)
		user, err := q.GetUserByEmail(ctx, form.Email)
		switch {
		case err == nil && user.Kind != platform.UserKindStaff:
			return fault.FieldErrors{"email": "Dit e-mailadres hoort bij een account van een ouder of leerling."}
		case err == nil:
		case errors.Is(err, pgx.ErrNoRows):
			if user, err = q.CreateUser(ctx, platform.CreateUserParams{Kind: platform.UserKindStaff, Email: form.Email, DisplayName: form.Name}); err != nil {
				return err
			}
			token, err := auth.NewToken()
			if err != nil {
				return err
			}
			if err := q.CreateActivation(ctx, platform.CreateActivationParams{TokenHash: auth.HashToken(token), UserID: user.ID,
				ExpiresAt: time.Now().Add(auth.ActivationValidity)}); err != nil {
				return err
			}
			activation = "/activeren/" + token
		default:
			return err
		}
		if user.ID == actor.UserID {
			// Nobody hands themselves a role: it would let the platform
			// admin read a school's pupils.
			return fault.FieldErrors{"email": "Je kunt jezelf geen rol geven; vraag een andere beheerder."}
		}
		userID = user.ID
		m := platform.CreateMembershipParams{UserID: user.ID, LicenceID: &licenceID, Role: platform.StaffRole(role)}
		if role == auth.RoleExpert {
			m.Profession = &profession
			if profession == platform.ExpertProfessionOther {
				m.ProfessionOther = &other
			}
		}
		_, err = q.CreateMembership(ctx, m)
		if db.Constraint(err) == "membership_unique" {
			return fault.FieldErrors{"role": "Deze medewerker heeft deze rol al."}
		}
		return err
	})
	if err != nil {
		return "", err
	}
	if len(groups) > 0 { // a teacher's groups, in the school's database
		err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
			q := school.New(pool)
			for _, g := range groups {
				if err := q.AddStaffGroup(ctx, school.AddStaffGroupParams{UserID: userID, GroupName: g}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	s.logger.InfoContext(ctx, "staff role added", "licence", licenceID, "user", userID, "role", role)
	return activation, nil
}

// Remove takes a role away. Nobody removes their own role, so a licence
// never loses its last admin by accident.
func (s *Staff) Remove(ctx context.Context, actor Actor, licenceID uuid.UUID, target platform.ListStaffForLicenceRow) error {
	if target.UserID == actor.UserID {
		return fault.FieldErrors{"membership": "Je kunt je eigen rol niet verwijderen; vraag een andere beheerder."}
	}
	if _, err := platform.New(s.tenants.Platform()).DeleteMembership(ctx, platform.DeleteMembershipParams{ID: target.MembershipID,
		LicenceID: &licenceID}); err != nil {
		return db.Classify(err)
	}
	if target.Role != platform.StaffRoleTeacher {
		return nil
	}
	return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return school.New(pool).DeleteStaffGroups(ctx, target.UserID)
	})
}

// Reset is "wachtwoord vergeten" or "telefoon kwijt" for a colleague:
// their sessions end, password and authenticator stop working, and the
// returned one-time activation path lets them choose a password and set
// up the app again. Someone who also works elsewhere is reset by the
// platform admin only (platformAdmin), so no school can take over an
// account another school or the SWV relies on.
func (s *Staff) Reset(ctx context.Context, actor Actor, platformAdmin bool, licenceID uuid.UUID, target platform.ListStaffForLicenceRow) (string, error) {
	q := platform.New(s.tenants.Platform())
	if target.UserID == actor.UserID {
		return "", fault.FieldErrors{"membership": "Je eigen toegang herstel je niet hier; vraag een andere beheerder."}
	}
	elsewhere, err := q.CountMembershipsElsewhere(ctx, platform.CountMembershipsElsewhereParams{UserID: target.UserID, LicenceID: &licenceID})
	if err != nil {
		return "", err
	}
	if elsewhere > 0 && !platformAdmin {
		return "", fault.FieldErrors{"membership": target.DisplayName + " werkt ook bij een andere school of het samenwerkingsverband; de platformbeheerder herstelt die toegang."}
	}
	token, err := auth.NewToken()
	if err != nil {
		return "", err
	}
	err = db.InTx(ctx, s.tenants.Platform(), func(tx pgx.Tx) error {
		q := platform.New(tx)
		if err := q.DeleteUserSessions(ctx, target.UserID); err != nil {
			return err
		}
		if err := q.ResetCredentials(ctx, target.UserID); err != nil {
			return err
		}
		return q.CreateActivation(ctx, platform.CreateActivationParams{TokenHash: auth.HashToken(token), UserID: target.UserID,
			ExpiresAt: time.Now().Add(auth.ActivationValidity)})
	})
	if err != nil {
		return "", err
	}
	s.logger.InfoContext(ctx, "staff access reset", "licence", licenceID, "user", target.UserID)
	return "/activeren/" + token, nil
}

// List is the licence's staff with, on a school, each teacher's groups
// (they live in the school's database).
func (s *Staff) List(ctx context.Context, licenceID uuid.UUID) (platform.Licence, []platform.ListStaffForLicenceRow, map[uuid.UUID][]string, error) {
	q := platform.New(s.tenants.Platform())
	lic, err := q.GetLicence(ctx, licenceID)
	if err != nil {
		return lic, nil, nil, db.Classify(err)
	}
	rows, err := q.ListStaffForLicence(ctx, &licenceID)
	if err != nil {
		return lic, nil, nil, err
	}
	groups := map[uuid.UUID][]string{}
	if lic.Kind != platform.LicenceKindSwv {
		err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
			all, err := school.New(pool).ListAllStaffGroups(ctx)
			for _, g := range all {
				groups[g.UserID] = append(groups[g.UserID], g.GroupName)
			}
			return err
		})
	}
	return lic, rows, groups, err
}

// Activation is the account a one-time activation link (by its token's
// hash) is for; a used or expired link is fault.ErrNotFound.
func (s *Staff) Activation(ctx context.Context, tokenHash []byte) (platform.GetActivationRow, error) {
	act, err := platform.New(s.tenants.Platform()).GetActivation(ctx, tokenHash)
	return act, db.Classify(err)
}

// OrganisationNames are the names of the schools and SWVs a person works
// at or has a child at: the password policy refuses a password made of them.
func (s *Staff) OrganisationNames(ctx context.Context, userID uuid.UUID) ([]string, error) {
	names, err := platform.New(s.tenants.Platform()).OrganisationNamesOfUser(ctx, userID)
	return names, db.Classify(err)
}

// Activate uses the link once and sets the account's first password
// (its hash); the second factor is set up at the first login. A link used
// in the meantime is fault.ErrNotFound.
func (s *Staff) Activate(ctx context.Context, tokenHash []byte, userID uuid.UUID, passwordHash string) error {
	return db.InTx(ctx, s.tenants.Platform(), func(tx pgx.Tx) error {
		q := platform.New(tx)
		n, err := q.UseActivation(ctx, tokenHash)
		if err != nil {
			return err
		}
		if n != 1 {
			return fault.ErrNotFound
		}
		return q.SetPassword(ctx, platform.SetPasswordParams{ID: userID, PasswordHash: &passwordHash})
	})
}
