package server

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/oso"
	"github.com/topdossier/topdossier/service"
)

// OSO dossiers with schools and SWVs outside the platform: the export of
// a pupil's dossier (on the transfer page) and the import of a received
// one (page OSO-dossier inlezen).

const (
	osoUploadRoute = "/licenties/:licence/oso"
	osoAPIRoute    = "/api/v1/licences/:licence/oso-imports"
)

// handleOSOExport is the pupil's OSO dossier as a download.
func (s *Server) handleOSOExport(c *gin.Context) error {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	data, name, err := s.oso.Export(c, actorOf(c), lic, pupilID, service.OSOExportForm{Overstap: c.PostForm("overstap"),
		OptOut: c.PostFormArray("opt_out"), Attachments: c.PostFormArray("oso_attachment")})
	if fields, ok := asFieldErrors(err); ok {
		return s.renderTransfer(c, http.StatusUnprocessableEntity, fields)
	}
	if err != nil {
		return err
	}
	return download(c, name, "application/xml; charset=utf-8", data)
}

type osoPage struct {
	Licence platform.Licence
	Import  *service.OSOImport
	Form    formState
	Errors  fault.FieldErrors
}

// CategoryLabel names a category in Dutch.
func (osoPage) CategoryLabel(c string) string { return oso.CategoryLabel(c) }

// KindLabel names a plan's kind in Dutch.
func (osoPage) KindLabel(k string) string { return osoPlanKinds[k] }

var osoPlanKinds = map[string]string{"onderwijsbehoeften": "Toelichting onderwijsbehoeften", "diagnose": "Diagnose",
	"handelingsplan": "Handelingsplan", "opp": "OPP", "tlv": "Toelaatbaarheidsverklaring", "arrangement": "Arrangement"}

func (s *Server) handleOSO(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "oso", osoPage{Licence: lic})
	return nil
}

// handleOSOUpload stages a received dossier and shows what it would
// store; a file with problems is refused with every problem, nothing kept.
func (s *Server) handleOSOUpload(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	data, err := readUpload(c, "file", oso.MaxFileSize)
	if err == nil {
		var imp service.OSOImport
		if imp, err = s.oso.Stage(c, actorOf(c), lic.ID, data); err == nil {
			c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/oso/%s", lic.ID, imp.ID))
			return nil
		}
	}
	if fields, ok := asFieldErrors(err); ok {
		s.render(c, http.StatusUnprocessableEntity, "oso", osoPage{Licence: lic, Errors: fields, Form: sentForm(c, fields)})
		return nil
	}
	return err
}

func (s *Server) handleOSOImport(c *gin.Context) error {
	lic, id, err := s.osoImportParams(c)
	if err != nil {
		return err
	}
	imp, err := s.oso.Get(c, lic.ID, id)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "oso", osoPage{Licence: lic, Import: &imp})
	return nil
}

// osoImportParams are the licence and the OSO import in the path.
func (s *Server) osoImportParams(c *gin.Context) (platform.Licence, uuid.UUID, error) {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return lic, uuid.Nil, err
	}
	id, err := uuidParam(c, "import")
	return lic, id, err
}

