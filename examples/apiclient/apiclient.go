// Package apiclient is an example client of the TOP dossier API. Walk
// takes a request for a toelaatbaarheidsverklaring (TLV) from the
// school's dossier to the SWV's signed decision with two API tokens and
// nothing else: the school's (read and write) and the SWV's (read and
// handle). It uses only the standard library, so it can be copied into
// any integration.
//
// Every change carries its own Idempotency-Key and is retried with the
// same key after a network error, a 5xx, a 429 or a 409 "still running"
// (with Retry-After), for up to a minute: a retry never does anything
// twice.
package apiclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Config is where the API is and who acts. The ids are UUIDs as the API
// gives them (GET /licences/{swv}/people lists the SWV's people).
type Config struct {
	BaseURL     string // e.g. https://topdossier.example.nl/api/v1
	HTTP        *http.Client
	SchoolToken string
	SWVToken    string
	School      string // the school's licence
	SWV         string // the SWV's licence
	Pupil       string // the pupil whose dossier the request comes from
	// Question is the school's question to the SWV.
	Question string
	// Experts are the two experts asked to advise; Chair and Member sit
	// in the committee; Signer is the SWV admin who signs.
	Experts               [2]string
	Chair, Member, Signer string
	// Wait bounds each wait for the SWV's process (default 30 s).
	Wait time.Duration
	// Retry bounds how long one change is retried (default 1 minute).
	Retry time.Duration
}

// Result is what the walk produced.
type Result struct {
	SchoolRequest string // the request at the school
	SWVRequest    string // the same request at the SWV
	Number        string // the decision's number, e.g. TLV-2026-0001
	PDF           []byte // the signed decision, as the school downloads it
}

// Problem is a refusal of the API (RFC 9457), in Dutch.
type Problem struct {
	Status int               `json:"status"`
	Title  string            `json:"title"`
	Detail string            `json:"detail"`
	Errors map[string]string `json:"errors"`
}

func (p *Problem) Error() string {
	return fmt.Sprintf("%d %s %s %v", p.Status, p.Title, p.Detail, p.Errors)
}

type client struct {
	cfg Config
}

func newKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// call sends one request with token; out (may be nil) receives the JSON
// answer. A change that got no answer, a server error, "too many
// requests" or "still running" (409 with Retry-After) is sent again with
// the same key, waiting longer each time, for up to cfg.Retry: the
// server does it once.
func (c *client) call(ctx context.Context, token, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	key := newKey()
	deadline := time.Now().Add(c.cfg.Retry)
	wait := 250 * time.Millisecond
	var last error
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			if time.Now().Add(wait).After(deadline) {
				return last
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
			wait = min(wait*2, 5*time.Second)
		}
		req, err := http.NewRequestWithContext(ctx, method, c.cfg.BaseURL+path, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "application/json")
		if in != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if method != http.MethodGet {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := c.cfg.HTTP.Do(req)
		if err != nil {
			last = err
			continue
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			last = err
			continue
		}
		retryAfter := resp.Header.Get("Retry-After")
		if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests ||
			(resp.StatusCode == http.StatusConflict && retryAfter != "") {
			last = fmt.Errorf("%s %s: %d", method, path, resp.StatusCode)
			if s, err := strconv.Atoi(retryAfter); err == nil && s > 0 && s <= 60 {
				wait = time.Duration(s) * time.Second
			}
			continue
		}
		if resp.StatusCode >= 300 {
			p := &Problem{}
			if json.Unmarshal(data, p) != nil {
				p.Status = resp.StatusCode
			}
			return fmt.Errorf("%s %s: %w", method, path, p)
		}
		if out == nil {
			return nil
		}
		if b, ok := out.(*[]byte); ok {
			*b = data
			return nil
		}
		return json.Unmarshal(data, out)
	}
}

// The parts of the answers the walk reads.
type (
	schoolRequest struct {
		Request struct {
			ID      string `json:"id"`
			Round   int    `json:"round"`
			Status  string `json:"status"`
			Ready   bool   `json:"ready"`
			Parties []struct {
				Key string `json:"key"`
			} `json:"parties"`
			Attachments []struct {
				ID string `json:"id"`
			} `json:"attachments"`
			SWV *struct {
				RequestID string `json:"request_id"`
				Status    string `json:"status"`
			} `json:"swv"`
		} `json:"request"`
	}
	swvRequest struct {
		Request struct {
			ID       string `json:"id"`
			Status   string `json:"status"`
			Decision *struct {
				Approved bool    `json:"approved"`
				Number   *string `json:"number"`
				SignedAt *string `json:"signed_at"`
			} `json:"decision"`
		} `json:"request"`
	}
)

