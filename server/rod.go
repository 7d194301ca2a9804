package server

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/service"
)

// The registration of OPPs in the Register Onderwijsdeelnemers: the page
// "Registratie ROD" (new, changed, to be ended; CSV for the LAS; mark
// passed on) and the API a LAS pulls from.

type rodPage struct {
	Licence platform.Licence
	Rows    []school.ListRODRegistrationsRow
	ShownAt string
	Pending int
	Notice  string
}

// StatusLabel is a row's status in Dutch.
func (rodPage) StatusLabel(status string) string { return service.RODStatusLabel(status) }

func (s *Server) handleROD(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	rows, shownAt, err := s.rod.List(c, actorOf(c), lic.ID, false)
	if err != nil {
		return err
	}
	page := rodPage{Licence: lic, Rows: rows, ShownAt: shownAt.Format(time.RFC3339Nano)}
	for _, r := range rows {
		if r.Status != "passed_on" {
			page.Pending++
		}
	}
	if n := c.Query("doorgegeven"); n != "" {
		page.Notice = n + " doorgegeven."
	}
	s.render(c, http.StatusOK, "rod", page)
	return nil
}

// handleRODCSV downloads what is still to pass on, for the LAS.
func (s *Server) handleRODCSV(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	data, _, err := s.rod.CSV(c, actorOf(c), lic.ID)
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="registratie-rod-%s.csv"`, s.today().Format("2006-01-02")))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", data)
	return nil
}

// handleRODPassedOn marks the rows the page showed as passed on, as they
// stood then.
func (s *Server) handleRODPassedOn(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	shownAt, err := time.Parse(time.RFC3339Nano, c.PostForm("shown_at"))
	if err != nil {
		return fault.ErrMalformed
	}
	var ids []uuid.UUID
	for _, v := range c.PostFormArray("dossier") {
		id, err := uuid.Parse(v)
		if err != nil {
			return fault.ErrMalformed
		}
		ids = append(ids, id)
	}
	n, err := s.rod.MarkPassedOn(c, actorOf(c), lic.ID, ids, shownAt)
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/rod?doorgegeven=%d", lic.ID, n))
	return nil
}

func (s *Server) rodOps() []apiOp {
	const tag = "School: registratie ROD"
	return []apiOp{
		{Method: "GET", Path: "/licences/:licence/rod-registrations", Perm: auth.PermDossierRead, Handle: s.handleAPIROD, Tag: tag,
			ID: "listRODRegistrations", Summary: "The OPP registrations (begin and end date per OPP) changed after since, oldest change first, " +
				"for the LAS to pass on to the Register Onderwijsdeelnemers",
			Query: []apiQuery{{"since", "Alleen wat daarna veranderde (RFC 3339); leeg: alles."}, cursorQuery, limitQuery},
			Out: struct {
				Registrations []rodJSON `json:"registrations"`
				NextCursor    *string   `json:"next_cursor"`
			}{}},
		{Method: "PUT", Path: "/licences/:licence/pupils/:pupil/pgn", Perm: auth.PermPupilEnrol, Handle: s.handleAPIPGN, Tag: tag,
			ID: "setPupilPGN", Summary: "Keep the pupil's BSN or onderwijsnummer for the ROD registration (only when the school chose to keep " +
				"them; empty removes it). It is sealed and only ever shown in the ROD list and CSV", Body: pgnJSON{}, Status: http.StatusNoContent},
		{Method: "POST", Path: "/licences/:licence/rod-registrations/passed-on", Perm: auth.PermDossierManage, Handle: s.handleAPIRODPassedOn,
			Tag: tag, ID: "markRODPassedOn", Summary: "The LAS passed these on, as they stood at shown_at (the changed_at it read): a row changed after stays open",
			Body: rodPassedOnJSON{}, Out: struct {
				Marked int `json:"marked"`
			}{}},
	}
}

type rodJSON struct {
	DossierID  uuid.UUID  `json:"dossier_id"`
	PupilID    uuid.UUID  `json:"pupil_id"`
	LASKey     string     `json:"las_key" doc:"the pupil's key in the LAS"`
	PGN        string     `json:"pgn,omitempty" doc:"BSN or onderwijsnummer, only when the school keeps them"`
	BeginOn    string     `json:"begin_on" doc:"the OPP established (JJJJ-MM-DD)"`
	EndOn      *string    `json:"end_on" doc:"closed or the pupil left"`
	EndReason  *string    `json:"end_reason" enum:"closed|left"`
	Status     string     `json:"status" enum:"new|changed|to_end|passed_on"`
	ChangedAt  time.Time  `json:"changed_at"`
	PassedOnAt *time.Time `json:"passed_on_at"`
}

type pgnJSON struct {
	PGN string `json:"pgn" doc:"nine digits; empty removes it"`
}

func (s *Server) handleAPIPGN(c *gin.Context) error {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return err
	}
	var in pgnJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := s.rod.SetPGN(c, actorOf(c), lic.ID, pupilID, in.PGN); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

type rodPassedOnJSON struct {
	DossierIDs []uuid.UUID `json:"dossier_ids"`
	ShownAt    time.Time   `json:"shown_at" doc:"the latest changed_at of the rows passed on"`
}

func (s *Server) handleAPIROD(c *gin.Context) error {
	// The whole school's registrations: not for a teacher, who reads
	// only their own groups.
	if accessOf(c).Scope != auth.ScopeLicence {
		return fault.ErrNotFound
	}
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	var since time.Time
	if v := c.Query("since"); v != "" {
		if since, err = time.Parse(time.RFC3339Nano, v); err != nil {
			return fault.FieldErrors{"since": "Geef het moment als RFC 3339, bijvoorbeeld 2026-11-29T12:00:00Z."}
		}
	}
	afterAt, afterID, err := parseCursor(c.Query("cursor"))
	if err != nil {
		return err
	}
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	rows, more, err := s.rod.Since(c, actorOf(c), lic.ID, since, afterAt, afterID, limit)
	if err != nil {
		return err
	}
	out := make([]rodJSON, 0, len(rows))
	for _, r := range rows {
		j := rodJSON{DossierID: r.DossierID, PupilID: r.PupilID, LASKey: r.LasKey, PGN: s.rod.PGN(r.PgnSealed), BeginOn: r.BeginOn.Format(dateLayout), EndReason: r.EndReason,
			Status: r.Status, ChangedAt: r.ChangedAt, PassedOnAt: r.PassedOnAt}
		if r.EndOn != nil {
			e := r.EndOn.Format(dateLayout)
			j.EndOn = &e
		}
		out = append(out, j)
	}
	var next *string
	if more && len(rows) > 0 {
		cur := pageCursor(rows[len(rows)-1].ChangedAt, rows[len(rows)-1].DossierID)
		next = &cur
	}
	return writeJSON(c, http.StatusOK, gin.H{"registrations": out, "next_cursor": next})
}

func (s *Server) handleAPIRODPassedOn(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	var in rodPassedOnJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if len(in.DossierIDs) == 0 || in.ShownAt.IsZero() {
		return fault.FieldErrors{"dossier_ids": "Noem de dossiers die zijn doorgegeven, en shown_at: de laatste changed_at die u las."}
	}
	n, err := s.rod.MarkPassedOn(c, actorOf(c), lic.ID, in.DossierIDs, in.ShownAt)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, gin.H{"marked": n})
}
