package server

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/swv"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/service"
)

// The SWV's processes in the API: intake, agenda, experts' advice, the
// committee's proposal and votes, signing, objection and closing, with
// the same services, checks and logbook lines as the pages. Where the law
// gives an act to a person (an expert's advice, a member's vote, the
// chair's proposal, the signature), an SWV token acts for a named person
// who holds that role: acting_for (apiPerson).

const swvRequestPath = "/licences/:licence/requests/:request"

func (s *Server) swvOps() []apiOp {
	const tag = "Samenwerkingsverband: aanvragen"
	one := struct {
		Request swvRequestJSON `json:"request"`
	}{}
	act := func(path, id, summary string, perm auth.Permission, body any, h func(*gin.Context) error) apiOp {
		return apiOp{Method: "POST", Path: swvRequestPath + path, Perm: perm, Handle: h, Tag: tag, ID: id, Summary: summary, Body: body, Out: one}
	}
	return []apiOp{
		{Method: "GET", Path: "/licences/:licence/requests", Perm: auth.PermRequestRead, Handle: s.handleAPISWVRequests, Tag: tag,
			ID: "listSWVRequests", Summary: "The requests the caller needs to know, oldest submission first, a page at a time (no names: one request shows them, logged)",
			Query: []apiQuery{{"status", "Alleen met deze stap (intake, bij_consulent, agenda, ..., closed)."}, cursorQuery, limitQuery},
			Out: struct {
				Requests   []swvRequestRowJSON `json:"requests"`
				NextCursor *string             `json:"next_cursor" doc:"null on the last page"`
			}{}},
		{Method: "GET", Path: swvRequestPath, Perm: auth.PermRequestRead, Handle: s.handleAPISWVRequest, Tag: tag, ID: "showSWVRequest",
			Summary: "One request: what the school sent, events, advices, votes, decision (logged)", Out: one},
		act("/intake", "swvIntake", "Accept the request, or return it as incomplete with what is missing", auth.PermRequestManage,
			intakeJSON{}, s.handleAPISWVIntake),
		act("/schedule", "swvSchedule", "Put the request on a meeting's agenda", auth.PermRequestManage, scheduleJSON{}, s.handleAPISWVSchedule),
		act("/experts", "swvAskExpert", "Ask one of the SWV's experts to advise (not one linked to the school)", auth.PermRequestManage,
			askExpertJSON{}, s.handleAPISWVAskExpert),
		act("/advices", "swvAdvice", "An expert's advice, signed off by the expert (acting_for: the expert)", auth.PermRequestAdvise,
			adviceJSON{}, s.handleAPISWVAdvice),
		act("/proposal", "swvPropose", "The chair's proposal the committee votes on (acting_for: the chair)", auth.PermRequestVote,
			proposalJSON{}, s.handleAPISWVPropose),
		act("/category", "swvCategory", "The chair's category for a granted TLV for SO or VSO (acting_for: the chair)", auth.PermRequestVote,
			categoryJSON{}, s.handleAPISWVCategory),
		act("/votes", "swvVote", "A committee member's vote with motivation (acting_for: the member)", auth.PermRequestVote,
			voteJSON{}, s.handleAPISWVVote),
		act("/sign", "swvSign", "Sign the granted decision for the SWV (acting_for: an SWV admin); it is numbered, rendered and signed",
			auth.PermRequestSign, signJSON{}, s.handleAPISWVSign),
		act("/objection", "swvObjection", "Register an objection (bezwaar), its advice, an extension, or the decision on it",
			auth.PermRequestManage, objectionJSON{}, s.handleAPISWVObjection),
		act("/handled", "swvHandled", "Close an advice, contact, MDO or OT request", auth.PermRequestManage, textJSON{}, s.handleAPISWVHandled),
		act("/evaluation", "swvEvaluate", "The result of an arrangement at its end", auth.PermRequestManage, evaluationJSON{},
			s.handleAPISWVEvaluate),
		{Method: "GET", Path: swvRequestPath + "/attachments/:attachment", Perm: auth.PermRequestRead, Handle: s.handleSWVAttachment,
			Tag: tag, ID: "swvAttachment", Binary: true,
			Summary: "An attachment the school shared with the request (every party let it go), logged as an export"},
		{Method: "GET", Path: swvRequestPath + "/decision.pdf", Perm: auth.PermRequestRead, Handle: s.handleSWVDecisionPDF, Tag: tag,
			ID: "swvDecisionPDF", PDF: true, Summary: "The signed decision (PAdES), logged as an export"},
		{Method: "GET", Path: "/licences/:licence/meetings", Perm: auth.PermRequestRead, Handle: s.handleAPIMeetings, Tag: tag,
			ID: "listMeetings", Summary: "The committee's meetings from a day on (default: yesterday), with the agenda the caller needs to know",
			Query: []apiQuery{{"since", "Vanaf deze datum (JJJJ-MM-DD)."}}, Out: struct {
				Meetings []meetingJSON `json:"meetings"`
			}{}},
		{Method: "POST", Path: "/licences/:licence/meetings", Perm: auth.PermRequestManage, Handle: s.handleAPIMeetingCreate, Tag: tag,
			ID: "createMeeting", Summary: "Plan a committee meeting: a chair and members, all committee members of the SWV",
			Body: meetingFormJSON{}, Status: http.StatusCreated, Out: struct {
				Meeting meetingJSON `json:"meeting"`
			}{}},
		{Method: "GET", Path: "/licences/:licence/people", Perm: auth.PermRequestRead, Handle: s.handleAPIPeople, Tag: tag,
			ID: "listSWVPeople", Summary: "The SWV's people and their roles: whom a meeting, an expert question or acting_for names",
			Out: struct {
				People []personJSON `json:"people"`
			}{}},
	}
}

