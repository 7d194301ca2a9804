package service

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"net/http"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/fault"
)

// MaxAttachmentBytes is the largest attachment: 10 MB.
const MaxAttachmentBytes = 10 << 20

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

// bidi reports whether r is a bidirectional control (U+061C, U+200E–F,
// U+202A–E, U+2066–9): in a file name they make "gpj.exe" read as
// "exe.jpg".
func bidi(r rune) bool {
	return r == 0x061c || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// cleanFileName keeps a readable base name without paths or control
// characters.
func cleanFileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || bidi(r) || r == '"' || r == '/' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if r := []rune(name); len(r) > 150 {
		// Keep the extension when it is one (a long "extension" is just
		// part of the name: it made this a 500, found by FuzzCleanFileName).
		ext := []rune(filepath.Ext(name))
		if len(ext) > 10 {
			ext = nil
		}
		name = string(r[:150-len(ext)]) + string(ext)
	}
	return name
}

// AddAttachment adds a file to the dossier. The type is decided from the
// bytes (PDF, Word docx, JPG, PNG) and must match the name's extension;
// the name is cleaned of paths and control characters.
func (s *Dossiers) AddAttachment(ctx context.Context, actor Actor, licenceID uuid.UUID, d school.Dossier, fileName string, content []byte) error {
	switch {
	case len(content) > MaxAttachmentBytes:
		return fault.FieldErrors{"file": "Dit bestand is groter dan 10 MB."}
	case len(content) == 0:
		return fault.FieldErrors{"file": "Dit bestand is leeg."}
	}
	contentType, ok := sniffAttachment(content)
	name := cleanFileName(fileName)
	extOK := false
	for _, ext := range attachmentTypes[contentType] {
		extOK = extOK || strings.EqualFold(filepath.Ext(name), ext)
	}
	if !ok || !extOK || len([]rune(name)) == 0 {
		return fault.FieldErrors{"file": "Alleen PDF, Word (docx), JPG en PNG kunnen worden toegevoegd, met de juiste extensie."}
	}
	sum := sha256.Sum256(content)
	uid := actor.UserID
	return writeOfPupil(ctx, s.tenants, licenceID, d.PupilID, func(tx pgx.Tx) error {
		a, err := school.New(tx).AddAttachment(ctx, school.AddAttachmentParams{DossierID: d.ID, FileName: name,
			ContentType: contentType, SizeBytes: int32(len(content)), Sha256: sum[:], Content: content, UploadedBy: &uid})
		if err != nil {
			return err
		}
		e := actor.entry(ctx, d.PupilID, logbook.ActionCreate, "attachment")
		e.EntityID = a.ID.String()
		return logbook.Append(ctx, tx, e)
	})
}

// Attachment reads an attachment of the pupil's current dossier, with the
// logbook line of its download.
func (s *Dossiers) Attachment(ctx context.Context, actor Actor, licenceID, pupilID, id uuid.UUID) (school.Attachment, error) {
	var a school.Attachment
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			d, err := q.CurrentDossierOfPupil(ctx, pupilID)
			if err != nil {
				return db.Classify(err)
			}
			if a, err = q.GetAttachment(ctx, school.GetAttachmentParams{ID: id, DossierID: d.ID}); err != nil {
				return db.Classify(err)
			}
			e := actor.entry(ctx, pupilID, logbook.ActionExport, "attachment")
			e.EntityID = a.ID.String()
			return logbook.Append(ctx, tx, e)
		})
	})
	return a, err
}
