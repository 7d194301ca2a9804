package service

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/workflows"
)

// PupilsConfig is how a new pupil's enrolment is checked.
type PupilsConfig struct {
	Location             *time.Location
	EnrolmentCheckWithin time.Duration
}

// Pupils is what a school does with its pupils: enrol them with their
// guardians, confirm the enrolment, read them.
type Pupils struct {
	tenants  *tenants.Manager
	temporal client.Client
	dossiers *Dossiers // the SWV's consent rules (the share age)
	cfg      PupilsConfig
}

// NewPupils returns the pupil service.
func NewPupils(tm *tenants.Manager, tc client.Client, dossiers *Dossiers, cfg PupilsConfig) *Pupils {
	return &Pupils{tenants: tm, temporal: tc, dossiers: dossiers, cfg: cfg}
}

// PupilInput is a new pupil with guardians, as the API sends it.
type PupilInput struct {
	GivenName  string `json:"given_name"`
	NameInfix  string `json:"name_infix"`
	FamilyName string `json:"family_name"`
	BirthDate  string `json:"birth_date"`
	GroupName  string `json:"group_name"`
	YearGroup  *int   `json:"year_group"`
	EnrolledOn string `json:"enrolled_on"`
	Email      string `json:"email"` // the pupil's own, for the portal from 16
	// LASKey is the pupil's key in the school's LAS (leerlingnummer), for
	// the ROD registration the LAS passes on.
	LASKey    string          `json:"las_key"`
	Guardians []GuardianInput `json:"guardians"`
	// ActionID, when set (an API call with an Idempotency-Key), makes a
	// retry after a crash find the pupil the first call made instead of
	// enrolling the child twice.
	ActionID string `json:"-"`
}

type GuardianInput struct {
	GivenName         string `json:"given_name"`
	NameInfix         string `json:"name_infix"`
	FamilyName        string `json:"family_name"`
	Email             string `json:"email"`
	Phone             string `json:"phone"`
	Relation          string `json:"relation"`
	ParentalAuthority bool   `json:"parental_authority"`
	// ActionID, when set (adding a guardian through the API with an
	// Idempotency-Key), makes a retry after a crash answer with the
	// guardian the first call added.
	ActionID string `json:"-"`
}

// validate checks a new pupil and returns the rows to insert. Every
// problem is named at once, in Dutch.
func (in PupilInput) validate(today time.Time) (school.CreatePupilParams, []school.CreateGuardianParams, fault.FieldErrors) {
	errs := fault.FieldErrors{}
	text := textField(errs)
	p := school.CreatePupilParams{
		GivenName:  text("given_name", in.GivenName, 100, true, "de voornaam"),
		NameInfix:  text("name_infix", in.NameInfix, 20, false, "het tussenvoegsel"),
		FamilyName: text("family_name", in.FamilyName, 100, true, "de achternaam"),
		GroupName:  text("group_name", in.GroupName, 20, false, "de groep"),
		Email:      strings.ToLower(text("email", in.Email, 254, false, "het e-mailadres van de leerling")),
		LasKey:     text("las_key", in.LASKey, 50, false, "het leerlingnummer in het leerlingvolgsysteem"),
	}
	if p.Email != "" && !ValidEmail(p.Email) {
		errs["email"] = "Dit e-mailadres is niet geldig."
	}
	birth, err := time.Parse(time.DateOnly, strings.TrimSpace(in.BirthDate))
	switch {
	case err != nil:
		errs["birth_date"] = "Vul de geboortedatum in (dag, maand en jaar)."
	case birth.After(today) || birth.Before(today.AddDate(-30, 0, 0)):
		errs["birth_date"] = "Deze geboortedatum kan niet kloppen."
	}
	p.BirthDate = birth
	enrolled, err := time.Parse(time.DateOnly, strings.TrimSpace(in.EnrolledOn))
	switch {
	case err != nil:
		errs["enrolled_on"] = "Vul de datum van inschrijving in (dag, maand en jaar)."
	case !birth.IsZero() && !enrolled.After(birth):
		errs["enrolled_on"] = "De inschrijving moet na de geboortedatum liggen."
	case enrolled.After(today.AddDate(1, 0, 0)):
		errs["enrolled_on"] = "De inschrijving ligt te ver in de toekomst."
	}
	p.EnrolledOn = enrolled
	if in.YearGroup != nil {
		if *in.YearGroup < 1 || *in.YearGroup > 8 {
			errs["year_group"] = "Vul de jaargroep in als getal van 1 tot en met 8."
		} else {
			y := int16(*in.YearGroup)
			p.YearGroup = &y
		}
	}
	if len(in.Guardians) == 0 {
		errs["guardians"] = "Vul minstens één ouder of verzorger in."
	}
	if len(in.Guardians) > 6 {
		errs["guardians"] = "Vul hoogstens zes ouders of verzorgers in."
	}
	guardians := make([]school.CreateGuardianParams, 0, len(in.Guardians))
	for i, g := range in.Guardians {
		gp, gerrs := g.validate(fmt.Sprintf("guardians.%d.", i))
		for k, v := range gerrs {
			errs[k] = v
		}
		guardians = append(guardians, gp)
	}
	if len(errs) > 0 {
		return p, nil, errs
	}
	return p, guardians, nil
}

