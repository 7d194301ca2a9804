package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/service"
	"github.com/topdossier/topdossier/workflows"
)

// pupilInput is a new pupil with guardians, as the API sends it.
type pupilInput struct {
	GivenName  string          `json:"given_name"`
	NameInfix  string          `json:"name_infix"`
	FamilyName string          `json:"family_name"`
	BirthDate  string          `json:"birth_date"`
	GroupName  string          `json:"group_name"`
	YearGroup  *int            `json:"year_group"`
	EnrolledOn string          `json:"enrolled_on"`
	Email      string          `json:"email"` // the pupil's own, for the portal from 16
	Guardians  []guardianInput `json:"guardians"`
}

type guardianInput struct {
	GivenName         string `json:"given_name"`
	NameInfix         string `json:"name_infix"`
	FamilyName        string `json:"family_name"`
	Email             string `json:"email"`
	Phone             string `json:"phone"`
	Relation          string `json:"relation"`
	ParentalAuthority bool   `json:"parental_authority"`
}

// pupilForm is the HTML form: like pupilInput, with one guardian and the
// year group as typed, so a mistake can be shown back as it was entered.
type pupilForm struct {
	GivenName, NameInfix, FamilyName, BirthDate, GroupName, YearGroup, EnrolledOn, Email string
	Guardian                                                                             guardianInput
}

func (f pupilForm) input() (pupilInput, fault.FieldErrors) {
	in := pupilInput{
		GivenName: f.GivenName, NameInfix: f.NameInfix, FamilyName: f.FamilyName, BirthDate: f.BirthDate,
		GroupName: f.GroupName, EnrolledOn: f.EnrolledOn, Email: f.Email, Guardians: []guardianInput{f.Guardian},
	}
	if y := strings.TrimSpace(f.YearGroup); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil {
			return in, fault.FieldErrors{"year_group": "Vul de jaargroep in als getal van 1 tot en met 8."}
		}
		in.YearGroup = &n
	}
	return in, nil
}

const dateLayout = "2006-01-02"

// validate checks a new pupil and returns the rows to insert. Every
// problem is named at once, in Dutch.
func (in pupilInput) validate(today time.Time) (school.CreatePupilParams, []school.CreateGuardianParams, fault.FieldErrors) {
	errs := fault.FieldErrors{}
	text := func(field, v string, max int, required bool, label string) string {
		v = strings.TrimSpace(v)
		switch {
		case required && v == "":
			errs[field] = "Vul " + label + " in."
		case len([]rune(v)) > max:
			errs[field] = fmt.Sprintf("%s is te lang (hoogstens %d tekens).", capitalise(label), max)
		}
		return v
	}
	p := school.CreatePupilParams{
		GivenName:  text("given_name", in.GivenName, 100, true, "de voornaam"),
		NameInfix:  text("name_infix", in.NameInfix, 20, false, "het tussenvoegsel"),
		FamilyName: text("family_name", in.FamilyName, 100, true, "de achternaam"),
		GroupName:  text("group_name", in.GroupName, 20, false, "de groep"),
		Email:      strings.ToLower(text("email", in.Email, 254, false, "het e-mailadres van de leerling")),
	}
	if p.Email != "" && !validEmail(p.Email) {
		errs["email"] = "Dit e-mailadres is niet geldig."
	}
	birth, err := time.Parse(dateLayout, strings.TrimSpace(in.BirthDate))
	switch {
	case err != nil:
		errs["birth_date"] = "Vul de geboortedatum in als datum, bijvoorbeeld 2016-03-14."
	case birth.After(today) || birth.Before(today.AddDate(-30, 0, 0)):
		errs["birth_date"] = "Deze geboortedatum kan niet kloppen."
	}
	p.BirthDate = birth
	enrolled, err := time.Parse(dateLayout, strings.TrimSpace(in.EnrolledOn))
	switch {
	case err != nil:
		errs["enrolled_on"] = "Vul de datum van inschrijving in, bijvoorbeeld 2026-08-24."
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
		prefix := fmt.Sprintf("guardians.%d.", i)
		gp := school.CreateGuardianParams{
			GivenName:         text(prefix+"given_name", g.GivenName, 100, true, "de voornaam van de ouder of verzorger"),
			NameInfix:         text(prefix+"name_infix", g.NameInfix, 20, false, "het tussenvoegsel van de ouder of verzorger"),
			FamilyName:        text(prefix+"family_name", g.FamilyName, 100, true, "de achternaam van de ouder of verzorger"),
			Email:             text(prefix+"email", g.Email, 254, false, "het e-mailadres"),
			Phone:             text(prefix+"phone", g.Phone, 30, false, "het telefoonnummer"),
			Relation:          school.GuardianRelation(g.Relation),
			ParentalAuthority: g.ParentalAuthority,
		}
		if gp.Email != "" && !validEmail(gp.Email) {
			errs[prefix+"email"] = "Dit e-mailadres is niet geldig."
		}
		if !gp.Relation.Valid() {
			errs[prefix+"relation"] = "Kies de relatie tot de leerling."
		}
		guardians = append(guardians, gp)
	}
	if len(errs) > 0 {
		return p, nil, errs
	}
	return p, guardians, nil
}

