package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/las"
	"github.com/topdossier/topdossier/service"
	"github.com/topdossier/topdossier/workflows"
)

// The page "Gegevens uit de leerlingadministratie": upload an EDEXML
// export, see what it changes, apply it; the pupils the LAS no longer
// has; the teachers and their accounts; the nightly update. And the API
// a LAS posts its export to.

// Routes that take an export (larger than other bodies).
const (
	lasUploadRoute = "/licenties/:licence/leerlingadministratie/import"
	lasAPIRoute    = "/api/v1/licences/:licence/imports"
	lovsRoute      = "/licenties/:licence/leerlingadministratie/toetsen"
)

type lasPage struct {
	Licence  platform.Licence
	Overview service.LASOverview
	Folder   string
	Form     formState
	Notice   string
	Mapping  las.LOVSMapping
	LOVS     *service.LOVSSummary
}

// SourceLabel and StatusLabel say an import's source and status in Dutch.
func (lasPage) SourceLabel(v string) string {
	return map[string]string{"upload": "geüpload", "api": "via de koppeling", "cli": "via de beheeropdracht", "schedule": "nachtelijke update"}[v]
}

func (lasPage) StatusLabel(v string) string {
	return map[string]string{"preview": "wacht op bevestiging", "waiting": "wacht op een beheerder (boven de grens)", "applied": "verwerkt",
		"discarded": "terzijde gelegd", "refused": "geweigerd", "failed": "mislukt"}[v]
}

// AccountName is the name of a linked account.
func (p lasPage) AccountName(id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	for _, a := range p.Overview.Accounts {
		if a.UserID == *id {
			return a.Name + " (" + a.Email + ")"
		}
	}
	return "een account dat geen leerkracht meer is"
}

func (s *Server) handleLAS(c *gin.Context) error {
	return s.renderLAS(c, http.StatusOK, formState{})
}

func (s *Server) renderLAS(c *gin.Context, status int, form formState) error {
	return s.renderLASWith(c, status, form, nil)
}

func (s *Server) renderLASWith(c *gin.Context, status int, form formState, lovs *service.LOVSSummary) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	ov, err := s.las.Overview(c, actorOf(c), lic.ID)
	if err != nil {
		return err
	}
	mapping, err := s.las.LOVSMapping(c, lic.ID)
	if err != nil {
		return err
	}
	page := lasPage{Licence: lic, Overview: ov, Folder: s.las.Folder(lic.ID), Form: form, Mapping: mapping, LOVS: lovs}
	switch c.Query("klaar") {
	case "verwerkt":
		page.Notice = "De import is verwerkt."
	case "terzijde":
		page.Notice = "De import is terzijde gelegd; er is niets veranderd."
	case "uitgeschreven":
		page.Notice = "De leerling is uitgeschreven; de bewaartermijn loopt."
	case "gehouden":
		page.Notice = "De leerling blijft, ook al staat die niet meer in de leerlingadministratie."
	case "gekoppeld":
		page.Notice = "De koppeling is opgeslagen; de leerkracht ziet nu de leerlingen van de groepen uit de leerlingadministratie."
	case "opgeslagen":
		page.Notice = "De instellingen van de nachtelijke update zijn opgeslagen."
	case "gestart":
		page.Notice = "De update is gestart; ververs de pagina over een minuut."
	case "toetsen":
		page.Notice = c.Query("n") + " toetsuitslagen ingelezen."
	}
	s.render(c, status, "las", page)
	return nil
}

// readUpload reads the file field of a multipart form, at most max bytes.
func readUpload(c *gin.Context, field string, max int64) ([]byte, error) {
	if err := c.Request.ParseMultipartForm(max + 64<<10); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, err
		}
		return nil, fault.ErrMalformed
	}
	f, _, err := c.Request.FormFile(field)
	if err != nil {
		return nil, fault.FieldErrors{field: "Kies een bestand."}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	return data, nil
}

// lasImportParams resolves the :licence and :import path parameters.
func (s *Server) lasImportParams(c *gin.Context) (platform.Licence, uuid.UUID, error) {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return lic, uuid.Nil, err
	}
	id, err := uuidParam(c, "import")
	return lic, id, err
}

