package server

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/documents"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/service"
	"github.com/topdossier/topdossier/workflows"
)

// phaseStep is one phase on the process bar.
type phaseStep struct {
	Phase plan.Phase
	State string // done, current, todo
}

// deadlineView is the next legal deadline as the projection shows it.
type deadlineView struct {
	Kind  string
	DueAt time.Time
	State string
	// NoConsent: the OPP is not vastgesteld because its handelingsdeel got
	// geen instemming.
	NoConsent bool
}

type dossierPage struct {
	Licence platform.Licence
	service.DossierView
	SchoolType string
	Bar        []phaseStep
	Deadline   *deadlineView
	Missing    []string // what the current phase still needs
	Refused    []string // what a refused advance named
	Moved      bool
	Notice     string
	Section    string    // the form with errors or a conflict
	Done       string    // the part just written: open it again (with Notice)
	Form       formState // the form of Section as it was typed, with its messages
	Errors     fault.FieldErrors
	Theirs     *plan.Content // the stored version after a conflict
	RequestID  string
	// CloseRequestID is the second choice at the end of an evaluation,
	// so "close" after "next cycle" is never taken for a repeat.
	CloseRequestID string
	Starting       bool
	// Posted reads the form that was sent, to show it again after an error.
	Posted       func(string) string
	CanWrite     bool
	CanManage    bool
	CanLogbook   bool
	Destinations []string
	GoalRows     []plan.Goal
	SupportRows  []plan.Intervention
	Results      map[string]plan.GoalResult
	Today        string
	// Colleagues are the licence's staff not yet taking part, to add.
	Colleagues []platform.ListStaffForLicenceRow
	// Header is the header form as shown: stored, or as typed after a
	// mistake or a conflict; HeaderTheirs is what is stored after a
	// conflict.
	Header        service.DossierInput
	HeaderVersion int32
	HeaderTheirs  *service.DossierInput
	// ConsentStarting: the consent round of the last version is being
	// started (its workflow runs, its round is not written yet).
	ConsentStarting bool
	// History is what came with a transfer from another school, read-only.
	History []service.DossierHistory
}

func (s *Server) dossierPage(c *gin.Context, lic platform.Licence, v service.DossierView) *dossierPage {
	p := principalOf(c)
	page := &dossierPage{Licence: lic, DossierView: v, RequestID: uuid.NewString(), CloseRequestID: uuid.NewString(),
		CanWrite:   p.can(auth.PermDossierWrite, lic.ID) && v.Dossier.ClosedAt == nil,
		CanManage:  p.can(auth.PermDossierManage, lic.ID) && v.Dossier.ClosedAt == nil,
		CanLogbook: p.can(auth.PermLogbookRead, lic.ID), Today: time.Now().In(s.location).Format(dateLayout)}
	page.Header, page.HeaderVersion = headerOf(v.Dossier), v.Dossier.Version
	if lic.SchoolType != nil {
		page.SchoolType = string(*lic.SchoolType)
	}
	page.Destinations = plan.Destinations(page.SchoolType)
	current := v.Phase()
	state := "done"
	closedIn := plan.Phase(deref(v.Dossier.ClosedIn))
	for _, ph := range plan.Phases() {
		switch {
		case current == plan.PhaseClosed && deref(v.Dossier.ClosedReason) == "completed":
			state = "done" // closed after the evaluation: every phase was done
		case current == plan.PhaseClosed && closedIn == "":
			state = "todo" // closed before it was recorded where: tick nothing
		case current == plan.PhaseClosed && ph == closedIn:
			state = "stopped"
		case current == plan.PhaseClosed && state == "stopped":
			state = "todo"
		case current == plan.PhaseClosed:
			// before the phase it stopped in: done
		case ph == current:
			state = "current"
		case state == "current":
			state = "todo"
		case current == "":
			state = "todo"
		}
		page.Bar = append(page.Bar, phaseStep{Phase: ph, State: state})
	}
	if v.Step != nil && v.Step.DueAt != nil {
		kind := workflows.DeadlineOPP
		if v.Dossier.OppEstablishedOn != nil {
			kind = workflows.DeadlineEvaluation
		}
		page.Deadline = &deadlineView{Kind: kind, DueAt: *v.Step.DueAt, State: v.Step.DeadlineState,
			NoConsent: kind == workflows.DeadlineOPP && v.Checklist.Consent == plan.ConsentRefused}
	}
	if current.Valid() {
		page.Missing = plan.Missing(current, v.Checklist)
	}
	page.setRows()
	var err error
	if page.History, err = s.transfers.History(c, lic.ID, v.Dossier.ID); err != nil {
		s.logger.ErrorContext(c, "dossier history not read", "err", err)
	}
	if page.CanWrite {
		page.Colleagues = s.colleagues(c, lic.ID, v.Participants)
	}
	return page
}

