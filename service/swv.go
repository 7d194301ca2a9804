package service

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/swv"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/store"
)

// SWV is the SWV's casework around requests: committee meetings, the
// consultant's notes and actions. The decisions themselves go through the
// request's workflow (Requests.Act).
type SWV struct {
	tenants *tenants.Manager
}

// NewSWV returns the SWV casework service.
func NewSWV(tm *tenants.Manager) *SWV {
	return &SWV{tenants: tm}
}

// MeetingForm is a committee meeting as the admin types it.
type MeetingForm struct {
	MeetsOn, Title, Chair string
	Members               []string
}

// CreateMeeting plans a committee meeting with a chair and members, all
// committee members of the SWV licence.
func (s *SWV) CreateMeeting(ctx context.Context, actor Actor, licenceID uuid.UUID, f MeetingForm) (uuid.UUID, error) {
	errs := fault.FieldErrors{}
	on, err := time.Parse(time.DateOnly, f.MeetsOn)
	if err != nil {
		errs["meets_on"] = "Vul de datum van de vergadering in."
	}
	title := strings.TrimSpace(f.Title)
	if title == "" || len([]rune(title)) > 200 {
		errs["title"] = "Geef de vergadering een naam (hoogstens 200 tekens)."
	}
	staff, err := platform.New(s.tenants.Platform()).ListStaffForLicence(ctx, &licenceID)
	if err != nil {
		return uuid.Nil, err
	}
	committee := map[uuid.UUID]bool{}
	for _, m := range staff {
		if m.Role == platform.StaffRoleCommitteeMember {
			committee[m.UserID] = true
		}
	}
	chair, err := uuid.Parse(f.Chair)
	if err != nil || !committee[chair] {
		errs["chair"] = "Kies de voorzitter uit de commissieleden."
	}
	var members []uuid.UUID
	for _, v := range f.Members {
		id, err := uuid.Parse(v)
		if err != nil || !committee[id] {
			errs["members"] = "Kies de leden uit de commissieleden."
			continue
		}
		if id != chair && !slices.Contains(members, id) {
			members = append(members, id)
		}
	}
	if len(members) == 0 && errs["members"] == "" {
		errs["members"] = "Kies minstens één lid naast de voorzitter."
	}
	if len(errs) > 0 {
		return uuid.Nil, errs
	}
	var id uuid.UUID
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			m, err := swv.New(tx).CreateMeeting(ctx, swv.CreateMeetingParams{MeetsOn: on, Title: title, ChairID: chair, MemberIds: members})
			if err != nil {
				return err
			}
			id = m.ID
			return logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionCreate, "committee_meeting", m.ID.String()))
		})
	})
	return id, err
}

// AddNote adds a consultant's note to a request: internal, the school
// never sees it; or, toSchool, a question the school sees. The note is
// keyed by the request id, so a double click adds it once.
func (s *SWV) AddNote(ctx context.Context, actor Actor, licenceID, requestID uuid.UUID, note string, toSchool bool, key string) error {
	text := strings.TrimSpace(note)
	if text == "" || len([]rune(text)) > 5000 {
		return fault.FieldErrors{"note": "Schrijf de notitie op (hoogstens 5000 tekens)."}
	}
	if err := CheckRequestID(key); err != nil {
		return err
	}
	uid := actor.UserID
	return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := swv.New(tx)
			if err := store.RefuseSWVRestricted(ctx, q, requestID); err != nil {
				return err
			}
			kind, visibility := "note", "internal"
			if toSchool {
				kind, visibility = "question", "school"
			}
			if err := q.AddRequestEvent(ctx, swv.AddRequestEventParams{RequestID: requestID, Kind: kind, Visibility: visibility, Body: text,
				ActorID: &uid, EventKey: "note:" + key, At: time.Now()}); err != nil {
				return err
			}
			return logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionCreate, "request_note", requestID.String()))
		})
	})
}

