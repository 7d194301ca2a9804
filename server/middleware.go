package server

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/internal/requestlog"
	"github.com/topdossier/topdossier/las"
	"github.com/topdossier/topdossier/oso"
)

const requestIDKey = "request_id"

// requestID gives every request an id, echoed in X-Request-ID, in logs and
// on error pages, so a person can quote it to the helpdesk.
func (s *Server) requestID(c *gin.Context) {
	id := uuid.NewString()
	c.Set(requestIDKey, id)
	c.Request = c.Request.WithContext(requestlog.With(c.Request.Context(), id))
	c.Header("X-Request-ID", id)
	c.Next()
}

func requestIDOf(c *gin.Context) string {
	return c.GetString(requestIDKey)
}

// recovery turns a panic into the generic 500 answer; the stack goes to
// the log, never to the user.
func (s *Server) recovery(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			s.fail(c, fmt.Errorf("panic: %v", r))
		}
	}()
	c.Next()
}

// accessLog logs one line per request: route template (not the raw path),
// status and duration. No query strings, no bodies, no personal data.
func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	elapsed := time.Since(start)
	status := c.Writer.Status()
	s.metrics.requests.WithLabelValues(c.Request.Method, route, strconv.Itoa(status)).Inc()
	s.metrics.duration.WithLabelValues(c.Request.Method, route).Observe(elapsed.Seconds())
	if route == "/healthz" || route == "/readyz" {
		return
	}
	s.logger.InfoContext(c, "request", "method", c.Request.Method,
		"route", route, "status", status, "ms", elapsed.Milliseconds())
}

// limitBody bounds every request body; reading past it fails with
// *http.MaxBytesError, which classify maps to 413.
// An attachment upload may be 10 MB plus its multipart envelope.
func (s *Server) limitBody(c *gin.Context) {
	limit := s.cfg.MaxBodyBytes
	switch c.FullPath() {
	case uploadRoute:
		limit = max(limit, maxAttachmentBytes+64<<10)
	case lasUploadRoute, lasAPIRoute, lovsRoute:
		limit = max(limit, las.MaxFileSize+64<<10)
	case osoUploadRoute, osoAPIRoute:
		limit = max(limit, oso.MaxFileSize+64<<10)
	}
	if c.Request.ContentLength > limit {
		s.fail(c, &http.MaxBytesError{Limit: limit})
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	c.Next()
}

// uploadRoute is the one route that takes files.
const uploadRoute = "/licenties/:licence/leerlingen/:pupil/dossier/bijlagen"

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg *prometheus.Registry) (*httpMetrics, error) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "topdossier_http_requests_total",
			Help: "HTTP requests by method, route template and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "topdossier_http_request_duration_seconds",
			Help:    "HTTP request duration by method and route template.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
	}
	for _, col := range []prometheus.Collector{m.requests, m.duration} {
		if err := reg.Register(col); err != nil {
			return nil, fmt.Errorf("register http metrics: %w", err)
		}
	}
	return m, nil
}

// decodeJSON reads one JSON object into v. Syntax errors become
// fault.ErrMalformed (400); an oversized body keeps its *http.MaxBytesError (413).
func decodeJSON(c *gin.Context, v any) error {
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var maxBytes *http.MaxBytesError
		if errors.As(err, &maxBytes) {
			return maxBytes
		}
		return fmt.Errorf("%w: %v", fault.ErrMalformed, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%w: trailing data", fault.ErrMalformed)
	}
	return nil
}

// parseForm parses a form body with the same error mapping as decodeJSON.
func parseForm(c *gin.Context) error {
	if err := c.Request.ParseForm(); err != nil {
		var maxBytes *http.MaxBytesError
		if errors.As(err, &maxBytes) {
			return maxBytes
		}
		return fmt.Errorf("%w: %v", fault.ErrMalformed, err)
	}
	return nil
}

func writeJSONBody(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	return enc.Encode(v)
}

// writeJSON answers with a JSON body.
func writeJSON(c *gin.Context, status int, v any) error {
	c.Header("Content-Type", "application/json; charset=utf-8")
	c.Status(status)
	return writeJSONBody(c.Writer, v)
}

// textProblem is the Dutch message for a field with a character that is
// no text.
const textProblem = "Dit veld bevat een teken dat niet in tekst hoort (een stuurteken of ongeldige tekens). Er is niets opgeslagen."

// badText reports whether s is no text: invalid UTF-8 (lone surrogates
// included) or a control character other than TAB, LF and CR.
func badText(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return true
		}
	}
	return false
}

// reSurrogate finds a JSON escape of a UTF-16 surrogate.
var reSurrogate = regexp.MustCompile(`\\u[dD][89a-fA-F][0-9a-fA-F]{2}`)

// loneSurrogate reports whether raw JSON escapes a surrogate that is not
// a high one directly followed by a low one.
func loneSurrogate(body []byte) bool {
	locs := reSurrogate.FindAllIndex(body, -1)
	for k := 0; k < len(locs); k++ {
		start := locs[k][0]
		// An escaped backslash before it makes it text, not an escape.
		n := 0
		for i := start - 1; i >= 0 && body[i] == '\\'; i-- {
			n++
		}
		if n%2 == 1 {
			continue
		}
		high := body[start+3]|0x20 < 'c' // d8–db high, dc–df low
		if !high {
			return true
		}
		if k+1 >= len(locs) || locs[k+1][0] != locs[k][1] || body[locs[k+1][0]+3]|0x20 < 'c' {
			return true
		}
		k++ // the pair
	}
	return false
}