// apiPerson is who does an act the law gives a person. A person signed
// in does it themselves (actingFor must be empty or their own id). An
// SWV token names the person in actingFor, who must hold role on the
// licence; the act is theirs, recorded as done through the token (the
// logbook's role is the token's, the name says both).
func (s *Server) apiPerson(c *gin.Context, licenceID uuid.UUID, actingFor string, role auth.Role) (service.Actor, string, error) {
	p := principalOf(c)
	wrong := fault.FieldErrors{"acting_for": fmt.Sprintf("Noem namens wie dit gebeurt: de id van een %s van het samenwerkingsverband "+
		"(zie /people).", role.Label())}
	if !p.apiToken {
		if actingFor != "" && actingFor != p.UserID.String() {
			return service.Actor{}, "", fault.FieldErrors{"acting_for": "Alleen een koppeling handelt namens een ander; laat acting_for leeg."}
		}
		profession := ""
		for _, m := range p.Memberships {
			if m.LicenceID != nil && *m.LicenceID == licenceID && m.Profession != nil {
				profession = string(*m.Profession)
			}
		}
		return actorOf(c), profession, nil
	}
	id, err := uuid.Parse(strings.TrimSpace(actingFor))
	if err != nil {
		return service.Actor{}, "", wrong
	}
	q := platform.New(s.tenants.Platform())
	staff, err := q.ListStaffForLicence(c, &licenceID)
	if err != nil {
		return service.Actor{}, "", err
	}
	for _, m := range staff {
		if m.UserID != id || auth.Role(m.Role) != role {
			continue
		}
		profession := ""
		if m.Profession != nil {
			profession = string(*m.Profession)
		}
		return service.Actor{UserID: id, Name: m.DisplayName + " (via " + p.Name + ")", Role: accessOf(c).Role}, profession, nil
	}
	return service.Actor{}, "", wrong
}

