// Package plan is the pupil's plan as the domain knows it: the content of
// a cycle (begrijpen, ontwikkelingsperspectief, handelingsdeel, realiseren,
// evaluatie, the pupil's hearing) with its checks, the phases of the HGW
// cycle, the checklist and Missing that gate every phase, and the parties
// and answers of consent. It is pure: no database, no Temporal, no HTTP;
// workflows, activities, services and pages all use it.
package plan

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/topdossier/topdossier/fault"
)

// Phase is a step of the HGW cycle as stored in the projection and shown
// by the process bar.
type Phase string

// The phases of one cycle, in order, and the end of a dossier.
const (
	PhaseObserve    Phase = "observe"    // waarnemen
	PhaseUnderstand Phase = "understand" // begrijpen
	PhasePlan       Phase = "plan"       // plannen
	PhaseRealise    Phase = "realise"    // realiseren
	PhaseEvaluate   Phase = "evaluate"   // evalueren
	PhaseClosed     Phase = "closed"     // afgesloten
)

// Phases lists the phases of a cycle in order.
func Phases() []Phase {
	return []Phase{PhaseObserve, PhaseUnderstand, PhasePlan, PhaseRealise, PhaseEvaluate}
}

// Next is the phase after p within a cycle; evaluate has none (a next
// cycle or closing is chosen explicitly).
func (p Phase) Next() Phase {
	switch p {
	case PhaseObserve:
		return PhaseUnderstand
	case PhaseUnderstand:
		return PhasePlan
	case PhasePlan:
		return PhaseRealise
	case PhaseRealise:
		return PhaseEvaluate
	}
	return ""
}

// Valid reports whether p is a phase of the cycle.
func (p Phase) Valid() bool {
	for _, q := range Phases() {
		if p == q {
			return true
		}
	}
	return false
}

// The sections of a cycle's content, each saved with its own version.
const (
	SectionUnderstand  = "understand"
	SectionPerspective = "perspective"
	SectionActionPart  = "action_part"
	SectionRealise     = "realise"
	SectionEvaluation  = "evaluation"
	SectionHearing     = "hearing"
)

// Sections lists every section a cycle has.
func Sections() []string {
	return []string{SectionUnderstand, SectionPerspective, SectionActionPart, SectionRealise, SectionEvaluation, SectionHearing}
}

// Factors are bevorderende or belemmerende factoren, by where they lie.
type Factors struct {
	Pupil    string `json:"pupil"`
	Teaching string `json:"teaching"`
	School   string `json:"school"`
	Home     string `json:"home"`
}

func (f Factors) any() bool {
	return f.Pupil != "" || f.Teaching != "" || f.School != "" || f.Home != ""
}

// Understand is the content of begrijpen.
type Understand struct {
	Promoting        Factors `json:"promoting"`
	Hindering        Factors `json:"hindering"`
	EducationalNeeds string  `json:"educational_needs"`
	SupportNeeds     string  `json:"support_needs"`
	PupilView        string  `json:"pupil_view"`
}

// Perspective is the ontwikkelingsperspectief: where the pupil is
// expected to go after this school, and why.
type Perspective struct {
	Destination string `json:"destination"`
	Rationale   string `json:"rationale"`
}

// Goal is one goal of a handelingsdeel.
type Goal struct {
	ID         string `json:"id"`
	Domain     string `json:"domain"`
	Goal       string `json:"goal"`
	Criterion  string `json:"criterion"`
	EvaluateOn string `json:"evaluate_on"`
}

func (g Goal) empty() bool {
	return g.Domain == "" && g.Goal == "" && g.Criterion == "" && g.EvaluateOn == ""
}

// Intervention is one line of support: what, who, how often, where.
type Intervention struct {
	What     string `json:"what"`
	Who      string `json:"who"`
	HowOften string `json:"how_often"`
	Where    string `json:"where"`
}

func (i Intervention) empty() bool {
	return i.What == "" && i.Who == "" && i.HowOften == "" && i.Where == ""
}

// ActionPart is the handelingsdeel: goals, support and deviations from
// the regular curriculum.
type ActionPart struct {
	Goals      []Goal         `json:"goals"`
	Support    []Intervention `json:"support"`
	Deviations string         `json:"deviations"`
}

// Outcomes of a goal at evaluation.
const (
	OutcomeAchieved    = "achieved"     // behaald
	OutcomePartly      = "partly"       // deels behaald
	OutcomeNotAchieved = "not_achieved" // niet behaald
)

// GoalResult is the evaluation of one goal.
type GoalResult struct {
	GoalID      string `json:"goal_id"`
	Outcome     string `json:"outcome"`
	Explanation string `json:"explanation"`
}

// Realise is the content of realiseren: notes on the execution and the
// result per goal.
type Realise struct {
	Notes   string       `json:"notes"`
	Results []GoalResult `json:"results"`
}