// handleOSOApply stores the import as previewed and shows the new pupil.
func (s *Server) handleOSOApply(c *gin.Context) error {
	lic, id, err := s.osoImportParams(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	pupilID, err := s.oso.Apply(c, actorOf(c), lic, id, c.PostForm("digest"))
	if fields, ok := asFieldErrors(err); ok {
		imp, gerr := s.oso.Get(c, lic.ID, id)
		if gerr != nil {
			return gerr
		}
		s.render(c, http.StatusConflict, "oso", osoPage{Licence: lic, Import: &imp, Errors: fields})
		return nil
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingen/%s/dossier?melding=overgedragen", lic.ID, pupilID))
	return nil
}

func (s *Server) handleOSODiscard(c *gin.Context) error {
	lic, id, err := s.osoImportParams(c)
	if err != nil {
		return err
	}
	if err := s.oso.Discard(c, actorOf(c), lic.ID, id); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/oso", lic.ID))
	return nil
}

// The OSO exchange in the API.

type osoApplyJSON struct {
	Digest string `json:"digest"`
}

type osoAppliedJSON struct {
	PupilID uuid.UUID `json:"pupil_id"`
}

func (s *Server) osoOps() []apiOp {
	const tag = "School: OSO"
	return []apiOp{
		{Method: "GET", Path: "/licences/:licence/pupils/:pupil/oso", Perm: auth.PermDossierManage, Handle: s.handleAPIOSOExport, Tag: tag,
			ID: "exportOSO", Summary: "The pupil's OSO 2019.1 dossier (application/xml): overstap POPO, POVO, VOVO (overstapdossier) or POSWV, " +
				"VOSWV (to the SWV); opt_out lists the optional categories the parents opted out of; attachment the attachment ids that go. " +
				"Validated against the schema before it leaves",
			Binary: true, Query: []apiQuery{{"overstap", "POPO, POVO, VOVO, POSWV of VOSWV."},
				{"opt_out", "Optionele categorieën waarvoor de ouders opt-out kozen, met komma's (bijv. toetsresultaten,bijlagedocs)."},
				{"attachment", "Id van een bijlage die mee mag (herhaalbaar)."}}},
		{Method: "POST", Path: "/licences/:licence/oso-imports", Perm: auth.PermPupilEnrol, Handle: s.handleAPIOSOStage, Tag: tag,
			ID: "createOSOImport", Summary: "Post a received OSO 2019.1 dossier (Content-Type application/xml): it is checked against the " +
				"schema and the profile's rules and previewed; nothing is stored as a pupil until it is applied",
			XMLBody: true, Out: service.OSOImport{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/licences/:licence/oso-imports/:import", Perm: auth.PermPupilEnrol, Handle: s.handleAPIOSOGet, Tag: tag,
			ID: "getOSOImport", Summary: "An OSO import with its preview", Out: service.OSOImport{}},
		{Method: "POST", Path: "/licences/:licence/oso-imports/:import/apply", Perm: auth.PermPupilEnrol, Handle: s.handleAPIOSOApply, Tag: tag,
			ID: "applyOSOImport", Summary: "Store the import as previewed (its digest) in one transaction: a pupil with a dossier whose " +
				"history is the file's plan", Body: osoApplyJSON{}, Out: osoAppliedJSON{}},
	}
}

func (s *Server) handleAPIOSOExport(c *gin.Context) error {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return err
	}
	var optOut []string
	for _, v := range c.QueryArray("opt_out") {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				optOut = append(optOut, p)
			}
		}
	}
	data, name, err := s.oso.Export(c, actorOf(c), lic, pupilID, service.OSOExportForm{Overstap: c.Query("overstap"), OptOut: optOut,
		Attachments: c.QueryArray("attachment")})
	if err != nil {
		return err
	}
	return download(c, name, "application/xml; charset=utf-8", data)
}

func (s *Server) handleAPIOSOStage(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	if ct := c.ContentType(); ct != "application/xml" && ct != "text/xml" {
		return fault.FieldErrors{"body": "Stuur het OSO-dossier als application/xml."}
	}
	data, err := io.ReadAll(io.LimitReader(c.Request.Body, oso.MaxFileSize+1))
	if err != nil {
		return err
	}
	imp, err := s.oso.Stage(c, actorOf(c), lic.ID, data)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusCreated, imp)
}

func (s *Server) handleAPIOSOGet(c *gin.Context) error {
	lic, id, err := s.osoImportParams(c)
	if err != nil {
		return err
	}
	imp, err := s.oso.Get(c, lic.ID, id)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, imp)
}

func (s *Server) handleAPIOSOApply(c *gin.Context) error {
	lic, id, err := s.osoImportParams(c)
	if err != nil {
		return err
	}
	var in osoApplyJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	pupilID, err := s.oso.Apply(c, actorOf(c), lic, id, in.Digest)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, osoAppliedJSON{PupilID: pupilID})
}
