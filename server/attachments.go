package server

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/documents"
	"github.com/topdossier/topdossier/fault"
)

// maxAttachmentBytes is the largest attachment: 10 MB.
const maxAttachmentBytes = 10 << 20

const docxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

// attachmentTypes maps the allowed file types, as found in the content,
// to the extensions a name may carry.
var attachmentTypes = map[string][]string{
	"application/pdf": {".pdf"},
	"image/jpeg":      {".jpg", ".jpeg"},
	"image/png":       {".png"},
	docxType:          {".docx"},
}

// sniffAttachment decides the type from the bytes, never from the name or
// the browser's claim: PDF, JPEG and PNG by their signatures, DOCX as a
// zip that holds a Word document.
func sniffAttachment(content []byte) (string, bool) {
	switch t := http.DetectContentType(content); t {
	case "application/pdf", "image/jpeg", "image/png":
		return t, true
	case "application/zip":
		zr, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
		if err != nil {
			return "", false
		}
		var types, document bool
		for _, f := range zr.File {
			types = types || f.Name == "[Content_Types].xml"
			document = document || f.Name == "word/document.xml"
		}
		return docxType, types && document
	}
	return "", false
}

// cleanFileName keeps a readable base name without paths or control
// characters.
func cleanFileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || r == '/' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if r := []rune(name); len(r) > 150 {
		ext := filepath.Ext(name)
		name = string(r[:150-len([]rune(ext))]) + ext
	}
	return name
}

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
	contentType, ok := sniffAttachment(content)
	name := cleanFileName(fh.Filename)
	extOK := false
	for _, ext := range attachmentTypes[contentType] {
		extOK = extOK || strings.EqualFold(filepath.Ext(name), ext)
	}
	if !ok || !extOK || len([]rune(name)) == 0 {
		return fail("Alleen PDF, Word (docx), JPG en PNG kunnen worden toegevoegd, met de juiste extensie.")
	}
	sum := sha256.Sum256(content)
	uid := principalOf(c).UserID
	err = s.tenants.With(c, lic.ID, func(pool *pgxpool.Pool) error {
		return db.InTx(c, pool, func(tx pgx.Tx) error {
			a, err := school.New(tx).AddAttachment(c, school.AddAttachmentParams{DossierID: d.ID, FileName: name,
				ContentType: contentType, SizeBytes: int32(len(content)), Sha256: sum[:], Content: content, UploadedBy: &uid})
			if err != nil {
				return err
			}
			e := s.entry(c, d.PupilID, logbook.ActionCreate, "attachment")
			e.EntityID = a.ID.String()
			return logbook.Append(c, tx, e)
		})
	})
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, dossierURL(lic.ID, d.PupilID)+"#bijlagen")
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
	var a school.Attachment
	err = s.tenants.With(c, lic.ID, func(pool *pgxpool.Pool) error {
		return db.InTx(c, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			d, err := q.CurrentDossierOfPupil(c, pupilID)
			if err != nil {
				return db.Classify(err)
			}
			if a, err = q.GetAttachment(c, school.GetAttachmentParams{ID: id, DossierID: d.ID}); err != nil {
				return db.Classify(err)
			}
			e := s.entry(c, pupilID, logbook.ActionExport, "attachment")
			e.EntityID = a.ID.String()
			return logbook.Append(c, tx, e)
		})
	})
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.FileName}))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Content-Security-Policy", "default-src 'none'; sandbox")
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, a.ContentType, a.Content)
	return nil
}

// handleDossierPDF renders the OPP of the current dossier as PDF, logged
// as an export.
func (s *Server) handleDossierPDF(c *gin.Context) error {
	lic, v, err := s.viewDossierAs(c, logbook.ActionExport, "opp_pdf")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := documents.RenderOPPPDF(&buf, s.oppDocument(lic.Name, schoolTypeOf(lic.SchoolType), principalOf(c).Name, v)); err != nil {
		return fmt.Errorf("render opp pdf: %w", err)
	}
	name := fmt.Sprintf("OPP %s %s.pdf", fullName(v.Pupil), v.Dossier.StartedOn.Format("2006-01-02"))
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/pdf", buf.Bytes())
	return nil
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
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/pdf", buf.Bytes())
	return nil
}
