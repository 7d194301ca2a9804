package server

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/documents"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/service"
)

// actorOf is the person behind c in the role the route granted, as the
// services know them.
func actorOf(c *gin.Context) service.Actor {
	a := service.Actor{Role: accessOf(c).Role}
	if p := principalOf(c); p != nil {
		a.UserID, a.Name = p.UserID, p.Name
	}
	return a
}

// viewDossier loads the dossier of the pupil in the path and logs that the
// person saw it.
func (s *Server) viewDossier(c *gin.Context) (platform.Licence, service.DossierView, error) {
	return s.viewDossierAs(c, logbook.ActionView, "dossier")
}

// viewDossierAs loads the dossier and logs action on entity: a view, or an
// export for the PDF.
func (s *Server) viewDossierAs(c *gin.Context, action, entity string) (platform.Licence, service.DossierView, error) {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return lic, service.DossierView{}, err
	}
	v, err := s.dossiers.Load(c, lic.ID, pupilID)
	if err != nil {
		return lic, v, err
	}
	return lic, v, s.logbook.Record(c, actorOf(c), lic.ID, pupilID, action, entity)
}

// openDossier is the open dossier of the pupil in the path, for writes.
func (s *Server) openDossier(c *gin.Context) (platform.Licence, school.Dossier, error) {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return lic, school.Dossier{}, err
	}
	d, err := s.dossiers.OpenForWrite(c, lic.ID, pupilID)
	return lic, d, err
}

// phaseParam reads a phase from a form or JSON value.
func phaseParam(v string, allowEmpty bool) (plan.Phase, error) {
	p := plan.Phase(v)
	if (v == "" && allowEmpty) || p.Valid() || p == plan.PhaseClosed {
		return p, nil
	}
	return "", fault.FieldErrors{"phase": "Onbekende fase."}
}

// formInt32 reads a whole number from a form field.
func formInt32(c *gin.Context, name string) (int32, error) {
	n, err := strconv.ParseInt(c.PostForm(name), 10, 32)
	if err != nil {
		return 0, fault.FieldErrors{name: "Het formulier is verlopen; laad de pagina opnieuw."}
	}
	return int32(n), nil
}

func dossierURL(licenceID, pupilID uuid.UUID) string {
	return fmt.Sprintf("/licenties/%s/leerlingen/%s/dossier", licenceID, pupilID)
}

func schoolTypeOf(t *platform.SchoolType) string {
	if t == nil {
		return ""
	}
	return string(*t)
}

// oppDocument puts a dossier into the OPP's Dutch words.
func (s *Server) oppDocument(schoolName, schoolType, generatedBy string, v service.DossierView) documents.OPPDocument {
	c := v.Content
	factors := func(f plan.Factors) []documents.LabelledText {
		return []documents.LabelledText{{Label: "Leerling", Text: f.Pupil}, {Label: "Onderwijs en groep", Text: f.Teaching},
			{Label: "School", Text: f.School}, {Label: "Thuis", Text: f.Home}}
	}
	evaluation := c.Evaluation
	evaluation.MeetingOn = dutchDate(evaluation.MeetingOn)
	d := documents.OPPDocument{
		School: schoolName, SchoolType: schoolType, Pupil: fullName(v.Pupil), Group: v.Pupil.GroupName,
		BirthDate: v.Pupil.BirthDate, SupportLevel: supportLabels[string(v.Dossier.SupportLevel)], Reason: v.Dossier.Reason,
		StartedOn: v.Dossier.StartedOn, Cycle: v.Dossier.Cycle, Phase: cmp.Or(closedText(v.Dossier, s.location), phaseLabels[string(v.Phase())]),
		Destination: destinationLabels[c.Perspective.Destination], Rationale: c.Perspective.Rationale,
		Promoting: factors(c.Understand.Promoting), Hindering: factors(c.Understand.Hindering),
		EducationalNeeds: c.Understand.EducationalNeeds, SupportNeeds: c.Understand.SupportNeeds, PupilView: c.Understand.PupilView,
		ExecutionNotes: c.Realise.Notes, Evaluation: evaluation, Generated: time.Now(), Location: s.location,
		Hearing: hearingText(c.Hearing), TestSeries: v.LOVS,
		ActionPartVersion: "concept, nog niet aangeboden ter instemming", Consent: "nog niet gevraagd", GeneratedBy: generatedBy,
	}
	action := c.ActionPart
	if v.ActionPart != nil {
		var frozen plan.ActionPart
		if err := json.Unmarshal(v.ActionPart.Content, &frozen); err == nil && !v.Checklist.DraftChanged {
			action = frozen
		}
		d.ActionPartVersion = fmt.Sprintf("versie %d van %s", v.ActionPart.Number, v.ActionPart.FrozenAt.In(s.location).Format("02-01-2006"))
		if v.Checklist.DraftChanged {
			d.ActionPartVersion += " (daarna gewijzigd; de wijzigingen zijn nog niet aangeboden)"
		}
		d.Consent = consentLabels[v.ActionPart.ConsentStatus]
	}
	results := map[string]plan.GoalResult{}
	for _, r := range c.Realise.Results {
		results[r.GoalID] = r
	}
	for _, g := range action.Goals {
		og := documents.OPPGoal{Domain: g.Domain, Goal: g.Goal, Criterion: g.Criterion, EvaluateOn: dutchDate(g.EvaluateOn)}
		if r, ok := results[g.ID]; ok {
			og.Outcome, og.Explanation = outcomeLabels[r.Outcome], r.Explanation
		}
		d.Goals = append(d.Goals, og)
	}
	d.Support, d.Deviations = action.Support, action.Deviations
	for _, p := range v.Participants {
		d.Participants = append(d.Participants, documents.OPPParticipant{Name: p.Name, Role: p.Role,
			Organisation: p.Organisation, Kind: participantKindLabels[p.Kind]})
	}
	return d
}

// hearingText is the hoorrecht record in one Dutch sentence.
func hearingText(h plan.Hearing) string {
	switch {
	case h.NotPossible != "":
		return "Horen was niet mogelijk: " + h.NotPossible
	case h.Summary != "":
		return fmt.Sprintf("Gehoord op %s (%s): %s", dutchDate(h.HeardOn), hearingWayLabels[h.How], h.Summary)
	}
	return ""
}