// textField reads a typed text: trimmed, required or not, at most max
// characters; a problem goes into errs under field, in Dutch.
func textField(errs fault.FieldErrors) func(field, v string, max int, required bool, label string) string {
	return func(field, v string, max int, required bool, label string) string {
		v = strings.TrimSpace(v)
		switch {
		case required && v == "":
			errs[field] = "Vul " + label + " in."
		case len([]rune(v)) > max:
			errs[field] = fmt.Sprintf("%s is te lang (hoogstens %d tekens).", capitalise(label), max)
		case !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl):
			// The edge refuses these in a request already; an import or a
			// caller inside reaches here too (found by FuzzPupilInput).
			errs[field] = fmt.Sprintf("%s bevat een teken dat hier niet kan (een stuurteken of een ongeldig teken).", capitalise(label))
		}
		return v
	}
}

// validate checks one guardian as typed; field names start with prefix.
func (g GuardianInput) validate(prefix string) (school.CreateGuardianParams, fault.FieldErrors) {
	errs := fault.FieldErrors{}
	text := textField(errs)
	gp := school.CreateGuardianParams{
		GivenName:         text(prefix+"given_name", g.GivenName, 100, true, "de voornaam van de ouder of verzorger"),
		NameInfix:         text(prefix+"name_infix", g.NameInfix, 20, false, "het tussenvoegsel van de ouder of verzorger"),
		FamilyName:        text(prefix+"family_name", g.FamilyName, 100, true, "de achternaam van de ouder of verzorger"),
		Email:             text(prefix+"email", g.Email, 254, false, "het e-mailadres"),
		Phone:             text(prefix+"phone", g.Phone, 30, false, "het telefoonnummer"),
		Relation:          school.GuardianRelation(g.Relation),
		ParentalAuthority: g.ParentalAuthority,
	}
	if gp.Email != "" && !ValidEmail(gp.Email) {
		errs[prefix+"email"] = "Dit e-mailadres is niet geldig."
	}
	if !gp.Relation.Valid() {
		errs[prefix+"relation"] = "Kies de relatie tot de leerling."
	}
	return gp, errs
}