// AddAction gives the consultant an action on a request with a due date.
func (s *SWV) AddAction(ctx context.Context, actor Actor, licenceID, requestID uuid.UUID, title, dueOn string) error {
	errs := fault.FieldErrors{}
	title = strings.TrimSpace(title)
	if title == "" || len([]rune(title)) > 300 {
		errs["title"] = "Beschrijf de actie (hoogstens 300 tekens)."
	}
	due, err := time.Parse(time.DateOnly, dueOn)
	if err != nil {
		errs["due_on"] = "Vul de datum in waarop de actie klaar moet zijn."
	}
	if len(errs) > 0 {
		return errs
	}
	uid := actor.UserID
	return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := swv.New(tx)
			if err := store.RefuseSWVRestricted(ctx, q, requestID); err != nil {
				return err
			}
			a, err := q.AddRequestAction(ctx, swv.AddRequestActionParams{RequestID: requestID, ConsultantID: uid, Title: title, DueOn: due})
			if err != nil {
				return err
			}
			return logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionCreate, "request_action", a.ID.String()))
		})
	})
}

// CompleteAction marks a consultant's action on a request done.
func (s *SWV) CompleteAction(ctx context.Context, actor Actor, licenceID, requestID, actionID uuid.UUID) error {
	return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			if err := store.RefuseSWVRestricted(ctx, swv.New(tx), requestID); err != nil {
				return err
			}
			n, err := swv.New(tx).CompleteRequestAction(ctx, swv.CompleteRequestActionParams{ID: actionID, RequestID: requestID})
			if err != nil {
				return err
			}
			if n == 0 {
				return fault.ErrNotFound
			}
			return logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionUpdate, "request_action", fmt.Sprint(actionID)))
		})
	})
}

// SWVRequestView is one request as the SWV's people see it: the snapshot
// the school sent, the events (with the internal notes), advices, votes,
// the decision, the consultant's actions, the meetings to plan it in, and
// the names of the committee's people.
type SWVRequestView struct {
	Request     swv.Request
	Snapshot    plan.RequestSnapshot
	Attachments []swv.ListRequestAttachmentsRow
	Events      []swv.RequestEvent
	Advices     []swv.ExpertAdvice
	Votes       []swv.DecisionVote
	Decision    *swv.Decision
	Meetings    []swv.CommitteeMeeting
	Meeting     *swv.CommitteeMeeting
	Actions     []swv.RequestAction
	// Experts are the experts asked to advise; ExpertChoices the SWV's
	// experts who could be asked.
	Experts       []swv.RequestExpert
	ExpertChoices []platform.ListStaffForLicenceRow
	Names         map[uuid.UUID]string
	// SigningUntil is until when the SWV's signing certificate is valid
	// (zero: there is none).
	SigningUntil time.Time
}

// SigningValid reports whether the SWV can sign a decision now.
func (v SWVRequestView) SigningValid() bool { return time.Now().Before(v.SigningUntil) }

// SigningExpiresSoon reports whether the certificate ends within 30 days.
func (v SWVRequestView) SigningExpiresSoon() bool {
	return v.SigningValid() && time.Until(v.SigningUntil) < 30*24*time.Hour
}

// Request reads one request in one transaction, with the logbook line of
// the view.
func (s *SWV) Request(ctx context.Context, actor Actor, licenceID, id uuid.UUID) (SWVRequestView, error) {
	v := SWVRequestView{Names: map[uuid.UUID]string{}}
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := swv.New(tx)
			var err error
			if v.Request, err = q.GetRequest(ctx, id); err != nil {
				return db.Classify(err)
			}
			snap, err := q.GetSnapshot(ctx, id)
			if err != nil {
				return db.Classify(err)
			}
			if err := json.Unmarshal(snap.Content, &v.Snapshot); err != nil {
				return err
			}
			if v.Attachments, err = q.ListRequestAttachments(ctx, id); err != nil {
				return err
			}
			if v.Events, err = q.ListRequestEvents(ctx, swv.ListRequestEventsParams{RequestID: id, Internal: true}); err != nil {
				return err
			}
			if v.Advices, err = q.ListExpertAdvice(ctx, id); err != nil {
				return err
			}
			if v.Votes, err = q.ListDecisionVotes(ctx, id); err != nil {
				return err
			}
			if d, err := q.GetDecision(ctx, id); err == nil {
				v.Decision = &d
			}
			if v.Actions, err = q.ListRequestActions(ctx, id); err != nil {
				return err
			}
			if v.Experts, err = q.ListRequestExperts(ctx, id); err != nil {
				return err
			}
			if v.Meetings, err = q.ListMeetings(ctx, time.Now().AddDate(0, 0, -1)); err != nil {
				return err
			}
			if v.Request.MeetingID != nil {
				if m, err := q.GetMeeting(ctx, *v.Request.MeetingID); err == nil {
					v.Meeting = &m
				}
			}
			return logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionView, "request", id.String()))
		})
	})
	if err != nil {
		return v, err
	}
	var ids []uuid.UUID
	for _, vote := range v.Votes {
		ids = append(ids, vote.MemberID)
	}
	if v.Meeting != nil {
		ids = append(append(ids, v.Meeting.ChairID), v.Meeting.MemberIds...)
	}
	for _, e := range v.Experts {
		ids = append(ids, e.ExpertID)
	}
	v.Names = s.names(ctx, ids)
	staff, err := platform.New(s.tenants.Platform()).ListStaffForLicence(ctx, &licenceID)
	if err != nil {
		return v, err
	}
	for _, m := range staff {
		if m.Role == platform.StaffRoleExpert {
			v.ExpertChoices = append(v.ExpertChoices, m)
		}
	}
	if ident, err := platform.New(s.tenants.Platform()).GetSigningIdentityForLicence(ctx, licenceID); err == nil {
		v.SigningUntil = ident.NotAfter
	}
	return v, nil
}

