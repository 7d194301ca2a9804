package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/config"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	swvdb "github.com/topdossier/topdossier/db/swv"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/documents"
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/workflows"
)

// demoPupil is a fictional pupil of the demo data.
type demoPupil struct {
	given, infix, family, group string
	yearGroup                   int16
	birth                       string
	guardianGiven, guardianRel  string
	// dossier: the pupil has an open TOP dossier in waarnemen.
	dossier bool
}

// seedDemo fills an empty platform with one SWV, its licences and a few
// fictional pupils, once: a marker row makes a second start skip it.
func seedDemo(ctx context.Context, cfg config.Config, dbs *databases, tc client.Client) (string, error) {
	q := platform.New(dbs.platform)
	seeded, err := q.DemoSeeded(ctx)
	if err != nil {
		return "", err
	}
	if seeded {
		return "al aanwezig (niet opnieuw aangemaakt)", nil
	}
	swv, err := q.CreateSWV(ctx, platform.CreateSWVParams{Code: "PO2899", Name: "Samenwerkingsverband Passend Onderwijs Rivierenland (demo)"})
	if err != nil {
		return "", fmt.Errorf("create demo SWV: %w", err)
	}
	if err := q.SetSWVObjectionAddress(ctx, platform.SetSWVObjectionAddressParams{ID: swv.ID,
		ObjectionAddress: "Postbus 99, 4000 ZZ Tiel (demo)", ObjectionEmail: "bezwaar@rivierenland.test"}); err != nil {
		return "", fmt.Errorf("demo objection address: %w", err)
	}
	licences := []tenants.NewLicence{
		{Kind: platform.LicenceKindSchool, Name: "Basisschool De Regenboog", SWVID: swv.ID, BRIN: "99ZA", SchoolType: platform.SchoolTypeBAO},
		{Kind: platform.LicenceKindSchool, Name: "SBO De Brug", SWVID: swv.ID, BRIN: "99ZB", SchoolType: platform.SchoolTypeSBO},
		{Kind: platform.LicenceKindSwvSchool, Name: "Rivierenland thuiszitters en zorginstellingen", SWVID: swv.ID},
		{Kind: platform.LicenceKindSwv, Name: "SWV Rivierenland", SWVID: swv.ID},
	}
	pupils := map[int][]demoPupil{
		0: {
			{"Sanne", "de", "Vries", "5b", 5, "2017-04-12", "Marieke", "mother", true},
			{"Mohammed", "", "El Amrani", "7a", 7, "2015-09-30", "Youssef", "father", false},
			{"Daan", "van", "Dijk", "3", 3, "2019-01-22", "Els", "parent", false},
		},
		1: {
			{"Noor", "", "Jansen", "bovenbouw", 6, "2016-06-05", "Karin", "foster_parent", true},
		},
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	ids := make([]uuid.UUID, len(licences))
	for i, n := range licences {
		lic, err := dbs.tenants.CreateLicence(ctx, n)
		if err != nil {
			return "", fmt.Errorf("create demo licence %q: %w", n.Name, err)
		}
		ids[i] = lic.ID
		for _, p := range pupils[i] {
			if err := seedPupil(ctx, cfg, dbs, tc, lic.ID, p, today); err != nil {
				return "", err
			}
		}
	}
	regenboog, brug, swvLicence := &ids[0], &ids[1], &ids[3]
	users := []demoUser{
		{"beheer@platform.test", "Pim Platformbeheer", auth.RolePlatformAdmin, nil, ""},
		{"directeur@regenboog.test", "Dirk Directeur", auth.RoleSchoolAdmin, regenboog, ""},
		{"ib@regenboog.test", "Ingrid IB", auth.RoleIB, regenboog, ""},
		{"leerkracht@regenboog.test", "Lotte Leerkracht (groep 5b)", auth.RoleTeacher, regenboog, "5b"},
		{"ib@debrug.test", "Bas IB", auth.RoleIB, brug, ""},
		{"beheer@rivierenland.test", "Sara SWV-beheer", auth.RoleSWVAdmin, swvLicence, ""},
		{"consulent@rivierenland.test", "Cees Consulent", auth.RoleConsultant, swvLicence, ""},
		{"commissie@rivierenland.test", "Karin Commissielid", auth.RoleCommitteeMember, swvLicence, ""},
		{"voorzitter@rivierenland.test", "Victor Voorzitter", auth.RoleCommitteeMember, swvLicence, ""},
		{"deskundige@rivierenland.test", "Olga Orthopedagoog", auth.RoleExpert, swvLicence, ""},
		{"psycholoog@rivierenland.test", "Pieter Psycholoog", auth.RoleExpert, swvLicence, ""},
	}
	if err := seedUsers(ctx, cfg, dbs, users); err != nil {
		return "", err
	}
	// Cees is the consultant of both schools.
	consultant, err := q.GetUserByEmail(ctx, "consulent@rivierenland.test")
	if err != nil {
		return "", err
	}
	for _, school := range []uuid.UUID{*regenboog, *brug} {
		if err := q.AssignConsultant(ctx, platform.AssignConsultantParams{SchoolLicenceID: school, ConsultantUserID: consultant.ID}); err != nil {
			return "", err
		}
	}
	// The committee meets in two weeks: Victor chairs, Karin sits in.
	chair, err := q.GetUserByEmail(ctx, "voorzitter@rivierenland.test")
	if err != nil {
		return "", err
	}
	member, err := q.GetUserByEmail(ctx, "commissie@rivierenland.test")
	if err != nil {
		return "", err
	}
	meetsOn := time.Now().AddDate(0, 0, 14)
	err = dbs.tenants.With(ctx, *swvLicence, func(pool *pgxpool.Pool) error {
		_, err := swvdb.New(pool).CreateMeeting(ctx, swvdb.CreateMeetingParams{MeetsOn: meetsOn, Title: "Commissie toelaatbaarheid (demo)",
			ChairID: chair.ID, MemberIds: []uuid.UUID{member.ID}})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("demo meeting: %w", err)
	}
	if err := q.MarkDemoSeeded(ctx); err != nil {
		return "", err
	}
	return "aangemaakt: 1 samenwerkingsverband, 4 licenties, 4 leerlingen (fictief), 11 accounts, 1 commissievergadering op " +
		meetsOn.Format("02-01-2006"), nil
}

// DemoPassword is the password of every demo account, and DemoTOTPSecret
// their authenticator secret (add it to any authenticator app). Both are
// printed by `make run` and in README: demo data only.
const (
	DemoPassword   = "demo-wachtwoord-topdossier"
	DemoTOTPSecret = "JBSWY3DPEHPK3PXP"
)

// demoUser is one demo account with one role.
type demoUser struct {
	email, name string
	role        auth.Role
	licence     *uuid.UUID
	group       string // a teacher's group
}

func seedUsers(ctx context.Context, cfg config.Config, dbs *databases, users []demoUser) error {
	hash, err := auth.HashPassword(DemoPassword, auth.DefaultArgon2)
	if err != nil {
		return err
	}
	box, err := auth.NewSecretBox(secretKeys(cfg), "totp")
	if err != nil {
		return err
	}
	q := platform.New(dbs.platform)
	for _, u := range users {
		user, err := q.CreateUser(ctx, platform.CreateUserParams{Kind: platform.UserKindStaff, Email: u.email,
			DisplayName: u.name, PasswordHash: &hash})
		if err != nil {
			return fmt.Errorf("create demo user: %w", err)
		}
		sealed, err := box.Seal(DemoTOTPSecret)
		if err != nil {
			return err
		}
		if err := q.SetTOTPSecret(ctx, platform.SetTOTPSecretParams{ID: user.ID, TotpSecretSealed: sealed}); err != nil {
			return err
		}
		if err := q.ConfirmTOTP(ctx, platform.ConfirmTOTPParams{ID: user.ID}); err != nil {
			return err
		}
		m := platform.CreateMembershipParams{UserID: user.ID, LicenceID: u.licence, Role: platform.StaffRole(u.role)}
		if u.role == auth.RoleExpert {
			prof := platform.ExpertProfessionOrthopedagoog
			if strings.HasPrefix(u.email, "psycholoog@") {
				prof = platform.ExpertProfessionPsycholoog
			}
			m.Profession = &prof
		}
		if _, err := q.CreateMembership(ctx, m); err != nil {
			return fmt.Errorf("create demo membership: %w", err)
		}
		if u.group == "" {
			continue
		}
		err = dbs.tenants.With(ctx, *u.licence, func(pool *pgxpool.Pool) error {
			return school.New(pool).AddStaffGroup(ctx, school.AddStaffGroupParams{UserID: user.ID, GroupName: u.group})
		})
		if err != nil {
			return fmt.Errorf("assign demo group: %w", err)
		}
	}
	return nil
}

// demoLogins is what `make run` prints about logging in.
func demoLogins() string {
	return `Demo-accounts (wachtwoord voor allemaal: ` + DemoPassword + `; tweede stap: voeg de
sleutel ` + DemoTOTPSecret + ` toe aan een authenticator-app):
  beheer@platform.test            platformbeheerder
  directeur@regenboog.test        schoolbeheerder Basisschool De Regenboog
  ib@regenboog.test               intern begeleider De Regenboog
  leerkracht@regenboog.test       leerkracht groep 5b De Regenboog
  ib@debrug.test                  intern begeleider SBO De Brug
  beheer@rivierenland.test        beheerder samenwerkingsverband
  consulent@rivierenland.test     consulent
  commissie@rivierenland.test     commissielid
  voorzitter@rivierenland.test    commissielid (voorzitter van de demo-vergadering over twee weken)
  deskundige@rivierenland.test    deskundige (orthopedagoog)
  psycholoog@rivierenland.test    deskundige (psycholoog)`
}

func seedPupil(ctx context.Context, cfg config.Config, dbs *databases, tc client.Client, licenceID uuid.UUID, p demoPupil, today time.Time) error {
	birth, err := time.Parse("2006-01-02", p.birth)
	if err != nil {
		return err
	}
	var pupil school.Pupil
	err = dbs.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			yg := p.yearGroup
			if pupil, err = q.CreatePupil(ctx, school.CreatePupilParams{
				GivenName: p.given, NameInfix: p.infix, FamilyName: p.family, BirthDate: birth,
				GroupName: p.group, YearGroup: &yg, EnrolledOn: today.AddDate(0, 0, -3),
			}); err != nil {
				return err
			}
			_, err := q.CreateGuardian(ctx, school.CreateGuardianParams{
				PupilID: pupil.ID, GivenName: p.guardianGiven, NameInfix: p.infix, FamilyName: p.family,
				Email:    fmt.Sprintf("ouder.%s@voorbeeld.invalid", pupil.ID.String()[:8]),
				Relation: school.GuardianRelation(p.guardianRel), ParentalAuthority: true,
			})
			return err
		})
	})
	if err != nil {
		return fmt.Errorf("create demo pupil: %w", err)
	}
	if _, err = workflows.StartEnrolment(ctx, tc, workflows.EnrolmentInput{LicenceID: licenceID.String(),
		PupilID: pupil.ID.String(), CheckWithin: cfg.EnrolmentCheckWithin, ShareAge: law.ShareAge}); err != nil {
		return err
	}
	if !p.dossier {
		return nil
	}
	return seedDossier(ctx, cfg, dbs, tc, licenceID, pupil, p.guardianGiven+" "+strings.TrimSpace(p.infix+" "+p.family), today)
}

