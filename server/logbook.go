package server

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/gin-gonic/gin"

	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/documents"
	"github.com/topdossier/topdossier/store"
)

var actionLabels = map[string]string{
	logbook.ActionView:    "bekeken",
	logbook.ActionCreate:  "aangemaakt",
	logbook.ActionUpdate:  "gewijzigd",
	logbook.ActionExport:  "geëxporteerd",
	logbook.ActionShare:   "gedeeld",
	logbook.ActionConsent: "instemming",
	logbook.ActionProcess: "processtap",
}

var entityLabels = map[string]string{
	"pupil":      "leerlinggegevens",
	"enrolment":  "inschrijving",
	"logbook":    "logboek",
	"pupil_list": "leerlingenlijst",

	"break_glass": "noodtoegang: beheerder gemaakt door de platformbeheerder",
	"staff_reset": "toegang van een medewerker hersteld door de platformbeheerder",

	"rod_registration":     "registratie OPP in het ROD",
	"las_import":           "gegevens uit de leerlingadministratie (import)",
	"transfer":             "overdracht aan een andere school",
	"transfer_in":          "overdracht van een andere school",
	"transfer_in_list":     "lijst van aangeboden overdrachten",
	"transfer_notice_list": "lijst van overstappen met een TLV of arrangement",
	"oso_export":           "OSO-dossier (export)",
	"oso_import":           "OSO-dossier (ingelezen)",
	"lovs_result":          "toetsuitslagen uit het leerlingvolgsysteem",
	"guardian":             "ouder of verzorger",
	"without_education":    "zonder onderwijs sinds",
	"report_view":          "zienswijze van de ouders bij het onderwijskundig rapport",
	"school_report_pdf":    "onderwijskundig rapport (PDF)",
	"las_kept":             "gehouden hoewel niet meer in de leerlingadministratie",
	"las_setting":          "instellingen nachtelijke update leerlingadministratie",
	"staff_groups":         "groepen van een leerkracht",
	"rod_registrations":    "lijst registratie ROD",
	"pupil_pgn":            "BSN of onderwijsnummer (voor het ROD)",

	"dossier":                    "TOP dossier",
	"dossier_section":            "dossier: onderdeel van een fase",
	"dossier_phase":              "dossier: fase afgerond",
	"dossier_process":            "dossier: proces",
	"dossier_participant":        "dossier: betrokkene",
	"growth_entry":               "groeidocument",
	"test_result":                "toetsresultaat",
	"action_part_version":        "handelingsdeel (versie)",
	"attachment":                 "bijlage",
	"opp_pdf":                    "OPP als PDF",
	"consent_pdf":                "instemmingsverklaring (PDF)",
	"portal_invitation":          "uitnodiging portaal",
	"pupil_email":                "e-mailadres van de leerling",
	"pupil_rights":               "leerling heeft eigen privacyrechten (geen e-mailadres voor een account)",
	"pupil_rights_address_taken": "leerling heeft eigen privacyrechten (e-mailadres hoort bij een ander account)",
	"pupil_portal_invitation":    "leerling heeft eigen privacyrechten: eigen account en uitnodiging",
	"school_setting":             "instelling van de school",
	"consent_round":              "instemmingsronde",
	"consent_response":           "antwoord op de instemmingsvraag",
	"consent_invitation":         "uitnodiging om in te stemmen",
	"consent_reminder":           "herinnering om in te stemmen",
	"consent_escalation":         "instemming: termijn verstreken",
	"pupil_left":                 "uitgeschreven",
	"pupil_leaving_planned":      "uitschrijving gepland",
	"letterhead":                 "logo en gegevens op documenten",
	"pupil_leaving_cancelled":    "geplande uitschrijving ingetrokken",
	"pupil_returned":             "terug op school",
	"dossier_closed":             "dossier gesloten: leerling uitgeschreven",
	"retention_started":          "bewaartermijn loopt",
	"retention_extended":         "bewaartermijn verlengd (wettelijke reden)",
	"retention_cancelled":        "bewaartermijn gestopt",
	"retention_erased":           "gegevens verwijderd op verzoek",
	"avg_request":                "AVG-verzoek",
	"avg_copy_json":              "kopie van alle gegevens (JSON)",
	"avg_copy_pdf":               "kopie van het plan (PDF)",
	"avg_copy_swv":               "kopie van de gegevens bij het samenwerkingsverband",
	"pupil_restricted":           "gebruik van de gegevens beperkt (AVG-verzoek)",
	"avg_copy":                   "kopie van de gegevens (AVG)",
	"committee_meeting":          "commissievergadering",
	"decision_document":          "besluit (PDF)",
	"dossier_start":              "startdatum van het dossier",
	"request":                    "aanvraag",
	"request_action":             "actie bij een aanvraag",
	"request_attachment":         "bijlage van een aanvraag",
	"request_expert":             "deskundige gevraagd om advies",
	"request_note":               "notitie bij een aanvraag",
	"request_step":               "stap in een aanvraag",
	"request_submission":         "aanvraag ingediend",
	"retention":                  "bewaartermijn",
	"swv_decision":               "besluit van het samenwerkingsverband",
	"swv_request":                "aanvraag bij het samenwerkingsverband",
	"pupil_restriction_lifted":   "beperking van het gebruik opgeheven",
	"avg_request_swv":            "AVG-verzoek aan het samenwerkingsverband",
	"avg_request_swv_answered":   "antwoord van het samenwerkingsverband op een AVG-verzoek",
	"avg_request_list":           "lijst van AVG-verzoeken",
	"request_restricted":         "gebruik van de aanvraag beperkt (AVG-verzoek)",
	"request_restriction_lifted": "beperking van het gebruik van de aanvraag opgeheven",
	"guardians_access_granted":   "meerderjarige leerling laat de ouders meelezen",
	"guardians_access_ended":     "meerderjarige leerling laat de ouders niet meer meelezen",
	"pupil_of_age":               "leerling is 18: beslist zelf",
}

