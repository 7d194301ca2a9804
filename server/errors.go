package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"

	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/service"
)

// answer is how an error is shown: status, Dutch title and, for 4xx, a
// Dutch detail we wrote ourselves. err.Error() is never shown.
type answer struct {
	Status int
	Title  string
	Detail string
	Fields fault.FieldErrors
	// Extra are extension members of a problem response, such as the
	// stored version after a conflict.
	Extra map[string]any
}

// answerError carries its own answer: a refusal whose wording belongs to
// one route (a passkey ceremony), mapped like every other error.
type answerError struct{ answer answer }

func (e *answerError) Error() string {
	return fmt.Sprintf("refused with %d: %s", e.answer.Status, e.answer.Title)
}

// phaseIncomplete is an advance the workflow refused because fields are
// missing (codes, as plan.Missing names them).
type phaseIncomplete struct{ Missing []string }

func (e *phaseIncomplete) Error() string { return "phase incomplete: " + strings.Join(e.Missing, ", ") }

// errPhaseMoved: the phase being ended is no longer the current one.
var errPhaseMoved = fmt.Errorf("dossier moved on: %w", fault.ErrConflict)

// classify is the one place that maps errors onto HTTP answers.
func classify(err error) answer {
	var maxBytes *http.MaxBytesError
	var fields fault.FieldErrors
	var unavailable *serviceerror.Unavailable
	var refusal *fault.Refusal
	var stale *service.StaleSection
	var incomplete *phaseIncomplete
	var own *answerError
	var media *unsupportedType
	switch {
	case errors.As(err, &own):
		return own.answer
	case errors.As(err, &media):
		return answer{Status: http.StatusUnsupportedMediaType, Title: "Dit soort inhoud neemt de API hier niet aan.",
			Detail: fmt.Sprintf("Stuur de inhoud als %s (Content-Type); er is niets opgeslagen.", media.want)}
	case errors.As(err, &maxBytes):
		return answer{Status: http.StatusRequestEntityTooLarge, Title: "Het verzoek is te groot.",
			Detail: fmt.Sprintf("Er kan hoogstens %d kB tegelijk worden verstuurd; er is niets opgeslagen. Ga terug, "+
				"verkort de tekst of kies een kleiner bestand, en verstuur opnieuw.", (maxBytes.Limit+1023)/1024)}
	case errors.Is(err, errUnauthenticated):
		return answer{Status: http.StatusUnauthorized, Title: "Log eerst in.",
			Detail: "Dit verzoek vraagt een geldige sessie."}
	case errors.Is(err, errReauthenticate):
		return answer{Status: http.StatusUnauthorized, Title: "Bevestig eerst dat jij het bent.",
			Detail: "Voor deze handeling vragen we wachtwoord en code opnieuw; doe dat via /inloggen/opnieuw."}
	case errors.Is(err, fault.ErrMalformed):
		return answer{Status: http.StatusBadRequest, Title: "Het verzoek is onleesbaar.",
			Detail: "De inhoud is geen geldige JSON of formulierdata."}
	case errors.Is(err, fault.ErrNotFound), errors.Is(err, errNotConfigured):
		return answer{Status: http.StatusNotFound, Title: "Niet gevonden.",
			Detail: "Deze pagina of dit gegeven bestaat niet (meer)."}
	case errors.Is(err, fault.ErrClosed):
		return answer{Status: http.StatusConflict, Title: "Dit dossier is afgesloten.",
			Detail: "Een afgesloten dossier kan alleen nog worden gelezen. Open zo nodig een nieuw dossier."}
	case errors.Is(err, fault.ErrSWVRestricted):
		return answer{Status: http.StatusConflict, Title: "Het gebruik van deze aanvraag is beperkt.",
			Detail: "Op verzoek van de ouders of de leerling (AVG art. 18 of 21) wordt de aanvraag alleen bewaard en ingezien, " +
				"niet behandeld. De beheerder van het samenwerkingsverband heft de beperking op als de reden ervoor vervalt."}
	case errors.Is(err, fault.ErrRestricted):
		return answer{Status: http.StatusConflict, Title: "Het gebruik van deze gegevens is beperkt.",
			Detail: "Op verzoek van de ouders of de leerling (AVG art. 18) worden de gegevens alleen bewaard en ingezien, " +
				"niet gewijzigd of gedeeld. Hef de beperking op de leerlingpagina op als de reden ervoor vervalt."}
	case errors.Is(err, fault.ErrNoProcess):
		return answer{Status: http.StatusConflict, Title: "Het proces loopt niet.",
			Detail: "Het proces van dit dossier is niet gestart; start het opnieuw vanaf de dossierpagina."}
	case errors.As(err, &stale):
		return answer{Status: http.StatusConflict, Title: "Intussen gewijzigd.",
			Detail: "Iemand anders heeft dit deel opgeslagen nadat je het las; er is niets overschreven. Vergelijk met current en stuur opnieuw met die versie.",
			Extra:  map[string]any{"current": sectionJSON{Version: stale.Current.Version, Content: stale.Current.Content}}}
	case errors.As(err, &incomplete):
		fields := fault.FieldErrors{}
		for _, m := range incomplete.Missing {
			fields[m] = "Vul eerst " + missingLabels[m] + " in."
		}
		return answer{Status: http.StatusUnprocessableEntity, Title: "Deze fase is nog niet af.",
			Detail: "Vul eerst in wat hieronder staat; de fase is niet veranderd.", Fields: fields,
			Extra: map[string]any{"missing": incomplete.Missing}}
	case errors.Is(err, errPhaseMoved):
		return answer{Status: http.StatusConflict, Title: "Het dossier is intussen verder.",
			Detail: "De fase die je afrondde is niet meer de huidige, of deze stap kan hier niet; er is niets veranderd."}
	case errors.Is(err, fault.ErrConflict):
		return answer{Status: http.StatusConflict, Title: "Dit bestaat al.",
			Detail: "Een gegeven met dezelfde sleutel bestaat al of is intussen gewijzigd."}
	case errors.As(err, &fields):
		return answer{Status: http.StatusUnprocessableEntity, Title: "Controleer de invoer.",
			Detail: "Niet alle velden zijn goed ingevuld; er is niets opgeslagen.", Fields: fields}
	case errors.As(err, &refusal) && refusal.Fields() != nil:
		return answer{Status: http.StatusUnprocessableEntity, Title: "Controleer de invoer.",
			Detail: "Deze stap kan zo niet; er is niets veranderd.", Fields: refusal.Fields()}
	case errors.Is(err, fault.ErrUnavailable), errors.As(err, &unavailable):
		return answer{Status: http.StatusServiceUnavailable, Title: "Tijdelijk niet beschikbaar.",
			Detail: "Een onderdeel van het platform reageert niet. Probeer het zo opnieuw."}
	case errors.As(err, &refusal):
		return answer{Status: http.StatusConflict, Title: "Deze stap kan nu niet.",
			Detail: "Het proces staat dit nu niet toe; er is niets veranderd. Laad de pagina opnieuw."}
	default:
		return answer{Status: http.StatusInternalServerError, Title: "Er ging iets mis.",
			Detail: "Probeer het later opnieuw. Blijft het misgaan, noem dan de foutcode aan de helpdesk."}
	}
}