// seedDossier opens a TOP dossier for extra support, two weeks ago, with
// the guardian as participant and a first observation, and starts its
// workflow.
func seedDossier(ctx context.Context, cfg config.Config, dbs *databases, tc client.Client, licenceID uuid.UUID, pupil school.Pupil, guardian string, today time.Time) error {
	var d school.Dossier
	err := dbs.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			var err error
			d, err = q.CreateDossier(ctx, school.CreateDossierParams{PupilID: pupil.ID, SupportLevel: school.SupportLevelExtraSchool,
				Reason: "Het lezen en de concentratie blijven achter, ondanks extra hulp in de klas.", StartedOn: today.AddDate(0, 0, -14)})
			if err != nil {
				return err
			}
			for _, sec := range plan.Sections() {
				if err := q.CreateSection(ctx, school.CreateSectionParams{DossierID: d.ID, Cycle: 1, Section: sec, Content: []byte("{}")}); err != nil {
					return err
				}
			}
			if _, err := q.AddParticipant(ctx, school.AddParticipantParams{DossierID: d.ID, Kind: "guardian", Name: guardian, Role: "ouder"}); err != nil {
				return err
			}
			_, err = q.AddGrowthEntry(ctx, school.AddGrowthEntryParams{DossierID: d.ID, Cycle: 1, Kind: "observation",
				OccurredOn: today.AddDate(0, 0, -10), Body: "Haakt af bij lange klassikale instructie; werkt goed in een klein groepje.",
				AuthorName: "Ingrid IB"})
			return err
		})
	})
	if err != nil {
		return fmt.Errorf("create demo dossier: %w", err)
	}
	_, err = workflows.StartDossier(ctx, tc, workflows.DossierInput{LicenceID: licenceID.String(), DossierID: d.ID.String(),
		PupilID: pupil.ID.String(), Cycle: 1, ExtraSupport: true, OpenedAt: d.StartedOn,
		Timers: dossierTimers(cfg)})
	return err
}

