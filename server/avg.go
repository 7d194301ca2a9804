package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/activities"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
)

// avgCopy is the machine-readable copy of what the school keeps about a
// pupil (AVG art. 15 and 20): the record, the guardians, the dossier of
// the current cycle with its timeline, tests, frozen versions, consent
// rounds, requests to the SWV, the attachments by name, and who looked.
type avgCopy struct {
	Generated   time.Time                   `json:"generated"`
	School      string                      `json:"school"`
	Pupil       school.Pupil                `json:"pupil"`
	Guardians   []school.Guardian           `json:"guardians"`
	Dossier     *school.Dossier             `json:"dossier,omitempty"`
	Content     *activities.Content         `json:"content,omitempty"`
	Growth      []school.GrowthEntry        `json:"growth,omitempty"`
	Tests       []school.TestResult         `json:"tests,omitempty"`
	ActionPart  *school.ActionPartVersion   `json:"action_part,omitempty"`
	Consent     *consentView                `json:"consent,omitempty"`
	Requests    []school.SwvRequest         `json:"requests,omitempty"`
	Attachments []school.ListAttachmentsRow `json:"attachments,omitempty"`
	Logbook     []logbookRow                `json:"logbook"`
}

// portalCopy gathers the copy for the reader of the portal (guardians
// with parental authority, or the pupil from the share age) and logs the
// export.
func (s *Server) portalCopy(c *gin.Context, entity string) (platform.Licence, dossierView, avgCopy, error) {
	var out avgCopy
	u := c.MustGet(portalKey).(portalUser)
	if !u.CanAnswer {
		return platform.Licence{}, dossierView{}, out, db.ErrNotFound // a guardian without authority reads, has no AVG rights over the child
	}
	licenceID, _ := uuidParam(c, "licence")
	pupilID, _ := uuidParam(c, "pupil")
	lic, err := platform.New(s.tenants.Platform()).GetLicence(c, licenceID)
	if err != nil {
		return lic, dossierView{}, out, db.Classify(err)
	}
	v, err := s.loadDossier(c, licenceID, pupilID)
	hasDossier := err == nil
	if err != nil && v.Pupil.ID.String() != pupilID.String() {
		return lic, v, out, err
	}
	out = avgCopy{Generated: time.Now().UTC(), School: lic.Name, Pupil: v.Pupil, Guardians: v.Guardians}
	if hasDossier {
		out.Dossier, out.Content, out.Growth, out.Tests = &v.Dossier, &v.Content, v.Growth, v.Tests
		out.ActionPart, out.Consent, out.Requests, out.Attachments = v.ActionPart, v.Consent, v.Requests, v.Attachments
	}
	var rows []school.Logbook
	err = s.tenants.With(c, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(c, pool, func(tx pgx.Tx) error {
			var err error
			if rows, err = school.New(tx).ListLogbookForPupil(c, &pupilID); err != nil {
				return err
			}
			return logbook.Append(c, tx, s.portalEntry(c, pupilID, logbook.ActionExport, entity))
		})
	})
	if err != nil {
		return lic, v, out, err
	}
	if out.Logbook, err = s.logbookRows(c, rows); err != nil {
		return lic, v, out, err
	}
	if !hasDossier {
		v.Pupil = out.Pupil
	}
	return lic, v, out, nil
}

// handlePortalCopyJSON: the whole copy as JSON, to keep or take elsewhere.
func (s *Server) handlePortalCopyJSON(c *gin.Context) error {
	_, _, out, err := s.portalCopy(c, "avg_copy_json")
	if err != nil {
		return err
	}
	body, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	name := fmt.Sprintf("gegevens %s %s.json", fullName(out.Pupil), out.Generated.Format("2006-01-02"))
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/json", body)
	return nil
}

// handlePortalCopyPDF: the plan as the school keeps it, as PDF.
func (s *Server) handlePortalCopyPDF(c *gin.Context) error {
	lic, v, out, err := s.portalCopy(c, "avg_copy_pdf")
	if err != nil {
		return err
	}
	if out.Dossier == nil {
		return db.ErrNotFound
	}
	var buf bytes.Buffer
	if err := activities.RenderOPPPDF(&buf, s.oppDocument(lic.Name, schoolTypeOf(lic.SchoolType), principalOf(c).Name, v)); err != nil {
		return fmt.Errorf("render opp pdf: %w", err)
	}
	name := fmt.Sprintf("OPP %s %s.pdf", fullName(v.Pupil), out.Generated.Format("2006-01-02"))
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/pdf", buf.Bytes())
	return nil
}
