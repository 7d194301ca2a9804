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

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/service"
)

// pupilForm is the HTML form: like service.PupilInput, with one guardian and the
// year group as typed, so a mistake can be shown back as it was entered.
type pupilForm struct {
	GivenName, NameInfix, FamilyName, BirthDate, GroupName, YearGroup, EnrolledOn, Email string
	Guardian                                                                             service.GuardianInput
}

func (f pupilForm) input() (service.PupilInput, fault.FieldErrors) {
	in := service.PupilInput{
		GivenName: f.GivenName, NameInfix: f.NameInfix, FamilyName: f.FamilyName, BirthDate: f.BirthDate,
		GroupName: f.GroupName, EnrolledOn: f.EnrolledOn, Email: f.Email, Guardians: []service.GuardianInput{f.Guardian},
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
	if page.Pupils, err = s.pupils.List(c, actorOf(c), lic.ID, accessOf(c).Scope == auth.ScopeOwnGroups); err != nil {
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

// relationOptions are the relations a guardian can have, in order.
func relationOptions() []relationOption {
	opts := make([]relationOption, 0, len(relationOrder))
	for _, r := range relationOrder {
		opts = append(opts, relationOption{Value: r, Label: relationLabels[r]})
	}
	return opts
}

func (s *Server) renderPupilNew(c *gin.Context, status int, lic platform.Licence, form pupilForm, errs fault.FieldErrors) {
	s.render(c, status, "pupil_new", pupilNewPage{Licence: lic, Form: form, Errors: errs, Relations: relationOptions()})
}

// SinceValue is the recorded day without education, for the date field.
func (p pupilPage) SinceValue() string {
	if p.Pupil.WithoutEducationSince == nil {
		return ""
	}
	return p.Pupil.WithoutEducationSince.Format(dateLayout)
}

// Relations are the options of the form that adds a guardian.
func (pupilPage) Relations() []relationOption { return relationOptions() }

func (s *Server) handlePupilNew(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	form := pupilForm{EnrolledOn: time.Now().In(s.location).Format(dateLayout),
		Guardian: service.GuardianInput{Relation: "parent", ParentalAuthority: true}}
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
		Guardian: service.GuardianInput{
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
	pupil, startErr, err := s.pupils.Create(c, actorOf(c), lic.ID, in)
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
	service.PupilDetail
	Starting                            bool
	RequestID                           string
	CanConfirm, CanStart, CanSeeLogbook bool
	// CanInvite: guardians may be invited to the parents' portal.
	CanInvite bool
	// NoSchool: the SWV's own school licence, whose pupils have no school
	// (the page records since when they are without education).
	NoSchool bool
	// OwnRights: the pupil has reached the age of their own privacy
	// rights (16) and may have a portal account of their own.
	OwnRights bool
	ShareAge  int
	Today     string
	AVG       []school.AvgRequest // requests under the AVG from the guardians or the pupil
	Notice    string
	// Leaving is the confirmation of a leaving typed on the page: what it
	// will do; Form the leaving form as typed, with its message.
	Leaving *service.LeavingPreview
	Form    formState
}

// viewPupil loads the pupil in the path and logs that the person saw it.
func (s *Server) viewPupil(c *gin.Context) (platform.Licence, service.PupilDetail, error) {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return lic, service.PupilDetail{}, err
	}
	d, err := s.pupils.Load(c, lic.ID, pupilID)
	if err != nil {
		return lic, d, err
	}
	return lic, d, s.logbook.Record(c, actorOf(c), lic.ID, pupilID, logbook.ActionView, "pupil")
}

func (s *Server) handlePupilShow(c *gin.Context) error {
	return s.renderPupil(c, http.StatusOK, nil)
}

// renderPupil shows the pupil page; edit adds what a form brought back
// (a confirmation, a mistake).
func (s *Server) renderPupil(c *gin.Context, status int, edit func(*pupilPage)) error {
	lic, d, err := s.viewPupil(c)
	if err != nil {
		return err
	}
	pupilID := d.Pupil.ID
	p := principalOf(c)
	page := pupilPage{Licence: lic, PupilDetail: d, RequestID: uuid.NewString(),
		CanConfirm: p.can(auth.PermEnrolmentConfirm, lic.ID), CanStart: p.can(auth.PermPupilEnrol, lic.ID),
		CanSeeLogbook: p.can(auth.PermLogbookRead, lic.ID), CanInvite: p.can(auth.PermDossierManage, lic.ID),
		NoSchool: lic.Kind == platform.LicenceKindSwvSchool}
	rules, err := s.dossiers.ConsentRules(c, lic.ID)
	if err != nil {
		return err
	}
	page.ShareAge = rules.Ages.Share
	page.Today = s.today().Format(dateLayout)
	if page.AVG, err = s.retention.AVGRequests(c, lic.ID, pupilID); err != nil {
		return err
	}
	switch c.Query("m") {
	case "uitgeschreven":
		page.Notice = "De leerling is uitgeschreven: het dossier is gesloten en de bewaartermijn loopt."
	case "gepland":
		page.Notice = "De uitschrijving is gepland. Tot die dag loopt alles door; op die dag sluit het dossier vanzelf."
	case "ingetrokken":
		page.Notice = "De geplande uitschrijving is ingetrokken."
	case "ouder":
		page.Notice = "De ouder of verzorger is toegevoegd."
	case "zonder-onderwijs":
		page.Notice = "De datum is vastgelegd."
	case "gewist":
		page.Notice = "Het verzoek om verwijdering is gehonoreerd: het dossier, de ouders en verzorgers en hun toegang worden nu verwijderd. De inschrijving blijft tot het einde van de wettelijke termijn."
	}
	page.OwnRights = d.Pupil.LeftOn == nil && law.Reached(d.Pupil.BirthDate, page.ShareAge, s.today())
	if c.Query("uitgenodigd") == "1" {
		page.Notice = "De uitnodiging voor het portaal staat klaar om te versturen."
	}
	if d.Step == nil {
		page.Starting = s.pupils.WorkflowRunning(c, lic.ID, pupilID)
	}
	if edit != nil {
		edit(&page)
	}
	s.render(c, status, "pupil", page)
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
	if _, err := s.pupils.Load(c, lic.ID, pupilID); err != nil {
		return err
	}
	if err := s.logbook.Record(c, actorOf(c), lic.ID, pupilID, logbook.ActionUpdate, "enrolment"); err != nil {
		return err
	}
	if err := s.pupils.ConfirmEnrolment(c, lic.ID, pupilID, requestID); err != nil {
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
	if _, err := s.pupils.Load(c, lic.ID, pupilID); err != nil {
		return err
	}
	if err := s.logbook.Record(c, actorOf(c), lic.ID, pupilID, logbook.ActionUpdate, "enrolment"); err != nil {
		return err
	}
	if err := s.pupils.StartEnrolment(c, lic.ID, pupilID); err != nil {
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
	LASKey     string         `json:"las_key"`
	Guardians  []guardianJSON `json:"guardians,omitempty"`
	Process    *processJSON   `json:"process"`
}

type guardianJSON struct {
	ID uuid.UUID `json:"id"`
	service.GuardianInput
}

func toGuardianJSON(g school.Guardian) guardianJSON {
	return guardianJSON{ID: g.ID, GuardianInput: service.GuardianInput{GivenName: g.GivenName, NameInfix: g.NameInfix,
		FamilyName: g.FamilyName, Email: g.Email, Phone: g.Phone, Relation: string(g.Relation), ParentalAuthority: g.ParentalAuthority}}
}

// handleGuardianAdd adds a parent or carer on the pupil page.
func (s *Server) handleGuardianAdd(c *gin.Context) error {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	_, err = s.pupils.AddGuardian(c, actorOf(c), lic.ID, pupilID, service.GuardianInput{GivenName: c.PostForm("given_name"),
		NameInfix: c.PostForm("name_infix"), FamilyName: c.PostForm("family_name"), Email: c.PostForm("email"),
		Phone: c.PostForm("phone"), Relation: c.PostForm("relation"), ParentalAuthority: c.PostForm("parental_authority") == "1"})
	if fields, ok := asFieldErrors(err); ok {
		return s.renderPupil(c, http.StatusUnprocessableEntity, func(p *pupilPage) { p.Form = sentForm(c, fields) })
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingen/%s?m=ouder", lic.ID, pupilID))
	return nil
}

// handleAPIGuardianAdd adds a parent or carer through the API.
func (s *Server) handleAPIGuardianAdd(c *gin.Context) error {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return err
	}
	var in service.GuardianInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if idempotencyKeyOf(c) != "" {
		in.ActionID = actionID(c, "")
	}
	g, err := s.pupils.AddGuardian(c, actorOf(c), lic.ID, pupilID, in)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusCreated, toGuardianJSON(g))
}

type processJSON struct {
	Step       string     `json:"step"`
	WaitingFor string     `json:"waiting_for"`
	DueAt      *time.Time `json:"due_at"`
}

func toPupilJSON(p school.Pupil) pupilJSON {
	out := pupilJSON{ID: p.ID, GivenName: p.GivenName, NameInfix: p.NameInfix, FamilyName: p.FamilyName,
		BirthDate: p.BirthDate.Format(dateLayout), GroupName: p.GroupName, YearGroup: p.YearGroup,
		EnrolledOn: p.EnrolledOn.Format(dateLayout), LASKey: p.LasKey}
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
	afterAt, afterID, err := parseCursor(c.Query("cursor"))
	if err != nil {
		return err
	}
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	rows, more, err := s.pupils.ListPage(c, actorOf(c), lic.ID, accessOf(c).Scope == auth.ScopeOwnGroups, afterAt, afterID, limit)
	if err != nil {
		return err
	}
	out := make([]pupilJSON, 0, len(rows))
	for _, r := range rows {
		p := toPupilJSON(school.Pupil{ID: r.ID, GivenName: r.GivenName, NameInfix: r.NameInfix, FamilyName: r.FamilyName,
			BirthDate: r.BirthDate, GroupName: r.GroupName, YearGroup: r.YearGroup, EnrolledOn: r.EnrolledOn, LeftOn: r.LeftOn,
			LasKey: r.LasKey})
		if r.Step != nil {
			p.Process = &processJSON{Step: *r.Step, WaitingFor: deref(r.WaitingFor), DueAt: r.DueAt}
		}
		out = append(out, p)
	}
	var next *string
	if more && len(rows) > 0 {
		cur := pageCursor(rows[len(rows)-1].CreatedAt, rows[len(rows)-1].ID)
		next = &cur
	}
	return writeJSON(c, http.StatusOK, gin.H{"pupils": out, "next_cursor": next})
}

func (s *Server) handleAPIPupilCreate(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	var in service.PupilInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if idempotencyKeyOf(c) != "" {
		in.ActionID = actionID(c, "")
	}
	pupil, startErr, err := s.pupils.Create(c, actorOf(c), lic.ID, in)
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
		out.Guardians = append(out.Guardians, toGuardianJSON(g))
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
	if _, err := s.pupils.Load(c, lic.ID, pupilID); err != nil {
		return err
	}
	if err := s.logbook.Record(c, actorOf(c), lic.ID, pupilID, logbook.ActionUpdate, "enrolment"); err != nil {
		return err
	}
	if err := s.pupils.ConfirmEnrolment(c, lic.ID, pupilID, in.RequestID); err != nil {
		return err
	}
	c.Status(http.StatusAccepted)
	return nil
}