// colleagues lists the licence's staff who do not take part yet; on an
// error the list is empty and the page still shows.
func (s *Server) colleagues(c *gin.Context, licenceID uuid.UUID, participants []school.DossierParticipant) []platform.ListStaffForLicenceRow {
	staff, err := platform.New(s.tenants.Platform()).ListStaffForLicence(c, &licenceID)
	if err != nil {
		s.logger.ErrorContext(c, "list colleagues", "err", err)
		return nil
	}
	taking := map[uuid.UUID]bool{}
	for _, p := range participants {
		if p.UserID != nil {
			taking[*p.UserID] = true
		}
	}
	out := staff[:0]
	for _, m := range staff {
		if active, _ := m.Activated.(bool); !taking[m.UserID] && active {
			taking[m.UserID] = true // one line per person, whatever their roles
			out = append(out, m)
		}
	}
	return out
}

// setRows lays out the handelingsdeel form: every goal and support line,
// plus one empty line to add another.
func (p *dossierPage) setRows() {
	p.GoalRows = append(append([]plan.Goal{}, p.Content.ActionPart.Goals...), plan.Goal{})
	p.SupportRows = append(append([]plan.Intervention{}, p.Content.ActionPart.Support...), plan.Intervention{})
	p.Results = map[string]plan.GoalResult{}
	for _, r := range p.Content.Realise.Results {
		p.Results[r.GoalID] = r
	}
}

func (s *Server) handleDossierShow(c *gin.Context) error {
	lic, v, err := s.viewDossier(c)
	if errors.Is(err, fault.ErrNotFound) && v.Pupil.ID != uuid.Nil && principalOf(c).can(auth.PermDossierManage, lic.ID) {
		// The form shows the pupil's name: that is a view of pupil data.
		if err := s.logbook.Record(c, actorOf(c), lic.ID, v.Pupil.ID, logbook.ActionView, "pupil"); err != nil {
			return err
		}
		s.renderDossierNew(c, http.StatusOK, lic, v.Pupil, service.DossierInput{SupportLevel: string(school.SupportLevelExtraSchool),
			StartedOn: time.Now().In(s.location).Format(dateLayout)}, nil)
		return nil
	}
	if err != nil {
		return err
	}
	page := s.dossierPage(c, lic, v)
	if v.Step == nil && v.Dossier.ClosedAt == nil {
		page.Starting = s.dossierRunning(c, lic.ID, v.Dossier.ID)
	}
	if v.ActionPart != nil && v.Consent == nil && v.ActionPart.ConsentStatus == plan.ConsentPending {
		_, err := s.temporal.DescribeWorkflow(c, workflows.ConsentWorkflowID(lic.ID.String(), v.Dossier.ID.String(), v.ActionPart.Number), "")
		page.ConsentStarting = err == nil
	}
	page.Notice = dossierNotice(c, v)
	if c.Query("melding") == "overgedragen" && len(page.History) > 0 {
		page.Notice = "Het plan van " + page.History[len(page.History)-1].FromName + " is overgenomen. Het staat hieronder, alleen te lezen; dit dossier gaat verder vanaf de laatste cyclus."
	}
	page.Done = cmp.Or(c.Query("deel"), map[string]string{"aangeboden": "action_part"}[c.Query("melding")], c.Query("melding"))
	s.render(c, http.StatusOK, "dossier", page)
	return nil
}

