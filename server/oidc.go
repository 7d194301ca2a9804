package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"golang.org/x/oauth2"

	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/fault"
)

// OIDCConfig connects the login to an OpenID Connect provider such as
// Kennisnet's Entree Federatie. An empty Issuer turns it off.
type OIDCConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is this server's /inloggen/entree/terug as the provider
	// knows it.
	RedirectURL string
}

// oidcCookie carries state, nonce and PKCE verifier across the round trip
// to the provider, sealed so the browser can neither read nor change it.
const oidcCookie = "__Host-td_oidc"

type oidcFlow struct {
	State, Nonce, Verifier, Back string
	Expires                      time.Time
}

// oidcClient discovers the provider on first use, so a provider that is
// down does not stop the server from starting.
type oidcClient struct {
	cfg      OIDCConfig
	mu       sync.Mutex
	provider *oidc.Provider
}

func (o *oidcClient) get(ctx context.Context) (*oidc.Provider, oauth2.Config, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider == nil {
		p, err := oidc.NewProvider(ctx, o.cfg.Issuer)
		if err != nil {
			return nil, oauth2.Config{}, errors.Join(fault.ErrUnavailable, err)
		}
		o.provider = p
	}
	return o.provider, oauth2.Config{
		ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, RedirectURL: o.cfg.RedirectURL,
		Endpoint: o.provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
	}, nil
}

// handleOIDCStart sends the person to the provider.
func (s *Server) handleOIDCStart(c *gin.Context) error {
	if s.oidc == nil {
		return errNotConfigured
	}
	_, oc, err := s.oidc.get(c)
	if err != nil {
		return err
	}
	flow := oidcFlow{Back: safeBack(c.Query("terug")), Verifier: oauth2.GenerateVerifier(), Expires: time.Now().Add(10 * time.Minute)}
	if flow.State, err = newToken(); err != nil {
		return err
	}
	if flow.Nonce, err = newToken(); err != nil {
		return err
	}
	raw, err := json.Marshal(flow)
	if err != nil {
		return err
	}
	sealed, err := s.cookieBox.Seal(string(raw))
	if err != nil {
		return err
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: oidcCookie, Value: base64.RawURLEncoding.EncodeToString(sealed), Path: "/",
		MaxAge: 600, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	c.Redirect(http.StatusFound, oc.AuthCodeURL(flow.State, oidc.Nonce(flow.Nonce), oauth2.S256ChallengeOption(flow.Verifier)))
	return nil
}

// handleOIDCCallback checks the provider's answer and logs in the staff
// account with the same e-mail address. Accounts are never created here:
// an admin adds people. The second factor is still asked, unless the
// provider says it did multi-factor authentication itself.
func (s *Server) handleOIDCCallback(c *gin.Context) error {
	if s.oidc == nil {
		return errNotConfigured
	}
	fail := func(msg string) error {
		s.render(c, http.StatusUnauthorized, "login", loginPage{Back: "/", Error: msg, OIDC: true})
		return nil
	}
	cookie, err := c.Cookie(oidcCookie)
	http.SetCookie(c.Writer, &http.Cookie{Name: oidcCookie, Value: "", Path: "/", MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	if err != nil {
		return fail("Het inloggen via Entree is verlopen. Probeer het opnieuw.")
	}
	var flow oidcFlow
	sealed, err := base64.RawURLEncoding.DecodeString(cookie)
	if err == nil {
		var raw string
		if raw, err = s.cookieBox.Open(sealed); err == nil {
			err = json.Unmarshal([]byte(raw), &flow)
		}
	}
	if err != nil || time.Now().After(flow.Expires) || c.Query("state") != flow.State || c.Query("code") == "" {
		return fail("Het inloggen via Entree is verlopen of onderbroken. Probeer het opnieuw.")
	}
	provider, oc, err := s.oidc.get(c)
	if err != nil {
		return err
	}
	tok, err := oc.Exchange(c, c.Query("code"), oauth2.VerifierOption(flow.Verifier))
	if err != nil {
		s.logger.WarnContext(c, "oidc exchange", "err", err)
		return fail("Entree gaf geen geldige aanmelding terug. Probeer het opnieuw.")
	}
	rawID, _ := tok.Extra("id_token").(string)
	idTok, err := provider.Verifier(&oidc.Config{ClientID: oc.ClientID}).Verify(c, rawID)
	if err != nil || idTok.Nonce != flow.Nonce {
		s.logger.WarnContext(c, "oidc id token", "err", err)
		return fail("Entree gaf geen geldige aanmelding terug. Probeer het opnieuw.")
	}
	var claims struct {
		Email         string   `json:"email"`
		EmailVerified *bool    `json:"email_verified"`
		AMR           []string `json:"amr"`
	}
	if err := idTok.Claims(&claims); err != nil || claims.Email == "" || (claims.EmailVerified != nil && !*claims.EmailVerified) {
		return fail("Entree gaf geen (bevestigd) e-mailadres door.")
	}
	q := platform.New(s.tenants.Platform())
	user, err := q.GetUserByEmail(c, strings.ToLower(claims.Email))
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && (user.Kind != platform.UserKindStaff || user.DisabledAt != nil)) {
		return fail("Er is geen TOP dossier-account voor dit Entree-account. Vraag je beheerder om je toe te voegen.")
	}
	if err != nil {
		return err
	}
	token, err := newToken()
	if err != nil {
		return err
	}
	if err := q.CreateSession(c, platform.CreateSessionParams{TokenHash: hashToken(token), UserID: user.ID,
		ExpiresAt: time.Now().Add(s.cfg.SessionAbsolute)}); err != nil {
		return err
	}
	mfa := false
	for _, m := range claims.AMR {
		mfa = mfa || m == "mfa"
	}
	if mfa {
		if err := q.PassSecondFactor(c, hashToken(token)); err != nil {
			return err
		}
	}
	s.logger.InfoContext(c, "login via oidc", "user", user.ID, "mfa_by_provider", mfa)
	setSessionCookie(c, token, int(s.cfg.SessionAbsolute.Seconds()))
	if mfa {
		c.Redirect(http.StatusSeeOther, flow.Back)
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/inloggen/code?terug="+urlEscape(flow.Back))
	return nil
}

// errNotConfigured marks a feature this installation has not set up.
var errNotConfigured = errors.New("not configured")
