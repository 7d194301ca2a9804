package plan

import (
	"slices"
	"strings"
)

// The parts of a plan a sending school chooses to transfer. The pupil's
// identity, the guardians and the onderwijskundig rapport always go: the
// next school needs the first two to take the pupil in, and the report
// is the school's legal duty (WPO art. 42, WEC art. 43).
const (
	PartAnalysis    = "analysis"     // begrijpen: factors, needs, the pupil heard
	PartPerspective = "perspective"  // ontwikkelingsperspectief
	PartActionParts = "action_parts" // every handelingsdeel version with its consent history
	PartEvaluations = "evaluations"  // realiseren and the evaluations, per cycle
	PartGrowth      = "growth"       // groeidocument notes
	PartTests       = "tests"        // test results
)

// TransferParts are the parts in the order the pages show them.
func TransferParts() []string {
	return []string{PartAnalysis, PartPerspective, PartActionParts, PartEvaluations, PartGrowth, PartTests}
}

// TransferPartLabel is a part's Dutch name.
func TransferPartLabel(part string) string {
	switch part {
	case PartAnalysis:
		return "Analyse (begrijpen) en wat de leerling zelf zei"
	case PartPerspective:
		return "Ontwikkelingsperspectief"
	case PartActionParts:
		return "Handelingsdelen met hun instemming"
	case PartEvaluations:
		return "Uitvoering en evaluaties"
	case PartGrowth:
		return "Groeidocument (observaties, gesprekken, wat is geprobeerd)"
	case PartTests:
		return "Toetsresultaten"
	}
	return part
}

// TransferPackage is what a transfer carries to the next school, built
// from the dossier when the parties are asked and frozen then: they agree
// to exactly this, minus the attachments one of them kept back. The parts
// not chosen are empty.
type TransferPackage struct {
	School       string               `json:"school"`
	SchoolType   string               `json:"school_type"`
	Pupil        TransferPupil        `json:"pupil"`
	Guardians    []TransferGuardian   `json:"guardians"`
	SupportLevel string               `json:"support_level"`
	StartedOn    string               `json:"started_on"`
	Parts        []string             `json:"parts"`
	Cycles       []TransferCycle      `json:"cycles,omitempty"`
	ActionParts  []TransferVersion    `json:"action_parts,omitempty"`
	Growth       []TransferNote       `json:"growth,omitempty"`
	Tests        []SnapshotTest       `json:"tests,omitempty"`
	Attachments  []SnapshotAttachment `json:"attachments,omitempty"`
	// ReportView is the parents' view on the onderwijskundig rapport.
	ReportView string `json:"report_view,omitempty"`
	// SchoolHistory and Plans come from an OSO dossier received from
	// outside the platform: the school career, and the plans, diagnoses,
	// TLVs and arrangements it listed (their documents are attachments).
	SchoolHistory []TransferYear `json:"school_history,omitempty"`
	Plans         []TransferPlan `json:"plans,omitempty"`
	// Source says where the package came from: "" a transfer on the
	// platform, "oso" an OSO dossier.
	Source string `json:"source,omitempty"`
}

// TransferYear is one school year of the school career.
type TransferYear struct {
	SchoolYear string `json:"school_year"`
	Group      string `json:"group"`
	YearGroup  string `json:"year_group"`
	From       string `json:"from,omitempty"`
	To         string `json:"to,omitempty"`
	BRIN       string `json:"brin"`
	SchoolType string `json:"school_type,omitempty"`
}

// TransferPlan is a plan, diagnosis, TLV or arrangement as an OSO dossier
// lists it: its kind, period, what it is about and its document.
type TransferPlan struct {
	Kind     string `json:"kind"`
	From     string `json:"from,omitempty"`
	To       string `json:"to,omitempty"`
	About    string `json:"about"`
	Document string `json:"document,omitempty"`
}

// TransferPupil is who the pupil is.
type TransferPupil struct {
	GivenName  string `json:"given_name"`
	NameInfix  string `json:"name_infix"`
	FamilyName string `json:"family_name"`
	BirthDate  string `json:"birth_date"`
	Group      string `json:"group"`
}

// Name is the pupil's full name.
func (p TransferPupil) Name() string {
	return strings.Join(strings.Fields(p.GivenName+" "+p.NameInfix+" "+p.FamilyName), " ")
}

// TransferGuardian is a guardian as the next school takes them in.
type TransferGuardian struct {
	GivenName         string `json:"given_name"`
	NameInfix         string `json:"name_infix"`
	FamilyName        string `json:"family_name"`
	Email             string `json:"email"`
	Phone             string `json:"phone"`
	Relation          string `json:"relation"`
	ParentalAuthority bool   `json:"parental_authority"`
}

