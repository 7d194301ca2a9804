package server

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/swv"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/service"
	"github.com/topdossier/topdossier/workflows"
)

// swvReaderOf is the person behind c with every role they hold on the
// SWV licence: what they may read of its requests follows from them.
func swvReaderOf(c *gin.Context, licenceID uuid.UUID) service.SWVReader {
	p := principalOf(c)
	r := service.SWVReader{UserID: p.UserID}
	for _, m := range p.Memberships {
		if m.LicenceID != nil && *m.LicenceID == licenceID {
			r.Roles = append(r.Roles, auth.Role(m.Role))
		}
	}
	return r
}

// swvRequestParams resolves the SWV licence and the request in the path.
func (s *Server) swvRequestParams(c *gin.Context) (platform.Licence, uuid.UUID, error) {
	lic, err := s.licenceParam(c, true)
	if err != nil {
		return lic, uuid.Nil, err
	}
	id, err := uuidParam(c, "request")
	return lic, id, err
}

type swvRequestsPage struct {
	Licence  platform.Licence
	Requests []swv.Request
	Status   string
}

// handleSWVRequests lists the SWV's requests: the intake queue first.
func (s *Server) handleSWVRequests(c *gin.Context) error {
	lic, err := s.licenceParam(c, true)
	if err != nil {
		return err
	}
	page := swvRequestsPage{Licence: lic, Status: c.Query("status")}
	if page.Requests, err = s.swv.Requests(c, swvReaderOf(c, lic.ID), lic.ID, page.Status); err != nil {
		return err
	}
	s.render(c, http.StatusOK, "swv_requests", page)
	return nil
}

type swvRequestPage struct {
	Licence platform.Licence
	service.SWVRequestView
	RequestID string
	Errors    fault.FieldErrors
	Form      formState // the form that came back, with what was typed
	Can       map[string]bool
	Notice    string
	// Retention: when the closed request is deleted, and any hold.
	Retention *workflows.RetentionStatus
	// Advised: the reader gave their advice on this request already.
	Advised bool
}

// handleSWVRequest is one request for the SWV's people: the snapshot the
// school sent, the events (with the internal notes), advices, votes, the
// decision, and the actions the person's role and the step allow.
func (s *Server) handleSWVRequest(c *gin.Context) error {
	return s.renderSWVRequest(c, http.StatusOK, nil)
}

func (s *Server) renderSWVRequest(c *gin.Context, status int, errs fault.FieldErrors) error {
	lic, id, err := s.swvRequestParams(c)
	if err != nil {
		return err
	}
	p := principalOf(c)
	page := swvRequestPage{Licence: lic, RequestID: uuid.NewString(), Errors: errs, Form: sentForm(c, errs),
		Can: map[string]bool{
			"manage": p.can(auth.PermRequestManage, lic.ID), "advise": p.can(auth.PermRequestAdvise, lic.ID),
			"vote": p.can(auth.PermRequestVote, lic.ID), "sign": p.can(auth.PermRequestSign, lic.ID),
			"hold": p.can(auth.PermSWVSettings, lic.ID), "privacy": p.can(auth.PermSWVPrivacy, lic.ID),
		}}
	if page.SWVRequestView, err = s.swv.Request(c, actorOf(c), lic.ID, id); err != nil {
		return err
	}
	for _, a := range page.Advices {
		page.Advised = page.Advised || a.ExpertID == p.UserID
	}
	if page.Request.Status == workflows.RequestStepClosed {
		page.Retention = s.retention.Status(c, lic.ID, workflows.RetentionRequest, id)
	}
	if c.Query("m") == "1" {
		page.Notice = "Vastgelegd."
	}
	s.render(c, status, "swv_request_detail", page)
	return nil
}