// serve adapts a handler that returns an error: fail answers the error as
// an HTML page or as problem details, by the path.
func (s *Server) serve(h func(*gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.fail(c, err)
		}
	}
}

// fail writes the answer for err in the form the client asked for: problem
// JSON under /api, an HTML page elsewhere. Server errors are logged with
// the request id so the helpdesk can find them.
func (s *Server) fail(c *gin.Context, err error) {
	a := classify(err)
	if a.Status >= 500 {
		s.logger.ErrorContext(c, "request failed", "route", c.FullPath(), "err", err)
	}
	if wantsProblem(c) {
		s.problem(c, a)
		return
	}
	s.errorPage(c, a)
}

// isAPI reports whether the request is one of the JSON API's (where
// bearer tokens count and answers are problem details).
func isAPI(c *gin.Context) bool {
	return strings.HasPrefix(c.Request.URL.Path, "/api/")
}

// wantsProblem reports whether an error is answered as problem details:
// the JSON API, and the pages' scripts that post JSON (the passkey
// ceremonies); everything else gets a page.
func wantsProblem(c *gin.Context) bool {
	return isAPI(c) || strings.HasPrefix(c.ContentType(), "application/json")
}

// problem writes RFC 9457 problem details, with a's extension members.
func (s *Server) problem(c *gin.Context, a answer) {
	body := gin.H{
		"type":       "about:blank",
		"title":      a.Title,
		"status":     a.Status,
		"detail":     a.Detail,
		"request_id": requestIDOf(c),
	}
	if len(a.Fields) > 0 {
		body["errors"] = a.Fields
	}
	for k, v := range a.Extra {
		body[k] = v
	}
	c.Header("Content-Type", "application/problem+json")
	c.Status(a.Status)
	_ = writeJSONBody(c.Writer, body)
	c.Abort()
}

func (s *Server) errorPage(c *gin.Context, a answer) {
	s.render(c, a.Status, "error", errorPageData{Answer: a, RequestID: requestIDOf(c)})
	c.Abort()
}

type errorPageData struct {
	Answer    answer
	RequestID string
}

func (s *Server) handleNoRoute(c *gin.Context) {
	s.fail(c, fault.ErrNotFound)
}

func (s *Server) handleNoMethod(c *gin.Context) {
	a := answer{Status: http.StatusMethodNotAllowed, Title: "Deze actie kan hier niet.",
		Detail: "Deze methode is voor dit adres niet toegestaan."}
	if isAPI(c) {
		s.problem(c, a)
		return
	}
	s.errorPage(c, a)
}
