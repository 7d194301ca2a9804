package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
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
	errs := checkPerson(form.Name, form.Email)
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
		if actor.Role == auth.RolePlatformAdmin {
			// Issue 19, fix 2: the platform admin makes a licence's first
			// admin only; a later one is made by the licence's own admins
			// (or, when they are all gone, through BreakGlass).
			st, err := q.LockLicenceSteward(ctx, licenceID)
			if err != nil {
				return err
			}
			n, err := q.CountActiveAdmins(ctx, &licenceID)
			if err != nil {
				return err
			}
			if st.FirstAdminAt != nil || n > 0 {
				return fault.FieldErrors{"email": "Deze licentie heeft al een beheerder (gehad). Een volgende beheerder maken de beheerders van de licentie zelf; " +
					"zijn die er allemaal niet meer, gebruik dan Noodtoegang."}
			}
		}
		var err error
		userID, activation, err = s.grant(ctx, q, actor, licenceID, role, profession, other, form)
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

// checkPerson checks a new colleague's name and address as typed (trimmed,
// the address lower-cased).
func checkPerson(name, email string) fault.FieldErrors {
	errs := fault.FieldErrors{}
	if name == "" || len([]rune(name)) > 100 {
		errs["name"] = "Vul de naam in (hoogstens 100 tekens)."
	}
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email {
		errs["email"] = "Vul een geldig e-mailadres in."
	}
	return errs
}