// ConsultantDashboard is a consultant's view: my schools, their open
// requests and where each stands, my actions due, my notes.
type ConsultantDashboard struct {
	Schools []platform.SchoolsOfConsultantRow
	Open    []swv.ConsultantOpenRequestsRow
	Actions []swv.ConsultantActionsDueRow
	Notes   []swv.ConsultantNotesRow
}

// ConsultantDashboard reads the actor's dashboard as consultant of the
// SWV licence lic.
func (s *SWV) ConsultantDashboard(ctx context.Context, actor Actor, lic platform.Licence) (ConsultantDashboard, error) {
	var v ConsultantDashboard
	me := actor.UserID
	var err error
	if v.Schools, err = platform.New(s.tenants.Platform()).SchoolsOfConsultant(ctx, platform.SchoolsOfConsultantParams{
		ConsultantUserID: me, SwvID: lic.SwvID}); err != nil {
		return v, err
	}
	schools := make([]uuid.UUID, 0, len(v.Schools))
	for _, sc := range v.Schools {
		schools = append(schools, sc.ID)
	}
	err = s.tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		return pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
			q := swv.New(tx)
			var err error
			if v.Open, err = q.ConsultantOpenRequests(ctx, swv.ConsultantOpenRequestsParams{Me: &me, Schools: schools}); err != nil {
				return err
			}
			if v.Actions, err = q.ConsultantActionsDue(ctx, me); err != nil {
				return err
			}
			v.Notes, err = q.ConsultantNotes(ctx, &me)
			return err
		})
	})
	return v, err
}

// CommitteeDashboard is a committee member's view: my meetings with
// their agenda, each item with its advices and decision, and the
// decisions I still have to take.
type CommitteeDashboard struct {
	Meetings []swv.CommitteeMeeting
	Items    map[uuid.UUID][]swv.AgendaItemsRow
	ToDecide []swv.AgendaItemsRow
	Names    map[uuid.UUID]string
}

// CommitteeDashboard reads the actor's meetings from yesterday on.
func (s *SWV) CommitteeDashboard(ctx context.Context, actor Actor, licenceID uuid.UUID, today time.Time) (CommitteeDashboard, error) {
	v := CommitteeDashboard{Items: map[uuid.UUID][]swv.AgendaItemsRow{}, Names: map[uuid.UUID]string{}}
	me := actor.UserID
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
			q := swv.New(tx)
			var err error
			if v.Meetings, err = q.MeetingsOf(ctx, swv.MeetingsOfParams{Since: today.AddDate(0, 0, -1), Me: me}); err != nil {
				return err
			}
			ids := make([]uuid.UUID, 0, len(v.Meetings))
			for _, m := range v.Meetings {
				ids = append(ids, m.ID)
			}
			items, err := q.AgendaItems(ctx, swv.AgendaItemsParams{Me: me, Meetings: ids})
			if err != nil {
				return err
			}
			for _, it := range items {
				v.Items[*it.MeetingID] = append(v.Items[*it.MeetingID], it)
				if it.Status == "geagendeerd" && !it.Voted {
					v.ToDecide = append(v.ToDecide, it)
				}
			}
			return nil
		})
	})
	if err != nil {
		return v, err
	}
	var people []uuid.UUID
	for _, m := range v.Meetings {
		people = append(append(people, m.ChairID), m.MemberIds...)
	}
	v.Names = s.names(ctx, people)
	return v, nil
}