// AddGuardian adds a parent or carer to a pupil who has one too few: a
// pupil from the LAS comes without them (EDEXML holds none), and a second
// parent may come later. The guardian joins the open dossier's
// participants; the next consent round asks them when they have parental
// authority.
func (s *Pupils) AddGuardian(ctx context.Context, actor Actor, licenceID, pupilID uuid.UUID, in GuardianInput) (school.Guardian, error) {
	gp, errs := in.validate("")
	if len(errs) > 0 {
		return school.Guardian{}, errs
	}
	gp.PupilID = pupilID
	var g school.Guardian
	err := writeOfPupil(ctx, s.tenants, licenceID, pupilID, func(tx pgx.Tx) error {
		q := school.New(tx)
		p, err := q.GetPupil(ctx, pupilID)
		if err != nil {
			return db.Classify(err)
		}
		if p.LeftOn != nil {
			return fault.FieldErrors{"guardian": "Deze leerling is uitgeschreven."}
		}
		existing, err := q.ListGuardians(ctx, pupilID)
		if err != nil {
			return err
		}
		if done, err := earlierEffect(ctx, q, in.ActionID, "guardian"); err != nil || done != nil {
			if done != nil {
				g, err = q.GetGuardian(ctx, school.GetGuardianParams{ID: *done, PupilID: pupilID})
			}
			return err
		}
		if len(existing) >= 6 {
			return fault.FieldErrors{"guardian": "Een leerling heeft hoogstens zes ouders of verzorgers."}
		}
		if g, err = q.CreateGuardian(ctx, gp); err != nil {
			return fmt.Errorf("create guardian: %w", err)
		}
		if err := recordEffect(ctx, q, in.ActionID, "guardian", g.ID); err != nil {
			return err
		}
		d, err := q.CurrentDossierOfPupil(ctx, pupilID)
		switch {
		case err == nil && d.ClosedAt == nil:
			gid := g.ID
			if _, err := q.AddParticipant(ctx, school.AddParticipantParams{DossierID: d.ID, Kind: "guardian",
				Name: strings.Join(strings.Fields(g.GivenName+" "+g.NameInfix+" "+g.FamilyName), " "),
				Role: plan.RelationLabel(string(g.Relation)), GuardianID: &gid}); err != nil {
				return fmt.Errorf("add participant: %w", err)
			}
		case err != nil && !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		e := actor.entry(ctx, pupilID, logbook.ActionCreate, "guardian")
		e.EntityID = g.ID.String()
		return logbook.Append(ctx, tx, e)
	})
	return g, err
}

// ValidEmail accepts a bare address, as a mail can be sent to it.
func ValidEmail(v string) bool {
	addr, err := mail.ParseAddress(v)
	return err == nil && addr.Address == v
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// createPupil writes the pupil and guardians in one transaction, then
// starts the enrolment workflow. When the start fails the pupil is kept
// (nothing typed is lost) and startErr says why; the pupil page offers to
// start the process again.
func (s *Pupils) Create(ctx context.Context, actor Actor, licenceID uuid.UUID, in PupilInput) (pupil school.Pupil, startErr error, err error) {
	params, guardians, fields := in.validate(Today(s.cfg.Location))
	if fields != nil {
		return pupil, nil, fields
	}
	lic, err := platform.New(s.tenants.Platform()).GetLicence(ctx, licenceID)
	if err != nil {
		return pupil, nil, db.Classify(err)
	}
	var d *school.Dossier
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			if done, err := earlierEffect(ctx, q, in.ActionID, "pupil"); err != nil || done != nil {
				if done != nil {
					pupil, err = q.GetPupil(ctx, *done)
				}
				return err
			}
			var err error
			if pupil, err = q.CreatePupil(ctx, params); err != nil {
				return fmt.Errorf("create pupil: %w", err)
			}
			if err := recordEffect(ctx, q, in.ActionID, "pupil", pupil.ID); err != nil {
				return err
			}
			for _, g := range guardians {
				g.PupilID = pupil.ID
				if _, err := q.CreateGuardian(ctx, g); err != nil {
					return fmt.Errorf("create guardian: %w", err)
				}
			}
			if err := logbook.Append(ctx, tx, actor.entry(ctx, pupil.ID, logbook.ActionCreate, "pupil")); err != nil {
				return err
			}
			if !OPPForEveryPupil(lic.SchoolType) {
				return nil
			}
			// In SBO, SO and VSO every pupil has an OPP: the dossier opens
			// with the enrolment, its six weeks from the placement.
			opened, err := createDossier(ctx, tx, actor, school.CreateDossierParams{PupilID: pupil.ID,
				SupportLevel: school.SupportLevelExtraFacility, StartedOn: pupil.EnrolledOn,
				Reason: "Geplaatst in het " + specialLabel(lic.SchoolType) + ": een OPP is voor elke leerling verplicht."},
				"geplaatst op de inschrijfdatum")
			d = &opened
			return err
		})
	})
	if err != nil {
		return pupil, nil, err
	}
	startErr = s.StartEnrolment(ctx, licenceID, pupil.ID)
	if d != nil {
		startErr = errors.Join(startErr, s.dossiers.Start(ctx, licenceID, *d))
	}
	return pupil, startErr, nil
}

// OPPForEveryPupil reports whether every pupil of a school of type t
// needs an OPP: the speciale school voor basisonderwijs (WPO art. 40a
// lid 1), the (voortgezet) speciaal onderwijs (WEC art. 41a lid 1).
func OPPForEveryPupil(t *platform.SchoolType) bool {
	return t != nil && (*t == platform.SchoolTypeSBO || *t == platform.SchoolTypeSO || *t == platform.SchoolTypeVSO)
}

func specialLabel(t *platform.SchoolType) string {
	switch *t {
	case platform.SchoolTypeSBO:
		return "speciaal basisonderwijs"
	case platform.SchoolTypeVSO:
		return "voortgezet speciaal onderwijs"
	}
	return "speciaal onderwijs"
}

// StartEnrolment starts the pupil's enrolment workflow, idempotently.
func (s *Pupils) StartEnrolment(ctx context.Context, licenceID, pupilID uuid.UUID) error {
	rules, err := s.dossiers.ConsentRules(ctx, licenceID)
	if err != nil {
		return err
	}
	_, err = workflows.StartEnrolment(ctx, s.temporal, workflows.EnrolmentInput{LicenceID: licenceID.String(),
		PupilID: pupilID.String(), CheckWithin: s.cfg.EnrolmentCheckWithin, ShareAge: rules.Ages.Share})
	return err
}