// postSWVAction runs one action from the request page: on a refusal the
// page shows why, with nothing recorded.
func (s *Server) postSWVAction(c *gin.Context, act func(lic platform.Licence, id uuid.UUID) error) error {
	lic, id, err := s.swvRequestParams(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	err = act(lic, id)
	if fields, ok := asFieldErrors(err); ok {
		return s.renderSWVRequest(c, http.StatusUnprocessableEntity, fields)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/aanvragen/%s?m=1", lic.ID, id))
	return nil
}

// handleSWVIntake: accept the request, or return it as incomplete with
// what is missing.
func (s *Server) handleSWVIntake(c *gin.Context) error {
	return s.postSWVAction(c, func(lic platform.Licence, id uuid.UUID) error {
		return s.requests.Intake(c, actorOf(c), lic.ID, id, c.PostForm("request_id"), c.PostForm("accept") == "1", c.PostForm("missing"))
	})
}

// handleSWVSchedule puts the request on a meeting's agenda.
func (s *Server) handleSWVSchedule(c *gin.Context) error {
	return s.postSWVAction(c, func(lic platform.Licence, id uuid.UUID) error {
		return s.requests.Schedule(c, actorOf(c), lic.ID, id, c.PostForm("request_id"), c.PostForm("meeting"))
	})
}

// handleSWVAdvice records an expert's advice, signed off by the expert.
// Whether the expert is linked to the applying school is looked up here
// (any role at that school); the workflow refuses it then.
func (s *Server) handleSWVAdvice(c *gin.Context) error {
	return s.postSWVAction(c, func(lic platform.Licence, id uuid.UUID) error {
		profession := ""
		for _, m := range principalOf(c).Memberships {
			if m.LicenceID != nil && *m.LicenceID == lic.ID && m.Profession != nil {
				profession = string(*m.Profession)
			}
		}
		return s.requests.Advise(c, actorOf(c), lic.ID, id, c.PostForm("request_id"), profession, c.PostForm("outcome"), c.PostForm("advice"))
	})
}

// handleSWVAskExpert asks one of the SWV's experts to advise on the
// request; from then on the expert may read it.
func (s *Server) handleSWVAskExpert(c *gin.Context) error {
	return s.postSWVAction(c, func(lic platform.Licence, id uuid.UUID) error {
		expert, err := uuid.Parse(c.PostForm("expert"))
		if err != nil {
			return fault.FieldErrors{"expert": "Kies een deskundige van het samenwerkingsverband."}
		}
		return s.swv.AskExpert(c, actorOf(c), lic, id, expert)
	})
}

// handleSWVPropose is the chair's proposal of the term (and category) the
// committee votes on.
func (s *Server) handleSWVPropose(c *gin.Context) error {
	return s.postSWVAction(c, func(lic platform.Licence, id uuid.UUID) error {
		return s.requests.Propose(c, actorOf(c), lic.ID, id, service.Proposal{RequestID: c.PostForm("request_id"),
			StartOn: c.PostForm("start_on"), EndOn: c.PostForm("end_on"), Category: c.PostForm("category")})
	})
}

// handleSWVCategory is the chair's category for a granted TLV, after
// the vote and before signing.
func (s *Server) handleSWVCategory(c *gin.Context) error {
	return s.postSWVAction(c, func(lic platform.Licence, id uuid.UUID) error {
		return s.requests.SetCategory(c, actorOf(c), lic.ID, id, c.PostForm("request_id"), c.PostForm("category"))
	})
}

// handleSWVVote is a committee member's vote with motivation; the chair
// and members come from the meeting the request is on.
func (s *Server) handleSWVVote(c *gin.Context) error {
	return s.postSWVAction(c, func(lic platform.Licence, id uuid.UUID) error {
		var approve *bool
		if a := c.PostForm("approve"); a == "1" || a == "0" {
			approve = new(bool)
			*approve = a == "1"
		}
		return s.requests.Vote(c, actorOf(c), lic.ID, id, service.Vote{RequestID: c.PostForm("request_id"),
			Approve: approve, Motivation: c.PostForm("motivation")})
	})
}

// handleSWVSign: the authorised signer signs the granted decision, after
// logging in again; the document is numbered, rendered and signed.
func (s *Server) handleSWVSign(c *gin.Context) error {
	return s.postSWVAction(c, func(lic platform.Licence, id uuid.UUID) error {
		return s.requests.Sign(c, actorOf(c), lic.ID, id, c.PostForm("request_id"))
	})
}

// handleSWVObjection registers a bezwaar, or the decision on it.
func (s *Server) handleSWVObjection(c *gin.Context) error {
	return s.postSWVAction(c, func(lic platform.Licence, id uuid.UUID) error {
		step := service.ObjectionLodged
		switch {
		case c.PostForm("decided") == "1":
			step = service.ObjectionDecided
		case c.PostForm("what") == "advice":
			step = service.ObjectionAdvice
		case c.PostForm("what") == "extend":
			step = service.ObjectionExtend
		}
		return s.requests.Objection(c, actorOf(c), lic.ID, id, c.PostForm("request_id"), step, c.PostForm("text"), c.PostForm("stands") == "1")
	})
}

// handleSWVHandled closes an advice, contact, MDO or OT request.
func (s *Server) handleSWVHandled(c *gin.Context) error {
	return s.postSWVAction(c, func(lic platform.Licence, id uuid.UUID) error {
		return s.requests.Handled(c, actorOf(c), lic.ID, id, c.PostForm("request_id"), c.PostForm("text"))
	})
}

// handleSWVEvaluate records the result of an arrangement at its end:
// behaald, deels or niet, as school and consultant agreed.
func (s *Server) handleSWVEvaluate(c *gin.Context) error {
	return s.postSWVAction(c, func(lic platform.Licence, id uuid.UUID) error {
		return s.requests.Evaluate(c, actorOf(c), lic.ID, id, c.PostForm("request_id"), c.PostForm("result"), c.PostForm("text"))
	})
}

// handleSWVAttachment downloads an attachment the school shared, logged
// as an export in the SWV's logbook.
func (s *Server) handleSWVAttachment(c *gin.Context) error {
	lic, id, err := s.swvRequestParams(c)
	if err != nil {
		return err
	}
	attID, err := uuidParam(c, "attachment")
	if err != nil {
		return err
	}
	a, err := s.swv.Attachment(c, actorOf(c), lic.ID, id, attID)
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, a.FileName))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Content-Security-Policy", "sandbox")
	c.Data(http.StatusOK, a.ContentType, a.Data)
	return nil
}

