package plan

// RequestSnapshot is what a school sends its SWV with a request, built
// from the dossier when the guardians get inzage: exactly what they saw,
// minus the attachments they did not let go. The SWV stores it per
// submission; the school never re-types any of it.
type RequestSnapshot struct {
	School            string               `json:"school"`
	SchoolType        string               `json:"school_type"`
	PupilName         string               `json:"pupil_name"`
	BirthDate         string               `json:"birth_date"`
	Group             string               `json:"group"`
	Kind              string               `json:"kind"`
	TLVType           string               `json:"tlv_type,omitempty"`
	TLVCategory       string               `json:"tlv_category,omitempty"`
	Question          string               `json:"question"`
	SupportLevel      string               `json:"support_level"`
	Understand        Understand           `json:"understand"`
	Perspective       Perspective          `json:"perspective"`
	ActionPartVersion int32                `json:"action_part_version"`
	ActionPart        ActionPart           `json:"action_part"`
	Evaluation        Evaluation           `json:"evaluation"`
	Tests             []SnapshotTest       `json:"tests"`
	Attachments       []SnapshotAttachment `json:"attachments"`
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

// SnapshotAttachment names an attachment of the dossier; its bytes go
// along only when every party agreed to share it.
type SnapshotAttachment struct {
	ID          string `json:"id"`
	FileName    string `json:"file_name"`
	ContentType string `json:"content_type"`
	SizeBytes   int32  `json:"size_bytes"`
}
