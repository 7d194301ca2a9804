package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

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
	if route == "/healthz" || route == "/readyz" || route == "/metrics" {
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
