package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestTextAtTheEdge (issue 19, fix 3): a NUL byte or another control
// character, invalid UTF-8 or a lone surrogate in any text field — a
// page's form, the JSON API, the dossier's advance — is a 422 naming the
// field, never a 500, and nothing is stored; TAB, LF and CR and real
// text (emoji as a surrogate pair) pass; bidi controls leave file names.
func TestTextAtTheEdge(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxBodyBytes = 64 << 10 })
	pupil, _, _ := requestPupil(t, h, "Tekst")
	base := dossierURL(h.school.ID, pupil)
	api := fmt.Sprintf("/api/v1/licences/%s/pupils/%s/dossier", h.school.ID, pupil)

	for _, body := range []string{form("kind", "observation", "occurred_on", "2026-11-02", "body", "Nul\x00byte"),
		form("kind", "observation", "occurred_on", "2026-11-02", "body", "bel\x07"),
		"kind=observation&occurred_on=2026-11-02&body=%FF%FE"} {
		resp, out := h.do(t, "POST", base+"/groeidocument", formType, body)
		if resp.StatusCode != 422 || !strings.Contains(out, "teken dat niet in tekst hoort") {
			t.Errorf("growth note %q: %d, want 422 with the Dutch message", body, resp.StatusCode)
		}
	}
	for _, body := range []string{`{"kind":"observation","occurred_on":"2026-11-02","body":"Nul\u0000byte"}`,
		`{"kind":"observation","occurred_on":"2026-11-02","body":"half \ud800 paar"}`,
		`{"kind":"observation","occurred_on":"2026-11-02","body":"laag \udc00"}`} {
		resp, out := h.do(t, "POST", api+"/growth-entries", "application/json", body)
		if resp.StatusCode != 422 || !strings.Contains(out, `"body"`) {
			t.Errorf("API %s: %d %s, want 422 naming the field", body, resp.StatusCode, out)
		}
	}
	if resp, out := h.do(t, "POST", api+"/advance", "application/json", `{"request_id":"nul\u0000","from":"observe"}`); resp.StatusCode != 422 ||
		!strings.Contains(out, `"request_id"`) {
		t.Errorf("advance with a NUL: %d %s, want 422 naming request_id", resp.StatusCode, out)
	}
	// Real text passes: tabs, new lines, an emoji written as a surrogate pair.
	if resp, out := h.do(t, "POST", api+"/growth-entries", "application/json",
		`{"kind":"observation","occurred_on":"2026-11-02","body":"Regel één\n\tingesprongen \ud83d\ude00"}`); resp.StatusCode != 201 {
		t.Errorf("real text: %d %s", resp.StatusCode, out)
	}
	if page := h.page(t, base); strings.Contains(page, "Nul") || strings.Contains(page, "half") {
		t.Error("a refused note was stored")
	}

	// A file name with a right-to-left override keeps its letters, not the override.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	hdr := textproto.MIMEHeader{}
	hdr.Set("Content-Disposition", `form-data; name="file"; filename="rapport`+"\u202e"+`gpj.pdf"`)
	hdr.Set("Content-Type", "application/pdf")
	fw, err := mw.CreatePart(hdr)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte("%PDF-1.4 verslag"))
	mw.Close()
	if resp, out := h.do(t, "POST", base+"/bijlagen", mw.FormDataContentType(), buf.String()); resp.StatusCode >= 400 {
		t.Fatalf("upload: %d %s", resp.StatusCode, out)
	}
	if page := h.page(t, base); strings.Contains(page, "\u202e") || !strings.Contains(page, "rapportgpj.pdf") {
		t.Error("the file name kept its bidi control")
	}
}

