package server

import (
	"bytes"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/service"
)

//go:embed templates
var templateFS embed.FS

// snapshotView is the argument of the request_snapshot partial.
type snapshotView struct {
	ID       string
	Snapshot plan.RequestSnapshot
}

// renderer holds one parsed template set per page: the layout, every
// partial and the page itself.
type renderer struct {
	pages map[string]*template.Template

	mu       sync.Mutex
	rendered map[string]bool // pages rendered since start, for the unused-template test
}

func newRenderer(as *assets, loc *time.Location) (*renderer, error) {
	funcs := template.FuncMap{
		"asset": as.url,
		"date": func(v any) string {
			switch t := v.(type) {
			case time.Time:
				if !t.IsZero() {
					return t.In(loc).Format("02-01-2006")
				}
			case *time.Time:
				if t != nil {
					return t.In(loc).Format("02-01-2006")
				}
			}
			return ""
		},
		"deref":         deref,
		"pupilName":     fullName,
		"b64url":        func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) },
		"kindLabel":     labelFunc(kindLabels),
		"stepLabel":     labelFunc(stepLabels),
		"waitingLabel":  labelFunc(waitingLabels),
		"relationLabel": labelFunc(relationLabels),
		"phaseLabel":    labelFunc(phaseLabels),
		"supportLabel":  labelFunc(supportLabels),
		"destLabel":     labelFunc(destinationLabels),
		"missingLabel":  labelFunc(missingLabels),
		"outcomeLabel":  labelFunc(outcomeLabels),
		"growthLabel":   labelFunc(growthKindLabels),
		"consentLabel":  labelFunc(consentLabels),
		"deadlineLabel": labelFunc(deadlineLabels),
		"dlStateLabel":  labelFunc(deadlineStateLabels),
		"partLabel":     labelFunc(participantKindLabels),
		"flat":          flatten,
		"roundLabel":    labelFunc(roundLabels),
		"hearingLabel":  labelFunc(hearingWayLabels),
		"answerLabel":   labelFunc(answerLabels),
		"requestKind":   labelFunc(requestKindLabels),
		"avgKind":       labelFunc(avgKinds),
		"requestStatus": labelFunc(requestStatusLabels),
		"closeReason":   labelFunc(closeReasonLabels),
		"requestAnswer": labelFunc(requestAnswerLabels),
		"requestEvent":  labelFunc(requestEventLabels),
		"adviceOutcome": labelFunc(adviceOutcomeLabels),
		"roleText":      func(r any) string { return roleLabel(deref(r)) },
		"lower":         strings.ToLower,
		"upper":         strings.ToUpper,
		// isoDate shows a date kept as text (2016-05-05) the Dutch way.
		"isoDate": dutchDate,
		// count says how many in Dutch: count 1 "advies" "adviezen" is "1 advies".
		"count": func(n any, one, more string) string {
			if fmt.Sprint(n) == "1" {
				return "1 " + one
			}
			return fmt.Sprint(n) + " " + more
		},
		"closedText":     func(d school.Dossier) string { return closedText(d, loc) },
		"requestSummary": func(v service.RequestView) string { return requestSummary(v, loc) },
		"snapshot": func(id string, s plan.RequestSnapshot) snapshotView {
			return snapshotView{ID: id, Snapshot: s}
		},
		"transferStep":   labelFunc(transferStepLabels),
		"transferAnswer": labelFunc(transferAnswerLabels),
		"transferPart":   plan.TransferPartLabel,
		"osoPlanKind":    labelFunc(osoPlanKinds),
		"hasPrefix":      strings.HasPrefix,
		"list":           func(v ...string) []string { return v },
		"add":            func(a, b int) int { return a + b },
		"nextPhase":      func(p plan.Phase) plan.Phase { return p.Next() },
		"errs":           func(e fault.FieldErrors, k string) string { return e[k] },
		"kib":            func(n int32) string { return fmt.Sprintf("%.0f kB", float64(n)/1024+0.5) },
		"overdue":        func(t time.Time) bool { return time.Now().After(t) },
		"mailBody":       mailBody,
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(loc).Format("02-01-2006 15:04")
		},
	}
	shared, err := fs.Glob(templateFS, "templates/layouts/*.html")
	if err != nil {
		return nil, err
	}
	partials, err := fs.Glob(templateFS, "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	shared = append(shared, partials...)
	pageFiles, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	r := &renderer{pages: map[string]*template.Template{}, rendered: map[string]bool{}}
	for _, file := range pageFiles {
		name := strings.TrimSuffix(path.Base(file), ".html")
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, append(append([]string{}, shared...), file)...)
		if err != nil {
			return nil, fmt.Errorf("parse page %s: %w", name, err)
		}
		r.pages[name] = t
	}
	return r, nil
}

// renderFragment executes one named template of a page's set, without the
// layout: the answer to an htmx request.
func (s *Server) renderFragment(c *gin.Context, page, name string, data any) {
	t, ok := s.pages.pages[page]
	var buf bytes.Buffer
	if !ok {
		s.logger.Error("unknown page template", "page", page)
		c.String(500, "Er ging iets mis.")
		return
	}
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		s.logger.ErrorContext(c, "render fragment", "page", page, "fragment", name, "err", err)
		c.String(500, "Er ging iets mis. Foutcode: %s", requestIDOf(c))
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}

// render executes a page into a buffer first, so a template error gives a
// clean 500 instead of half a page.
func (s *Server) render(c *gin.Context, status int, page string, data any) {
	t, ok := s.pages.pages[page]
	if !ok {
		s.logger.Error("unknown page template", "page", page)
		c.String(500, "Er ging iets mis.")
		return
	}
	var buf bytes.Buffer
	// The header shows the person only once fully logged in.
	user := principalOf(c)
	if user != nil && user.session.MfaAt == nil {
		user = nil
	}
	view := struct {
		User *principal
		Page any
	}{user, data}
	if err := t.ExecuteTemplate(&buf, "base", view); err != nil {
		s.logger.ErrorContext(c, "render page", "page", page, "err", err)
		c.Header("Content-Type", "text/plain; charset=utf-8")
		c.String(500, "Er ging iets mis. Foutcode: %s", requestIDOf(c))
		return
	}
	s.pages.mu.Lock()
	s.pages.rendered[page] = true
	s.pages.mu.Unlock()
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// mailLink finds the links in a mail's text.
var mailLink = regexp.MustCompile(`https?://[^\s<>"]+`)

// mailBody shows a mail's plain text with its links clickable (the
// development mailbox): the text escaped, each link an anchor.
func mailBody(body string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range mailLink.FindAllStringIndex(body, -1) {
		b.WriteString(template.HTMLEscapeString(body[last:m[0]]))
		u := template.HTMLEscapeString(body[m[0]:m[1]])
		b.WriteString(`<a href="` + u + `">` + u + `</a>`)
		last = m[1]
	}
	b.WriteString(template.HTMLEscapeString(body[last:]))
	return template.HTML(b.String())
}