// AdminDashboard is the SWV admin's view: the intake queue, overdue
// items, TLVs ending in the coming six months, and the number open.
type AdminDashboard struct {
	Intake     []swv.IntakeQueueRow
	Overdue    []swv.OverdueRequestsRow
	EndingSoon []swv.TLVsEndingSoonRow
	Open       int64
	// AVG counts the requests under the AVG still to answer.
	AVG swv.CountOpenAVGRequestsRow
}

// AdminDashboard reads the SWV licence's dashboard as of today.
func (s *SWV) AdminDashboard(ctx context.Context, licenceID uuid.UUID, today time.Time) (AdminDashboard, error) {
	var v AdminDashboard
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
			q := swv.New(tx)
			var err error
			if v.Intake, err = q.IntakeQueue(ctx); err != nil {
				return err
			}
			if v.Overdue, err = q.OverdueRequests(ctx); err != nil {
				return err
			}
			if v.EndingSoon, err = q.TLVsEndingSoon(ctx, swv.TLVsEndingSoonParams{FromOn: today, ToOn: today.AddDate(0, 6, 0)}); err != nil {
				return err
			}
			if v.AVG, err = q.CountOpenAVGRequests(ctx); err != nil {
				return err
			}
			v.Open, err = q.CountOpenRequests(ctx)
			return err
		})
	})
	return v, err
}

// Requests lists the SWV's requests with status (all: ""), the intake
// queue first, at most 200 of which the reader sees those they need to
// know (readable).
func (s *SWV) Requests(ctx context.Context, reader SWVReader, licenceID uuid.UUID, status string) ([]swv.Request, error) {
	r, err := s.readable(ctx, reader, licenceID)
	if err != nil {
		return nil, err
	}
	var all []swv.Request
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		all, err = swv.New(pool).ListRequests(ctx, swv.ListRequestsParams{Status: status, Lim: 200})
		return err
	})
	out := all[:0]
	for _, req := range all {
		if r.allows(req) {
			out = append(out, req)
		}
	}
	return out, err
}

// Attachment reads an attachment the school sent with a request, with
// the logbook line of its download.
func (s *SWV) Attachment(ctx context.Context, actor Actor, licenceID, requestID, attachmentID uuid.UUID) (swv.RequestAttachment, error) {
	var a swv.RequestAttachment
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			var err error
			if a, err = swv.New(tx).GetRequestAttachment(ctx, swv.GetRequestAttachmentParams{RequestID: requestID, ID: attachmentID}); err != nil {
				return db.Classify(err)
			}
			return logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionExport, "request_attachment", attachmentID.String()))
		})
	})
	return a, err
}

// DecisionDocument reads a request's signed decision; not found until it
// is signed. With an actor of the SWV, the download is a line of the
// SWV's logbook; the school and the portal log it in the school's.
func (s *SWV) DecisionDocument(ctx context.Context, swvActor *Actor, licenceID, requestID uuid.UUID) (swv.Decision, error) {
	var dec swv.Decision
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			var err error
			if dec, err = swv.New(tx).GetDecision(ctx, requestID); err != nil {
				return db.Classify(err)
			}
			if dec.SignedPdf == nil || dec.Number == nil {
				return fault.ErrNotFound
			}
			if swvActor == nil {
				return nil
			}
			return logbook.Append(ctx, tx, swvActor.actionEntry(ctx, logbook.ActionExport, "decision_document", *dec.Number))
		})
	})
	return dec, err
}

// Meetings lists the committee's meetings since the day given, each with
// its agenda.
func (s *SWV) Meetings(ctx context.Context, reader SWVReader, licenceID uuid.UUID, since time.Time) (Meetings, error) {
	v := Meetings{Agenda: map[uuid.UUID][]swv.Request{}, Hidden: map[uuid.UUID]int{}}
	r, err := s.readable(ctx, reader, licenceID)
	if err != nil {
		return v, err
	}
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		q := swv.New(pool)
		var err error
		if v.Meetings, err = q.ListMeetings(ctx, since); err != nil {
			return err
		}
		for _, m := range v.Meetings {
			items, err := q.ListAgenda(ctx, &m.ID)
			if err != nil {
				return err
			}
			for _, req := range items {
				if r.allows(req) {
					v.Agenda[m.ID] = append(v.Agenda[m.ID], req)
				} else {
					v.Hidden[m.ID]++
				}
			}
		}
		return nil
	})
	return v, err
}