// StartEnrolments starts the enrolment workflows of many new pupils (an
// import), eight at a time, with the consent rules read once. It tries
// them all and returns every error; the page of a pupil whose start failed
// offers to start it, as after any failed start.
func (s *Pupils) StartEnrolments(ctx context.Context, licenceID uuid.UUID, pupilIDs []uuid.UUID) error {
	if len(pupilIDs) == 0 {
		return nil
	}
	rules, err := s.dossiers.ConsentRules(ctx, licenceID)
	if err != nil {
		return err
	}
	var mu sync.Mutex
	var errs error
	var wg sync.WaitGroup
	slots := make(chan struct{}, 8)
	for _, id := range pupilIDs {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			_, err := workflows.StartEnrolment(ctx, s.temporal, workflows.EnrolmentInput{LicenceID: licenceID.String(),
				PupilID: id.String(), CheckWithin: s.cfg.EnrolmentCheckWithin, ShareAge: rules.Ages.Share})
			if err != nil {
				mu.Lock()
				errs = errors.Join(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errs
}

// ConfirmEnrolment signals the enrolment workflow. The request id makes a
// double click or a retried request count once.
func (s *Pupils) ConfirmEnrolment(ctx context.Context, licenceID, pupilID uuid.UUID, requestID string) error {
	err := s.temporal.SignalWorkflow(ctx, workflows.EnrolmentWorkflowID(licenceID.String(), pupilID.String()), "",
		workflows.SignalConfirmEnrolment, workflows.ConfirmEnrolment{RequestID: requestID})
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return errors.Join(fault.ErrNotFound, err)
	}
	return err
}

// PupilDetail is everything the pupil page and the API show of one pupil.
type PupilDetail struct {
	Pupil     school.Pupil
	Guardians []school.Guardian
	Step      *school.ProcessStep
}

func (s *Pupils) Load(ctx context.Context, licenceID, pupilID uuid.UUID) (PupilDetail, error) {
	var d PupilDetail
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		var err error
		if d.Pupil, err = q.GetPupil(ctx, pupilID); err != nil {
			return db.Classify(err)
		}
		if d.Guardians, err = q.ListGuardians(ctx, pupilID); err != nil {
			return err
		}
		step, err := q.GetProcessStep(ctx, workflows.EnrolmentWorkflowID(licenceID.String(), pupilID.String()))
		switch {
		case err == nil:
			d.Step = &step
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		return nil
	})
	return d, err
}

// workflowRunning reports whether the enrolment workflow runs, for the
// moment between its start and its first recorded step.
func (s *Pupils) WorkflowRunning(ctx context.Context, licenceID, pupilID uuid.UUID) bool {
	desc, err := s.temporal.DescribeWorkflow(ctx, workflows.EnrolmentWorkflowID(licenceID.String(), pupilID.String()), "")
	return err == nil && desc.Status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
}

// List lists the pupils the actor may see, with one logbook line of the
// number shown: all of the licence, or with ownGroups (a teacher) those in
// the actor's own groups.
func (s *Pupils) List(ctx context.Context, actor Actor, licenceID uuid.UUID, ownGroups bool) ([]school.ListPupilsRow, error) {
	var out []school.ListPupilsRow
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			if !ownGroups {
				var err error
				if out, err = q.ListPupils(ctx); err != nil {
					return err
				}
			} else {
				groups, err := q.ListStaffGroups(ctx, actor.UserID)
				if err != nil {
					return err
				}
				rows, err := q.ListPupilsInGroups(ctx, groups)
				if err != nil {
					return err
				}
				out = make([]school.ListPupilsRow, len(rows))
				for i, r := range rows {
					out[i] = school.ListPupilsRow(r)
				}
			}
			if len(out) == 0 {
				return nil
			}
			return logbook.Append(ctx, tx, actor.listEntry(ctx, len(out)))
		})
	})
	return out, err
}

// InOwnGroup lets a teacher (userID) reach a pupil only in one of their
// groups; any other pupil is fault.ErrNotFound to them.
func (s *Pupils) InOwnGroup(ctx context.Context, licenceID, pupilID, userID uuid.UUID) error {
	return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		pupil, err := q.GetPupil(ctx, pupilID)
		if err != nil {
			return db.Classify(err)
		}
		groups, err := q.ListStaffGroups(ctx, userID)
		if err != nil {
			return err
		}
		if slices.Contains(groups, pupil.GroupName) {
			return nil
		}
		return fault.ErrNotFound
	})
}

