package server

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/workflows"
)

// Leaving, retention and AVG requests in the API, with the services and
// logbook lines of the pages.

func (s *Server) retentionOps() []apiOp {
	const school, swvTag = "School: uitschrijven, bewaren en AVG", "Samenwerkingsverband: bewaren en AVG"
	pupil := "/licences/:licence/pupils/:pupil"
	return []apiOp{
		{Method: "POST", Path: pupil + "/leaving", Perm: auth.PermPupilEnrol, Handle: s.handleAPILeave, Tag: school, ID: "leavePupil",
			Summary: "The pupil leaves on left_on: today or earlier at once (processes stop, retention terms start), a later day is planned",
			Body:    leavingJSON{}, Out: retentionJSON{}},
		{Method: "DELETE", Path: pupil + "/leaving", Perm: auth.PermPupilEnrol, Handle: s.handleAPILeaveCancel, Tag: school,
			ID: "cancelLeaving", Summary: "Withdraw a planned leaving", Status: http.StatusNoContent},
		{Method: "GET", Path: pupil + "/retention", Perm: auth.PermPupilRead, Handle: s.handleAPIRetention, Tag: school, ID: "pupilRetention",
			Summary: "When the pupil's dossiers and enrolment are deleted, and the holds on them (logged)", Out: retentionJSON{}},
		{Method: "POST", Path: pupil + "/retention/holds", Perm: auth.PermSchoolSettings, Handle: s.handleAPIRetentionHold, Tag: school,
			ID: "holdPupilRetention", Summary: "Keep a left pupil's dossiers longer for a legal reason (an objection or dispute, a legal duty)",
			Body: holdJSON{}, Out: retentionJSON{}},
		{Method: "GET", Path: pupil + "/avg-requests", Perm: auth.PermDossierManage, Handle: s.handleAPIAVGRequests, Tag: school,
			ID: "listAVGRequests", Summary: "The requests under the AVG about the pupil (logged)", Out: struct {
				Requests []avgRequestJSON `json:"requests"`
			}{}},
		{Method: "POST", Path: pupil + "/avg-requests/:avg/decision", Perm: auth.PermDossierManage, Handle: s.handleAPIAVGDecide, Tag: school,
			ID: "decideAVGRequest", Summary: "Honour or refuse an AVG request (a refusal names its reason); an honoured erasure deletes at once",
			Body: avgDecisionJSON{}, Out: struct {
				Erased bool `json:"erased"`
			}{}},
		{Method: "POST", Path: swvRequestPath + "/retention-holds", Perm: auth.PermSWVSettings, Handle: s.handleAPISWVRetentionHold,
			Tag: swvTag, ID: "holdRequestRetention", Summary: "Keep a closed request longer for a legal reason", Body: holdJSON{},
			Out: retentionJSON{}},
		{Method: "GET", Path: "/licences/:licence/avg-requests", Perm: auth.PermSWVPrivacy, Handle: s.handleAPISWVAVGRequests, Tag: swvTag,
			ID: "listSWVAVGRequests", Summary: "The requests under the AVG made to the SWV (logged)", Out: struct {
				Requests []avgRequestJSON `json:"requests"`
			}{}},
		{Method: "POST", Path: "/licences/:licence/avg-requests/:avg/decision", Perm: auth.PermSWVPrivacy, Handle: s.handleAPISWVAVGDecide,
			Tag: swvTag, ID: "decideSWVAVGRequest", Summary: "Honour or refuse an AVG request made to the SWV", Body: avgDecisionJSON{}, Out: struct {
				Decided bool `json:"decided"`
			}{}},
	}
}

type leavingJSON struct {
	LeftOn string `json:"left_on" doc:"JJJJ-MM-DD"`
}

type holdJSON struct {
	Until  string `json:"until" doc:"JJJJ-MM-DD"`
	Reason string `json:"reason"`
}

type retentionJSON struct {
	Dossiers  *retentionStatusJSON `json:"dossiers,omitempty" doc:"null while nothing is counting down"`
	Enrolment *retentionStatusJSON `json:"enrolment,omitempty"`
	Request   *retentionStatusJSON `json:"request,omitempty"`
}

type retentionStatusJSON struct {
	DueAt time.Time `json:"due_at" doc:"when it is deleted"`
	Holds int       `json:"holds"`
}

type avgRequestJSON struct {
	ID        uuid.UUID  `json:"id"`
	RequestID *uuid.UUID `json:"request_id,omitempty" doc:"at the SWV: the request it is about"`
	Kind      string     `json:"kind" enum:"correction|erasure|restriction|objection"`
	Party     string     `json:"party"`
	Body      string     `json:"body"`
	Status    string     `json:"status"`
	Reason    string     `json:"reason"`
	DueAt     time.Time  `json:"due_at"`
	DecidedAt *time.Time `json:"decided_at"`
	CreatedAt time.Time  `json:"created_at"`
}

type avgDecisionJSON struct {
	Decision string `json:"decision" enum:"accepted|rejected"`
	Reason   string `json:"reason" doc:"required when rejected"`
}

func toRetentionStatus(st *workflows.RetentionStatus) *retentionStatusJSON {
	if st == nil {
		return nil
	}
	return &retentionStatusJSON{DueAt: st.DueAt, Holds: st.Holds}
}

