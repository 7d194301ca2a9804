package server

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/swv"
)

// dashboardRows is how many rows a dashboard list shows; the full lists
// are one click further.
const dashboardRows = 50

// firstRows cuts a list (fetched with one row more) to dashboardRows and
// says whether there were more.
func firstRows[T any](rows []T) ([]T, bool) {
	if len(rows) > dashboardRows {
		return rows[:dashboardRows], true
	}
	return rows, false
}

type consultantPage struct {
	Licence               platform.Licence
	Schools               []platform.SchoolsOfConsultantRow
	Open                  []swv.ConsultantOpenRequestsRow
	Actions               []swv.ConsultantActionsDueRow
	Notes                 []swv.ConsultantNotesRow
	MoreOpen, MoreActions bool
	Today                 time.Time
}

// handleConsultantDashboard: my schools, their open requests and where
// each stands, my actions due, my notes.
func (s *Server) handleConsultantDashboard(c *gin.Context) error {
	lic, err := s.licenceParam(c, true)
	if err != nil {
		return err
	}
	me := principalOf(c).UserID
	page := consultantPage{Licence: lic, Today: s.today()}
	if page.Schools, err = platform.New(s.tenants.Platform()).SchoolsOfConsultant(c, platform.SchoolsOfConsultantParams{
		ConsultantUserID: me, SwvID: lic.SwvID}); err != nil {
		return err
	}
	schools := make([]uuid.UUID, 0, len(page.Schools))
	for _, sc := range page.Schools {
		schools = append(schools, sc.ID)
	}
	err = s.tenants.With(c, lic.ID, func(pool *pgxpool.Pool) error {
		return pgx.BeginTxFunc(c, pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
			q := swv.New(tx)
			var err error
			if page.Open, err = q.ConsultantOpenRequests(c, swv.ConsultantOpenRequestsParams{Me: &me, Schools: schools}); err != nil {
				return err
			}
			if page.Actions, err = q.ConsultantActionsDue(c, me); err != nil {
				return err
			}
			page.Notes, err = q.ConsultantNotes(c, &me)
			return err
		})
	})
	if err != nil {
		return err
	}
	page.Open, page.MoreOpen = firstRows(page.Open)
	page.Actions, page.MoreActions = firstRows(page.Actions)
	s.render(c, http.StatusOK, "swv_consultant", page)
	return nil
}

type committeePage struct {
	Licence  platform.Licence
	Meetings []swv.CommitteeMeeting
	Items    map[uuid.UUID][]swv.AgendaItemsRow
	ToDecide []swv.AgendaItemsRow
	Names    map[uuid.UUID]string
}

// handleCommitteeDashboard: my meetings with their agenda, each item
// with its advices and decision, and the decisions I still have to take.
func (s *Server) handleCommitteeDashboard(c *gin.Context) error {
	lic, err := s.licenceParam(c, true)
	if err != nil {
		return err
	}
	me := principalOf(c).UserID
	page := committeePage{Licence: lic, Items: map[uuid.UUID][]swv.AgendaItemsRow{}, Names: map[uuid.UUID]string{}}
	err = s.tenants.With(c, lic.ID, func(pool *pgxpool.Pool) error {
		return pgx.BeginTxFunc(c, pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
			q := swv.New(tx)
			var err error
			if page.Meetings, err = q.MeetingsOf(c, swv.MeetingsOfParams{Since: s.today().AddDate(0, 0, -1), Me: me}); err != nil {
				return err
			}
			ids := make([]uuid.UUID, 0, len(page.Meetings))
			for _, m := range page.Meetings {
				ids = append(ids, m.ID)
			}
			items, err := q.AgendaItems(c, swv.AgendaItemsParams{Me: me, Meetings: ids})
			if err != nil {
				return err
			}
			for _, it := range items {
				page.Items[*it.MeetingID] = append(page.Items[*it.MeetingID], it)
				if it.Status == "geagendeerd" && !it.Voted {
					page.ToDecide = append(page.ToDecide, it)
				}
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	var people []uuid.UUID
	for _, m := range page.Meetings {
		people = append(append(people, m.ChairID), m.MemberIds...)
	}
	if names, err := platform.New(s.tenants.Platform()).ListUserNames(c, people); err == nil {
		for _, n := range names {
			page.Names[n.ID] = n.DisplayName
		}
	}
	s.render(c, http.StatusOK, "swv_committee", page)
	return nil
}

type adminDashboardPage struct {
	Licence                             platform.Licence
	Intake                              []swv.IntakeQueueRow
	Overdue                             []swv.OverdueRequestsRow
	EndingSoon                          []swv.TLVsEndingSoonRow
	MoreIntake, MoreOverdue, MoreEnding bool
	Open                                int64
}

// handleSWVAdminDashboard: the intake queue, overdue items and TLVs
// ending in the coming six months.
func (s *Server) handleSWVAdminDashboard(c *gin.Context) error {
	lic, err := s.licenceParam(c, true)
	if err != nil {
		return err
	}
	page := adminDashboardPage{Licence: lic}
	today := s.today()
	err = s.tenants.With(c, lic.ID, func(pool *pgxpool.Pool) error {
		return pgx.BeginTxFunc(c, pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
			q := swv.New(tx)
			var err error
			if page.Intake, err = q.IntakeQueue(c); err != nil {
				return err
			}
			if page.Overdue, err = q.OverdueRequests(c); err != nil {
				return err
			}
			if page.EndingSoon, err = q.TLVsEndingSoon(c, swv.TLVsEndingSoonParams{FromOn: today, ToOn: today.AddDate(0, 6, 0)}); err != nil {
				return err
			}
			page.Open, err = q.CountOpenRequests(c)
			return err
		})
	})
	if err != nil {
		return err
	}
	page.Intake, page.MoreIntake = firstRows(page.Intake)
	page.Overdue, page.MoreOverdue = firstRows(page.Overdue)
	page.EndingSoon, page.MoreEnding = firstRows(page.EndingSoon)
	s.render(c, http.StatusOK, "swv_admin", page)
	return nil
}

// handleSWVNote adds a consultant's note to a request: internal, the
// school never sees it; or, marked as a question, one the school sees.
func (s *Server) handleSWVNote(c *gin.Context) error {
	return s.postSWVAction(c, func(lic platform.Licence, id uuid.UUID) error {
		return s.swv.AddNote(c, actorOf(c), lic.ID, id, c.PostForm("note"), c.PostForm("to_school") == "1", c.PostForm("request_id"))
	})
}

// handleSWVActionAdd gives the consultant an action with a due date.
func (s *Server) handleSWVActionAdd(c *gin.Context) error {
	return s.postSWVAction(c, func(lic platform.Licence, id uuid.UUID) error {
		return s.swv.AddAction(c, actorOf(c), lic.ID, id, c.PostForm("title"), c.PostForm("due_on"))
	})
}

// handleSWVActionDone marks an action done.
func (s *Server) handleSWVActionDone(c *gin.Context) error {
	return s.postSWVAction(c, func(lic platform.Licence, id uuid.UUID) error {
		actionID, err := uuidParam(c, "action")
		if err != nil {
			return err
		}
		return s.swv.CompleteAction(c, actorOf(c), lic.ID, id, actionID)
	})
}
