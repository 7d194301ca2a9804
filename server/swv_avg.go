package server

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/swv"
	"github.com/topdossier/topdossier/fault"
)

// swvAVGPage is the SWV's list of requests under the AVG made to it.
type swvAVGPage struct {
	Licence  platform.Licence
	Requests []swv.ListAVGRequestsForSWVRow
	Answered bool
	// Errors belong to the request Failed (the form answered last).
	Failed uuid.UUID
	Errors fault.FieldErrors
}

// handleSWVAVGRequests lists the requests under the AVG made to the SWV:
// open ones first with their term, then those answered this past year.
func (s *Server) handleSWVAVGRequests(c *gin.Context) error {
	lic, err := s.licenceParam(c, true)
	if err != nil {
		return err
	}
	return s.renderSWVAVG(c, lic, http.StatusOK, uuid.Nil, nil)
}

func (s *Server) renderSWVAVG(c *gin.Context, lic platform.Licence, status int, failed uuid.UUID, errs fault.FieldErrors) error {
	page := swvAVGPage{Licence: lic, Answered: c.Query("beantwoord") == "1", Failed: failed, Errors: errs}
	var err error
	if page.Requests, err = s.retention.SWVAVGRequests(c, actorOf(c), lic.ID); err != nil {
		return err
	}
	s.render(c, status, "swv_avg", page)
	return nil
}

// handleSWVAVGDecide is the SWV's answer to one request under the AVG.
func (s *Server) handleSWVAVGDecide(c *gin.Context) error {
	lic, err := s.licenceParam(c, true)
	if err != nil {
		return err
	}
	id, err := uuidParam(c, "avg")
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	err = s.retention.DecideSWVAVG(c, actorOf(c), lic.ID, id, c.PostForm("decision"), c.PostForm("reason"))
	if fields, ok := asFieldErrors(err); ok {
		return s.renderSWVAVG(c, lic, http.StatusUnprocessableEntity, id, fields)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/avg-verzoeken?beantwoord=1", lic.ID))
	return nil
}

// handleSWVRestrictionLift ends the restriction of a request's use: the
// reason fell away (the SWV tells the requester first, AVG art. 18(3)).
func (s *Server) handleSWVRestrictionLift(c *gin.Context) error {
	lic, id, err := s.swvRequestParams(c)
	if err != nil {
		return err
	}
	if err := s.retention.LiftSWVRestriction(c, actorOf(c), lic.ID, id); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/aanvragen/%s", lic.ID, id))
	return nil
}
