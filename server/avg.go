package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/api/serviceerror"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/documents"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/service"
	"github.com/topdossier/topdossier/workflows"
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
	var out avgCopy
	u := c.MustGet(portalKey).(portalUser)
	if !u.CanAnswer {
		return platform.Licence{}, service.DossierView{}, out, fault.ErrNotFound // a guardian without authority reads, has no AVG rights over the child
	}
	licenceID, _ := uuidParam(c, "licence")
	pupilID, _ := uuidParam(c, "pupil")
	lic, err := platform.New(s.tenants.Platform()).GetLicence(c, licenceID)
	if err != nil {
		return lic, service.DossierView{}, out, db.Classify(err)
	}
	v, err := s.dossiers.Load(c, licenceID, pupilID)
	hasDossier := err == nil
	if err != nil && !(errors.Is(err, fault.ErrNotFound) && v.Pupil.ID == pupilID) { // no dossier: the record alone
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
	doc.Appendix = copyAppendix(out, s.location)
	var buf bytes.Buffer
	if err := documents.RenderOPPPDF(&buf, doc); err != nil {
		return fmt.Errorf("render opp pdf: %w", err)
	}
	name := fmt.Sprintf("OPP %s %s.pdf", fullName(v.Pupil), out.Generated.Format("2006-01-02"))
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/pdf", buf.Bytes())
	return nil
}

// avgKinds are the rights a request names.
var avgKinds = map[string]string{
	"correction":  "correctie (iets klopt niet)",
	"erasure":     "verwijdering",
	"restriction": "beperking van het gebruik",
	"objection":   "bezwaar tegen het gebruik",
}

// handlePortalAVGRequest: a guardian with authority or the pupil asks the
// school to correct, erase, restrict or stop using data; the school
// answers within the term (AVG_RESPOND_WITHIN, a month).
func (s *Server) handlePortalAVGRequest(c *gin.Context) error {
	licenceID, _ := uuidParam(c, "licence")
	pupilID, _ := uuidParam(c, "pupil")
	u := c.MustGet(portalKey).(portalUser)
	if !u.CanAnswer {
		return fault.ErrNotFound
	}
	if err := parseForm(c); err != nil {
		return err
	}
	kind, body := c.PostForm("kind"), strings.TrimSpace(c.PostForm("body"))
	errs := fault.FieldErrors{}
	if avgKinds[kind] == "" {
		errs["avg_kind"] = "Kies wat u vraagt."
	}
	if body == "" || len([]rune(body)) > 5000 {
		errs["avg_body"] = "Schrijf op wat er niet klopt of wat u vraagt (hoogstens 5000 tekens)."
	}
	if len(errs) > 0 {
		return s.renderPortalPupil(c, http.StatusUnprocessableEntity, errs)
	}
	due := time.Now().Add(s.cfg.AVGRespondWithin)
	var req school.AvgRequest
	err := s.tenants.With(c, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(c, pool, func(tx pgx.Tx) error {
			var err error
			if req, err = school.New(tx).CreateAVGRequest(c, school.CreateAVGRequestParams{PupilID: pupilID, Kind: kind, PartyKey: u.PartyKey,
				Body: body, DueAt: due}); err != nil {
				return err
			}
			e := s.portalEntry(c, pupilID, logbook.ActionCreate, "avg_request")
			e.EntityID = req.ID.String()
			return logbook.Append(c, tx, e)
		})
	})
	if err != nil {
		return err
	}
	if err := workflows.StartAVGRequest(c, s.temporal, workflows.AVGRequestInput{LicenceID: licenceID.String(), PupilID: pupilID.String(),
		RequestID: req.ID.String(), RespondWithin: s.cfg.AVGRespondWithin}); err != nil {
		// The request is stored and shows on the school's pupil page; the
		// term's reminder is what is missing.
		s.logger.ErrorContext(c, "avg request workflow not started", "err", err)
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/ouder/%s/%s?verzoek=1#rechten", licenceID, pupilID))
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
	status, reason := c.PostForm("decision"), strings.TrimSpace(c.PostForm("reason"))
	switch {
	case status != "accepted" && status != "rejected":
		return fault.FieldErrors{"decision": "Kies of de school het verzoek honoreert of afwijst."}
	case status == "rejected" && reason == "":
		return fault.FieldErrors{"reason": "Schrijf bij een afwijzing de reden op; de ouder of leerling leest die."}
	case len([]rune(reason)) > 5000:
		return fault.FieldErrors{"reason": "De toelichting is te lang (hoogstens 5000 tekens)."}
	}
	uid := principalOf(c).UserID
	var req school.AvgRequest
	var to string // the requester's address, for the mail after an erasure
	err = s.tenants.With(c, lic.ID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		var err error
		if req, err = q.GetAVGRequest(c, id); err != nil {
			return db.Classify(err)
		}
		if req.PupilID != pupilID {
			return fault.ErrNotFound
		}
		if req.Kind != "erasure" || status != "accepted" {
			return nil
		}
		p, err := q.GetPupil(c, pupilID)
		if err != nil {
			return db.Classify(err)
		}
		if p.LeftOn == nil {
			return fault.FieldErrors{"decision": "Verwijderen kan pas als de leerling is uitgeschreven: zolang de leerling op school " +
				"extra ondersteuning krijgt, is het OPP een wettelijke plicht (AVG art. 17 lid 3 onder b). Wijs het verzoek af " +
				"met die reden, of schrijf de leerling eerst uit."}
		}
		to, err = requesterAddress(c, q, p, req)
		return err
	})
	if err != nil {
		return err
	}
	erase := req.Kind == "erasure" && status == "accepted"
	if erase {
		if st := s.retention.Status(c, lic.ID, workflows.RetentionDossier, pupilID); st != nil && st.Holds > 0 {
			return fault.FieldErrors{"decision": fmt.Sprintf("De gegevens worden om een wettelijke reden (bezwaar of geschil) bewaard tot %s "+
				"(zie het archief). Wijs het verzoek af met die reden.", st.DueAt.In(s.location).Format("02-01-2006"))}
		}
	}
	retry := erase && req.Status == "accepted" // an earlier try recorded the answer; the erasure did not start
	if !retry {
		err = s.tenants.With(c, lic.ID, func(pool *pgxpool.Pool) error {
			return db.InTx(c, pool, func(tx pgx.Tx) error {
				n, err := school.New(tx).DecideAVGRequest(c, school.DecideAVGRequestParams{ID: id, PupilID: pupilID, Status: status,
					Reason: reason, DecidedBy: &uid})
				if err != nil {
					return err
				}
				if n == 0 {
					return fault.FieldErrors{"decision": "Dit verzoek is al beantwoord."}
				}
				e := s.entry(c, pupilID, logbook.ActionUpdate, "avg_request")
				e.EntityID = id.String()
				if err := logbook.Append(c, tx, e); err != nil {
					return err
				}
				if req.Kind != "restriction" || status != "accepted" {
					return nil
				}
				// Honoured restriction: from now on kept and read only.
				now := time.Now()
				if _, err := school.New(tx).SetPupilRestricted(c, school.SetPupilRestrictedParams{ID: pupilID, RestrictedAt: &now}); err != nil {
					return err
				}
				return logbook.Append(c, tx, s.entry(c, pupilID, logbook.ActionUpdate, "pupil_restricted"))
			})
		})
		if err != nil {
			return err
		}
		var notFound *serviceerror.NotFound
		if err := s.temporal.SignalWorkflow(c, workflows.AVGRequestWorkflowID(lic.ID.String(), id.String()), "", workflows.SignalAVGDecided, nil); err != nil &&
			!errors.As(err, &notFound) {
			s.logger.ErrorContext(c, "avg request workflow not told", "err", err)
		}
	}
	if !erase {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingen/%s#avg", lic.ID, pupilID))
		return nil
	}
	if err := s.retention.EraseNow(c, actorOf(c), lic.ID, pupilID, id); err != nil {
		return err
	}
	// Told once the erasure is under way: the portal shows nothing after.
	if to != "" {
		err = s.tenants.With(c, lic.ID, func(pool *pgxpool.Pool) error {
			return school.New(pool).EnqueueMail(c, school.EnqueueMailParams{DedupeKey: "avg-erased:" + id.String(), ToAddress: to,
				Subject: "Uw verzoek om verwijdering is uitgevoerd", Body: erasureMail(lic.Name)})
		})
		if err != nil {
			return err
		}
		s.sendOutbox(c, lic.ID)
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingen/%s?m=gewist", lic.ID, pupilID))
	return nil
}

