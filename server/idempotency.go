package server

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/topdossier/topdossier/db/platform"
)

// idempotencyHeader names a state change of the API (IETF draft
// "The Idempotency-Key HTTP Header Field"): a retry with the same key gets
// the first answer again and changes nothing.
const idempotencyHeader = "Idempotency-Key"

// Refusals of the idempotency check, each with its own Dutch answer.
var (
	errIdempotencyMissing = &answerError{answer{Status: http.StatusPreconditionRequired, Title: "Stuur een Idempotency-Key mee.",
		Detail: "Elke wijziging via een API-sleutel draagt een kop Idempotency-Key met een eigen waarde (bijvoorbeeld een UUID), " +
			"zodat een herhaald verzoek niets twee keer doet. Er is niets gewijzigd."}}
	errIdempotencyBadKey = &answerError{answer{Status: http.StatusBadRequest, Title: "De Idempotency-Key is ongeldig.",
		Detail: "Gebruik 1 tot 255 zichtbare tekens, bijvoorbeeld een UUID. Er is niets gewijzigd."}}
	errIdempotencyReused = &answerError{answer{Status: http.StatusUnprocessableEntity, Title: "Deze Idempotency-Key hoort bij een ander verzoek.",
		Detail: "Dezelfde sleutel is eerder gebruikt voor een ander adres of een andere inhoud. Kies een nieuwe sleutel; er is niets gewijzigd."}}
	errIdempotencyRunning = &answerError{answer{Status: http.StatusConflict, Title: "Dit verzoek wordt nog verwerkt.",
		Detail: "Een eerder verzoek met dezelfde Idempotency-Key is nog bezig. Probeer het over een paar seconden opnieuw."}}
)

// idempotencyKeyOf is the key a request carries, "" without one.
func idempotencyKeyOf(c *gin.Context) string { return c.GetHeader(idempotencyHeader) }

// validIdempotencyKey: 1 to 255 visible ASCII characters.
func validIdempotencyKey(k string) bool {
	if len(k) == 0 || len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// actionID is the id a state change carries into a workflow update: the
// one the caller sent (the pages' hidden request_id), else one derived
// from the Idempotency-Key, so a retry after a lost answer is the same
// update; else a new one.
func actionID(c *gin.Context, sent string) string {
	if sent != "" {
		return sent
	}
	if k := idempotencyKeyOf(c); k != "" {
		if p := principalOf(c); p != nil {
			return uuid.NewSHA1(p.UserID, []byte("idempotency:"+k)).String()
		}
	}
	return uuid.NewString()
}

// recorder keeps a copy of what a handler writes.
type recorder struct {
	gin.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

func (r *recorder) WriteString(s string) (int, error) {
	r.body.WriteString(s)
	return r.ResponseWriter.WriteString(s)
}

// idempotent makes every state change of the API repeatable: with an
// Idempotency-Key the first answer below 500 is kept (sealed; the nightly
// housekeeping removes keys older than a day) and given
// again to a retry with the same key, method, path and body; a key used
// for another request is refused, a key whose first call still runs gets
// 409. A token must send a key with every change; a person's scripts in
// the browser may.
func (s *Server) idempotent(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		c.Next()
		return
	}
	p := principalOf(c)
	key := idempotencyKeyOf(c)
	if p == nil || (key == "" && !p.apiToken) {
		c.Next()
		return
	}
	switch {
	case key == "":
		s.fail(c, errIdempotencyMissing)
		c.Abort()
		return
	case !validIdempotencyKey(key):
		s.fail(c, errIdempotencyBadKey)
		c.Abort()
		return
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		s.fail(c, err)
		c.Abort()
		return
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	h := sha256.New()
	h.Write([]byte(c.Request.Method + " " + c.Request.URL.Path + "?" + c.Request.URL.RawQuery + "\n"))
	h.Write(body)
	fingerprint := h.Sum(nil)

	q := platform.New(s.tenants.Platform())
	row, err := q.ClaimIdempotencyKey(c, platform.ClaimIdempotencyKeyParams{PrincipalID: p.UserID, Key: key, Fingerprint: fingerprint})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		c.Header("Retry-After", "2")
		s.fail(c, errIdempotencyRunning)
		c.Abort()
		return
	case err != nil:
		s.fail(c, err)
		c.Abort()
		return
	case !row.Claimed && !bytes.Equal(row.Fingerprint, fingerprint):
		s.fail(c, errIdempotencyReused)
		c.Abort()
		return
	case !row.Claimed && row.Status == nil:
		c.Header("Retry-After", "2")
		s.fail(c, errIdempotencyRunning)
		c.Abort()
		return
	case !row.Claimed:
		plain, err := s.idemBox.Open(row.Response)
		if err != nil {
			s.fail(c, err)
			c.Abort()
			return
		}
		if row.Location != "" {
			c.Header("Location", row.Location)
		}
		c.Header("Idempotent-Replayed", "true")
		c.Data(int(*row.Status), row.ContentType, []byte(plain))
		c.Abort()
		return
	}
	rec := &recorder{ResponseWriter: c.Writer}
	c.Writer = rec
	c.Next()
	status := rec.Status()
	if status >= 500 || status == http.StatusUnauthorized {
		// Not kept: after a server error the retry runs again (the
		// operation's own id, derived from the key, keeps it from doing
		// anything twice); after "log in again" it runs once the person did.
		_ = q.ReleaseIdempotencyKey(c, platform.ReleaseIdempotencyKeyParams{PrincipalID: p.UserID, Key: key})
		return
	}
	sealed, err := s.idemBox.Seal(rec.body.String())
	if err == nil {
		st := int32(status)
		err = q.FinishIdempotencyKey(c, platform.FinishIdempotencyKeyParams{PrincipalID: p.UserID, Key: key, Status: &st,
			Location: rec.Header().Get("Location"), ContentType: rec.Header().Get("Content-Type"), Response: sealed})
	}
	if err != nil {
		s.logger.ErrorContext(c, "idempotency key not finished", "err", err)
		_ = q.ReleaseIdempotencyKey(c, platform.ReleaseIdempotencyKeyParams{PrincipalID: p.UserID, Key: key})
	}
}
