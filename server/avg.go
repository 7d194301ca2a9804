package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/documents"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/service"
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
	Content     *plan.Content               `json:"content,omitempty"`
	Growth      []school.GrowthEntry        `json:"growth,omitempty"`
	Tests       []school.TestResult         `json:"tests,omitempty"`
	ActionPart  *school.ActionPartVersion   `json:"action_part,omitempty"`
	Consent     *service.ConsentView        `json:"consent,omitempty"`
	Requests    []school.SwvRequest         `json:"requests,omitempty"`
	Attachments []school.ListAttachmentsRow `json:"attachments,omitempty"`
	Logbook     []logbookRow                `json:"logbook"`
}

// portalCopy gathers the copy for the reader of the portal (guardians
// with parental authority, or the pupil from the share age) and logs the
// export.
func (s *Server) portalCopy(c *gin.Context, entity string) (platform.Licence, service.DossierView, avgCopy, error) {
	licenceID, _ := uuidParam(c, "licence")
	pupilID, _ := uuidParam(c, "pupil")
	lic, v, rows, err := s.portal.Copy(c, portalActorOf(c), portalReader(c), licenceID, pupilID, entity)
	if err != nil {
		return lic, v, avgCopy{}, err
	}
	out := avgCopy{Generated: time.Now().UTC(), School: lic.Name, Pupil: v.Pupil, Guardians: v.Guardians}
	if v.Dossier.ID != uuid.Nil {
		out.Dossier, out.Content, out.Growth, out.Tests = &v.Dossier, &v.Content, v.Growth, v.Tests
		out.ActionPart, out.Consent, out.Requests, out.Attachments = v.ActionPart, v.Consent, v.Requests, v.Attachments
	}
	if out.Logbook, err = s.logbookRows(c, rows); err != nil {
		return lic, v, out, err
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
	return download(c, name, "application/json", body)
}

// handlePortalSWVCopyJSON: the copy of what the SWV holds about the pupil
// (its requests, decisions, advices, votes and notes), as JSON.
func (s *Server) handlePortalSWVCopyJSON(c *gin.Context) error {
	licenceID, _ := uuidParam(c, "licence")
	pupilID, _ := uuidParam(c, "pupil")
	records, err := s.portal.SWVCopy(c, portalActorOf(c), portalReader(c), licenceID, pupilID)
	if err != nil {
		return err
	}
	body, err := json.MarshalIndent(map[string]any{"generated": time.Now().UTC(), "requests": records}, "", "  ")
	if err != nil {
		return err
	}
	name := fmt.Sprintf("gegevens samenwerkingsverband %s.json", time.Now().Format("2006-01-02"))
	return download(c, name, "application/json", body)
}

// handlePortalCopyPDF: the whole dossier as PDF: the plan as the school
// keeps it, then an appendix with everything else of the copy.
func (s *Server) handlePortalCopyPDF(c *gin.Context) error {
	lic, v, out, err := s.portalCopy(c, "avg_copy_pdf")
	if err != nil {
		return err
	}
	if out.Dossier == nil {
		return fault.ErrNotFound
	}
	doc := s.oppDocument(lic.Name, schoolTypeOf(lic.SchoolType), principalOf(c).Name, v)
	if doc.Letterhead, err = s.licences.Letterhead(c, lic.ID); err != nil {
		return err
	}
	doc.Appendix = copyAppendix(out, s.location)
	var buf bytes.Buffer
	if err := documents.RenderOPPPDF(&buf, doc); err != nil {
		return fmt.Errorf("render opp pdf: %w", err)
	}
	name := fmt.Sprintf("OPP %s %s.pdf", fullName(v.Pupil), out.Generated.Format("2006-01-02"))
	return download(c, name, "application/pdf", buf.Bytes())
}

// avgKinds are the rights a request names.
var avgKinds = plan.AVGRequestKinds()

// handlePortalAVGRequest: a guardian with authority or the pupil asks the
// school — or the SWV, about a request the school sent it — to correct,
// erase, restrict or stop using data; the answer comes within the term
// (AVG_RESPOND_WITHIN, a month).
func (s *Server) handlePortalAVGRequest(c *gin.Context) error {
	licenceID, _ := uuidParam(c, "licence")
	pupilID, _ := uuidParam(c, "pupil")
	u := portalReader(c)
	if !u.CanAnswer {
		return fault.ErrNotFound
	}
	if err := parseForm(c); err != nil {
		return err
	}
	// To the school, or to the SWV about one of the requests the school
	// sent it (the school's id of that request).
	to, sent := "school", c.PostForm("to")
	var err error
	if sent == "" || sent == "school" {
		err = s.retention.AskAVG(c, portalActorOf(c), licenceID, pupilID, u.PartyKey, c.PostForm("kind"), c.PostForm("body"))
	} else {
		to = "swv"
		id, perr := uuid.Parse(sent)
		if perr != nil {
			return s.renderPortalPupil(c, http.StatusUnprocessableEntity, fault.FieldErrors{"avg_to": "Kies bij wie u het verzoek doet."})
		}
		err = s.retention.AskSWVAVG(c, portalActorOf(c), u, licenceID, pupilID, id, c.PostForm("kind"), c.PostForm("body"))
	}
	if fields, ok := asFieldErrors(err); ok {
		return s.renderPortalPupil(c, http.StatusUnprocessableEntity, fields)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/ouder/%s/%s?verzoek=%s#rechten", licenceID, pupilID, to))
	return nil
}

// handleAVGDecide is the school's answer: accept (and act on it), or
// reject with the reason, which the requester reads in the portal.
//
// An accepted request for erasure deletes now what the law lets go: the
// dossier with everything in it, the guardians and their portal access
// (the retention run's term ends today). The enrolment record stays with
// its minimal fields (a legal duty) until its own term. While the pupil is
// at school the OPP is a legal duty too: accepting is refused with that
// reason, and so is it under a legal hold. The requester gets a mail: the
// portal shows nothing afterwards.
func (s *Server) handleAVGDecide(c *gin.Context) error {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return err
	}
	id, err := uuidParam(c, "request")
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	erased, err := s.retention.DecideAVG(c, actorOf(c), lic, pupilID, id, c.PostForm("decision"), c.PostForm("reason"))
	if err != nil {
		return err
	}
	if erased {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingen/%s?m=gewist", lic.ID, pupilID))
		return nil
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingen/%s#avg", lic.ID, pupilID))
	return nil
}

// copyAppendix puts the rest of the copy into words for the PDF: what the
// JSON holds besides the plan.
func copyAppendix(out avgCopy, loc *time.Location) []documents.AppendixSection {
	day := func(t time.Time) string { return t.In(loc).Format("02-01-2006") }
	var sec []documents.AppendixSection
	add := func(title string, lines []string) {
		sec = append(sec, documents.AppendixSection{Title: title, Lines: lines})
	}

	p := out.Pupil
	record := []string{"Naam: " + fullName(p), "Geboortedatum: " + day(p.BirthDate), "Ingeschreven: " + day(p.EnrolledOn)}
	if p.LeftOn != nil {
		record = append(record, "Uitgeschreven: "+day(*p.LeftOn))
	}
	if p.GroupName != "" {
		record = append(record, "Groep: "+p.GroupName)
	}
	if p.Email != "" {
		record = append(record, "E-mailadres: "+p.Email)
	}
	add("Inschrijving", record)

	var lines []string
	for _, g := range out.Guardians {
		name := g.GivenName + " " + g.FamilyName
		if g.NameInfix != "" {
			name = g.GivenName + " " + g.NameInfix + " " + g.FamilyName
		}
		l := fmt.Sprintf("%s · %s · %s", name, labelFunc(relationLabels)(string(g.Relation)),
			map[bool]string{true: "met ouderlijk gezag", false: "zonder ouderlijk gezag"}[g.ParentalAuthority])
		for _, v := range []string{g.Email, g.Phone} {
			if v != "" {
				l += " · " + v
			}
		}
		lines = append(lines, l)
	}
	add("Ouders en verzorgers", lines)

	lines = nil
	for _, e := range out.Growth {
		lines = append(lines, fmt.Sprintf("%s · %s · %s: %s", day(e.OccurredOn), labelFunc(growthKindLabels)(e.Kind), e.AuthorName, e.Body))
	}
	add("Groeidocument", lines)

	lines = nil
	for _, r := range out.Tests {
		lines = append(lines, fmt.Sprintf("%s · %s · score %s%s", day(r.TakenOn), r.Instrument, r.Score, map[bool]string{true: " · niveau " + r.Level}[r.Level != ""]))
	}
	add("Toetsen", lines)

	lines = nil
	if cv := out.Consent; cv != nil {
		lines = append(lines, fmt.Sprintf("Instemmingsvraag van %s: %s", day(cv.Round.StartedAt), labelFunc(roundLabels)(cv.Round.Status)))
		for _, r := range cv.Responses {
			l := fmt.Sprintf("%s · %s: %s", day(r.At), cv.Name(r.PartyKey), labelFunc(answerLabels)(r.Answer))
			if r.Remark != "" {
				l += " — " + r.Remark
			}
			lines = append(lines, l)
		}
	}
	add("Instemming met het handelingsdeel", lines)

	lines = nil
	for _, r := range out.Requests {
		lines = append(lines, fmt.Sprintf("%s · %s · %s: %s", day(r.CreatedAt), labelFunc(requestKindLabels)(r.Kind),
			labelFunc(requestStatusLabels)(r.Status), r.Question))
	}
	add("Aanvragen bij het samenwerkingsverband", lines)

	lines = nil
	for _, a := range out.Attachments {
		lines = append(lines, fmt.Sprintf("%s · %s · %d kB", day(a.UploadedAt), a.FileName, (a.SizeBytes+1023)/1024))
	}
	add("Bijlagen (de bestanden zelf vraagt u bij de school op)", lines)

	lines = nil
	for _, l := range out.Logbook {
		lines = append(lines, fmt.Sprintf("%s · %s (%s) · %s · %s", l.At.In(loc).Format("02-01-2006 15:04"), l.Actor, l.Role, l.Action, l.Entity))
	}
	add("Logboek: wie de gegevens zag of wijzigde", lines)
	return sec
}

// handlePupilRestrictionLift ends a restriction of use: the reason for it
// fell away (the school tells the requester first, AVG art. 18(3)).
func (s *Server) handlePupilRestrictionLift(c *gin.Context) error {
	lic, pupilID, _, err := s.pupilPost(c)
	if err != nil {
		return err
	}
	if err := s.retention.LiftRestriction(c, actorOf(c), lic.ID, pupilID); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingen/%s", lic.ID, pupilID))
	return nil
}