// validEmail accepts a bare address, as a mail can be sent to it.
func validEmail(v string) bool {
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

// licenceParam resolves the :licence path parameter to an active licence
// whose database has the schema wanted; anything else is not found.
func (s *Server) licenceParam(c *gin.Context, swv bool) (platform.Licence, error) {
	id, err := uuidParam(c, "licence")
	if err != nil {
		return platform.Licence{}, err
	}
	lic, err := platform.New(s.tenants.Platform()).GetLicence(c, id)
	if err != nil {
		return lic, db.Classify(err)
	}
	if lic.Status != platform.LicenceStatusActive || (lic.Kind == platform.LicenceKindSwv) != swv {
		return lic, fault.ErrNotFound
	}
	return lic, nil
}

// schoolLicence is the licence in the path, with a school database.
func (s *Server) schoolLicence(c *gin.Context) (platform.Licence, error) {
	return s.licenceParam(c, false)
}

// pupilParams resolves the :licence and :pupil path parameters. Whether
// the pupil exists in that licence is the caller's next query.
func (s *Server) pupilParams(c *gin.Context) (platform.Licence, uuid.UUID, error) {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return lic, uuid.Nil, err
	}
	pupilID, err := uuidParam(c, "pupil")
	return lic, pupilID, err
}

// createPupil writes the pupil and guardians in one transaction, then
// starts the enrolment workflow. When the start fails the pupil is kept
// (nothing typed is lost) and startErr says why; the pupil page offers to
// start the process again.
func (s *Server) createPupil(ctx *gin.Context, licenceID uuid.UUID, in pupilInput) (pupil school.Pupil, startErr error, err error) {
	params, guardians, fields := in.validate(s.today())
	if fields != nil {
		return pupil, nil, fields
	}
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			var err error
			if pupil, err = q.CreatePupil(ctx, params); err != nil {
				return fmt.Errorf("create pupil: %w", err)
			}
			for _, g := range guardians {
				g.PupilID = pupil.ID
				if _, err := q.CreateGuardian(ctx, g); err != nil {
					return fmt.Errorf("create guardian: %w", err)
				}
			}
			return logbook.Append(ctx, tx, s.entry(ctx, pupil.ID, logbook.ActionCreate, "pupil"))
		})
	})
	if err != nil {
		return pupil, nil, err
	}
	return pupil, s.startEnrolment(ctx, licenceID, pupil.ID), nil
}

// startEnrolment starts the pupil's enrolment workflow, idempotently.
func (s *Server) startEnrolment(ctx context.Context, licenceID, pupilID uuid.UUID) error {
	rules, err := s.dossiers.ConsentRules(ctx, licenceID)
	if err != nil {
		return err
	}
	_, err = workflows.StartEnrolment(ctx, s.temporal, workflows.EnrolmentInput{LicenceID: licenceID.String(),
		PupilID: pupilID.String(), CheckWithin: s.cfg.EnrolmentCheckWithin, ShareAge: rules.Ages.Share})
	return err
}

// confirmEnrolment signals the enrolment workflow. The request id makes a
// double click or a retried request count once.
func (s *Server) confirmEnrolment(ctx context.Context, licenceID, pupilID uuid.UUID, requestID string) error {
	err := s.temporal.SignalWorkflow(ctx, workflows.EnrolmentWorkflowID(licenceID.String(), pupilID.String()), "",
		workflows.SignalConfirmEnrolment, workflows.ConfirmEnrolment{RequestID: requestID})
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return errors.Join(fault.ErrNotFound, err)
	}
	return err
}

// pupilDetail is everything the pupil page and the API show of one pupil.
type pupilDetail struct {
	Pupil     school.Pupil
	Guardians []school.Guardian
	Step      *school.ProcessStep
}