// Evaluation is the evaluation meeting with parents.
type Evaluation struct {
	MeetingOn    string `json:"meeting_on"`
	Participants string `json:"participants"`
	Summary      string `json:"summary"`
	Agreements   string `json:"agreements"`
}

// Hearing is the pupil's view on the plan (hoorrecht), recorded before
// the handelingsdeel goes out for consent: when, how and what the pupil
// said, or why hearing the pupil was not possible.
type Hearing struct {
	HeardOn     string `json:"heard_on"`
	How         string `json:"how"`
	Summary     string `json:"summary"`
	NotPossible string `json:"not_possible"`
}

// Ways a pupil is heard.
func HearingWays() []string {
	return []string{"conversation", "drawing", "questionnaire", "other"}
}

// Done reports whether the hearing is recorded.
func (h Hearing) Done() bool {
	return (h.HeardOn != "" && h.How != "" && h.Summary != "") || h.NotPossible != ""
}

// Normalise trims h and checks the date and the way.
func (h *Hearing) Normalise() fault.FieldErrors {
	c := checker{errs: fault.FieldErrors{}}
	c.date("heard_on", &h.HeardOn)
	h.How = strings.TrimSpace(h.How)
	if h.How != "" {
		ok := false
		for _, w := range HearingWays() {
			ok = ok || w == h.How
		}
		if !ok {
			c.errs["how"] = "Kies hoe de leerling is gehoord."
		}
	}
	c.text("summary", &h.Summary, longText)
	c.text("not_possible", &h.NotPossible, longText)
	return c.result()
}

// Content is every section of one cycle.
type Content struct {
	Understand  Understand
	Perspective Perspective
	ActionPart  ActionPart
	Realise     Realise
	Evaluation  Evaluation
	Hearing     Hearing
}

// NoSchool is the school type of the SWV's own school licence: pupils
// without a school (thuiszitters, pupils in care), who have a plan there
// until a school takes them.
const NoSchool = ""

// Destinations are the uitstroombestemmingen a perspective may name, by
// the type of school: PO and SBO look ahead to a VO level, SO to a VSO
// profile or regular VO, VO and VSO to what comes after school; a pupil
// without a school (NoSchool) to where they go next: back to regular
// education, to SO/VSO, an onderwijszorgarrangement, dagbesteding or work.
func Destinations(schoolType string) []string {
	switch schoolType {
	case NoSchool:
		return []string{"terug_regulier", "so_vso", "onderwijszorg", "dagbesteding", "arbeid"}
	case "BAO", "SBO":
		return []string{"pro", "vmbo_bb", "vmbo_kb", "vmbo_gl_tl", "havo", "vwo"}
	case "SO":
		return []string{"vso_vervolgonderwijs", "vso_arbeid", "vso_dagbesteding", "regulier_vo"}
	case "VO", "PrO":
		return []string{"mbo", "hbo", "wo", "arbeid"}
	case "VSO":
		return []string{"vervolgonderwijs", "arbeid", "dagbesteding"}
	}
	return nil
}

// limits of free text, in characters.
const (
	shortText = 200
	longText  = 5000
	maxRows   = 30
)

type checker struct{ errs fault.FieldErrors }

func (c *checker) text(field string, v *string, max int) {
	*v = strings.TrimSpace(*v)
	if len([]rune(*v)) > max {
		c.errs[field] = fmt.Sprintf("Dit veld is te lang (hoogstens %d tekens).", max)
	}
}

func (c *checker) date(field string, v *string) {
	*v = strings.TrimSpace(*v)
	if *v == "" {
		return
	}
	if _, err := time.Parse(time.DateOnly, *v); err != nil {
		c.errs[field] = "Vul een datum in."
	}
}

func (c *checker) factors(prefix string, f *Factors) {
	c.text(prefix+".pupil", &f.Pupil, longText)
	c.text(prefix+".teaching", &f.Teaching, longText)
	c.text(prefix+".school", &f.School, longText)
	c.text(prefix+".home", &f.Home, longText)
}

func (c *checker) result() fault.FieldErrors {
	if len(c.errs) == 0 {
		return nil
	}
	return c.errs
}

// Normalise trims u and names every field that is too long.
func (u *Understand) Normalise() fault.FieldErrors {
	c := checker{errs: fault.FieldErrors{}}
	c.factors("promoting", &u.Promoting)
	c.factors("hindering", &u.Hindering)
	c.text("educational_needs", &u.EducationalNeeds, longText)
	c.text("support_needs", &u.SupportNeeds, longText)
	c.text("pupil_view", &u.PupilView, longText)
	return c.result()
}

// Normalise trims p and checks the destination against the school type.
func (p *Perspective) Normalise(schoolType string) fault.FieldErrors {
	c := checker{errs: fault.FieldErrors{}}
	p.Destination = strings.TrimSpace(p.Destination)
	if p.Destination != "" {
		ok := false
		for _, d := range Destinations(schoolType) {
			ok = ok || d == p.Destination
		}
		if !ok {
			c.errs["destination"] = "Kies een uitstroombestemming uit de lijst."
		}
	}
	c.text("rationale", &p.Rationale, longText)
	return c.result()
}

