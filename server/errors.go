package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/topdossier/topdossier/fault"
	"go.temporal.io/api/serviceerror"
)

// answer is how an error is shown: status, Dutch title and, for 4xx, a
// Dutch detail we wrote ourselves. err.Error() is never shown.
type answer struct {
	Status int
	Title  string
	Detail string
	Fields fault.FieldErrors
}

// classify is the one place that maps errors onto HTTP answers.
func classify(err error) answer {
	var maxBytes *http.MaxBytesError
	var fields fault.FieldErrors
	var unavailable *serviceerror.Unavailable
	var refusal *fault.Refusal
	switch {
	case errors.As(err, &maxBytes):
		return answer{Status: http.StatusRequestEntityTooLarge, Title: "Het verzoek is te groot.",
			Detail: "Stuur minder gegevens tegelijk."}
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
	case errors.Is(err, fault.ErrRestricted):
		return answer{Status: http.StatusConflict, Title: "Het gebruik van deze gegevens is beperkt.",
			Detail: "Op verzoek van de ouders of de leerling (AVG art. 18) worden de gegevens alleen bewaard en ingezien, " +
				"niet gewijzigd of gedeeld. Hef de beperking op de leerlingpagina op als de reden ervoor vervalt."}
	case errors.Is(err, fault.ErrNoProcess):
		return answer{Status: http.StatusConflict, Title: "Het proces van dit dossier loopt niet.",
			Detail: "Start het proces opnieuw vanaf de dossierpagina."}
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

// page adapts a page handler: an error becomes a Dutch error page.
func (s *Server) page(h func(*gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.fail(c, err)
		}
	}
}

// api adapts an API handler: an error becomes application/problem+json.
func (s *Server) api(h func(*gin.Context) error) gin.HandlerFunc {
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
	if isAPI(c) {
		s.problem(c, a)
		return
	}
	s.errorPage(c, a)
}

func isAPI(c *gin.Context) bool {
	return strings.HasPrefix(c.Request.URL.Path, "/api/")
}

// problem writes RFC 9457 problem details.
func (s *Server) problem(c *gin.Context, a answer) {
	s.problemWith(c, a, nil)
}

// problemWith writes problem details with extension members, such as the
// stored version after a conflict.
func (s *Server) problemWith(c *gin.Context, a answer, extra gin.H) {
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
	for k, v := range extra {
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