// handleSWVDecisionPDF downloads the signed document.
func (s *Server) handleSWVDecisionPDF(c *gin.Context) error {
	lic, id, err := s.swvRequestParams(c)
	if err != nil {
		return err
	}
	actor := actorOf(c)
	return s.serveDecisionPDF(c, lic.ID, id, &actor)
}

// serveDecisionPDF sends a request's signed document; with an SWV
// actor, the download is a line of the SWV's logbook (nil: the caller
// logged it where it belongs).
func (s *Server) serveDecisionPDF(c *gin.Context, swvLicenceID, requestID uuid.UUID, swvActor *service.Actor) error {
	dec, err := s.swv.DecisionDocument(c, swvActor, swvLicenceID, requestID)
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.pdf"`, *dec.Number))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "application/pdf", dec.SignedPdf)
	return nil
}

type meetingsPage struct {
	Licence  platform.Licence
	Meetings []swv.CommitteeMeeting
	Agenda   map[uuid.UUID][]swv.Request
	Hidden   map[uuid.UUID]int // agenda items the reader does not need to know
	Members  []platform.ListStaffForLicenceRow
	Names    map[uuid.UUID]string
	Errors   fault.FieldErrors
	CanEdit  bool
	Form     formState // the planning form as typed after a mistake
}

// handleMeetings shows the committee's meetings with their agenda.
func (s *Server) handleMeetings(c *gin.Context) error {
	return s.renderMeetings(c, http.StatusOK, nil)
}

func (s *Server) renderMeetings(c *gin.Context, status int, errs fault.FieldErrors) error {
	lic, err := s.licenceParam(c, true)
	if err != nil {
		return err
	}
	page := meetingsPage{Licence: lic, Names: map[uuid.UUID]string{}, Errors: errs, Form: sentForm(c, errs),
		CanEdit: principalOf(c).can(auth.PermRequestManage, lic.ID)}
	m, err := s.swv.Meetings(c, swvReaderOf(c, lic.ID), lic.ID, time.Now().AddDate(0, -1, 0))
	if err != nil {
		return err
	}
	page.Meetings, page.Agenda, page.Hidden = m.Meetings, m.Agenda, m.Hidden
	staff, err := platform.New(s.tenants.Platform()).ListStaffForLicence(c, &lic.ID)
	if err != nil {
		return err
	}
	for _, m := range staff {
		page.Names[m.UserID] = m.DisplayName
		if m.Role == platform.StaffRoleCommitteeMember {
			page.Members = append(page.Members, m)
		}
	}
	s.render(c, status, "meetings", page)
	return nil
}

// handleMeetingCreate plans a committee meeting: date, title, chair and
// members, all committee members of the SWV.
func (s *Server) handleMeetingCreate(c *gin.Context) error {
	lic, err := s.licenceParam(c, true)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	_, err = s.swv.CreateMeeting(c, actorOf(c), lic.ID, service.MeetingForm{MeetsOn: c.PostForm("meets_on"), Title: c.PostForm("title"),
		Chair: c.PostForm("chair"), Members: c.PostFormArray("members")})
	if fields, ok := asFieldErrors(err); ok {
		return s.renderMeetings(c, http.StatusUnprocessableEntity, fields)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/licenties/"+lic.ID.String()+"/vergaderingen")
	return nil
}

// handleSWVRetentionHold keeps a closed request longer than its three
// years for a legal reason (an objection or dispute that runs, a legal
// duty), by the SWV's admin.
func (s *Server) handleSWVRetentionHold(c *gin.Context) error {
	return s.postSWVAction(c, func(lic platform.Licence, id uuid.UUID) error {
		return s.retention.Hold(c, actorOf(c), lic.ID, id, workflows.RetentionRequest, c.PostForm("request_id"),
			c.PostForm("until"), c.PostForm("reason"))
	})
}