// ensureDemoSigning gives every SWV without a signing identity one issued
// by the local demo CA: its certificate in DATA_DIR/demo-ca.pem (trust it
// in pdfsig's NSS database to see "Certificate is Trusted"), its key
// sealed with the payload key in DATA_DIR/demo-ca.key. Demo only.
func ensureDemoSigning(ctx context.Context, cfg config.Config, dbs *databases) error {
	q := platform.New(dbs.platform)
	swvs, err := q.ListSWVs(ctx)
	if err != nil {
		return err
	}
	box, err := auth.NewSecretBox(secretKeys(cfg), "demo-ca")
	if err != nil {
		return err
	}
	certFile, keyFile := filepath.Join(cfg.DataDir, "demo-ca.pem"), filepath.Join(cfg.DataDir, "demo-ca.key")
	var ca *documents.SigningIdentity
	loadCA := func() (*documents.SigningIdentity, error) {
		if ca != nil {
			return ca, nil
		}
		certPEM, err1 := os.ReadFile(certFile)
		sealed, err2 := os.ReadFile(keyFile)
		if err1 == nil && err2 == nil {
			keyDER, err := box.Open(sealed)
			if err != nil {
				return nil, fmt.Errorf("open demo CA key: %w", err)
			}
			ca, err = documents.ParseIdentity(certPEM, []byte(keyDER))
			return ca, err
		}
		if ca, err = documents.NewDemoCA("TOP dossier demo-CA (niet voor echt gebruik)", time.Now()); err != nil {
			return nil, err
		}
		certPEM, keyDER, err := documents.MarshalIdentity(ca)
		if err != nil {
			return nil, err
		}
		sealedKey, err := box.Seal(string(keyDER))
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(certFile, certPEM, 0o644); err != nil {
			return nil, err
		}
		return ca, os.WriteFile(keyFile, sealedKey, 0o600)
	}
	for _, s := range swvs {
		_, err := q.GetSigningIdentity(ctx, s.ID)
		if err == nil {
			continue
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		ca, err := loadCA()
		if err != nil {
			return err
		}
		ident, err := ca.Issue(s.Name, s.Name, time.Now(), 3*365*24*time.Hour)
		if err != nil {
			return err
		}
		if err := store.StoreSigningIdentity(ctx, q, secretKeys(cfg), s.ID, ident); err != nil {
			return err
		}
	}
	return nil
}