// ListPage is a page of the pupils for the API, in enrolment order after
// (afterAt, afterID), a teacher's only of their groups; one logbook line
// with the number shown.
func (s *Pupils) ListPage(ctx context.Context, actor Actor, licenceID uuid.UUID, ownGroups bool, afterAt time.Time, afterID uuid.UUID,
	limit int) ([]school.ListPupilsPageRow, bool, error) {
	var out []school.ListPupilsPageRow
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			groups := []string{}
			if ownGroups {
				var err error
				if groups, err = q.ListStaffGroups(ctx, actor.UserID); err != nil {
					return err
				}
			}
			var err error
			if out, err = q.ListPupilsPage(ctx, school.ListPupilsPageParams{AllGroups: !ownGroups, Groups: groups, AfterAt: afterAt,
				AfterID: afterID, Lim: int32(limit + 1)}); err != nil {
				return err
			}
			if len(out) == 0 {
				return nil
			}
			return logbook.Append(ctx, tx, actor.listEntry(ctx, min(len(out), limit)))
		})
	})
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, err
}

// WithoutEducation is a pupil on the SWV's thuiszitter list.
type WithoutEducation struct {
	school.ListWithoutEducationRow
	// Days without education until today; nil when no date is recorded.
	Days *int
	// LongTerm: three months or more (the thuiszitterspact's long-term
	// absence).
	LongTerm bool
}

// WithoutEducation lists the pupils of the SWV's own school licence with
// how long each has been without education, longest first, with one
// logbook line of the number shown.
func (s *Pupils) WithoutEducation(ctx context.Context, actor Actor, licenceID uuid.UUID) ([]WithoutEducation, error) {
	today := Today(s.cfg.Location)
	var out []WithoutEducation
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			rows, err := school.New(tx).ListWithoutEducation(ctx)
			if err != nil {
				return err
			}
			for _, r := range rows {
				w := WithoutEducation{ListWithoutEducationRow: r}
				if r.WithoutEducationSince != nil {
					d := int(today.Sub(*r.WithoutEducationSince).Hours() / 24)
					w.Days = &d
					w.LongTerm = !r.WithoutEducationSince.AddDate(0, 3, 0).After(today)
				}
				out = append(out, w)
			}
			if len(out) == 0 {
				return nil
			}
			return logbook.Append(ctx, tx, actor.listEntry(ctx, len(out)))
		})
	})
	return out, err
}

// SetWithoutEducationSince records since when a pupil of the SWV's own
// school licence is without education ("" clears it): not in the future,
// not before the pupil was born.
func (s *Pupils) SetWithoutEducationSince(ctx context.Context, actor Actor, licenceID, pupilID uuid.UUID, since string) error {
	var day *time.Time
	if v := strings.TrimSpace(since); v != "" {
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return fault.FieldErrors{"without_education_since": "Vul de datum in (dag, maand en jaar)."}
		}
		if d.After(Today(s.cfg.Location)) {
			return fault.FieldErrors{"without_education_since": "Deze datum ligt in de toekomst."}
		}
		day = &d
	}
	return writeOfPupil(ctx, s.tenants, licenceID, pupilID, func(tx pgx.Tx) error {
		q := school.New(tx)
		p, err := q.GetPupil(ctx, pupilID)
		if err != nil {
			return db.Classify(err)
		}
		if day != nil && day.Before(p.BirthDate) {
			return fault.FieldErrors{"without_education_since": "Deze datum ligt vóór de geboortedatum."}
		}
		n, err := q.SetWithoutEducationSince(ctx, school.SetWithoutEducationSinceParams{ID: pupilID, Since: day})
		if err != nil {
			return err
		}
		if n == 0 {
			return fault.FieldErrors{"without_education_since": "Deze leerling is uitgeschreven."}
		}
		return logbook.Append(ctx, tx, actor.entry(ctx, pupilID, logbook.ActionUpdate, "without_education"))
	})
}

// earlierEffect is what an earlier call with the same action id made (nil:
// none, or no action id): its retry answers with it.
func earlierEffect(ctx context.Context, q *school.Queries, actionID, entity string) (*uuid.UUID, error) {
	if actionID == "" {
		return nil, nil
	}
	id, err := q.ActionEffect(ctx, school.ActionEffectParams{ActionID: actionID, Entity: entity})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// recordEffect notes what this call made, in its transaction.
func recordEffect(ctx context.Context, q *school.Queries, actionID, entity string, id uuid.UUID) error {
	if actionID == "" {
		return nil
	}
	return q.RecordActionEffect(ctx, school.RecordActionEffectParams{ActionID: actionID, Entity: entity, EntityID: id})
}