// Name is the guardian's full name.
func (g TransferGuardian) Name() string {
	return strings.Join(strings.Fields(g.GivenName+" "+g.NameInfix+" "+g.FamilyName), " ")
}

// TransferCycle is one HGW cycle's sections, as far as the parts chosen
// carry them.
type TransferCycle struct {
	Cycle       int32       `json:"cycle"`
	Understand  Understand  `json:"understand"`
	Hearing     Hearing     `json:"hearing"`
	Perspective Perspective `json:"perspective"`
	Realise     Realise     `json:"realise"`
	Evaluation  Evaluation  `json:"evaluation"`
}

// TransferVersion is a handelingsdeel version with its consent history.
type TransferVersion struct {
	Number        int32            `json:"number"`
	Cycle         int32            `json:"cycle"`
	FrozenOn      string           `json:"frozen_on"`
	Content       ActionPart       `json:"content"`
	ConsentStatus string           `json:"consent_status"` // pending, given, refused
	ConsentOn     string           `json:"consent_on,omitempty"`
	Answers       []TransferAnswer `json:"answers,omitempty"`
}

// TransferAnswer is one consent answer on a handelingsdeel version: who
// (guardian or pupil), what, when, and how it was given.
type TransferAnswer struct {
	Who     string `json:"who"`
	Answer  string `json:"answer"`
	On      string `json:"on"`
	Channel string `json:"channel"`
}

// TransferNote is a groeidocument note.
type TransferNote struct {
	On   string `json:"on"`
	Kind string `json:"kind"`
	Body string `json:"body"`
}

// Has reports whether the package carries part.
func (p TransferPackage) Has(part string) bool { return slices.Contains(p.Parts, part) }

// Latest is the last cycle carried, for the next school's first sections.
func (p TransferPackage) Latest() (TransferCycle, bool) {
	if len(p.Cycles) == 0 {
		return TransferCycle{}, false
	}
	return p.Cycles[len(p.Cycles)-1], true
}

// LatestActionPart is the last handelingsdeel version carried.
func (p TransferPackage) LatestActionPart() (TransferVersion, bool) {
	if len(p.ActionParts) == 0 {
		return TransferVersion{}, false
	}
	return p.ActionParts[len(p.ActionParts)-1], true
}

// Minimise keeps of the package only the parts chosen, in the canonical
// order; an unknown part is dropped. It is what the parties are shown and
// what goes.
func (p TransferPackage) Minimise(parts []string) TransferPackage {
	var kept []string
	for _, part := range TransferParts() {
		if slices.Contains(parts, part) {
			kept = append(kept, part)
		}
	}
	p.Parts = kept
	if !p.Has(PartActionParts) {
		p.ActionParts = nil
	}
	if !p.Has(PartGrowth) {
		p.Growth = nil
	}
	if !p.Has(PartTests) {
		p.Tests = nil
	}
	var cycles []TransferCycle
	for _, c := range p.Cycles {
		if !p.Has(PartAnalysis) {
			c.Understand, c.Hearing = Understand{}, Hearing{}
		}
		if !p.Has(PartPerspective) {
			c.Perspective = Perspective{}
		}
		if !p.Has(PartEvaluations) {
			c.Realise, c.Evaluation = Realise{}, Evaluation{}
		}
		if !c.Understand.Empty() || !c.Hearing.Empty() || c.Perspective != (Perspective{}) || !c.Realise.Empty() || !c.Evaluation.Empty() {
			cycles = append(cycles, c)
		}
	}
	p.Cycles = cycles
	return p
}

// KeepAttachments keeps only the attachments whose id keep allows.
func (p TransferPackage) KeepAttachments(keep func(id string) bool) TransferPackage {
	var kept []SnapshotAttachment
	for _, a := range p.Attachments {
		if keep(a.ID) {
			kept = append(kept, a)
		}
	}
	p.Attachments = kept
	return p
}

// TransferOffer is what a receiving school sees of a transfer before it
// accepts: where it comes from and what would come, by name; not the
// plan.
type TransferOffer struct {
	SchoolType   string   `json:"school_type"`
	SupportLevel string   `json:"support_level"`
	Parts        []string `json:"parts"`
	Attachments  []string `json:"attachments"`
	Guardians    int      `json:"guardians"`
}

// Offer is the package as the receiving school sees it before accepting.
func (p TransferPackage) Offer() TransferOffer {
	o := TransferOffer{SchoolType: p.SchoolType, SupportLevel: p.SupportLevel, Parts: p.Parts, Guardians: len(p.Guardians)}
	for _, a := range p.Attachments {
		o.Attachments = append(o.Attachments, a.FileName)
	}
	return o
}