type logbookRow struct {
	At                          time.Time
	Actor, Role, Action, Entity string
}

type logbookPage struct {
	Licence platform.Licence
	Pupil   school.Pupil
	Entries []logbookRow
}

// loadLogbook reads a pupil's logbook with the actors' names.
func (s *Server) loadLogbook(c *gin.Context) (logbookPage, error) {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return logbookPage{}, err
	}
	page := logbookPage{Licence: lic}
	var rows []school.Logbook
	if page.Pupil, rows, err = s.logbook.OfPupil(c, lic.ID, pupilID); err != nil {
		return page, err
	}
	page.Entries, err = s.logbookRows(c, rows)
	return page, err
}

// logbookRows puts logbook rows into words: the actors' names, their role
// and what they did, in Dutch.
func (s *Server) logbookRows(ctx context.Context, rows []school.Logbook) ([]logbookRow, error) {
	names, err := s.logbook.ActorNames(ctx, rows)
	if err != nil {
		return nil, err
	}
	out := make([]logbookRow, 0, len(rows))
	for _, r := range rows {
		actor := "TOP dossier"
		switch {
		case strings.HasPrefix(r.ActorRole, "api_"):
			actor = "koppeling via API-sleutel"
		case r.ActorUserID != nil:
			actor = names[*r.ActorUserID]
			if actor == "" {
				actor = "verwijderd account"
			}
		}
		out = append(out, logbookRow{At: r.At, Actor: actor, Role: roleLabel(r.ActorRole),
			Action: labelFunc(actionLabels)(r.Action), Entity: labelFunc(entityLabels)(r.Entity)})
	}
	return out, nil
}

// handlePupilLogbook shows who saw and changed a pupil's data. Looking at
// the logbook is itself logged.
func (s *Server) handlePupilLogbook(c *gin.Context) error {
	page, err := s.loadLogbook(c)
	if err != nil {
		return err
	}
	if err := s.logbook.Record(c, actorOf(c), page.Licence.ID, page.Pupil.ID, logbook.ActionView, "logbook"); err != nil {
		return err
	}
	s.render(c, http.StatusOK, "logbook", page)
	return nil
}

// handlePupilLogbookPDF gives the logbook as a PDF to print or file; the
// export itself is logged. The file name carries no personal data.
func (s *Server) handlePupilLogbookPDF(c *gin.Context) error {
	page, err := s.loadLogbook(c)
	if err != nil {
		return err
	}
	if err := s.logbook.Record(c, actorOf(c), page.Licence.ID, page.Pupil.ID, logbook.ActionExport, "logbook"); err != nil {
		return err
	}
	report := documents.LogbookReport{School: page.Licence.Name, Pupil: fullName(page.Pupil), BirthDate: page.Pupil.BirthDate,
		Printed: time.Now(), PrintedBy: principalOf(c).Name, Location: s.location}
	for _, e := range page.Entries {
		report.Lines = append(report.Lines, documents.LogbookLine(e))
	}
	var buf bytes.Buffer
	if err := documents.RenderLogbookPDF(&buf, report); err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Disposition", `attachment; filename="logboek.pdf"`)
	c.Data(http.StatusOK, "application/pdf", buf.Bytes())
	return nil
}

func fullName(p school.Pupil) string { return store.PupilName(p) }

// viewLine is one line of "Wie heeft het dossier bekeken": what one
// person did on one day, with how often.
type viewLine struct {
	Day               time.Time
	Actor, Role, What string
	Count             int
}

// viewsPerPage is how many lines one page of the view log shows.
const viewsPerPage = 25

// groupViews folds the view log (newest first) into one line per day,
// person and thing looked at, in Dutch ("TOP dossier bekeken", 3 keer).
func groupViews(rows []logbookRow, loc *time.Location) []viewLine {
	var out []viewLine
	index := map[string]int{}
	for _, r := range rows {
		y, m, d := r.At.In(loc).Date()
		day := time.Date(y, m, d, 0, 0, 0, 0, loc)
		what := []rune(r.Entity + " " + r.Action)
		what[0] = unicode.ToUpper(what[0])
		key := day.Format(time.DateOnly) + "\x00" + r.Actor + "\x00" + r.Role + "\x00" + string(what)
		if i, ok := index[key]; ok {
			out[i].Count++
			continue
		}
		index[key] = len(out)
		out = append(out, viewLine{Day: day, Actor: r.Actor, Role: r.Role, What: string(what), Count: 1})
	}
	return out
}

// pageOf returns page n (from 1) of lines and the number of pages.
func pageOf[T any](lines []T, n, per int) ([]T, int) {
	pages := max(1, (len(lines)+per-1)/per)
	n = min(max(n, 1), pages)
	return lines[min((n-1)*per, len(lines)):min(n*per, len(lines))], pages
}