// Normalise trims a, drops empty rows, gives new goals an id and checks
// dates and lengths.
func (a *ActionPart) Normalise() fault.FieldErrors {
	c := checker{errs: fault.FieldErrors{}}
	goals := a.Goals[:0]
	for _, g := range a.Goals {
		i := len(goals)
		p := fmt.Sprintf("goals.%d.", i)
		c.text(p+"domain", &g.Domain, shortText)
		c.text(p+"goal", &g.Goal, longText)
		c.text(p+"criterion", &g.Criterion, longText)
		c.date(p+"evaluate_on", &g.EvaluateOn)
		if g.empty() {
			continue
		}
		if _, err := uuid.Parse(g.ID); err != nil {
			g.ID = uuid.NewString()
		}
		goals = append(goals, g)
	}
	a.Goals = goals
	support := a.Support[:0]
	for _, s := range a.Support {
		p := fmt.Sprintf("support.%d.", len(support))
		c.text(p+"what", &s.What, longText)
		c.text(p+"who", &s.Who, shortText)
		c.text(p+"how_often", &s.HowOften, shortText)
		c.text(p+"where", &s.Where, shortText)
		if s.empty() {
			continue
		}
		support = append(support, s)
	}
	a.Support = support
	if len(a.Goals) > maxRows || len(a.Support) > maxRows {
		c.errs["goals"] = fmt.Sprintf("Hoogstens %d doelen en %d regels ondersteuning.", maxRows, maxRows)
	}
	c.text("deviations", &a.Deviations, longText)
	return c.result()
}

// Normalise trims r and checks outcomes.
func (r *Realise) Normalise() fault.FieldErrors {
	c := checker{errs: fault.FieldErrors{}}
	c.text("notes", &r.Notes, longText)
	results := r.Results[:0]
	for _, res := range r.Results {
		p := fmt.Sprintf("results.%s.", res.GoalID)
		c.text(p+"explanation", &res.Explanation, longText)
		switch res.Outcome {
		case "", OutcomeAchieved, OutcomePartly, OutcomeNotAchieved:
		default:
			c.errs[p+"outcome"] = "Kies behaald, deels behaald of niet behaald."
		}
		if res.Outcome == "" && res.Explanation == "" {
			continue
		}
		results = append(results, res)
	}
	r.Results = results
	return c.result()
}

// Normalise trims e and checks the meeting date.
func (e *Evaluation) Normalise() fault.FieldErrors {
	c := checker{errs: fault.FieldErrors{}}
	c.date("meeting_on", &e.MeetingOn)
	c.text("participants", &e.Participants, longText)
	c.text("summary", &e.Summary, longText)
	c.text("agreements", &e.Agreements, longText)
	return c.result()
}

// DecodeContent reads the stored sections of one cycle.
func DecodeContent(sections map[string][]byte) (Content, error) {
	var c Content
	targets := map[string]any{
		SectionUnderstand: &c.Understand, SectionPerspective: &c.Perspective, SectionActionPart: &c.ActionPart,
		SectionRealise: &c.Realise, SectionEvaluation: &c.Evaluation, SectionHearing: &c.Hearing,
	}
	for _, name := range Sections() {
		raw := sections[name]
		if len(raw) == 0 {
			continue
		}
		if err := json.Unmarshal(raw, targets[name]); err != nil {
			return c, fmt.Errorf("decode section %s: %w", name, err)
		}
	}
	return c, nil
}

// GrowthKind reports whether kind is a kind of groeidocument entry:
// observation, tried (wat is geprobeerd) or conversation (gesprek).
func GrowthKind(kind string) bool {
	switch kind {
	case "observation", "tried", "conversation":
		return true
	}
	return false
}

// RelationLabel is a guardian's relation to the pupil in Dutch, as the
// plan's participants list shows it.
func RelationLabel(relation string) string {
	return RelationLabels()[relation]
}

// RelationLabels are the guardians' relations in Dutch.
func RelationLabels() map[string]string {
	return map[string]string{
		"mother":         "moeder",
		"father":         "vader",
		"parent":         "ouder",
		"legal_guardian": "voogd",
		"foster_parent":  "pleegouder",
		"carer":          "verzorger",
		"other":          "anders",
	}
}

// AVGRequestKinds are the requests a guardian or pupil can make under the
// AVG (art. 16, 17, 18, 21), with their Dutch names.
func AVGRequestKinds() map[string]string {
	return map[string]string{
		"correction":  "correctie (iets klopt niet)",
		"erasure":     "verwijdering",
		"restriction": "beperking van het gebruik",
		"objection":   "bezwaar tegen het gebruik",
	}
}