// swvRequestRowJSON is a request in the SWV's list.
type swvRequestRowJSON struct {
	ID           uuid.UUID  `json:"id"`
	SchoolID     uuid.UUID  `json:"school_licence_id"`
	SchoolName   string     `json:"school_name"`
	Kind         string     `json:"kind"`
	TLVType      *string    `json:"tlv_type"`
	TLVCategory  *string    `json:"tlv_category"`
	Status       string     `json:"status"`
	Submission   int32      `json:"submission"`
	ConsultantID *uuid.UUID `json:"consultant_id"`
	MeetingID    *uuid.UUID `json:"meeting_id"`
	SubmittedAt  time.Time  `json:"submitted_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	Restricted   bool       `json:"restricted" doc:"AVG art. 18/21: kept and read, not handled"`
}

func swvRow(r swv.Request) swvRequestRowJSON {
	return swvRequestRowJSON{ID: r.ID, SchoolID: r.SchoolLicenceID, SchoolName: r.SchoolName, Kind: r.Kind, TLVType: r.TlvType,
		TLVCategory: r.TlvCategory, Status: r.Status, Submission: r.Submission, ConsultantID: r.ConsultantID, MeetingID: r.MeetingID,
		SubmittedAt: r.SubmittedAt, UpdatedAt: r.UpdatedAt, Restricted: r.RestrictedAt != nil}
}

// swvRequestJSON is one request for the SWV.
type swvRequestJSON struct {
	swvRequestRowJSON
	Question     string               `json:"question"`
	ClosedReason string               `json:"closed_reason"`
	Snapshot     plan.RequestSnapshot `json:"snapshot" doc:"what the school sent, with the parents' views"`
	Attachments  []swvAttachmentJSON  `json:"attachments"`
	Events       []eventJSON          `json:"events"`
	Experts      []uuid.UUID          `json:"experts" doc:"the experts asked"`
	Advices      []adviceOutJSON      `json:"advices"`
	Meeting      *meetingJSON         `json:"meeting"`
	Proposal     *proposalOutJSON     `json:"proposal"`
	Votes        []voteOutJSON        `json:"votes"`
	Decision     *decisionJSON        `json:"decision"`
}

type swvAttachmentJSON struct {
	ID          uuid.UUID `json:"id"`
	FileName    string    `json:"file_name"`
	ContentType string    `json:"content_type"`
}

type eventJSON struct {
	Kind       string     `json:"kind"`
	Visibility string     `json:"visibility"`
	Body       string     `json:"body"`
	ActorID    *uuid.UUID `json:"actor_id"`
	DueAt      *time.Time `json:"due_at"`
	At         time.Time  `json:"at"`
}

type adviceOutJSON struct {
	ExpertID    uuid.UUID `json:"expert_id"`
	ExpertName  string    `json:"expert_name"`
	Profession  string    `json:"profession"`
	Outcome     *string   `json:"outcome"`
	Advice      string    `json:"advice"`
	SignedOffAt time.Time `json:"signed_off_at"`
}

type proposalOutJSON struct {
	StartOn *time.Time `json:"start_on"`
	EndOn   *time.Time `json:"end_on"`
}

type voteOutJSON struct {
	MemberID   uuid.UUID `json:"member_id"`
	Chair      bool      `json:"chair"`
	Approve    bool      `json:"approve"`
	Motivation string    `json:"motivation"`
	At         time.Time `json:"at"`
}

type meetingJSON struct {
	ID        uuid.UUID   `json:"id"`
	MeetsOn   string      `json:"meets_on" doc:"JJJJ-MM-DD"`
	Title     string      `json:"title"`
	ChairID   uuid.UUID   `json:"chair_id"`
	MemberIDs []uuid.UUID `json:"member_ids"`
	Agenda    []uuid.UUID `json:"agenda,omitempty" doc:"the requests on it the caller needs to know"`
	Hidden    int         `json:"hidden,omitempty" doc:"how many more it has"`
}

func toMeetingJSON(m swv.CommitteeMeeting) meetingJSON {
	return meetingJSON{ID: m.ID, MeetsOn: m.MeetsOn.Format(dateLayout), Title: m.Title, ChairID: m.ChairID, MemberIDs: m.MemberIds}
}

type personJSON struct {
	ID         uuid.UUID `json:"id"`
	Name       string    `json:"name"`
	Role       string    `json:"role" enum:"swv_admin|consultant|committee_member|expert"`
	Profession string    `json:"profession"`
}

// Bodies of the SWV's acts. request_id is optional everywhere: without it
// the Idempotency-Key makes the workflow update's id.
type (
	intakeJSON struct {
		RequestID string `json:"request_id"`
		Accept    bool   `json:"accept"`
		Missing   string `json:"missing" doc:"what is missing, when not accepted"`
	}
	scheduleJSON struct {
		RequestID string `json:"request_id"`
		MeetingID string `json:"meeting_id"`
	}
	askExpertJSON struct {
		RequestID string `json:"request_id"`
		ExpertID  string `json:"expert_id"`
	}
	adviceJSON struct {
		RequestID string `json:"request_id"`
		ActingFor string `json:"acting_for" doc:"the expert (an SWV token only)"`
		Outcome   string `json:"outcome" enum:"positief|negatief|anders"`
		Advice    string `json:"advice"`
	}
	proposalJSON struct {
		RequestID string `json:"request_id"`
		ActingFor string `json:"acting_for" doc:"the chair (an SWV token only)"`
		StartOn   string `json:"start_on" doc:"JJJJ-MM-DD"`
		EndOn     string `json:"end_on" doc:"JJJJ-MM-DD"`
		Category  string `json:"category" enum:"|laag|midden|hoog"`
	}
	categoryJSON struct {
		RequestID string `json:"request_id"`
		ActingFor string `json:"acting_for"`
		Category  string `json:"category" enum:"laag|midden|hoog"`
	}
	voteJSON struct {
		RequestID  string `json:"request_id"`
		ActingFor  string `json:"acting_for" doc:"the member (an SWV token only)"`
		Approve    *bool  `json:"approve"`
		Motivation string `json:"motivation"`
	}
	signJSON struct {
		RequestID string `json:"request_id"`
		ActingFor string `json:"acting_for" doc:"the SWV admin who signs (an SWV token only)"`
	}
	objectionJSON struct {
		RequestID string `json:"request_id"`
		Step      string `json:"step" enum:"lodged|advice|extend|decided"`
		Text      string `json:"text"`
		Stands    bool   `json:"stands" doc:"decided: the decision stands (true) or the objection is upheld"`
	}
	textJSON struct {
		RequestID string `json:"request_id"`
		Text      string `json:"text"`
	}
	evaluationJSON struct {
		RequestID string `json:"request_id"`
		Result    string `json:"result" enum:"behaald|deels|niet"`
		Text      string `json:"text"`
	}
	meetingFormJSON struct {
		MeetsOn   string   `json:"meets_on" doc:"JJJJ-MM-DD"`
		Title     string   `json:"title"`
		ChairID   string   `json:"chair_id"`
		MemberIDs []string `json:"member_ids"`
	}
)

// pageCursor is where a page ended: the last row's sort key (a moment
// and an id), opaque to clients and without personal data.
func pageCursor(at time.Time, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + "|" + id.String()))
}

func parseCursor(v string) (time.Time, uuid.UUID, error) {
	bad := fault.FieldErrors{"cursor": "Deze cursor is ongeldig; gebruik next_cursor van de vorige pagina."}
	if v == "" {
		return time.Time{}, uuid.Nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return time.Time{}, uuid.Nil, bad
	}
	at, id, ok := strings.Cut(string(b), "|")
	t, err1 := time.Parse(time.RFC3339Nano, at)
	u, err2 := uuid.Parse(id)
	if !ok || err1 != nil || err2 != nil {
		return time.Time{}, uuid.Nil, bad
	}
	return t, u, nil
}

// pageLimit reads ?limit (1–200, default 50).
func pageLimit(c *gin.Context) (int, error) {
	v := c.Query("limit")
	if v == "" {
		return 50, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 200 {
		return 0, fault.FieldErrors{"limit": "Kies een limit van 1 tot 200."}
	}
	return n, nil
}

func (s *Server) handleAPISWVRequests(c *gin.Context) error {
	lic, err := s.licenceParam(c, true)
	if err != nil {
		return err
	}
	after, afterID, err := parseCursor(c.Query("cursor"))
	if err != nil {
		return err
	}
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	rows, more, err := s.swv.RequestsPage(c, swvReaderOf(c, lic.ID), lic.ID, c.Query("status"), after, afterID, limit)
	if err != nil {
		return err
	}
	out := make([]swvRequestRowJSON, 0, len(rows))
	for _, r := range rows {
		out = append(out, swvRow(r))
	}
	var next *string
	if more && len(rows) > 0 {
		cur := pageCursor(rows[len(rows)-1].SubmittedAt, rows[len(rows)-1].ID)
		next = &cur
	}
	return writeJSON(c, http.StatusOK, gin.H{"requests": out, "next_cursor": next})
}

func (s *Server) writeSWVRequest(c *gin.Context, lic platform.Licence, id uuid.UUID) error {
	v, err := s.swv.Request(c, actorOf(c), lic.ID, id)
	if err != nil {
		return err
	}
	out := swvRequestJSON{swvRequestRowJSON: swvRow(v.Request), Question: v.Request.Question, ClosedReason: v.Request.ClosedReason,
		Snapshot: v.Snapshot, Attachments: []swvAttachmentJSON{}, Events: []eventJSON{}, Experts: []uuid.UUID{}, Advices: []adviceOutJSON{},
		Votes: []voteOutJSON{}}
	for _, a := range v.Attachments {
		out.Attachments = append(out.Attachments, swvAttachmentJSON{ID: a.ID, FileName: a.FileName, ContentType: a.ContentType})
	}
	for _, e := range v.Events {
		out.Events = append(out.Events, eventJSON{Kind: e.Kind, Visibility: e.Visibility, Body: e.Body, ActorID: e.ActorID, DueAt: e.DueAt, At: e.At})
	}
	for _, e := range v.Experts {
		out.Experts = append(out.Experts, e.ExpertID)
	}
	for _, a := range v.Advices {
		out.Advices = append(out.Advices, adviceOutJSON{ExpertID: a.ExpertID, ExpertName: a.ExpertName, Profession: a.Profession,
			Outcome: a.Outcome, Advice: a.Advice, SignedOffAt: a.SignedOffAt})
	}
	if v.Meeting != nil {
		m := toMeetingJSON(*v.Meeting)
		out.Meeting = &m
	}
	if v.Request.ProposedStartOn != nil {
		out.Proposal = &proposalOutJSON{StartOn: v.Request.ProposedStartOn, EndOn: v.Request.ProposedEndOn}
	}
	for _, vote := range v.Votes {
		out.Votes = append(out.Votes, voteOutJSON{MemberID: vote.MemberID, Chair: vote.Chair, Approve: vote.Approve,
			Motivation: vote.Motivation, At: vote.At})
	}
	if d := v.Decision; d != nil {
		out.Decision = &decisionJSON{Approved: d.Approved, DecidedOn: d.DecidedOn, StartOn: d.StartOn, EndOn: d.EndOn, Number: d.Number,
			SignedAt: d.SignedAt, ObjectionUntil: d.ObjectionUntil, Motivation: d.Motivation}
	}
	return writeJSON(c, http.StatusOK, gin.H{"request": out})
}

func (s *Server) handleAPISWVRequest(c *gin.Context) error {
	lic, id, err := s.swvRequestParams(c)
	if err != nil {
		return err
	}
	return s.writeSWVRequest(c, lic, id)
}

// apiSWVAct decodes the body into in, runs the act and answers with the
// request as it stands after it.
func (s *Server) apiSWVAct(c *gin.Context, in any, act func(lic platform.Licence, id uuid.UUID) error) error {
	lic, id, err := s.swvRequestParams(c)
	if err != nil {
		return err
	}
	if err := decodeJSON(c, in); err != nil {
		return err
	}
	if err := act(lic, id); err != nil {
		return err
	}
	return s.writeSWVRequest(c, lic, id)
}

func (s *Server) handleAPISWVIntake(c *gin.Context) error {
	var in intakeJSON
	return s.apiSWVAct(c, &in, func(lic platform.Licence, id uuid.UUID) error {
		return s.requests.Intake(c, actorOf(c), lic.ID, id, actionID(c, in.RequestID), in.Accept, in.Missing)
	})
}

func (s *Server) handleAPISWVSchedule(c *gin.Context) error {
	var in scheduleJSON
	return s.apiSWVAct(c, &in, func(lic platform.Licence, id uuid.UUID) error {
		return s.requests.Schedule(c, actorOf(c), lic.ID, id, actionID(c, in.RequestID), in.MeetingID)
	})
}

func (s *Server) handleAPISWVAskExpert(c *gin.Context) error {
	var in askExpertJSON
	return s.apiSWVAct(c, &in, func(lic platform.Licence, id uuid.UUID) error {
		expert, err := uuid.Parse(in.ExpertID)
		if err != nil {
			return fault.FieldErrors{"expert_id": "Kies een deskundige van het samenwerkingsverband."}
		}
		return s.swv.AskExpert(c, actorOf(c), lic, id, expert)
	})
}

func (s *Server) handleAPISWVAdvice(c *gin.Context) error {
	var in adviceJSON
	return s.apiSWVAct(c, &in, func(lic platform.Licence, id uuid.UUID) error {
		actor, profession, err := s.apiPerson(c, lic.ID, in.ActingFor, auth.RoleExpert)
		if err != nil {
			return err
		}
		return s.requests.Advise(c, actor, lic.ID, id, actionID(c, in.RequestID), profession, in.Outcome, in.Advice)
	})
}

func (s *Server) handleAPISWVPropose(c *gin.Context) error {
	var in proposalJSON
	return s.apiSWVAct(c, &in, func(lic platform.Licence, id uuid.UUID) error {
		actor, _, err := s.apiPerson(c, lic.ID, in.ActingFor, auth.RoleCommitteeMember)
		if err != nil {
			return err
		}
		return s.requests.Propose(c, actor, lic.ID, id, service.Proposal{RequestID: actionID(c, in.RequestID), StartOn: in.StartOn,
			EndOn: in.EndOn, Category: in.Category})
	})
}

func (s *Server) handleAPISWVCategory(c *gin.Context) error {
	var in categoryJSON
	return s.apiSWVAct(c, &in, func(lic platform.Licence, id uuid.UUID) error {
		actor, _, err := s.apiPerson(c, lic.ID, in.ActingFor, auth.RoleCommitteeMember)
		if err != nil {
			return err
		}
		return s.requests.SetCategory(c, actor, lic.ID, id, actionID(c, in.RequestID), in.Category)
	})
}

func (s *Server) handleAPISWVVote(c *gin.Context) error {
	var in voteJSON
	return s.apiSWVAct(c, &in, func(lic platform.Licence, id uuid.UUID) error {
		actor, _, err := s.apiPerson(c, lic.ID, in.ActingFor, auth.RoleCommitteeMember)
		if err != nil {
			return err
		}
		return s.requests.Vote(c, actor, lic.ID, id, service.Vote{RequestID: actionID(c, in.RequestID), Approve: in.Approve,
			Motivation: in.Motivation})
	})
}

// handleAPISWVSign signs for the SWV. A person signed in through the
// API must have logged in again within five minutes, as on the page; a
// token acts for a named SWV admin.
func (s *Server) handleAPISWVSign(c *gin.Context) error {
	if p := principalOf(c); !p.apiToken && time.Since(p.session.ReauthAt) > 5*time.Minute {
		return errReauthenticate
	}
	var in signJSON
	return s.apiSWVAct(c, &in, func(lic platform.Licence, id uuid.UUID) error {
		actor, _, err := s.apiPerson(c, lic.ID, in.ActingFor, auth.RoleSWVAdmin)
		if err != nil {
			return err
		}
		return s.requests.Sign(c, actor, lic.ID, id, actionID(c, in.RequestID))
	})
}

func (s *Server) handleAPISWVObjection(c *gin.Context) error {
	var in objectionJSON
	return s.apiSWVAct(c, &in, func(lic platform.Licence, id uuid.UUID) error {
		return textField(s.requests.Objection(c, actorOf(c), lic.ID, id, actionID(c, in.RequestID), in.Step, in.Text, in.Stands), "objection")
	})
}

// textField names the page's form field of a refused text as the API's
// body names it: text.
func textField(err error, pageField string) error {
	fields, ok := asFieldErrors(err)
	if !ok || fields[pageField] == "" {
		return err
	}
	out := fault.FieldErrors{"text": fields[pageField]}
	for k, v := range fields {
		if k != pageField {
			out[k] = v
		}
	}
	return out
}

func (s *Server) handleAPISWVHandled(c *gin.Context) error {
	var in textJSON
	return s.apiSWVAct(c, &in, func(lic platform.Licence, id uuid.UUID) error {
		return textField(s.requests.Handled(c, actorOf(c), lic.ID, id, actionID(c, in.RequestID), in.Text), "handled")
	})
}

func (s *Server) handleAPISWVEvaluate(c *gin.Context) error {
	var in evaluationJSON
	return s.apiSWVAct(c, &in, func(lic platform.Licence, id uuid.UUID) error {
		return s.requests.Evaluate(c, actorOf(c), lic.ID, id, actionID(c, in.RequestID), in.Result, in.Text)
	})
}

func (s *Server) handleAPIMeetings(c *gin.Context) error {
	lic, err := s.licenceParam(c, true)
	if err != nil {
		return err
	}
	since := time.Now().AddDate(0, 0, -1)
	if v := c.Query("since"); v != "" {
		if since, err = time.Parse(time.DateOnly, v); err != nil {
			return fault.FieldErrors{"since": "Geef de datum als JJJJ-MM-DD."}
		}
	}
	m, err := s.swv.Meetings(c, swvReaderOf(c, lic.ID), lic.ID, since)
	if err != nil {
		return err
	}
	out := make([]meetingJSON, 0, len(m.Meetings))
	for _, meeting := range m.Meetings {
		j := toMeetingJSON(meeting)
		for _, r := range m.Agenda[meeting.ID] {
			j.Agenda = append(j.Agenda, r.ID)
		}
		j.Hidden = m.Hidden[meeting.ID]
		out = append(out, j)
	}
	return writeJSON(c, http.StatusOK, gin.H{"meetings": out})
}

func (s *Server) handleAPIMeetingCreate(c *gin.Context) error {
	lic, err := s.licenceParam(c, true)
	if err != nil {
		return err
	}
	var in meetingFormJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	id, err := s.swv.CreateMeeting(c, actorOf(c), lic.ID, service.MeetingForm{MeetsOn: in.MeetsOn, Title: in.Title, Chair: in.ChairID,
		Members: in.MemberIDs})
	if err != nil {
		return err
	}
	m, err := s.swv.Meeting(c, lic.ID, id)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusCreated, gin.H{"meeting": toMeetingJSON(m)})
}

func (s *Server) handleAPIPeople(c *gin.Context) error {
	lic, err := s.licenceParam(c, true)
	if err != nil {
		return err
	}
	staff, err := platform.New(s.tenants.Platform()).ListStaffForLicence(c, &lic.ID)
	if err != nil {
		return db.Classify(err)
	}
	out := make([]personJSON, 0, len(staff))
	for _, m := range staff {
		p := personJSON{ID: m.UserID, Name: m.DisplayName, Role: string(m.Role)}
		if m.Profession != nil {
			p.Profession = string(*m.Profession)
		}
		out = append(out, p)
	}
	return writeJSON(c, http.StatusOK, gin.H{"people": out})
}