// lasAnswered ends a form of the LAS page: its field errors on the page as
// typed (422), another error as such, else back to the page with the
// message of done.
func (s *Server) lasAnswered(c *gin.Context, lic platform.Licence, err error, done string) error {
	if fields, ok := asFieldErrors(err); ok {
		return s.renderLAS(c, http.StatusUnprocessableEntity, sentForm(c, fields))
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingadministratie?klaar=%s", lic.ID, done))
	return nil
}

// handleLASUpload reads an uploaded export and shows what it changes.
func (s *Server) handleLASUpload(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	data, err := readUpload(c, "file", las.MaxFileSize)
	if err == nil {
		var imp service.LASImport
		imp, err = s.las.Stage(c, actorOf(c), lic.ID, service.LASSourceUpload, data)
		if err == nil {
			c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingadministratie/import/%s", lic.ID, imp.ID))
			return nil
		}
	}
	if fields, ok := asFieldErrors(err); ok {
		return s.renderLAS(c, http.StatusUnprocessableEntity, sentForm(c, fields))
	}
	return err
}

type lasImportPage struct {
	Licence platform.Licence
	Import  service.LASImport
	Stale   bool
	Form    formState
}

// StatusLabel says the import's status in Dutch.
func (lasImportPage) StatusLabel(v string) string { return lasPage{}.StatusLabel(v) }

// FieldLabel names a changed field in Dutch.
func (lasImportPage) FieldLabel(f string) string {
	return map[string]string{"given_name": "roepnaam", "name_infix": "tussenvoegsel", "family_name": "achternaam",
		"birth_date": "geboortedatum", "group_name": "groep", "year_group": "jaargroep", "eckid": "eckid", "las_key": "leerlingnummer"}[f]
}

// ChangeLabel says a group's or teacher's change in Dutch.
func (lasImportPage) ChangeLabel(v string) string {
	return map[string]string{"new": "nieuw", "renamed": "andere naam", "gone": "niet meer in het bestand", "groups": "andere groepen",
		"linked": "gekoppeld", "same": "ongewijzigd"}[v]
}

// Percent is the share of pupils leaving, rounded.
func (lasImportPage) Percent(p *las.Preview) string {
	return strconv.Itoa(int(p.Leaving()*100+0.5)) + "%"
}

func (s *Server) handleLASImport(c *gin.Context) error {
	return s.renderLASImport(c, http.StatusOK, false, formState{})
}

func (s *Server) renderLASImport(c *gin.Context, status int, stale bool, form formState) error {
	lic, id, err := s.lasImportParams(c)
	if err != nil {
		return err
	}
	imp, err := s.las.Get(c, lic.ID, id)
	if err != nil {
		return err
	}
	s.render(c, status, "las_import", lasImportPage{Licence: lic, Import: imp, Stale: stale, Form: form})
	return nil
}

// handleLASApply applies the import as the page showed it.
func (s *Server) handleLASApply(c *gin.Context) error {
	lic, id, err := s.lasImportParams(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	links := map[string]uuid.UUID{}
	for _, v := range c.PostFormArray("link") {
		// key:pupil id; a key may hold a colon, an id does not.
		at := strings.LastIndex(v, ":")
		if at < 0 {
			return fault.ErrMalformed
		}
		id, err := uuid.Parse(v[at+1:])
		if err != nil {
			return fault.ErrMalformed
		}
		links[v[:at]] = id
	}
	_, err = s.las.Apply(c, actorOf(c), lic.ID, id, c.PostForm("digest"), links)
	if errors.Is(err, service.ErrLASStale) {
		return s.renderLASImport(c, http.StatusConflict, true, formState{})
	}
	if fields, ok := asFieldErrors(err); ok {
		return s.renderLASImport(c, http.StatusUnprocessableEntity, false, sentForm(c, fields))
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingadministratie?klaar=verwerkt", lic.ID))
	return nil
}

func (s *Server) handleLASDiscard(c *gin.Context) error {
	lic, id, err := s.lasImportParams(c)
	if err != nil {
		return err
	}
	err = s.las.Discard(c, actorOf(c), lic.ID, id)
	if fields, ok := asFieldErrors(err); ok {
		return s.renderLASImport(c, http.StatusUnprocessableEntity, false, sentForm(c, fields))
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingadministratie?klaar=terzijde", lic.ID))
	return nil
}

// handleLASMissing is the school's answer for a pupil the LAS no longer
// has: leave (retention starts) or keep.
func (s *Server) handleLASMissing(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	pupilID, err := uuidParam(c, "pupil")
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	done := "gehouden"
	switch c.PostForm("answer") {
	case "leave":
		err, done = s.las.ConfirmLeaving(c, actorOf(c), lic.ID, pupilID, requestIDOf(c)), "uitgeschreven"
	case "keep":
		err = s.las.KeepPupil(c, actorOf(c), lic.ID, pupilID)
	default:
		return fault.ErrMalformed
	}
	return s.lasAnswered(c, lic, err, done)
}

// handleLASLink links a teacher of the LAS to an account.
func (s *Server) handleLASLink(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	var user *uuid.UUID
	if v := c.PostForm("user_id"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			return fault.ErrMalformed
		}
		user = &id
	}
	err = s.las.LinkTeacher(c, actorOf(c), lic.ID, c.PostForm("key"), user)
	return s.lasAnswered(c, lic, err, "gekoppeld")
}

// handleLASSetting stores the nightly update's settings.
func (s *Server) handleLASSetting(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	pct, perr := strconv.Atoi(strings.TrimSpace(c.PostForm("max_leaving_percent")))
	hour, herr := strconv.Atoi(strings.TrimSpace(c.PostForm("hour")))
	if perr != nil {
		pct = -1
	}
	if herr != nil {
		hour = -1
	}
	err = s.las.SaveSetting(c, actorOf(c), lic.ID, service.LASSettingForm{Source: c.PostForm("source"), URL: c.PostForm("url"),
		ClientCert: c.PostForm("client_cert"), ClientKey: c.PostForm("client_key"), MaxLeavingPercent: pct, Hour: hour})
	return s.lasAnswered(c, lic, err, "opgeslagen")
}

// handleLASRunNow runs the nightly update now.
func (s *Server) handleLASRunNow(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	if err := workflows.TriggerLASSchedule(c, s.temporal, lic.ID.String()); err != nil {
		return s.renderLAS(c, http.StatusUnprocessableEntity, sentForm(c, fault.FieldErrors{"source": "Stel eerst in waar de export vandaan komt."}))
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingadministratie?klaar=gestart", lic.ID))
	return nil
}

// handleLOVS reads the test results of the pupil-tracking system by the
// mapping on the form (remembered for the next time) and shows what was
// stored and which pupils are unknown.
func (s *Server) handleLOVS(c *gin.Context) error {
	data, err := readUpload(c, "lovs", las.MaxLOVSSize)
	if err == nil {
		lic, lerr := s.schoolLicence(c)
		if lerr != nil {
			return lerr
		}
		var sum service.LOVSSummary
		sum, err = s.las.ImportLOVS(c, actorOf(c), lic.ID, data, las.LOVSMapping{Key: c.PostForm("key"), Test: c.PostForm("test"),
			Date: c.PostForm("date"), Score: c.PostForm("score"), Level: c.PostForm("level")})
		if err == nil {
			return s.renderLASWith(c, http.StatusOK, formState{}, &sum)
		}
	}
	if fields, ok := asFieldErrors(err); ok {
		return s.renderLAS(c, http.StatusUnprocessableEntity, sentForm(c, fields))
	}
	return err
}

// The API: a LAS posts its export, reads the preview and applies it.

type lasImportJSON struct {
	ID      uuid.UUID    `json:"id"`
	Status  string       `json:"status" enum:"preview|waiting|applied|discarded|refused|failed"`
	Source  string       `json:"source" enum:"upload|api|cli|schedule"`
	Message string       `json:"message"`
	Digest  string       `json:"digest" doc:"send it back to apply exactly this preview"`
	Preview *las.Preview `json:"preview"`
}

type lasApplyJSON struct {
	Digest string `json:"digest" doc:"the digest of the preview being applied"`
	// Links are the new pupils of the file that are pupils typed in
	// before without a LAS key (the preview's similar ones), as confirmed.
	Links []lasLinkJSON `json:"links,omitempty" doc:"new pupils that are a pupil typed in before (from the preview's similar list)"`
}

type lasLinkJSON struct {
	Key     string    `json:"key" doc:"the LAS key in the file"`
	PupilID uuid.UUID `json:"pupil_id" doc:"the pupil typed in before"`
}

func (s *Server) lasOps() []apiOp {
	const tag = "School: leerlingadministratie"
	return []apiOp{
		{Method: "POST", Path: "/licences/:licence/pupils/:pupil/guardians", Perm: auth.PermPupilEnrol, Handle: s.handleAPIGuardianAdd,
			Tag: tag, ID: "addGuardian", Summary: "Add a parent or carer to a pupil (a pupil from the LAS comes without them); " +
				"they join the open dossier's participants", Body: service.GuardianInput{}, Out: guardianJSON{}, Status: http.StatusCreated},
		{Method: "POST", Path: "/licences/:licence/imports", Perm: auth.PermLASImport, Handle: s.handleAPILASImport, Tag: tag,
			ID: "createImport", Summary: "Post an EDEXML 2.0 or 2.1 export (Content-Type application/xml): it is checked against the schema " +
				"and compared with the school's pupils, groups and teachers; nothing changes until it is applied",
			XMLBody: true, Out: lasImportJSON{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/licences/:licence/imports/:import", Perm: auth.PermLASImport, Handle: s.handleAPILASGet, Tag: tag,
			ID: "getImport", Summary: "An import with its preview", Out: lasImportJSON{}},
		{Method: "POST", Path: "/licences/:licence/imports/:import/apply", Perm: auth.PermLASImport, Handle: s.handleAPILASApply, Tag: tag,
			ID: "applyImport", Summary: "Apply the import as previewed (its digest), in one transaction; 409 with the new preview when the " +
				"school's data changed since", Body: lasApplyJSON{}, Out: lasImportJSON{}},
	}
}

func importJSON(imp service.LASImport) lasImportJSON {
	return lasImportJSON{ID: imp.ID, Status: imp.Status, Source: imp.Source, Message: imp.Message, Digest: imp.Digest, Preview: imp.Preview}
}

func (s *Server) handleAPILASImport(c *gin.Context) error {
	lic, err := s.schoolLicence(c)
	if err != nil {
		return err
	}
	if ct := c.ContentType(); ct != "application/xml" && ct != "text/xml" {
		return fault.FieldErrors{"body": "Stuur het EDEXML-bestand als application/xml."}
	}
	data, err := io.ReadAll(io.LimitReader(c.Request.Body, las.MaxFileSize+1))
	if err != nil {
		return err
	}
	imp, err := s.las.Stage(c, actorOf(c), lic.ID, service.LASSourceAPI, data)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, importJSON(imp))
	return nil
}

func (s *Server) handleAPILASGet(c *gin.Context) error {
	lic, id, err := s.lasImportParams(c)
	if err != nil {
		return err
	}
	imp, err := s.las.Get(c, lic.ID, id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, importJSON(imp))
	return nil
}

func (s *Server) handleAPILASApply(c *gin.Context) error {
	lic, id, err := s.lasImportParams(c)
	if err != nil {
		return err
	}
	var body lasApplyJSON
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	links := map[string]uuid.UUID{}
	for _, l := range body.Links {
		links[l.Key] = l.PupilID
	}
	_, err = s.las.Apply(c, actorOf(c), lic.ID, id, body.Digest, links)
	if err != nil && !errors.Is(err, service.ErrLASStale) {
		return err
	}
	imp, gerr := s.las.Get(c, lic.ID, id)
	if gerr != nil {
		return gerr
	}
	if err != nil {
		c.JSON(http.StatusConflict, importJSON(imp))
		return nil
	}
	c.JSON(http.StatusOK, importJSON(imp))
	return nil
}
