package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/documents"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/service"
)

// maxAttachmentBytes is the largest attachment: 10 MB.
const maxAttachmentBytes = service.MaxAttachmentBytes

func (s *Server) handleDossierAttachmentUpload(c *gin.Context) error {
	lic, d, err := s.openDossier(c)
	if err != nil {
		return err
	}
	fail := func(msg string) error {
		return s.rerender(c, http.StatusUnprocessableEntity, lic, d.PupilID, func(p *dossierPage) {
			p.Section, p.Errors = "attachments", fault.FieldErrors{"file": msg}
		})
	}
	fh, err := c.FormFile("file")
	var maxBytes *http.MaxBytesError
	switch {
	case errors.As(err, &maxBytes):
		return fail("Dit bestand is groter dan 10 MB.")
	case err != nil:
		return fail("Kies een bestand om toe te voegen.")
	case fh.Size > maxAttachmentBytes:
		return fail("Dit bestand is groter dan 10 MB.")
	case fh.Size == 0:
		return fail("Dit bestand is leeg.")
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	content, err := io.ReadAll(io.LimitReader(f, maxAttachmentBytes+1))
	if err != nil {
		return err
	}
	if len(content) > maxAttachmentBytes {
		return fail("Dit bestand is groter dan 10 MB.")
	}
	err = s.dossiers.AddAttachment(c, actorOf(c), lic.ID, d, fh.Filename, content)
	if fields, ok := asFieldErrors(err); ok {
		return fail(fields["file"])
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, dossierURL(lic.ID, d.PupilID)+"?melding=attachments#bijlagen")
	return nil
}

// handleDossierAttachmentDownload sends a file as a download, never to be
// shown inline, with its download in the logbook.
func (s *Server) handleDossierAttachmentDownload(c *gin.Context) error {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return err
	}
	id, err := uuidParam(c, "attachment")
	if err != nil {
		return err
	}
	a, err := s.dossiers.Attachment(c, actorOf(c), lic.ID, pupilID, id)
	if err != nil {
		return err
	}
	serveAttachment(c, a)
	return nil
}

// serveAttachment sends a dossier's attachment as a download that the
// browser never renders as a page (sandboxed, not sniffed, not cached).
func serveAttachment(c *gin.Context, a school.Attachment) {
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.FileName}))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Content-Security-Policy", "default-src 'none'; sandbox")
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, a.ContentType, a.Content)
}

// handleDossierPDF renders the OPP of the current dossier as PDF, logged
// as an export.
func (s *Server) handleDossierPDF(c *gin.Context) error {
	lic, v, err := s.viewDossierAs(c, logbook.ActionExport, "opp_pdf")
	if err != nil {
		return err
	}
	doc := s.oppDocument(lic.Name, schoolTypeOf(lic.SchoolType), principalOf(c).Name, v)
	if doc.Letterhead, err = s.licences.Letterhead(c, lic.ID); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := documents.RenderOPPPDF(&buf, doc); err != nil {
		return fmt.Errorf("render opp pdf: %w", err)
	}
	name := fmt.Sprintf("OPP %s %s.pdf", fullName(v.Pupil), v.Dossier.StartedOn.Format("2006-01-02"))
	return download(c, name, "application/pdf", buf.Bytes())
}

// handleDossierConsentPDF renders the instemmingsverklaring of the last
// version's consent round, logged as an export.
func (s *Server) handleDossierConsentPDF(c *gin.Context) error {
	lic, v, err := s.viewDossierAs(c, logbook.ActionExport, "consent_pdf")
	if err != nil {
		return err
	}
	if v.Consent == nil || v.ActionPart == nil {
		return fault.ErrNotFound
	}
	r := v.Consent.Round
	d := documents.ConsentDeclaration{School: lic.Name, Pupil: fullName(v.Pupil), BirthDate: v.Pupil.BirthDate,
		Version: r.ActionPartNumber, FrozenAt: v.ActionPart.FrozenAt, Outcome: roundLabels[r.Status], StartedAt: r.StartedAt,
		DeadlineAt: r.DeadlineAt, ClosedAt: r.ClosedAt, Generated: time.Now(), GeneratedBy: principalOf(c).Name, Location: s.location}
	if d.Letterhead, err = s.licences.Letterhead(c, lic.ID); err != nil {
		return err
	}
	for _, p := range v.Consent.Parties {
		role := "geeft toestemming voor delen"
		if p.Decides {
			role = "beslist over het handelingsdeel"
		}
		if p.Removed {
			role = "niet meer gevraagd (leeftijd leerling)"
		}
		d.Parties = append(d.Parties, documents.LabelledText{Label: p.Name, Text: role})
	}
	for _, resp := range v.Consent.Responses {
		line := documents.ConsentDeclarationLine{At: resp.At, Party: v.Consent.Name(resp.PartyKey), Answer: answerLabels[resp.Answer],
			Remark: resp.Remark}
		if resp.Channel == "school" {
			line.Channel = "vastgelegd door de school"
		}
		d.Lines = append(d.Lines, line)
	}
	var buf bytes.Buffer
	if err := documents.RenderConsentPDF(&buf, d); err != nil {
		return fmt.Errorf("render consent pdf: %w", err)
	}
	name := fmt.Sprintf("Instemmingsverklaring %s versie %d.pdf", fullName(v.Pupil), r.ActionPartNumber)
	return download(c, name, "application/pdf", buf.Bytes())
}

// download answers a file the browser saves as name, never cached: a
// pupil's document.
func download(c *gin.Context, name, contentType string, body []byte) error {
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, contentType, body)
	return nil
}