func (s *Server) pupilRetention(c *gin.Context, licenceID, pupilID uuid.UUID) retentionJSON {
	return retentionJSON{Dossiers: toRetentionStatus(s.retention.Status(c, licenceID, workflows.RetentionDossier, pupilID)),
		Enrolment: toRetentionStatus(s.retention.Status(c, licenceID, workflows.RetentionEnrolment, pupilID))}
}

// existingPupil resolves the licence and pupil in the path and makes
// sure the pupil exists there (404 otherwise).
func (s *Server) existingPupil(c *gin.Context) (platform.Licence, uuid.UUID, error) {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return lic, pupilID, err
	}
	_, err = s.pupils.Load(c, lic.ID, pupilID)
	return lic, pupilID, err
}

func (s *Server) handleAPILeave(c *gin.Context) error {
	lic, pupilID, err := s.existingPupil(c)
	if err != nil {
		return err
	}
	var in leavingJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := s.retention.Leave(c, actorOf(c), lic.ID, pupilID, actionID(c, ""), in.LeftOn); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, s.pupilRetention(c, lic.ID, pupilID))
}

func (s *Server) handleAPILeaveCancel(c *gin.Context) error {
	lic, pupilID, err := s.existingPupil(c)
	if err != nil {
		return err
	}
	if err := s.retention.CancelLeaving(c, actorOf(c), lic.ID, pupilID); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) handleAPIRetention(c *gin.Context) error {
	lic, pupilID, err := s.existingPupil(c)
	if err != nil {
		return err
	}
	if err := s.logbook.Record(c, actorOf(c), lic.ID, pupilID, logbook.ActionView, "retention"); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, s.pupilRetention(c, lic.ID, pupilID))
}

func (s *Server) handleAPIRetentionHold(c *gin.Context) error {
	lic, pupilID, err := s.existingPupil(c)
	if err != nil {
		return err
	}
	var in holdJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := s.retention.Hold(c, actorOf(c), lic.ID, pupilID, workflows.RetentionDossier, actionID(c, ""), in.Until, in.Reason); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, s.pupilRetention(c, lic.ID, pupilID))
}

func (s *Server) handleAPIAVGRequests(c *gin.Context) error {
	lic, pupilID, err := s.existingPupil(c)
	if err != nil {
		return err
	}
	rows, err := s.retention.AVGRequests(c, lic.ID, pupilID)
	if err != nil {
		return err
	}
	if err := s.logbook.Record(c, actorOf(c), lic.ID, pupilID, logbook.ActionView, "avg_request"); err != nil {
		return err
	}
	out := make([]avgRequestJSON, 0, len(rows))
	for _, r := range rows {
		out = append(out, avgRequestJSON{ID: r.ID, Kind: r.Kind, Party: r.PartyKey, Body: r.Body, Status: r.Status, Reason: r.Reason,
			DueAt: r.DueAt, DecidedAt: r.DecidedAt, CreatedAt: r.CreatedAt})
	}
	return writeJSON(c, http.StatusOK, gin.H{"requests": out})
}

func (s *Server) handleAPIAVGDecide(c *gin.Context) error {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return err
	}
	id, err := uuidParam(c, "avg")
	if err != nil {
		return err
	}
	var in avgDecisionJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	erased, err := s.retention.DecideAVG(c, actorOf(c), lic, pupilID, id, in.Decision, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, gin.H{"erased": erased})
}

func (s *Server) handleAPISWVRetentionHold(c *gin.Context) error {
	lic, id, err := s.swvRequestParams(c)
	if err != nil {
		return err
	}
	var in holdJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := s.retention.Hold(c, actorOf(c), lic.ID, id, workflows.RetentionRequest, actionID(c, ""), in.Until, in.Reason); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, retentionJSON{Request: toRetentionStatus(s.retention.Status(c, lic.ID, workflows.RetentionRequest, id))})
}

func (s *Server) handleAPISWVAVGRequests(c *gin.Context) error {
	lic, err := s.licenceParam(c, true)
	if err != nil {
		return err
	}
	rows, err := s.retention.SWVAVGRequests(c, actorOf(c), lic.ID)
	if err != nil {
		return err
	}
	out := make([]avgRequestJSON, 0, len(rows))
	for _, r := range rows {
		req := r.RequestID
		out = append(out, avgRequestJSON{ID: r.ID, RequestID: &req, Kind: r.Kind, Party: r.PartyKey, Body: r.Body, Status: r.Status,
			Reason: r.Reason, DueAt: r.DueAt, DecidedAt: r.DecidedAt, CreatedAt: r.CreatedAt})
	}
	return writeJSON(c, http.StatusOK, gin.H{"requests": out})
}

func (s *Server) handleAPISWVAVGDecide(c *gin.Context) error {
	lic, err := s.licenceParam(c, true)
	if err != nil {
		return err
	}
	id, err := uuidParam(c, "avg")
	if err != nil {
		return err
	}
	var in avgDecisionJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := s.retention.DecideSWVAVG(c, actorOf(c), lic.ID, id, in.Decision, in.Reason); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, gin.H{"decided": true})
}