// grant gives the person with form's address role on the licence inside
// the platform transaction q: an account is made when the address is new
// (with a one-time activation path), an admin role marks that the licence
// has had its first admin.
func (s *Staff) grant(ctx context.Context, q *platform.Queries, actor Actor, licenceID uuid.UUID, role auth.Role,
	profession platform.ExpertProfession, other string, form StaffForm) (userID uuid.UUID, activation string, err error) {
	user, err := q.GetUserByEmail(ctx, form.Email)
	switch {
	case err == nil && user.Kind != platform.UserKindStaff:
		return uuid.Nil, "", fault.FieldErrors{"email": "Dit e-mailadres hoort bij een account van een ouder of leerling."}
	case err == nil:
	case errors.Is(err, pgx.ErrNoRows):
		if user, err = q.CreateUser(ctx, platform.CreateUserParams{Kind: platform.UserKindStaff, Email: form.Email, DisplayName: form.Name}); err != nil {
			return uuid.Nil, "", err
		}
		token, err := auth.NewToken()
		if err != nil {
			return uuid.Nil, "", err
		}
		if err := q.CreateActivation(ctx, platform.CreateActivationParams{TokenHash: auth.HashToken(token), UserID: user.ID,
			ExpiresAt: time.Now().Add(auth.ActivationValidity)}); err != nil {
			return uuid.Nil, "", err
		}
		activation = "/activeren/" + token
	default:
		return uuid.Nil, "", err
	}
	if user.ID == actor.UserID {
		// Nobody hands themselves a role: it would let the platform
		// admin read a school's pupils.
		return uuid.Nil, "", fault.FieldErrors{"email": "Je kunt jezelf geen rol geven; vraag een andere beheerder."}
	}
	userID = user.ID
	m := platform.CreateMembershipParams{UserID: user.ID, LicenceID: &licenceID, Role: platform.StaffRole(role)}
	if role == auth.RoleExpert {
		m.Profession = &profession
		if profession == platform.ExpertProfessionOther {
			m.ProfessionOther = &other
		}
	}
	if _, err = q.CreateMembership(ctx, m); db.Constraint(err) == "membership_unique" {
		return uuid.Nil, "", fault.FieldErrors{"role": "Deze medewerker heeft deze rol al."}
	} else if err != nil {
		return uuid.Nil, "", err
	}
	if role == auth.RoleSchoolAdmin || role == auth.RoleSWVAdmin {
		if _, err := q.LockLicenceSteward(ctx, licenceID); err != nil {
			return uuid.Nil, "", err
		}
		if err := q.MarkFirstAdmin(ctx, licenceID); err != nil {
			return uuid.Nil, "", err
		}
	}
	return userID, activation, nil
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
//
// When the platform admin resets someone at a school licence, the link is
// not shown but mailed to the person's own address through the school's
// outbox, and the reset is written to the school's logbook (issue 19, fix
// 2: otherwise the platform admin could take over a school account and read
// its pupils). At an SWV licence, which has no outbox, the link is shown
// and the reset is written to the SWV's logbook. site is the address the
// mailed link starts with.
func (s *Staff) Reset(ctx context.Context, actor Actor, platformAdmin bool, licenceID uuid.UUID, target platform.ListStaffForLicenceRow,
	site string) (activation string, mailed bool, err error) {
	q := platform.New(s.tenants.Platform())
	if target.UserID == actor.UserID {
		return "", false, fault.FieldErrors{"membership": "Je eigen toegang herstel je niet hier; vraag een andere beheerder."}
	}
	elsewhere, err := q.CountMembershipsElsewhere(ctx, platform.CountMembershipsElsewhereParams{UserID: target.UserID, LicenceID: &licenceID})
	if err != nil {
		return "", false, err
	}
	if elsewhere > 0 && !platformAdmin {
		return "", false, fault.FieldErrors{"membership": target.DisplayName + " werkt ook bij een andere school of het samenwerkingsverband; de platformbeheerder herstelt die toegang."}
	}
	token, err := auth.NewToken()
	if err != nil {
		return "", false, err
	}
	activation = "/activeren/" + token
	err = db.InTx(ctx, s.tenants.Platform(), func(tx pgx.Tx) error {
		q := platform.New(tx)
		if err := q.DeleteUserSessions(ctx, target.UserID); err != nil {
			return err
		}
		if err := q.ResetCredentials(ctx, target.UserID); err != nil {
			return err
		}
		if err := q.CreateActivation(ctx, platform.CreateActivationParams{TokenHash: auth.HashToken(token), UserID: target.UserID,
			ExpiresAt: time.Now().Add(auth.ActivationValidity)}); err != nil {
			return err
		}
		if !platformAdmin {
			return nil
		}
		lic, err := q.GetLicence(ctx, licenceID)
		if err != nil {
			return err
		}
		mailed = lic.Kind != platform.LicenceKindSwv
		return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
			return db.InTx(ctx, pool, func(tx pgx.Tx) error {
				if err := logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionUpdate, "staff_reset", target.MembershipID.String())); err != nil {
					return err
				}
				if !mailed {
					return nil
				}
				return school.New(tx).EnqueueMail(ctx, school.EnqueueMailParams{DedupeKey: "staff-reset:" + token[:16], ToAddress: target.Email,
					Subject: "Nieuw wachtwoord kiezen voor TOP dossier",
					Body: fmt.Sprintf("Beste %s,\n\nDe beheerder van het platform TOP dossier heeft je toegang tot %s hersteld: je oude wachtwoord en "+
						"authenticator-app werken niet meer. Kies met deze eenmalige link (7 dagen geldig) een nieuw wachtwoord:\n\n%s%s\n\n"+
						"Heb je hier niet om gevraagd? Meld het dan vandaag bij je schoolleiding.\n", target.DisplayName, lic.Name, site, activation)})
			})
		})
	})
	if err != nil {
		return "", false, err
	}
	s.logger.InfoContext(ctx, "staff access reset", "licence", licenceID, "user", target.UserID)
	if mailed {
		return "", true, nil
	}
	return activation, false, nil
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

// Steward is what the staff page needs to offer the platform admin the
// right way in: a licence that never had an admin gets its first one
// (Add); one whose admins are all gone needs BreakGlass.
type Steward = platform.GetLicenceStewardRow

// Steward reads the licence's admin state.
func (s *Staff) Steward(ctx context.Context, licenceID uuid.UUID) (Steward, error) {
	return platform.New(s.tenants.Platform()).GetLicenceSteward(ctx, licenceID)
}

// BreakGlassForm is the platform admin's request for a new admin of a
// licence whose admins are all gone.
type BreakGlassForm struct {
	Name, Email, Reason, Contact string
}