// Meetings are the committee's meetings with the part of their agendas
// the reader needs to know; Hidden counts the rest per meeting.
type Meetings struct {
	Meetings []swv.CommitteeMeeting
	Agenda   map[uuid.UUID][]swv.Request
	Hidden   map[uuid.UUID]int
}

// names are the display names of the people with ids; a name that
// cannot be read is left out (the page shows the role instead).
func (s *SWV) names(ctx context.Context, ids []uuid.UUID) map[uuid.UUID]string {
	names, _ := userNames(ctx, s.tenants, ids)
	return names
}

// ObjectionAddress is where an objection to the SWV's decisions goes:
// postal address and e-mail address.
type ObjectionAddress struct {
	Address, Email string
}

// DecisionSettings reads what the SWV set for its decisions: where an
// objection goes, and the TLV maxima per type.
func (s *SWV) DecisionSettings(ctx context.Context, licenceID uuid.UUID) (ObjectionAddress, TLVMaxima, error) {
	sw, err := platform.New(s.tenants.Platform()).GetSWVOfLicence(ctx, licenceID)
	if err != nil {
		return ObjectionAddress{}, TLVMaxima{}, db.Classify(err)
	}
	return ObjectionAddress{Address: sw.ObjectionAddress, Email: sw.ObjectionEmail},
		TLVMaxima{SBO: strconv.Itoa(int(sw.TlvMaxYearsSbo)), SO: strconv.Itoa(int(sw.TlvMaxYearsSo)), VSO: strconv.Itoa(int(sw.TlvMaxYearsVso))}, nil
}

// SetObjectionAddress stores where objections go; every decision prints
// it (Awb 3:45).
func (s *SWV) SetObjectionAddress(ctx context.Context, licenceID uuid.UUID, in ObjectionAddress) error {
	in.Address, in.Email = strings.TrimSpace(in.Address), strings.ToLower(strings.TrimSpace(in.Email))
	errs := fault.FieldErrors{}
	if in.Address == "" || len([]rune(in.Address)) > 500 {
		errs["address"] = "Vul het postadres in waar bezwaar naartoe gaat (hoogstens 500 tekens)."
	}
	if in.Email != "" && (len(in.Email) > 254 || !ValidEmail(in.Email)) {
		errs["email"] = "Vul een geldig e-mailadres in, of laat het leeg."
	}
	if len(errs) > 0 {
		return errs
	}
	q := platform.New(s.tenants.Platform())
	sw, err := q.GetSWVOfLicence(ctx, licenceID)
	if err != nil {
		return db.Classify(err)
	}
	return q.SetSWVObjectionAddress(ctx, platform.SetSWVObjectionAddressParams{ID: sw.ID, ObjectionAddress: in.Address, ObjectionEmail: in.Email})
}

// TLVMaxima are for how many school years at most the SWV gives a TLV,
// per type, as the form shows and takes them.
type TLVMaxima struct {
	SBO, SO, VSO string
}

// SetTLVMaxima stores the SWV's maxima: whole school years, 1 to 12. The
// SWV sets the term of a TLV (WPO art. 18a lid 6, WEC art. 34.8); a TLV
// always runs at least to the end of the school year it starts in.
func (s *SWV) SetTLVMaxima(ctx context.Context, licenceID uuid.UUID, in TLVMaxima) error {
	errs := fault.FieldErrors{}
	num := func(field, v string) int32 {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 || n > 12 {
			errs[field] = "Vul een aantal schooljaren in, van 1 tot en met 12."
		}
		return int32(n)
	}
	p := platform.SetSWVTLVMaximaParams{Sbo: num("tlv_sbo", in.SBO), So: num("tlv_so", in.SO), Vso: num("tlv_vso", in.VSO)}
	if len(errs) > 0 {
		return errs
	}
	q := platform.New(s.tenants.Platform())
	sw, err := q.GetSWVOfLicence(ctx, licenceID)
	if err != nil {
		return db.Classify(err)
	}
	p.ID = sw.ID
	return q.SetSWVTLVMaxima(ctx, p)
}