// checkText checks every text a request carries once, at the edge: form
// fields (and their names) and JSON strings (and keys). Text that is not
// text — a NUL byte, another control character, invalid UTF-8, a lone
// surrogate — is refused with 422 naming the field, before any handler
// or database sees it (PostgreSQL refuses a NUL in text, which was a 500).
func (s *Server) checkText(c *gin.Context) {
	m := c.Request.Method
	if m != http.MethodPost && m != http.MethodPut && m != http.MethodPatch {
		c.Next()
		return
	}
	ct := c.ContentType()
	var field string
	switch {
	case ct == "application/x-www-form-urlencoded":
		body, err := io.ReadAll(c.Request.Body)
		if err != nil {
			s.fail(c, bodyError(err))
			c.Abort()
			return
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		values, err := url.ParseQuery(string(body))
		if err != nil {
			break // the handler's parse says it
		}
		field = badField(values)
	case ct == "multipart/form-data":
		if err := c.Request.ParseMultipartForm(maxAttachmentBytes + 1<<20); err != nil {
			break // the handler says it
		}
		field = badField(c.Request.MultipartForm.Value)
	case ct == "application/json" || strings.HasSuffix(ct, "+json"):
		body, err := io.ReadAll(c.Request.Body)
		if err != nil {
			s.fail(c, bodyError(err))
			c.Abort()
			return
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		field = badJSON(body)
		if key := duplicateKey(body); field == "" && key != "" {
			s.fail(c, fault.FieldErrors{key: "Dit veld staat twee keer in het verzoek; stuur elk veld één keer. Er is niets opgeslagen."})
			c.Abort()
			return
		}
	}
	if field != "" {
		s.fail(c, fault.FieldErrors{field: textProblem})
		c.Abort()
		return
	}
	c.Next()
}

func bodyError(err error) error {
	var maxBytes *http.MaxBytesError
	if errors.As(err, &maxBytes) {
		return maxBytes
	}
	return fmt.Errorf("%w: %v", fault.ErrMalformed, err)
}

// badField is the first form field (by name) holding no text, "" when
// all are text.
func badField(values map[string][]string) string {
	for _, k := range slices.Sorted(maps.Keys(values)) {
		if badText(k) {
			return "veld"
		}
		for _, v := range values[k] {
			if badText(v) {
				// A field without a name still has one to say (an empty
				// name let "=a%7f" through: found by FuzzFormBody).
				return cmp.Or(k, "veld")
			}
		}
	}
	return ""
}

// badJSON is the first JSON member (by its path) holding no text, ""
// when all are text or the body is no JSON (the handler says so).
func badJSON(body []byte) string {
	if !utf8.Valid(body) {
		return "body"
	}
	// A lone surrogate escape decodes silently to U+FFFD: find it raw.
	if loneSurrogate(body) {
		return "body"
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return ""
	}
	return walkJSON(v, "")
}

func walkJSON(v any, path string) string {
	switch x := v.(type) {
	case string:
		if badText(x) {
			if path == "" {
				return "body"
			}
			return path
		}
	case []any:
		for _, e := range x {
			if f := walkJSON(e, path); f != "" {
				return f
			}
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if badText(k) {
				return "body"
			}
			p := k
			if path != "" {
				p = path + "." + k
			}
			if f := walkJSON(x[k], p); f != "" {
				return f
			}
		}
	}
	return ""
}

// duplicateKey is the path of the first member that appears twice in one
// JSON object, "" when none does (or the body is no JSON: the handler
// says so). encoding/json would silently keep the last.
func duplicateKey(body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		object bool
		seen   map[string]bool
		key    bool // the next string token is a key
		path   string
	}
	var stack []*frame
	path := func(k string) string {
		if len(stack) > 0 && stack[len(stack)-1].path != "" {
			return stack[len(stack)-1].path + "." + k
		}
		return k
	}
	var pending string // the key whose value comes next
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.key {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].object {
					stack[len(stack)-1].key = true
				}
				continue
			}
			k, _ := tok.(string)
			if top.seen[k] {
				return path(k)
			}
			top.seen[k] = true
			top.key, pending = false, path(k)
			continue
		}
		switch d, _ := tok.(json.Delim); d {
		case '{':
			stack = append(stack, &frame{object: true, seen: map[string]bool{}, key: true, path: pending})
		case '[':
			stack = append(stack, &frame{path: pending})
		case '}', ']':
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].object {
				stack[len(stack)-1].key = true
			}
		default:
			if top != nil && top.object {
				top.key = true
			}
		}
	}
}

// apiBody answers 415 to a change through the JSON API whose body is not
// JSON (an EDEXML or OSO file goes to its own routes as XML).
func (s *Server) apiBody(c *gin.Context) {
	m := c.Request.Method
	if (m != http.MethodPost && m != http.MethodPut && m != http.MethodPatch) || (c.Request.ContentLength == 0 && c.ContentType() == "") {
		c.Next()
		return
	}
	want := "application/json"
	if p := c.FullPath(); p == lasAPIRoute || p == osoAPIRoute {
		if ct := c.ContentType(); ct == "application/xml" || ct == "text/xml" {
			c.Next()
			return
		}
		want = "application/xml"
	} else if c.ContentType() == want {
		c.Next()
		return
	}
	s.fail(c, &unsupportedType{want: want})
	c.Abort()
}

// unsupportedType is a body of another type than the route takes.
type unsupportedType struct{ want string }

func (e *unsupportedType) Error() string { return "unsupported media type, want " + e.want }