func (s *Server) loadPupil(ctx context.Context, licenceID, pupilID uuid.UUID) (pupilDetail, error) {
	var d pupilDetail
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
func (s *Server) workflowRunning(ctx context.Context, licenceID, pupilID uuid.UUID) bool {
	desc, err := s.temporal.DescribeWorkflow(ctx, workflows.EnrolmentWorkflowID(licenceID.String(), pupilID.String()), "")
	return err == nil && desc.Status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
}

// listPupils lists the pupils the person may see: all of the licence, or,
// for a teacher, those in their own groups.
func (s *Server) listPupils(c *gin.Context, q *school.Queries) ([]school.ListPupilsRow, error) {
	if accessOf(c).Scope != auth.ScopeOwnGroups {
		return q.ListPupils(c)
	}
	groups, err := q.ListStaffGroups(c, principalOf(c).UserID)
	if err != nil {
		return nil, err
	}
	rows, err := q.ListPupilsInGroups(c, groups)
	if err != nil {
		return nil, err
	}
	out := make([]school.ListPupilsRow, len(rows))
	for i, r := range rows {
		out[i] = school.ListPupilsRow(r)
	}
	return out, nil
}

type pupilsPage struct {
	Licence  platform.Licence
	Pupils   []school.ListPupilsRow
	CanEnrol bool
}

func (s *Server) handlePupilIndex(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	page := pupilsPage{Licence: lic, CanEnrol: principalOf(c).can(auth.PermPupilEnrol, lic.ID)}
	err = s.tenants.With(c, lic.ID, func(pool *pgxpool.Pool) error {
		page.Pupils, err = s.listPupils(c, school.New(pool))
		return err
	})
	if err != nil {
		return err
	}
	if err := s.recordList(c, lic.ID, len(page.Pupils)); err != nil {
		return err
	}
	s.render(c, http.StatusOK, "pupils", page)
	return nil
}

type relationOption struct{ Value, Label string }

type pupilNewPage struct {
	Licence   platform.Licence
	Form      pupilForm
	Errors    fault.FieldErrors
	Relations []relationOption
}

func (s *Server) renderPupilNew(c *gin.Context, status int, lic platform.Licence, form pupilForm, errs fault.FieldErrors) {
	opts := make([]relationOption, 0, len(relationOrder))
	for _, r := range relationOrder {
		opts = append(opts, relationOption{Value: r, Label: relationLabels[r]})
	}
	s.render(c, status, "pupil_new", pupilNewPage{Licence: lic, Form: form, Errors: errs, Relations: opts})
}

func (s *Server) handlePupilNew(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	form := pupilForm{EnrolledOn: time.Now().In(s.location).Format(dateLayout),
		Guardian: guardianInput{Relation: "parent", ParentalAuthority: true}}
	s.renderPupilNew(c, http.StatusOK, lic, form, nil)
	return nil
}

func (s *Server) handlePupilCreate(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	form := pupilForm{
		GivenName: c.PostForm("given_name"), NameInfix: c.PostForm("name_infix"), FamilyName: c.PostForm("family_name"),
		BirthDate: c.PostForm("birth_date"), GroupName: c.PostForm("group_name"), YearGroup: c.PostForm("year_group"),
		EnrolledOn: c.PostForm("enrolled_on"), Email: c.PostForm("email"),
		Guardian: guardianInput{
			GivenName: c.PostForm("guardian_given_name"), NameInfix: c.PostForm("guardian_name_infix"),
			FamilyName: c.PostForm("guardian_family_name"), Email: c.PostForm("guardian_email"),
			Phone: c.PostForm("guardian_phone"), Relation: c.PostForm("guardian_relation"),
			ParentalAuthority: c.PostForm("guardian_parental_authority") == "ja",
		},
	}
	in, fields := form.input()
	if fields != nil {
		s.renderPupilNew(c, http.StatusUnprocessableEntity, lic, form, fields)
		return nil
	}
	pupil, startErr, err := s.createPupil(c, lic.ID, in)
	if fields, ok := asFieldErrors(err); ok {
		s.renderPupilNew(c, http.StatusUnprocessableEntity, lic, form, fields)
		return nil
	}
	if err != nil {
		return err
	}
	if startErr != nil {
		s.logger.ErrorContext(c, "enrolment workflow not started", "err", startErr)
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingen/%s", lic.ID, pupil.ID))
	return nil
}

type pupilPage struct {
	Licence platform.Licence
	pupilDetail
	Starting                            bool
	RequestID                           string
	CanConfirm, CanStart, CanSeeLogbook bool
	// CanInvite: guardians may be invited to the parents' portal.
	CanInvite bool
	// OwnRights: the pupil has reached the age of their own privacy
	// rights (16) and may have a portal account of their own.
	OwnRights bool
	ShareAge  int
	Today     string
	AVG       []school.AvgRequest // requests under the AVG from the guardians or the pupil
	Notice    string
}

// viewPupil loads the pupil in the path and logs that the person saw it.
func (s *Server) viewPupil(c *gin.Context) (platform.Licence, pupilDetail, error) {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return lic, pupilDetail{}, err
	}
	d, err := s.loadPupil(c, lic.ID, pupilID)
	if err != nil {
		return lic, d, err
	}
	return lic, d, s.record(c, lic.ID, pupilID, logbook.ActionView, "pupil")
}

func (s *Server) handlePupilShow(c *gin.Context) error {
	lic, d, err := s.viewPupil(c)
	if err != nil {
		return err
	}
	pupilID := d.Pupil.ID
	p := principalOf(c)
	page := pupilPage{Licence: lic, pupilDetail: d, RequestID: uuid.NewString(),
		CanConfirm: p.can(auth.PermEnrolmentConfirm, lic.ID), CanStart: p.can(auth.PermPupilEnrol, lic.ID),
		CanSeeLogbook: p.can(auth.PermLogbookRead, lic.ID), CanInvite: p.can(auth.PermDossierManage, lic.ID)}
	rules, err := s.dossiers.ConsentRules(c, lic.ID)
	if err != nil {
		return err
	}
	page.ShareAge = rules.Ages.Share
	page.Today = s.today().Format(dateLayout)
	err = s.tenants.With(c, lic.ID, func(pool *pgxpool.Pool) error {
		page.AVG, err = school.New(pool).ListAVGRequests(c, pupilID)
		return err
	})
	if err != nil {
		return err
	}
	switch c.Query("m") {
	case "uitgeschreven":
		page.Notice = "De leerling is uitgeschreven: het dossier is gesloten en de bewaartermijn loopt."
	case "gewist":
		page.Notice = "Het verzoek om verwijdering is gehonoreerd: het dossier, de ouders en verzorgers en hun toegang worden nu verwijderd. De inschrijving blijft tot het einde van de wettelijke termijn."
	}
	page.OwnRights = d.Pupil.LeftOn == nil && !s.today().Before(d.Pupil.BirthDate.AddDate(page.ShareAge, 0, 0))
	if c.Query("uitgenodigd") == "1" {
		page.Notice = "De uitnodiging voor het portaal staat klaar om te versturen."
	}
	if d.Step == nil {
		page.Starting = s.workflowRunning(c, lic.ID, pupilID)
	}
	s.render(c, http.StatusOK, "pupil", page)
	return nil
}

// pupilPost resolves a form posted to a pupil route: the licence, the
// pupil and the form's request id, which must be well formed.
func (s *Server) pupilPost(c *gin.Context) (platform.Licence, uuid.UUID, string, error) {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return lic, pupilID, "", err
	}
	if err := parseForm(c); err != nil {
		return lic, pupilID, "", err
	}
	requestID := c.PostForm("request_id")
	return lic, pupilID, requestID, service.CheckRequestID(requestID)
}

