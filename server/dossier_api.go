package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/service"
	"github.com/topdossier/topdossier/workflows"
)

// dossierJSON is a dossier in the API.
type dossierJSON struct {
	ID               uuid.UUID              `json:"id"`
	PupilID          uuid.UUID              `json:"pupil_id"`
	SupportLevel     string                 `json:"support_level"`
	Reason           string                 `json:"reason"`
	StartedOn        string                 `json:"started_on"`
	Cycle            int32                  `json:"cycle"`
	Version          int32                  `json:"version"`
	Phase            string                 `json:"phase"`
	OPPEstablishedOn *string                `json:"opp_established_on"`
	ClosedAt         *time.Time             `json:"closed_at"`
	Process          *processJSON           `json:"process"`
	Sections         map[string]sectionJSON `json:"sections,omitempty"`
	Missing          []string               `json:"missing,omitempty"`
	ActionPart       *actionPartVersionJSON `json:"action_part_version,omitempty"`
	Growth           []growthJSON           `json:"growth_entries,omitempty"`
}

type sectionJSON struct {
	Version int32           `json:"version"`
	Content json.RawMessage `json:"content"`
}

type actionPartVersionJSON struct {
	Number        int32     `json:"number"`
	FrozenAt      time.Time `json:"frozen_at"`
	ConsentStatus string    `json:"consent_status"`
}

type growthJSON struct {
	ID         uuid.UUID `json:"id"`
	Cycle      int32     `json:"cycle"`
	Kind       string    `json:"kind"`
	OccurredOn string    `json:"occurred_on"`
	Body       string    `json:"body"`
	AuthorName string    `json:"author_name"`
}

func toDossierJSON(d school.Dossier, step *school.ProcessStep) dossierJSON {
	out := dossierJSON{ID: d.ID, PupilID: d.PupilID, SupportLevel: string(d.SupportLevel), Reason: d.Reason,
		StartedOn: d.StartedOn.Format(dateLayout), Cycle: d.Cycle, Version: d.Version, ClosedAt: d.ClosedAt}
	if d.OppEstablishedOn != nil {
		on := d.OppEstablishedOn.Format(dateLayout)
		out.OPPEstablishedOn = &on
	}
	if step != nil {
		out.Phase = step.Step
		out.Process = &processJSON{Step: step.Step, WaitingFor: step.WaitingFor, DueAt: step.DueAt}
	}
	if d.ClosedAt != nil {
		out.Phase = string(plan.PhaseClosed)
	}
	return out
}

func (s *Server) handleAPIDossierList(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	rows, err := s.listDossiers(c, lic.ID, c.Query("phase"), c.Query("support_level"), c.Query("overdue") == "true")
	if err != nil {
		return err
	}
	type row struct {
		DossierID     uuid.UUID  `json:"dossier_id"`
		PupilID       uuid.UUID  `json:"pupil_id"`
		Pupil         string     `json:"pupil"`
		Group         string     `json:"group"`
		SupportLevel  string     `json:"support_level"`
		Cycle         int32      `json:"cycle"`
		Phase         string     `json:"phase"`
		DueAt         *time.Time `json:"due_at"`
		DeadlineState string     `json:"deadline_state"`
	}
	out := make([]row, 0, len(rows))
	for i, r := range rows {
		if i == maxDossierRows {
			break
		}
		out = append(out, row{DossierID: r.DossierID, PupilID: r.PupilID,
			Pupil: fullName(school.Pupil{GivenName: r.GivenName, NameInfix: r.NameInfix, FamilyName: r.FamilyName}),
			Group: r.GroupName, SupportLevel: string(r.SupportLevel), Cycle: r.Cycle, Phase: deref(r.Step),
			DueAt: r.DueAt, DeadlineState: r.DeadlineState})
	}
	return writeJSON(c, http.StatusOK, gin.H{"dossiers": out, "truncated": len(rows) > maxDossierRows})
}

func (s *Server) handleAPIDossierCreate(c *gin.Context) error {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return err
	}
	var in service.DossierInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if idempotencyKeyOf(c) != "" {
		in.ActionID = actionID(c, "")
	}
	if _, err := s.pupils.Load(c, lic.ID, pupilID); err != nil {
		return err
	}
	d, startErr, err := s.dossiers.Create(c, actorOf(c), lic.ID, pupilID, in)
	if err != nil {
		return err
	}
	if startErr != nil {
		s.logger.ErrorContext(c, "dossier workflow not started", "err", startErr)
	}
	c.Header("Location", fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier", lic.ID, pupilID))
	return writeJSON(c, http.StatusCreated, gin.H{"dossier": toDossierJSON(d, nil), "process_started": startErr == nil})
}

