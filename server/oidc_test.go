package server

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// fakeOIDC is a small OpenID Connect provider, enough for the code flow
// with PKCE: discovery, keys, an authorize endpoint that logs in at once
// as the configured person, and a token endpoint issuing signed ID tokens.
type fakeOIDC struct {
	srv   *httptest.Server
	key   *rsa.PrivateKey
	mu    sync.Mutex
	email string
	amr   []string
	codes map[string][2]string // code → nonce, PKCE challenge
}

func newFakeOIDC(t *testing.T) *fakeOIDC {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeOIDC{key: key, codes: map[string][2]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": f.srv.URL, "authorization_endpoint": f.srv.URL + "/authorize", "token_endpoint": f.srv.URL + "/token",
			"jwks_uri": f.srv.URL + "/jwks", "id_token_signing_alg_values_supported": []string{"RS256"},
			"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("code_challenge_method") != "S256" {
			http.Error(w, "PKCE required", 400)
			return
		}
		code, _ := newToken()
		f.mu.Lock()
		f.codes[code] = [2]string{q.Get("nonce"), q.Get("code_challenge")}
		f.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?code="+code+"&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		f.mu.Lock()
		c, ok := f.codes[r.PostForm.Get("code")]
		delete(f.codes, r.PostForm.Get("code"))
		email, amr := f.email, f.amr
		f.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if !ok || base64.RawURLEncoding.EncodeToString(sum[:]) != c[1] {
			http.Error(w, `{"error":"invalid_grant"}`, 400)
			return
		}
		claims, _ := json.Marshal(map[string]any{"iss": f.srv.URL, "sub": "entree-" + email, "aud": "topdossier",
			"exp": time.Now().Add(5 * time.Minute).Unix(), "iat": time.Now().Unix(), "nonce": c[0],
			"email": email, "email_verified": true, "amr": amr})
		signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
		jws, _ := signer.Sign(claims)
		idToken, _ := jws.CompactSerialize()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "x", "token_type": "Bearer", "expires_in": 300, "id_token": idToken})
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func TestOIDCLogin(t *testing.T) {
	provider := newFakeOIDC(t)
	h := newHarness(t, func(c *Config) {
		c.OIDC = OIDCConfig{Issuer: provider.srv.URL, ClientID: "topdossier", ClientSecret: "geheim"}
	})
	h.srv.oidc.cfg.RedirectURL = h.http.URL + "/inloggen/entree/terug"

	// login runs the round trip and returns the callback's answer.
	login := func(email string, amr []string, tamper bool) *http.Response {
		t.Helper()
		provider.mu.Lock()
		provider.email, provider.amr = email, amr
		provider.mu.Unlock()
		resp, _ := h.doAs(t, "", "GET", "/inloggen/entree?terug=/licenties", "", "")
		if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), provider.srv.URL+"/authorize") {
			t.Fatalf("start: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		var flowCookie *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == oidcCookie {
				flowCookie = c
			}
		}
		if flowCookie == nil || !flowCookie.Secure || !flowCookie.HttpOnly {
			t.Fatal("no sealed flow cookie")
		}
		back, err := noRedirect.Get(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		back.Body.Close()
		callback := back.Header.Get("Location")
		if tamper {
			callback = strings.Replace(callback, "state=", "state=x", 1)
		}
		req, _ := http.NewRequest("GET", callback, nil)
		req.AddCookie(&http.Cookie{Name: oidcCookie, Value: flowCookie.Value})
		out, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out.Body.Close()
		return out
	}
	session := func(resp *http.Response) string {
		for _, c := range resp.Cookies() {
			if c.Name == sessionCookie && c.Value != "" {
				return c.Value
			}
		}
		return ""
	}

	// Without MFA at the provider: logged in up to the second factor.
	resp := login("IB@linde.invalid", nil, false)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/inloggen/code?terug=%2Flicenties" || session(resp) == "" {
		t.Fatalf("callback: %d %s, want the code step with a session", resp.StatusCode, resp.Header.Get("Location"))
	}
	if r, _ := h.doAs(t, session(resp), "GET", "/api/v1/licences/"+h.school.ID.String()+"/pupils", "", ""); r.StatusCode != 401 {
		t.Errorf("before the code: %d, want 401", r.StatusCode)
	}
	// With MFA at the provider: fully logged in.
	resp = login("ib@linde.invalid", []string{"pwd", "mfa"}, false)
	if r, _ := h.doAs(t, session(resp), "GET", "/api/v1/licences/"+h.school.ID.String()+"/pupils", "", ""); resp.StatusCode != 303 || r.StatusCode != 200 {
		t.Errorf("with provider MFA: callback %d, API %d; want 303 and 200", resp.StatusCode, r.StatusCode)
	}
	// No account for the address, or a changed state: refused, no session.
	for name, resp := range map[string]*http.Response{
		"unknown": login("onbekend@elders.invalid", []string{"mfa"}, false),
		"state":   login("ib@linde.invalid", []string{"mfa"}, true),
	} {
		if resp.StatusCode != 401 || session(resp) != "" {
			t.Errorf("%s: %d with session %v, want 401 without", name, resp.StatusCode, session(resp) != "")
		}
	}
	// The login page offers Entree only where it is configured.
	if _, body := h.doAs(t, "", "GET", "/inloggen", "", ""); !strings.Contains(body, "Inloggen met Entree") {
		t.Error("login page does not offer Entree")
	}
}
