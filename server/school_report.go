package server

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/documents"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/service"
	"github.com/topdossier/topdossier/workflows"
)

// The onderwijskundig rapport: made from the plan for the next school
// (WPO art. 42, WEC art. 43), with the parents' view, for the school and
// the parents.

// schoolReport puts a dossier into the report's Dutch words.
func (s *Server) schoolReport(c *gin.Context, lic platform.Licence, v service.DossierView) (documents.SchoolReport, error) {
	d := documents.SchoolReport{OPPDocument: s.oppDocument(lic.Name, schoolTypeOf(lic.SchoolType), principalOf(c).Name, v),
		EnrolledOn: v.Pupil.EnrolledOn, LeftOn: v.Pupil.LeftOn}
	if d.LeftOn == nil {
		d.LeftOn = v.Pupil.LeavingOn
	}
	var err error
	if d.Letterhead, err = s.licences.Letterhead(c, lic.ID); err != nil {
		return d, err
	}
	for _, t := range v.Tests {
		d.Tests = append(d.Tests, documents.LabelledText{Label: t.Instrument + " (" + t.TakenOn.Format("02-01-2006") + ")",
			Text: t.Score + " " + t.Level})
	}
	for i, g := range v.Growth {
		if i == 5 {
			break
		}
		d.Growth = append(d.Growth, documents.LabelledText{Label: g.OccurredOn.Format("02-01-2006") + " · " + growthKindLabels[g.Kind], Text: g.Body})
	}
	if v.Dossier.ParentsReportView != "" {
		d.ParentsView, d.ParentsViewAt = v.Dossier.ParentsReportView, v.Dossier.ParentsReportViewAt
	}
	return d, nil
}

func (s *Server) sendSchoolReport(c *gin.Context, d documents.SchoolReport) error {
	var buf bytes.Buffer
	if err := documents.RenderSchoolReportPDF(&buf, d); err != nil {
		return fmt.Errorf("render school report: %w", err)
	}
	name := fmt.Sprintf("Onderwijskundig rapport %s %s.pdf", d.Pupil, time.Now().In(s.location).Format("2006-01-02"))
	return download(c, name, "application/pdf", buf.Bytes())
}

// handleSchoolReportPDF is the school's report, logged as an export.
func (s *Server) handleSchoolReportPDF(c *gin.Context) error {
	lic, v, err := s.viewDossierAs(c, logbook.ActionExport, "school_report_pdf")
	if err != nil {
		return err
	}
	d, err := s.schoolReport(c, lic, v)
	if err != nil {
		return err
	}
	return s.sendSchoolReport(c, d)
}

// handlePortalSchoolReportPDF is the parents' copy (logged as an export).
func (s *Server) handlePortalSchoolReportPDF(c *gin.Context) error {
	lic, v, out, err := s.portalCopy(c, "school_report_pdf")
	if err != nil {
		return err
	}
	if out.Dossier == nil {
		return fault.ErrNotFound
	}
	d, err := s.schoolReport(c, lic, v)
	if err != nil {
		return err
	}
	return s.sendSchoolReport(c, d)
}

// handlePortalReportView stores the parents' view on the report.
func (s *Server) handlePortalReportView(c *gin.Context) error {
	licenceID, _ := uuidParam(c, "licence")
	pupilID, _ := uuidParam(c, "pupil")
	if err := parseForm(c); err != nil {
		return err
	}
	err := s.portal.SetReportView(c, portalActorOf(c), portalReader(c), licenceID, pupilID, c.PostForm("report_view"))
	if fields, ok := asFieldErrors(err); ok {
		return s.renderPortalPupil(c, http.StatusUnprocessableEntity, fields)
	}
	if err != nil {
		return err
	}
	// A transfer that waits for the parents carries the report with
	// their view from now on.
	if open, err := s.transfers.OpenOfPupil(c, licenceID, pupilID); err != nil {
		return err
	} else if open != nil && open.Status == workflows.TransferStepConsent {
		lic, err := s.schoolLicence(c)
		if err != nil {
			return err
		}
		report, err := s.schoolReportPDF(c, lic, pupilID, "TOP dossier, met de zienswijze van de ouders")
		if err != nil {
			return err
		}
		if err := s.transfers.SetReport(c, licenceID, pupilID, report); err != nil {
			return err
		}
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/ouder/%s/%s?rapport=1#rapport", licenceID, pupilID))
	return nil
}