// dossierRunning reports whether the workflow runs, for the moment between
// its start and its first projection.
func (s *Server) dossierRunning(c *gin.Context, licenceID, dossierID uuid.UUID) bool {
	_, err := s.dossiers.Status(c, licenceID, dossierID)
	return err == nil
}

type dossierNewPage struct {
	Licence platform.Licence
	Pupil   school.Pupil
	Form    service.DossierInput
	Errors  fault.FieldErrors
	Levels  []string
}

func (s *Server) renderDossierNew(c *gin.Context, status int, lic platform.Licence, pupil school.Pupil, form service.DossierInput, errs fault.FieldErrors) {
	s.render(c, status, "dossier_new", dossierNewPage{Licence: lic, Pupil: pupil, Form: form, Errors: errs,
		Levels: []string{string(school.SupportLevelLight), string(school.SupportLevelExtraSchool), string(school.SupportLevelExtraFacility)}})
}

func (s *Server) handleDossierCreate(c *gin.Context) error {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	pd, err := s.pupils.Load(c, lic.ID, pupilID)
	if err != nil {
		return err
	}
	form := service.DossierInput{SupportLevel: c.PostForm("support_level"), Reason: c.PostForm("reason"), StartedOn: c.PostForm("started_on")}
	_, startErr, err := s.dossiers.Create(c, actorOf(c), lic.ID, pupilID, form)
	if fields, ok := asFieldErrors(err); ok {
		s.renderDossierNew(c, http.StatusUnprocessableEntity, lic, pd.Pupil, form, fields)
		return nil
	}
	if err != nil {
		return err
	}
	if startErr != nil {
		s.logger.ErrorContext(c, "dossier workflow not started", "err", startErr)
	}
	c.Redirect(http.StatusSeeOther, dossierURL(lic.ID, pupilID))
	return nil
}

// rerender shows the dossier page again with what the person typed into
// one section, after a validation error or a conflict.
func (s *Server) rerender(c *gin.Context, status int, lic platform.Licence, pupilID uuid.UUID, edit func(*dossierPage)) error {
	v, err := s.dossiers.Load(c, lic.ID, pupilID)
	if err != nil {
		return err
	}
	page := s.dossierPage(c, lic, v)
	page.Posted = c.PostForm
	edit(page)
	page.Form = formState{Sent: page.Section, Values: c.Request.PostForm, Errors: page.Errors}
	page.setRows()
	s.render(c, status, "dossier", page)
	return nil
}

// sectionFromForm reads a section's form into its typed content.
func sectionFromForm(c *gin.Context, section string) any {
	f := c.PostForm
	factors := func(prefix string) plan.Factors {
		return plan.Factors{Pupil: f(prefix + "_pupil"), Teaching: f(prefix + "_teaching"),
			School: f(prefix + "_school"), Home: f(prefix + "_home")}
	}
	switch section {
	case plan.SectionUnderstand:
		return &plan.Understand{Promoting: factors("promoting"), Hindering: factors("hindering"),
			EducationalNeeds: f("educational_needs"), SupportNeeds: f("support_needs"), PupilView: f("pupil_view")}
	case plan.SectionPerspective:
		return &plan.Perspective{Destination: f("destination"), Rationale: f("rationale")}
	case plan.SectionActionPart:
		a := &plan.ActionPart{Deviations: f("deviations")}
		for i := 0; i <= 30; i++ {
			p := "goal_" + strconv.Itoa(i) + "_"
			if _, ok := c.GetPostForm(p + "goal"); !ok {
				break
			}
			a.Goals = append(a.Goals, plan.Goal{ID: f(p + "id"), Domain: f(p + "domain"), Goal: f(p + "goal"),
				Criterion: f(p + "criterion"), EvaluateOn: f(p + "evaluate_on")})
		}
		for i := 0; i <= 30; i++ {
			p := "support_" + strconv.Itoa(i) + "_"
			if _, ok := c.GetPostForm(p + "what"); !ok {
				break
			}
			a.Support = append(a.Support, plan.Intervention{What: f(p + "what"), Who: f(p + "who"),
				HowOften: f(p + "how_often"), Where: f(p + "where")})
		}
		return a
	case plan.SectionRealise:
		r := &plan.Realise{Notes: f("notes")}
		for _, id := range c.PostFormArray("goal_id") {
			r.Results = append(r.Results, plan.GoalResult{GoalID: id, Outcome: f("outcome_" + id),
				Explanation: f("explanation_" + id)})
		}
		return r
	case plan.SectionEvaluation:
		return &plan.Evaluation{MeetingOn: f("meeting_on"), Participants: f("participants"),
			Summary: f("summary"), Agreements: f("agreements")}
	case plan.SectionHearing:
		return &plan.Hearing{HeardOn: f("heard_on"), How: f("how"), Summary: f("summary"), NotPossible: f("not_possible")}
	}
	return nil
}