// BreakGlass makes a new admin for a licence whose admins are all gone
// (issue 19, fix 2): only then, with a reason of at least 20 characters
// kept in the platform database (licence_break_glass), a line in the
// licence's own logbook, and — at a school licence — a mail through the
// school's outbox to its contact address and to every activated colleague,
// so the school knows someone was let in. The platform transaction stays
// open until the licence's logbook line is written: no admin without the
// line.
func (s *Staff) BreakGlass(ctx context.Context, actor Actor, licenceID uuid.UUID, form BreakGlassForm, loc *time.Location) (activation string, err error) {
	form.Name, form.Email = strings.TrimSpace(form.Name), strings.ToLower(strings.TrimSpace(form.Email))
	form.Reason, form.Contact = strings.TrimSpace(form.Reason), strings.ToLower(strings.TrimSpace(form.Contact))
	errs := checkPerson(form.Name, form.Email)
	if n := len([]rune(form.Reason)); n < 20 || n > 2000 {
		errs["reason"] = "Schrijf op waarom de noodtoegang nodig is en wie erom vroeg (20 tot 2000 tekens); de school krijgt dit te lezen."
	}
	if addr, err := mail.ParseAddress(form.Contact); err != nil || addr.Address != form.Contact {
		errs["contact"] = "Vul het contactadres van de school of het samenwerkingsverband in (bijvoorbeeld dat van de directie of het bestuur)."
	}
	if len(errs) > 0 {
		return "", errs
	}
	role := auth.RoleSchoolAdmin
	var userID uuid.UUID
	err = db.InTx(ctx, s.tenants.Platform(), func(tx pgx.Tx) error {
		q := platform.New(tx)
		lic, err := q.GetLicence(ctx, licenceID)
		if err != nil {
			return err
		}
		if lic.Kind == platform.LicenceKindSwv {
			role = auth.RoleSWVAdmin
		}
		st, err := q.LockLicenceSteward(ctx, licenceID)
		if err != nil {
			return err
		}
		n, err := q.CountActiveAdmins(ctx, &licenceID)
		switch {
		case err != nil:
			return err
		case n > 0:
			return fault.FieldErrors{"reason": "Deze licentie heeft nog een beheerder; die maakt een volgende beheerder. Noodtoegang is er alleen als alle beheerders weg zijn."}
		case st.FirstAdminAt == nil:
			return fault.FieldErrors{"reason": "Deze licentie heeft nog nooit een beheerder gehad: maak de eerste beheerder gewoon aan."}
		}
		// Told: the contact address given, the one on record when it
		// differs, and every colleague who can log in.
		notified := []string{form.Contact}
		if st.ContactEmail != nil && *st.ContactEmail != form.Contact {
			notified = append(notified, *st.ContactEmail)
		}
		colleagues, err := q.ActivatedStaffAddresses(ctx, &licenceID)
		if err != nil {
			return err
		}
		for _, a := range colleagues {
			if !slices.Contains(notified, a) {
				notified = append(notified, a)
			}
		}
		if userID, activation, err = s.grant(ctx, q, actor, licenceID, role, "", "", StaffForm{Name: form.Name, Email: form.Email}); err != nil {
			return err
		}
		if err := q.SetLicenceContact(ctx, platform.SetLicenceContactParams{LicenceID: licenceID, ContactEmail: &form.Contact}); err != nil {
			return err
		}
		id, err := q.CreateBreakGlass(ctx, platform.CreateBreakGlassParams{LicenceID: licenceID, ActorID: &actor.UserID,
			AdminID: &userID, Reason: form.Reason, Notified: notified})
		if err != nil {
			return err
		}
		return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
			return db.InTx(ctx, pool, func(tx pgx.Tx) error {
				if err := logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionCreate, "break_glass", id.String())); err != nil {
					return err
				}
				if lic.Kind == platform.LicenceKindSwv {
					return nil // an SWV licence has no outbox: its logbook and the platform's record tell
				}
				body := fmt.Sprintf("Beste collega,\n\nDe beheerder van het platform TOP dossier heeft op %s een nieuwe beheerder gemaakt voor %s, "+
					"omdat de licentie geen beheerder meer had (noodtoegang).\n\nNieuwe beheerder: %s <%s>\nReden: %s\n\n"+
					"Dit staat ook in het logboek van de school. Klopt dit niet, neem dan vandaag contact op met de beheerder van het platform.\n",
					time.Now().In(loc).Format("02-01-2006 15:04"), lic.Name, form.Name, form.Email, form.Reason)
				for _, to := range notified {
					if err := school.New(tx).EnqueueMail(ctx, school.EnqueueMailParams{DedupeKey: "break-glass:" + id.String() + ":" + to,
						ToAddress: to, Subject: "Noodtoegang tot " + lic.Name, Body: body}); err != nil {
						return err
					}
				}
				return nil
			})
		})
	})
	if err != nil {
		return "", err
	}
	s.logger.InfoContext(ctx, "break-glass admin made", "licence", licenceID, "user", userID)
	return activation, nil
}
