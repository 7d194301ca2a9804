package plan

// RequestSnapshot is what a school sends its SWV with a request, built
// from the dossier when the guardians get inzage: exactly what they saw,
// minus the attachments they did not let go. The SWV stores it per
// submission; the school never re-types any of it.
type RequestSnapshot struct {
	School            string      `json:"school"`
	SchoolType        string      `json:"school_type"`
	PupilName         string      `json:"pupil_name"`
	BirthDate         string      `json:"birth_date"`
	Group             string      `json:"group"`
	Kind              string      `json:"kind"`
	TLVType           string      `json:"tlv_type,omitempty"`
	TLVCategory       string      `json:"tlv_category,omitempty"`
	Question          string      `json:"question"`
	SupportLevel      string      `json:"support_level"`
	Understand        Understand  `json:"understand"`
	Perspective       Perspective `json:"perspective"`
	ActionPartVersion int32       `json:"action_part_version"`
	ActionPart        ActionPart  `json:"action_part"`
	Evaluation        Evaluation  `json:"evaluation"`
	// Hearing is the pupil's own view of the plan (hoorrecht); Tried what
	// the school tried (groeidocument), Realise how the goals went.
	Hearing     Hearing              `json:"hearing"`
	Tried       []SnapshotNote       `json:"tried,omitempty"`
	Realise     Realise              `json:"realise"`
	Tests       []SnapshotTest       `json:"tests"`
	Attachments []SnapshotAttachment `json:"attachments"`
	// ViewOfParents is the guardians' (and the pupil's) zienswijze, added
	// when the school submits.
	ViewOfParents []string `json:"view_of_parents,omitempty"`
	// NoViewGiven: the term for a view passed and nobody gave one ("ouders
	// hebben geen zienswijze gegeven"); Unanswered counts the parties who
	// did not answer.
	NoViewGiven bool `json:"no_view_given,omitempty"`
	Unanswered  int  `json:"unanswered,omitempty"`
}

// SnapshotTest is a test result as sent.
type SnapshotTest struct {
	Instrument string `json:"instrument"`
	TakenOn    string `json:"taken_on"`
	Score      string `json:"score"`
	Level      string `json:"level"`
}

// SnapshotNote is a note of the groeidocument as sent.
type SnapshotNote struct {
	On   string `json:"on"`
	Body string `json:"body"`
}

// SnapshotAttachment names an attachment of the dossier; its bytes go
// along only when every party agreed to share it.
type SnapshotAttachment struct {
	ID          string `json:"id"`
	FileName    string `json:"file_name"`
	ContentType string `json:"content_type"`
	SizeBytes   int32  `json:"size_bytes"`
}

// Empty reports whether nothing of the analysis was filled in.
func (u Understand) Empty() bool {
	return u.Promoting == (Factors{}) && u.Hindering == (Factors{}) && u.EducationalNeeds == "" && u.SupportNeeds == "" && u.PupilView == ""
}

// Empty reports whether the evaluation was not held yet.
func (e Evaluation) Empty() bool { return e == (Evaluation{}) }

// Empty reports whether the pupil was not heard (yet).
func (h Hearing) Empty() bool { return h.Summary == "" && h.NotPossible == "" }

// Empty reports whether nothing was recorded of the execution.
func (r Realise) Empty() bool { return r.Notes == "" && len(r.Results) == 0 }

// GoalName is the goal with id as the snapshot's handelingsdeel names it.
func (s RequestSnapshot) GoalName(id string) string {
	for _, g := range s.ActionPart.Goals {
		if g.ID == id {
			return g.Domain + ": " + g.Goal
		}
	}
	return "een doel"
}