// setSection puts typed content into a Content, for showing it back.
func setSection(content *plan.Content, section string, v any) {
	switch x := v.(type) {
	case *plan.Understand:
		content.Understand = *x
	case *plan.Perspective:
		content.Perspective = *x
	case *plan.ActionPart:
		content.ActionPart = *x
	case *plan.Realise:
		content.Realise = *x
	case *plan.Evaluation:
		content.Evaluation = *x
	case *plan.Hearing:
		content.Hearing = *x
	}
}

func (s *Server) handleDossierSectionSave(c *gin.Context) error {
	lic, d, err := s.openDossier(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	section := c.Param("section")
	content := sectionFromForm(c, section)
	if content == nil {
		return fault.ErrNotFound
	}
	version, err := formInt32(c, "version")
	if err != nil {
		return err
	}
	schoolType := ""
	if lic.SchoolType != nil {
		schoolType = string(*lic.SchoolType)
	}
	var fields fault.FieldErrors
	switch x := content.(type) {
	case *plan.Perspective:
		fields = x.Normalise(schoolType)
	case interface{ Normalise() fault.FieldErrors }:
		fields = x.Normalise()
	}
	if c.GetHeader("HX-Request") == "true" {
		return s.autosaveSection(c, lic.ID, d, section, version, content, fields)
	}
	if fields != nil {
		return s.rerender(c, http.StatusUnprocessableEntity, lic, d.PupilID, func(p *dossierPage) {
			setSection(&p.Content, section, content)
			p.Section, p.Errors, p.Versions[section] = section, fields, version
		})
	}
	_, err = s.dossiers.SaveSection(c, actorOf(c), lic.ID, d, section, version, content)
	var stale *service.StaleSection
	if errors.As(err, &stale) {
		var theirs plan.Content
		theirs, derr := plan.DecodeContent(map[string][]byte{section: stale.Current.Content})
		if derr != nil {
			return derr
		}
		return s.rerender(c, http.StatusConflict, lic, d.PupilID, func(p *dossierPage) {
			setSection(&p.Content, section, content)
			p.Section, p.Theirs, p.Versions[section] = section, &theirs, stale.Current.Version
		})
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, dossierURL(lic.ID, d.PupilID)+"?melding=opgeslagen&deel="+section+"#"+section)
	return nil
}

func (s *Server) handleDossierHeaderSave(c *gin.Context) error {
	lic, d, err := s.openDossier(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	version, err := formInt32(c, "version")
	if err != nil {
		return err
	}
	in := service.HeaderInput{DossierInput: service.DossierInput{SupportLevel: c.PostForm("support_level"), Reason: c.PostForm("reason"),
		StartedOn: c.PostForm("started_on")}, Version: version, StartChangeReason: c.PostForm("start_change_reason")}
	_, err = s.dossiers.SaveHeader(c, actorOf(c), lic.ID, d, in)
	if fields, ok := asFieldErrors(err); ok {
		return s.rerender(c, http.StatusUnprocessableEntity, lic, d.PupilID, func(p *dossierPage) {
			p.Section, p.Errors, p.Header, p.HeaderVersion = "header", fields, in.DossierInput, version
		})
	}
	if errors.Is(err, fault.ErrConflict) {
		return s.rerender(c, http.StatusConflict, lic, d.PupilID, func(p *dossierPage) {
			theirs := headerOf(p.Dossier)
			p.Section, p.Header, p.HeaderTheirs = "header", in.DossierInput, &theirs
		})
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, dossierURL(lic.ID, d.PupilID)+"?melding=opgeslagen&deel=header#gegevens")
	return nil
}

// postDossierForm runs a form post on the open dossier of the pupil in
// the path: write acts on the parsed form; its field errors show the page
// again with section marked, success goes back to anchor on the page.
func (s *Server) postDossierForm(c *gin.Context, section, anchor string, write func(platform.Licence, school.Dossier) error) error {
	lic, d, err := s.openDossier(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	err = write(lic, d)
	if fields, ok := asFieldErrors(err); ok {
		return s.rerender(c, http.StatusUnprocessableEntity, lic, d.PupilID, func(p *dossierPage) {
			p.Section, p.Errors = section, fields
		})
	}
	if err != nil {
		return err
	}
	// Back at the section, with a line saying what was done (dossierNotice).
	to := dossierURL(lic.ID, d.PupilID) + "?melding=" + section
	if section == "consent" {
		to += "&partij=" + url.QueryEscape(c.PostForm("party"))
	}
	c.Redirect(http.StatusSeeOther, to+anchor)
	return nil
}

// closedText says where and why a closed dossier stopped: "gesloten in
// Realiseren op 29-11-2026, reden: uitgeschreven".
func closedText(d school.Dossier, loc *time.Location) string {
	if d.ClosedAt == nil {
		return ""
	}
	out := "gesloten"
	if d.ClosedIn != nil {
		out += " in " + phaseLabels[*d.ClosedIn]
	}
	out += " op " + d.ClosedAt.In(loc).Format("02-01-2006")
	switch deref(d.ClosedReason) {
	case "left":
		out += ", reden: uitgeschreven"
	case "completed":
		out += ", reden: afgerond na de evaluatie"
	}
	return out
}

// Opened tells whether a part of the page opens: its form has errors, or
// it was just written.
func (p *dossierPage) Opened(part string) bool {
	return p.Section == part || (p.Section == "" && p.Done == part)
}

// dossierNotice is the line the dossier page shows after a form of
// postDossierForm (or another write) succeeded: what was just done.
func dossierNotice(c *gin.Context, v service.DossierView) string {
	switch c.Query("melding") {
	case "aangeboden":
		return "Het handelingsdeel is vastgelegd als versie ter instemming. De ouders krijgen een mail met een link naar de vraag."
	case "opgeslagen":
		return "Opgeslagen."
	case "growth":
		return "De notitie staat in het groeidocument."
	case "tests":
		return "De toetsuitslag is toegevoegd."
	case "participants":
		return "De betrokkenen zijn bijgewerkt."
	case "attachments":
		return "De bijlage is toegevoegd."
	case "request":
		return "De aanvraag is voorbereid. De ouders (en de leerling vanaf 16) krijgen een mail om te zien wat er meegaat."
	case "consent":
		if cv := v.Consent; cv != nil {
			key := c.Query("partij")
			if a := cv.Answer(key); a != "" {
				return fmt.Sprintf("Vastgelegd: het antwoord van %s is %s (vastgelegd door de school).", cv.Name(key), labelFunc(answerLabels)(a))
			}
		}
		return "Het antwoord is vastgelegd."
	}
	return ""
}

func (s *Server) handleDossierGrowthAdd(c *gin.Context) error {
	return s.postDossierForm(c, "growth", "#groeidocument", func(lic platform.Licence, d school.Dossier) error {
		_, err := s.dossiers.AddGrowthEntry(c, actorOf(c), lic.ID, d, service.GrowthInput{Kind: c.PostForm("kind"), OccurredOn: c.PostForm("occurred_on"),
			Body: c.PostForm("body")})
		return err
	})
}

func (s *Server) handleDossierTestAdd(c *gin.Context) error {
	return s.postDossierForm(c, "tests", "#groeidocument", func(lic platform.Licence, d school.Dossier) error {
		return s.dossiers.AddTestResult(c, actorOf(c), lic.ID, d, service.TestInput{Instrument: c.PostForm("instrument"), TakenOn: c.PostForm("taken_on"),
			Score: c.PostForm("score"), Level: c.PostForm("level")})
	})
}

func (s *Server) handleDossierParticipantAdd(c *gin.Context) error {
	return s.postDossierForm(c, "participants", "#betrokkenen", func(lic platform.Licence, d school.Dossier) error {
		return s.dossiers.AddParticipant(c, actorOf(c), lic.ID, d, service.ParticipantInput{Name: c.PostForm("name"), Role: c.PostForm("role"),
			Organisation: c.PostForm("organisation")})
	})
}

func (s *Server) handleDossierColleagueAdd(c *gin.Context) error {
	return s.postDossierForm(c, "participants", "#betrokkenen", func(lic platform.Licence, d school.Dossier) error {
		userID, err := uuid.Parse(c.PostForm("user_id"))
		if err != nil {
			return fault.FieldErrors{"user_id": "Kies een collega van deze school."}
		}
		return s.dossiers.AddColleague(c, actorOf(c), lic.ID, d, userID)
	})
}

func (s *Server) handleDossierParticipantRemove(c *gin.Context) error {
	lic, d, err := s.openDossier(c)
	if err != nil {
		return err
	}
	id, err := uuidParam(c, "participant")
	if err != nil {
		return err
	}
	if err := s.dossiers.RemoveParticipant(c, actorOf(c), lic.ID, d, id); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, dossierURL(lic.ID, d.PupilID)+"#betrokkenen")
	return nil
}

func (s *Server) handleDossierAdvance(c *gin.Context) error {
	lic, d, err := s.openDossier(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	requestID := c.PostForm("request_id")
	if err := service.CheckRequestID(requestID); err != nil {
		return err
	}
	from, err := phaseParam(c.PostForm("from"), false)
	if err != nil {
		return err
	}
	to, err := phaseParam(c.PostForm("to"), true)
	if err != nil {
		return err
	}
	out, err := s.dossiers.Advance(c, actorOf(c), lic.ID, d, requestID, from, to)
	if errors.Is(err, fault.ErrNoProcess) {
		return s.rerender(c, http.StatusConflict, lic, d.PupilID, func(p *dossierPage) { p.Starting = false })
	}
	if err != nil {
		return err
	}
	if len(out.Missing) > 0 || out.Moved {
		return s.rerender(c, http.StatusUnprocessableEntity, lic, d.PupilID, func(p *dossierPage) {
			p.Refused, p.Moved = out.Missing, out.Moved
		})
	}
	c.Redirect(http.StatusSeeOther, dossierURL(lic.ID, d.PupilID)+"#proces")
	return nil
}

func (s *Server) handleDossierStartProcess(c *gin.Context) error {
	lic, d, err := s.openDossier(c)
	if err != nil {
		return err
	}
	if err := s.logbook.Record(c, actorOf(c), lic.ID, d.PupilID, logbook.ActionUpdate, "dossier_process"); err != nil {
		return err
	}
	if err := s.dossiers.Start(c, lic.ID, d); err != nil {
		return errors.Join(fault.ErrUnavailable, err)
	}
	c.Redirect(http.StatusSeeOther, dossierURL(lic.ID, d.PupilID))
	return nil
}

func (s *Server) handleDossierActionPartOffer(c *gin.Context) error {
	lic, d, err := s.openDossier(c)
	if err != nil {
		return err
	}
	_, missing, err := s.dossiers.FreezeActionPart(c, actorOf(c), lic.ID, d)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return s.rerender(c, http.StatusUnprocessableEntity, lic, d.PupilID, func(p *dossierPage) { p.Refused = missing })
	}
	c.Redirect(http.StatusSeeOther, dossierURL(lic.ID, d.PupilID)+"?melding=aangeboden#action_part")
	return nil
}

func (s *Server) handleDossierConsentRecord(c *gin.Context) error {
	return s.postDossierForm(c, "consent", "#instemming", func(lic platform.Licence, d school.Dossier) error {
		number, err := strconv.ParseInt(c.Param("version"), 10, 32)
		if err != nil {
			return fault.ErrNotFound
		}
		_, err = s.dossiers.RespondConsent(c, actorOf(c), lic.ID, d, int32(number), service.ConsentAnswerInput{RequestID: c.PostForm("request_id"),
			Party: c.PostForm("party"), Answer: c.PostForm("answer"), Remark: c.PostForm("remark")})
		return err
	})
}

// handleDossierConsentStart asks consent again for a version whose round
// did not start (Temporal was away when it was offered).
func (s *Server) handleDossierConsentStart(c *gin.Context) error {
	lic, d, err := s.openDossier(c)
	if err != nil {
		return err
	}
	number, err := strconv.ParseInt(c.Param("version"), 10, 32)
	if err != nil {
		return fault.ErrNotFound
	}
	v, err := s.dossiers.Load(c, lic.ID, d.PupilID)
	if err != nil {
		return err
	}
	if v.ActionPart == nil || v.ActionPart.Number != int32(number) || v.ActionPart.ConsentStatus != plan.ConsentPending {
		return fault.ErrNotFound
	}
	if err := s.logbook.Record(c, actorOf(c), lic.ID, d.PupilID, logbook.ActionUpdate, "consent_round"); err != nil {
		return err
	}
	if err := s.dossiers.StartConsent(c, lic.ID, d, int32(number)); err != nil {
		return errors.Join(fault.ErrUnavailable, err)
	}
	c.Redirect(http.StatusSeeOther, dossierURL(lic.ID, d.PupilID)+"#instemming")
	return nil
}

// dossierListPage is "Mijn leerlingen": the open dossiers the person may
// see, filtered and sorted on the next deadline.
type dossierListPage struct {
	Licence  platform.Licence
	Rows     []school.ListDossiersRow
	Phase    string
	Level    string
	Overdue  bool
	Phases   []plan.Phase
	Levels   []string
	Capped   bool
	MaxShown int
	// Mailbox links the dev mailbox (make run).
	Mailbox bool
}

const maxDossierRows = 500

// listDossiers applies the filters of the list page and the API; a
// teacher sees the pupils of their own groups only.
func (s *Server) listDossiers(c *gin.Context, licenceID uuid.UUID, phase, level string, overdue bool) ([]school.ListDossiersRow, error) {
	params := school.ListDossiersParams{OverdueOnly: overdue, MaxRows: maxDossierRows + 1}
	if phase != "" {
		if !plan.Phase(phase).Valid() {
			return nil, fault.FieldErrors{"fase": "Onbekende fase."}
		}
		params.Phase = &phase
	}
	if level != "" {
		l := school.SupportLevel(level)
		if !l.Valid() {
			return nil, fault.FieldErrors{"niveau": "Onbekend ondersteuningsniveau."}
		}
		params.SupportLevel = &l
	}
	return s.dossiers.List(c, actorOf(c), licenceID, accessOf(c).Scope == auth.ScopeOwnGroups, params)
}

func (s *Server) handleDossierIndex(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	page := dossierListPage{Licence: lic, Phase: c.Query("fase"), Level: c.Query("niveau"), Overdue: c.Query("te_laat") == "ja",
		Phases: plan.Phases(), MaxShown: maxDossierRows,
		Mailbox: s.cfg.DevMailbox && principalOf(c).can(auth.PermDossierManage, lic.ID),
		Levels:  []string{string(school.SupportLevelLight), string(school.SupportLevelExtraSchool), string(school.SupportLevelExtraFacility)}}
	page.Rows, err = s.listDossiers(c, lic.ID, page.Phase, page.Level, page.Overdue)
	if err != nil {
		return err
	}
	if len(page.Rows) > maxDossierRows {
		page.Rows, page.Capped = page.Rows[:maxDossierRows], true
	}
	s.render(c, http.StatusOK, "dossiers", page)
	return nil
}

// flatten lists a section as labelled lines, for the print view and for
// showing the stored version next to the form after a conflict.
func flatten(section string, v any) []documents.LabelledText {
	var c *plan.Content
	switch x := v.(type) {
	case plan.Content:
		c = &x
	case *plan.Content:
		c = x
	}
	if c == nil {
		return nil
	}
	var out []documents.LabelledText
	add := func(label, text string) {
		if text != "" {
			out = append(out, documents.LabelledText{Label: label, Text: text})
		}
	}
	factors := func(kind string, f plan.Factors) {
		add(kind+" · leerling", f.Pupil)
		add(kind+" · onderwijs en groep", f.Teaching)
		add(kind+" · school", f.School)
		add(kind+" · thuis", f.Home)
	}
	switch section {
	case plan.SectionUnderstand:
		factors("Bevorderend", c.Understand.Promoting)
		factors("Belemmerend", c.Understand.Hindering)
		add("Onderwijsbehoeften", c.Understand.EducationalNeeds)
		add("Ondersteuningsbehoeften", c.Understand.SupportNeeds)
		add("Wat de leerling zelf vindt", c.Understand.PupilView)
	case plan.SectionPerspective:
		add("Uitstroombestemming", destinationLabels[c.Perspective.Destination])
		add("Onderbouwing", c.Perspective.Rationale)
	case plan.SectionActionPart:
		for i, g := range c.ActionPart.Goals {
			add(fmt.Sprintf("Doel %d · %s", i+1, g.Domain), fmt.Sprintf("%s\nCriterium: %s\nEvaluatie op: %s", g.Goal, g.Criterion, dutchDate(g.EvaluateOn)))
		}
		for _, s := range c.ActionPart.Support {
			add("Ondersteuning", fmt.Sprintf("%s · wie: %s · hoe vaak: %s · waar: %s", s.What, s.Who, s.HowOften, s.Where))
		}
		add("Afwijkingen van het reguliere programma", c.ActionPart.Deviations)
	case plan.SectionRealise:
		add("Uitvoering", c.Realise.Notes)
		for _, r := range c.Realise.Results {
			add("Resultaat doel: "+outcomeLabels[r.Outcome], r.Explanation)
		}
	case plan.SectionHearing:
		add("Gehoord op", dutchDate(c.Hearing.HeardOn))
		add("Hoe", hearingWayLabels[c.Hearing.How])
		add("Wat de leerling vindt", c.Hearing.Summary)
		add("Horen was niet mogelijk", c.Hearing.NotPossible)
	case plan.SectionEvaluation:
		add("Datum gesprek", dutchDate(c.Evaluation.MeetingOn))
		add("Aanwezig", c.Evaluation.Participants)
		add("Samenvatting", c.Evaluation.Summary)
		add("Afspraken", c.Evaluation.Agreements)
	}
	return out
}

// dutchDate shows a date kept as text (2027-03-01, as a date field sends
// it) the Dutch way, 01-03-2027; other text stays as it is.
func dutchDate(v string) string {
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		return d.Format("02-01-2006")
	}
	return v
}

// autosaveAnswer is what an automatic save of a draft shows beside the
// save button; Version replaces the form's version, so the next save
// builds on this one.
type autosaveAnswer struct {
	Message string
	Section string
	Version int32
}

// autosaveSection saves a draft while the person types (htmx, a few
// seconds after the last key). It never overwrites somebody else's save
// and never shows a whole page: a conflict or a mistake only says so, and
// the save button then shows both versions or the fields to fix.
func (s *Server) autosaveSection(c *gin.Context, licenceID uuid.UUID, d school.Dossier, section string, version int32, content any, fields fault.FieldErrors) error {
	answer := autosaveAnswer{Section: section}
	if fields != nil {
		answer.Message = "Niet automatisch opgeslagen: controleer de invoer en klik op opslaan."
		s.renderFragment(c, "dossier", "autosave", answer)
		return nil
	}
	saved, err := s.dossiers.SaveSection(c, actorOf(c), licenceID, d, section, version, content)
	var stale *service.StaleSection
	switch {
	case errors.As(err, &stale):
		answer.Message = "Niet automatisch opgeslagen: iemand anders wijzigde dit deel. Klik op opslaan om beide versies te zien."
	case err != nil:
		return err
	default:
		answer.Message = "Concept automatisch opgeslagen om " + time.Now().In(s.location).Format("15:04") + "."
		answer.Version = saved.Version
	}
	s.renderFragment(c, "dossier", "autosave", answer)
	return nil
}

// headerOf is a dossier's header as the form shows it.
func headerOf(d school.Dossier) service.DossierInput {
	return service.DossierInput{SupportLevel: string(d.SupportLevel), Reason: d.Reason, StartedOn: d.StartedOn.Format(dateLayout)}
}