// ToDo is what waits for one of the SWV's people on their home page: the
// advices asked of an expert, the votes open for a committee member with
// the day of the meeting.
type ToDo struct {
	Advice []swv.AdviceAskedOfRow
	Votes  []ToDoVote
}

// ToDoVote is an item on a meeting the member has not voted on.
type ToDoVote struct {
	swv.AgendaItemsRow
	MeetsOn time.Time
}

// Empty reports whether nothing waits.
func (t ToDo) Empty() bool { return len(t.Advice) == 0 && len(t.Votes) == 0 }

// ToDo reads the actor's to-do list at the SWV licence: advices when they
// may advise, votes when they may vote. The list (it names pupils) is a
// line in the SWV's logbook.
func (s *SWV) ToDo(ctx context.Context, actor Actor, licenceID uuid.UUID, advise, vote bool, today time.Time) (ToDo, error) {
	var out ToDo
	if vote {
		d, err := s.CommitteeDashboard(ctx, actor, licenceID, today)
		if err != nil {
			return out, err
		}
		day := map[uuid.UUID]time.Time{}
		for _, m := range d.Meetings {
			day[m.ID] = m.MeetsOn
		}
		for _, it := range d.ToDecide {
			out.Votes = append(out.Votes, ToDoVote{AgendaItemsRow: it, MeetsOn: day[*it.MeetingID]})
		}
	}
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			if advise {
				var err error
				if out.Advice, err = swv.New(tx).AdviceAskedOf(ctx, actor.UserID); err != nil {
					return err
				}
			}
			if out.Empty() {
				return nil
			}
			return logbook.Append(ctx, tx, actor.listEntry(ctx, len(out.Advice)+len(out.Votes)))
		})
	})
	return out, err
}

// RequestsPage is a page of the SWV's requests for the API, oldest
// submission first after (afterAt, afterID), of which the reader sees
// those they need to know; more reports whether a next page may hold
// more.
func (s *SWV) RequestsPage(ctx context.Context, reader SWVReader, licenceID uuid.UUID, status string, afterAt time.Time, afterID uuid.UUID,
	limit int) (page []swv.Request, more bool, err error) {
	r, err := s.readable(ctx, reader, licenceID)
	if err != nil {
		return nil, false, err
	}
	page = []swv.Request{}
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		q := swv.New(pool)
		// Rows the reader may not see are skipped, so read on until the
		// page is full or the table ends.
		for {
			rows, err := q.ListRequestsPage(ctx, swv.ListRequestsPageParams{Status: status, AfterAt: afterAt, AfterID: afterID,
				Lim: int32(limit + 1)})
			if err != nil {
				return err
			}
			for _, req := range rows {
				if len(page) == limit {
					more = true
					return nil
				}
				afterAt, afterID = req.SubmittedAt, req.ID
				if r.allows(req) {
					page = append(page, req)
				}
			}
			if len(rows) <= limit {
				return nil
			}
		}
	})
	return page, more, err
}

// Meeting reads one committee meeting.
func (s *SWV) Meeting(ctx context.Context, licenceID, id uuid.UUID) (swv.CommitteeMeeting, error) {
	var m swv.CommitteeMeeting
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		m, err = swv.New(pool).GetMeeting(ctx, id)
		return db.Classify(err)
	})
	return m, err
}

// TransferNotices are the transfers of pupils with a granted arrangement
// or TLV of the SWV to another school, newest first, as far as the reader
// needs to know (the SWV's admin all; a consultant those of their
// schools), with one logbook line for the list seen.
func (s *SWV) TransferNotices(ctx context.Context, actor Actor, reader SWVReader, licenceID uuid.UUID) ([]swv.ListTransferNoticesRow, error) {
	r, err := s.readable(ctx, reader, licenceID)
	if err != nil {
		return nil, err
	}
	var out []swv.ListTransferNoticesRow
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			rows, err := swv.New(tx).ListTransferNotices(ctx)
			if err != nil {
				return err
			}
			for _, n := range rows {
				if r.allows(swv.Request{ID: n.RequestID, SchoolLicenceID: n.SchoolLicenceID, ConsultantID: n.ConsultantID}) {
					out = append(out, n)
				}
			}
			return logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionView, "transfer_notice_list", fmt.Sprint(len(out))))
		})
	})
	return out, err
}