func (s *Server) handlePupilConfirmEnrolment(c *gin.Context) error {
	lic, pupilID, requestID, err := s.pupilPost(c)
	if err != nil {
		return err
	}
	if _, err := s.loadPupil(c, lic.ID, pupilID); err != nil {
		return err
	}
	if err := s.record(c, lic.ID, pupilID, logbook.ActionUpdate, "enrolment"); err != nil {
		return err
	}
	if err := s.confirmEnrolment(c, lic.ID, pupilID, requestID); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingen/%s", lic.ID, pupilID))
	return nil
}

func (s *Server) handlePupilStartProcess(c *gin.Context) error {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return err
	}
	if _, err := s.loadPupil(c, lic.ID, pupilID); err != nil {
		return err
	}
	if err := s.record(c, lic.ID, pupilID, logbook.ActionUpdate, "enrolment"); err != nil {
		return err
	}
	if err := s.startEnrolment(c, lic.ID, pupilID); err != nil {
		return errors.Join(fault.ErrUnavailable, err)
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingen/%s", lic.ID, pupilID))
	return nil
}

// pupilJSON is a pupil in the API.
type pupilJSON struct {
	ID         uuid.UUID      `json:"id"`
	GivenName  string         `json:"given_name"`
	NameInfix  string         `json:"name_infix"`
	FamilyName string         `json:"family_name"`
	BirthDate  string         `json:"birth_date"`
	GroupName  string         `json:"group_name"`
	YearGroup  *int16         `json:"year_group"`
	EnrolledOn string         `json:"enrolled_on"`
	LeftOn     *string        `json:"left_on"`
	Guardians  []guardianJSON `json:"guardians,omitempty"`
	Process    *processJSON   `json:"process"`
}

