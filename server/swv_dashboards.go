package server

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/service"
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
	Licence platform.Licence
	service.ConsultantDashboard
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
	page := consultantPage{Licence: lic, Today: s.today()}
	if page.ConsultantDashboard, err = s.swv.ConsultantDashboard(c, actorOf(c), lic); err != nil {
		return err
	}
	page.Open, page.MoreOpen = firstRows(page.Open)
	page.Actions, page.MoreActions = firstRows(page.Actions)
	s.render(c, http.StatusOK, "swv_consultant", page)
	return nil
}

type committeePage struct {
	Licence platform.Licence
	service.CommitteeDashboard
}

// handleCommitteeDashboard: my meetings with their agenda, each item
// with its advices and decision, and the decisions I still have to take.
func (s *Server) handleCommitteeDashboard(c *gin.Context) error {
	lic, err := s.licenceParam(c, true)
	if err != nil {
		return err
	}
	page := committeePage{Licence: lic}
	if page.CommitteeDashboard, err = s.swv.CommitteeDashboard(c, actorOf(c), lic.ID, s.today()); err != nil {
		return err
	}
	s.render(c, http.StatusOK, "swv_committee", page)
	return nil
}

type adminDashboardPage struct {
	Licence platform.Licence
	service.AdminDashboard
	MoreIntake, MoreOverdue, MoreEnding bool
}

// handleSWVAdminDashboard: the intake queue, overdue items and TLVs
// ending in the coming six months.
func (s *Server) handleSWVAdminDashboard(c *gin.Context) error {
	lic, err := s.licenceParam(c, true)
	if err != nil {
		return err
	}
	page := adminDashboardPage{Licence: lic}
	if page.AdminDashboard, err = s.swv.AdminDashboard(c, lic.ID, s.today()); err != nil {
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