func (s *Server) handleAPIDossierShow(c *gin.Context) error {
	_, v, err := s.viewDossier(c)
	if err != nil {
		return err
	}
	out := toDossierJSON(v.Dossier, v.Step)
	out.Sections = map[string]sectionJSON{}
	raw := map[string]any{
		plan.SectionUnderstand: v.Content.Understand, plan.SectionPerspective: v.Content.Perspective,
		plan.SectionActionPart: v.Content.ActionPart, plan.SectionRealise: v.Content.Realise,
		plan.SectionEvaluation: v.Content.Evaluation, plan.SectionHearing: v.Content.Hearing,
	}
	for name, content := range raw {
		b, err := json.Marshal(content)
		if err != nil {
			return err
		}
		out.Sections[name] = sectionJSON{Version: v.Versions[name], Content: b}
	}
	if ph := v.Phase(); ph.Valid() {
		out.Missing = plan.Missing(ph, v.Checklist)
	}
	if v.ActionPart != nil {
		out.ActionPart = &actionPartVersionJSON{Number: v.ActionPart.Number, FrozenAt: v.ActionPart.FrozenAt,
			ConsentStatus: v.ActionPart.ConsentStatus}
	}
	for _, g := range v.Growth {
		out.Growth = append(out.Growth, growthJSON{ID: g.ID, Cycle: g.Cycle, Kind: g.Kind,
			OccurredOn: g.OccurredOn.Format(dateLayout), Body: g.Body, AuthorName: g.AuthorName})
	}
	return writeJSON(c, http.StatusOK, gin.H{"dossier": out})
}

// handleAPIDossierProcess answers "where is this dossier" from the
// workflow itself: phase, what is done, who we wait for, next deadline.
func (s *Server) handleAPIDossierProcess(c *gin.Context) error {
	lic, d, err := s.dossierOfPath(c)
	if err != nil {
		return err
	}
	st, err := s.dossiers.Status(c, lic, d.ID)
	if err != nil {
		return err
	}
	if err := s.logbook.Record(c, actorOf(c), lic, d.PupilID, logbook.ActionView, "dossier_process"); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, gin.H{"process": processStatusJSON(st)})
}

func processStatusJSON(st workflows.DossierStatus) gin.H {
	done := make([]string, 0, len(st.Done))
	for _, p := range st.Done {
		done = append(done, string(p))
	}
	out := gin.H{"cycle": st.Cycle, "phase": st.Phase, "done": done, "waiting_for": st.WaitingFor,
		"opp_established_at": st.OPPEstablishedAt, "evaluation_due_at": st.EvaluationDueAt, "deadline": nil}
	if dl := st.Deadline; dl != nil {
		out["deadline"] = gin.H{"kind": dl.Kind, "remind_at": dl.RemindAt, "due_at": dl.DueAt, "state": dl.State}
	}
	return out
}

// dossierOfPath is the current dossier (open or closed) of the pupil in
// the path.
func (s *Server) dossierOfPath(c *gin.Context) (uuid.UUID, school.Dossier, error) {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return uuid.Nil, school.Dossier{}, err
	}
	v, err := s.loadDossierHeader(c, lic.ID, pupilID)
	return lic.ID, v, err
}

func (s *Server) handleAPIDossierSectionSave(c *gin.Context) error {
	lic, d, err := s.openDossier(c)
	if err != nil {
		return err
	}
	var in struct {
		Version int32           `json:"version"`
		Content json.RawMessage `json:"content"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Version < 1 || len(in.Content) == 0 {
		return fault.FieldErrors{"version": "Stuur de versie mee die je hebt gelezen, en de inhoud."}
	}
	content, fields, err := service.DecodeSection(c.Param("section"), schoolTypeOf(lic.SchoolType), in.Content)
	if err != nil {
		return err
	}
	if fields != nil {
		return fields
	}
	saved, err := s.dossiers.SaveSection(c, actorOf(c), lic.ID, d, c.Param("section"), in.Version, content)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, gin.H{"section": sectionJSON{Version: saved.Version, Content: saved.Content}})
}

func (s *Server) handleAPIDossierGrowthAdd(c *gin.Context) error {
	lic, d, err := s.openDossier(c)
	if err != nil {
		return err
	}
	var in service.GrowthInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if idempotencyKeyOf(c) != "" {
		in.ActionID = actionID(c, "")
	}
	g, err := s.dossiers.AddGrowthEntry(c, actorOf(c), lic.ID, d, in)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusCreated, gin.H{"growth_entry": growthJSON{ID: g.ID, Cycle: g.Cycle, Kind: g.Kind,
		OccurredOn: g.OccurredOn.Format(dateLayout), Body: g.Body, AuthorName: g.AuthorName}})
}

func (s *Server) handleAPIDossierAdvance(c *gin.Context) error {
	lic, d, err := s.openDossier(c)
	if err != nil {
		return err
	}
	var in struct {
		RequestID string `json:"request_id"`
		From      string `json:"from"`
		To        string `json:"to"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := service.CheckRequestID(in.RequestID); err != nil {
		return err
	}
	from, err := phaseParam(in.From, false)
	if err != nil {
		return err
	}
	to, err := phaseParam(in.To, true)
	if err != nil {
		return err
	}
	out, err := s.dossiers.Advance(c, actorOf(c), lic.ID, d, in.RequestID, from, to)
	switch {
	case err != nil:
		return err
	case len(out.Missing) > 0:
		return &phaseIncomplete{Missing: out.Missing}
	case out.Moved:
		return errPhaseMoved
	}
	return writeJSON(c, http.StatusOK, gin.H{"process": processStatusJSON(out.Status)})
}

// loadDossierHeader reads only the dossier row of a pupil's current dossier.
func (s *Server) loadDossierHeader(c *gin.Context, licenceID, pupilID uuid.UUID) (school.Dossier, error) {
	return s.dossiers.Header(c, licenceID, pupilID)
}