// TestAPIBodies (issue 19, fix 5): every API answer says no-store; a
// change with a body that is not JSON is a 415 (an EDEXML or OSO file to
// its own route, as XML); a JSON object with a member twice is a 422
// naming it (encoding/json would keep the last silently); nothing is
// stored.
func TestAPIBodies(t *testing.T) {
	h := newHarness(t)
	pupils := "/api/v1/licences/" + h.school.ID.String() + "/pupils"
	resp, _ := h.do(t, "GET", pupils, "", "")
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("GET pupils: %d, Cache-Control %q, want no-store", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	if resp, _ := h.do(t, "GET", "/api/v1/licences/"+h.school.ID.String()+"/nergens", "", ""); resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("an API 404 without no-store")
	}
	for _, ct := range []string{formType, "text/plain", "application/xml"} {
		resp, out := h.do(t, "POST", pupils, ct, validPupil)
		if resp.StatusCode != 415 || !strings.Contains(out, "application/json") {
			t.Errorf("a pupil as %s: %d %s, want 415", ct, resp.StatusCode, out)
		}
	}
	if resp, _ := h.do(t, "POST", "/api/v1/licences/"+h.school.ID.String()+"/oso-imports", "application/json", `{}`); resp.StatusCode != 415 {
		t.Errorf("an OSO import as JSON: %d, want 415", resp.StatusCode)
	}
	twice := strings.Replace(validPupil, `"given_name":"Lotte"`, `"given_name":"Lotte","given_name":"Anders"`, 1)
	resp, out := h.do(t, "POST", pupils, "application/json", twice)
	if resp.StatusCode != 422 || !strings.Contains(out, `"given_name"`) || !strings.Contains(out, "twee keer") {
		t.Errorf("a member twice: %d %s, want 422 naming given_name", resp.StatusCode, out)
	}
	nested := strings.Replace(validPupil, `"relation":"mother"`, `"relation":"mother","relation":"father"`, 1)
	if resp, out := h.do(t, "POST", pupils, "application/json", nested); resp.StatusCode != 422 || !strings.Contains(out, "guardians.relation") {
		t.Errorf("a nested member twice: %d %s, want 422 naming guardians.relation", resp.StatusCode, out)
	}
	if resp, _ := h.do(t, "GET", pupils, "", ""); resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	} else if n := h.countPupils(t, h.school.ID); n != 0 {
		t.Errorf("%d pupils stored by refused requests", n)
	}
	if resp, out := h.do(t, "POST", pupils, "application/json", validPupil); resp.StatusCode != 201 {
		t.Errorf("a valid pupil: %d %s", resp.StatusCode, out)
	}
}

// FuzzJSONBody: the edge's JSON checks never panic, and a body they let
// through decodes to text only, with each member once per object.
func FuzzJSONBody(f *testing.F) {
	for _, s := range []string{`{"a":"b"}`, `{"a":"\u0000"}`, `{"a":"\ud800"}`, `{"a":1,"a":2}`, `{"a":{"b":[{"c":"d","c":"e"}]}}`,
		`["\ud83d\ude00"]`, `{"a":"\\ud800"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		bad, dup := badJSON(body), duplicateKey(body)
		if bad != "" || dup != "" {
			return
		}
		var v any
		if json.Unmarshal(body, &v) != nil {
			return
		}
		if f := walkJSON(v, ""); f != "" {
			t.Fatalf("let through %q with no text at %s", body, f)
		}
	})
}

// FuzzFormBody: the edge's check of a form body never panics, and a body it
// lets through parses to fields whose names and values are text only (no
// control character but TAB, LF and CR, valid UTF-8).
func FuzzFormBody(f *testing.F) {
	for _, s := range []string{"a=b", "naam=%00", "naam=Jan%0ASen", "%ff=1", "a=%c3%28", "a=b&a=%1b", "x=%e2%80%ae", "a=%F0%9F%98%80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		values, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		if badField(values) != "" {
			return
		}
		for k, vs := range values {
			for _, v := range append([]string{k}, vs...) {
				if !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' }) {
					t.Fatalf("let through %q in %q", v, body)
				}
			}
		}
	})
}