type guardianJSON struct {
	ID uuid.UUID `json:"id"`
	guardianInput
}

type processJSON struct {
	Step       string     `json:"step"`
	WaitingFor string     `json:"waiting_for"`
	DueAt      *time.Time `json:"due_at"`
}

func toPupilJSON(p school.Pupil) pupilJSON {
	out := pupilJSON{ID: p.ID, GivenName: p.GivenName, NameInfix: p.NameInfix, FamilyName: p.FamilyName,
		BirthDate: p.BirthDate.Format(dateLayout), GroupName: p.GroupName, YearGroup: p.YearGroup,
		EnrolledOn: p.EnrolledOn.Format(dateLayout)}
	if p.LeftOn != nil {
		left := p.LeftOn.Format(dateLayout)
		out.LeftOn = &left
	}
	return out
}

func (s *Server) handleAPIPupilList(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	var rows []school.ListPupilsRow
	err = s.tenants.With(c, lic.ID, func(pool *pgxpool.Pool) error {
		rows, err = s.listPupils(c, school.New(pool))
		return err
	})
	if err != nil {
		return err
	}
	if err := s.recordList(c, lic.ID, len(rows)); err != nil {
		return err
	}
	out := make([]pupilJSON, 0, len(rows))
	for _, r := range rows {
		p := toPupilJSON(school.Pupil{ID: r.ID, GivenName: r.GivenName, NameInfix: r.NameInfix, FamilyName: r.FamilyName,
			BirthDate: r.BirthDate, GroupName: r.GroupName, YearGroup: r.YearGroup, EnrolledOn: r.EnrolledOn, LeftOn: r.LeftOn})
		if r.Step != nil {
			p.Process = &processJSON{Step: *r.Step, WaitingFor: deref(r.WaitingFor), DueAt: r.DueAt}
		}
		out = append(out, p)
	}
	return writeJSON(c, http.StatusOK, gin.H{"pupils": out})
}

func (s *Server) handleAPIPupilCreate(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	var in pupilInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	pupil, startErr, err := s.createPupil(c, lic.ID, in)
	if err != nil {
		return err
	}
	if startErr != nil {
		s.logger.ErrorContext(c, "enrolment workflow not started", "err", startErr)
	}
	c.Header("Location", fmt.Sprintf("/api/v1/licences/%s/pupils/%s", lic.ID, pupil.ID))
	return writeJSON(c, http.StatusCreated, gin.H{"pupil": toPupilJSON(pupil), "process_started": startErr == nil})
}

func (s *Server) handleAPIPupilShow(c *gin.Context) error {
	_, d, err := s.viewPupil(c)
	if err != nil {
		return err
	}
	out := toPupilJSON(d.Pupil)
	for _, g := range d.Guardians {
		out.Guardians = append(out.Guardians, guardianJSON{ID: g.ID, guardianInput: guardianInput{
			GivenName: g.GivenName, NameInfix: g.NameInfix, FamilyName: g.FamilyName, Email: g.Email,
			Phone: g.Phone, Relation: string(g.Relation), ParentalAuthority: g.ParentalAuthority}})
	}
	if d.Step != nil {
		out.Process = &processJSON{Step: d.Step.Step, WaitingFor: d.Step.WaitingFor, DueAt: d.Step.DueAt}
	}
	return writeJSON(c, http.StatusOK, gin.H{"pupil": out})
}

func (s *Server) handleAPIPupilConfirmEnrolment(c *gin.Context) error {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return err
	}
	var in struct {
		RequestID string `json:"request_id"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := service.CheckRequestID(in.RequestID); err != nil {
		return err
	}
	if _, err := s.loadPupil(c, lic.ID, pupilID); err != nil {
		return err
	}
	if err := s.record(c, lic.ID, pupilID, logbook.ActionUpdate, "enrolment"); err != nil {
		return err
	}
	if err := s.confirmEnrolment(c, lic.ID, pupilID, in.RequestID); err != nil {
		return err
	}
	c.Status(http.StatusAccepted)
	return nil
}