// Walk takes one TLV request from preparation to the signed decision.
func Walk(ctx context.Context, cfg Config) (Result, error) {
	if cfg.HTTP == nil {
		cfg.HTTP = http.DefaultClient
	}
	if cfg.Wait == 0 {
		cfg.Wait = 30 * time.Second
	}
	if cfg.Retry == 0 {
		cfg.Retry = time.Minute
	}
	c := &client{cfg: cfg}
	var res Result
	dossier := "/licences/" + cfg.School + "/pupils/" + cfg.Pupil + "/dossier"

	// 1. The school prepares the request from the dossier.
	var req schoolRequest
	err := c.call(ctx, cfg.SchoolToken, "POST", dossier+"/requests", map[string]string{
		"kind": "tlv", "tlv_type": "so", "tlv_category": "midden", "question": cfg.Question}, &req)
	if err != nil {
		return res, err
	}
	res.SchoolRequest = req.Request.ID
	schoolReq := dossier + "/requests/" + req.Request.ID

	// 2. The parents gave their view on paper: the school records it,
	// with every attachment let go.
	share := map[string]bool{}
	for _, a := range req.Request.Attachments {
		share[a.ID] = true
	}
	for _, p := range req.Request.Parties {
		if err := c.call(ctx, cfg.SchoolToken, "POST", schoolReq+"/answers", map[string]any{"party": p.Key, "round": req.Request.Round,
			"answer": "agree", "view": "Wij steunen de aanvraag (op papier gegeven).", "share": share}, &req); err != nil {
			return res, err
		}
	}

	// 3. The school submits; the SWV has it in its intake.
	if err := c.call(ctx, cfg.SchoolToken, "POST", schoolReq+"/submit", nil, &req); err != nil {
		return res, err
	}
	if req.Request.SWV == nil {
		return res, errors.New("submitted, but no request at the SWV")
	}
	res.SWVRequest = req.Request.SWV.RequestID
	swvReq := "/licences/" + cfg.SWV + "/requests/" + res.SWVRequest
	wait := func(want ...string) error {
		deadline := time.Now().Add(cfg.Wait)
		for {
			var r swvRequest
			if err := c.call(ctx, cfg.SWVToken, "GET", swvReq, nil, &r); err != nil {
				return err
			}
			for _, w := range want {
				if r.Request.Status == w {
					return nil
				}
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("request at step %q, waited for %v", r.Request.Status, want)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	if err := wait("intake"); err != nil {
		return res, err
	}

	// 4. Intake: accepted; a meeting today; on its agenda.
	if err := c.call(ctx, cfg.SWVToken, "POST", swvReq+"/intake", map[string]any{"accept": true}, nil); err != nil {
		return res, err
	}
	if err := wait("bij_consulent"); err != nil {
		return res, err
	}
	var meeting struct {
		Meeting struct {
			ID string `json:"id"`
		} `json:"meeting"`
	}
	if err := c.call(ctx, cfg.SWVToken, "POST", "/licences/"+cfg.SWV+"/meetings", map[string]any{
		"meets_on": time.Now().Format("2006-01-02"), "title": "Commissie van toewijzing", "chair_id": cfg.Chair,
		"member_ids": []string{cfg.Member}}, &meeting); err != nil {
		return res, err
	}
	if err := c.call(ctx, cfg.SWVToken, "POST", swvReq+"/schedule", map[string]any{"meeting_id": meeting.Meeting.ID}, nil); err != nil {
		return res, err
	}

	// 5. Two experts are asked and advise (WPO art. 18a: two, one of
	// them an orthopedagoog or psycholoog).
	for _, e := range cfg.Experts {
		if err := c.call(ctx, cfg.SWVToken, "POST", swvReq+"/experts", map[string]any{"expert_id": e}, nil); err != nil {
			return res, err
		}
		if err := c.call(ctx, cfg.SWVToken, "POST", swvReq+"/advices", map[string]any{"acting_for": e, "outcome": "positief",
			"advice": "Een kleine groep met vaste structuur is nodig."}, nil); err != nil {
			return res, err
		}
	}

	// 6. The chair proposes the term; the committee votes.
	today := time.Now()
	end := time.Date(today.Year(), time.July, 31, 0, 0, 0, 0, time.UTC)
	if today.Month() >= time.August {
		end = end.AddDate(1, 0, 0)
	}
	end = end.AddDate(1, 0, 0) // to the end of next school year
	if err := c.call(ctx, cfg.SWVToken, "POST", swvReq+"/proposal", map[string]any{"acting_for": cfg.Chair,
		"start_on": today.Format("2006-01-02"), "end_on": end.Format("2006-01-02"), "category": "midden"}, nil); err != nil {
		return res, err
	}
	for _, m := range []string{cfg.Member, cfg.Chair} {
		if err := c.call(ctx, cfg.SWVToken, "POST", swvReq+"/votes", map[string]any{"acting_for": m, "approve": true,
			"motivation": "Toegekend: de school kan deze ondersteuning niet bieden."}, nil); err != nil {
			return res, err
		}
	}
	if err := wait("ondertekenen"); err != nil {
		return res, err
	}

	// 7. The SWV's admin signs; the decision is made known.
	if err := c.call(ctx, cfg.SWVToken, "POST", swvReq+"/sign", map[string]any{"acting_for": cfg.Signer}, nil); err != nil {
		return res, err
	}
	if err := wait("bezwaartermijn"); err != nil {
		return res, err
	}
	var done swvRequest
	if err := c.call(ctx, cfg.SWVToken, "GET", swvReq, nil, &done); err != nil {
		return res, err
	}
	if d := done.Request.Decision; d == nil || !d.Approved || d.Number == nil || d.SignedAt == nil {
		return res, errors.New("no signed decision")
	}
	res.Number = *done.Request.Decision.Number

	// 8. The school downloads the signed decision.
	if err := c.call(ctx, cfg.SchoolToken, "GET", schoolReq+"/decision.pdf", nil, &res.PDF); err != nil {
		return res, err
	}
	if !strings.HasPrefix(string(res.PDF), "%PDF") {
		return res, errors.New("the decision is not a PDF")
	}
	return res, nil
}