// requesterAddress is where the answer to a request goes: the guardian's
// address, or the pupil's own.
func requesterAddress(ctx context.Context, q *school.Queries, p school.Pupil, req school.AvgRequest) (string, error) {
	gid, err := plan.PartyGuardian(req.PartyKey)
	if err != nil || gid == nil {
		return p.Email, err
	}
	g, err := q.GetGuardian(ctx, school.GetGuardianParams{ID: *gid, PupilID: p.ID})
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return g.Email, err
}

// erasureMail is the answer to an honoured erasure; no child's name.
func erasureMail(schoolName string) string {
	return fmt.Sprintf("Beste ouder, verzorger of leerling,\n\n%s honoreert uw verzoek om verwijdering. Het dossier met de plannen, "+
		"instemmingen en bijlagen wordt nu verwijderd, net als de gegevens van de ouders en verzorgers en de toegang tot het portaal.\n\n"+
		"Wat de wet de school verplicht te bewaren, blijft: de inschrijving (naam, geboortedatum, datum van in- en uitschrijving), "+
		"tot vijf jaar na de uitschrijving.\n\nMet vriendelijke groet,\n%s\n", schoolName, schoolName)
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
	err = s.tenants.With(c, lic.ID, func(pool *pgxpool.Pool) error {
		return db.InTx(c, pool, func(tx pgx.Tx) error {
			n, err := school.New(tx).SetPupilRestricted(c, school.SetPupilRestrictedParams{ID: pupilID})
			if err != nil || n == 0 { // not restricted (any more): nothing to lift
				return err
			}
			return logbook.Append(c, tx, s.entry(c, pupilID, logbook.ActionUpdate, "pupil_restriction_lifted"))
		})
	})
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/licenties/%s/leerlingen/%s", lic.ID, pupilID))
	return nil
}
