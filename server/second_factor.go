package server

import (
	"bytes"
	"encoding/base64"
	"errors"
	"html/template"
	"image/png"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
)

// codePage is the second step of logging in, and of re-authenticating.
type codePage struct {
	Back          string
	Error         string
	Enrol         bool
	Secret        string
	QR            template.URL // data: URL of the QR code
	RecoveryCodes []string
	Reauth        bool
}

// pendingOf returns the session's person when they passed the password but
// not yet the second factor.
func pendingOf(c *gin.Context) *principal {
	p := principalOf(c)
	if p == nil || p.session.MfaAt != nil {
		return nil
	}
	return p
}

// handleCodeShow asks for the authenticator code, or, when the account
// has no authenticator yet, shows the QR code to set one up (ASVS 2.8).
func (s *Server) handleCodeShow(c *gin.Context) error {
	p := pendingOf(c)
	if p == nil {
		c.Redirect(http.StatusSeeOther, "/inloggen")
		return nil
	}
	page, err := s.codePageFor(c, p)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "code", page)
	return nil
}

func (s *Server) codePageFor(c *gin.Context, p *principal) (codePage, error) {
	page := codePage{Back: safeBack(c.Query("terug"))}
	if p.session.TotpConfirmedAt != nil {
		return page, nil
	}
	page.Enrol = true
	secret, err := s.totpSecret(c, p)
	if err != nil {
		return page, err
	}
	key, err := auth.TOTPKeyFromSecret(p.session.Email, secret)
	if err != nil {
		return page, err
	}
	img, err := key.Image(200, 200)
	if err != nil {
		return page, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return page, err
	}
	page.Secret = secret
	page.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
	return page, nil
}

// totpSecret returns the account's TOTP secret, making and storing one
// (sealed) when it has none.
func (s *Server) totpSecret(c *gin.Context, p *principal) (string, error) {
	if p.session.TotpSecretSealed != nil {
		return s.totpBox.Open(p.session.TotpSecretSealed)
	}
	key, err := auth.NewTOTPKey(p.session.Email)
	if err != nil {
		return "", err
	}
	sealed, err := s.totpBox.Seal(key.Secret())
	if err != nil {
		return "", err
	}
	if err := platform.New(s.tenants.Platform()).SetTOTPSecret(c, platform.SetTOTPSecretParams{ID: p.UserID, TotpSecretSealed: sealed}); err != nil {
		return "", err
	}
	p.session.TotpSecretSealed = sealed
	return key.Secret(), nil
}

// handleCode checks the code: a TOTP code from the app, or one of the
// recovery codes. Wrong codes count as failed logins for the rate limits.
func (s *Server) handleCode(c *gin.Context) error {
	p := pendingOf(c)
	if p == nil {
		c.Redirect(http.StatusSeeOther, "/inloggen")
		return nil
	}
	if err := parseForm(c); err != nil {
		return err
	}
	back := safeBack(c.PostForm("terug"))
	limited, err := s.loginLimited(c, p.session.Email)
	if err != nil {
		return err
	}
	ok := false
	var recovery []string
	if !limited {
		ok, recovery, err = s.checkSecondFactor(c, p, c.PostForm("code"))
		if err != nil {
			return err
		}
	}
	if err := s.recordAttempt(c, p.session.Email, ok); err != nil {
		return err
	}
	q := platform.New(s.tenants.Platform())
	if !ok {
		page, err := s.codePageFor(c, p)
		if err != nil {
			return err
		}
		page.Back = back
		page.Error = "Deze code klopt niet of is al gebruikt. Wacht op de volgende code en probeer het opnieuw."
		status := http.StatusUnauthorized
		if limited {
			page.Error = "Te veel mislukte pogingen. Probeer het over een uur opnieuw, of vraag de school (of uw beheerder) om hulp."
			status = http.StatusTooManyRequests
		}
		s.render(c, status, "code", page)
		return nil
	}
	if err := q.PassSecondFactor(c, p.TokenHash); err != nil {
		return err
	}
	if recovery != nil {
		// Shown once, right after the authenticator is set up.
		s.render(c, http.StatusOK, "code", codePage{Back: back, RecoveryCodes: recovery})
		return nil
	}
	c.Redirect(http.StatusSeeOther, back)
	return nil
}

// checkSecondFactor accepts a TOTP code (each time step once) or an unused
// recovery code. When the code confirms a new authenticator it also
// returns fresh recovery codes.
func (s *Server) checkSecondFactor(c *gin.Context, p *principal, code string) (bool, []string, error) {
	q := platform.New(s.tenants.Platform())
	if p.session.TotpSecretSealed == nil {
		return false, nil, nil
	}
	secret, err := s.totpBox.Open(p.session.TotpSecretSealed)
	if err != nil {
		return false, nil, err
	}
	if step, ok := auth.CheckTOTP(secret, code, time.Now(), p.session.TotpLastStep); ok {
		if p.session.TotpConfirmedAt == nil {
			if err := q.ConfirmTOTP(c, platform.ConfirmTOTPParams{ID: p.UserID, TotpLastStep: step}); err != nil {
				return false, nil, err
			}
			codes, err := s.newRecoveryCodes(c, p)
			return err == nil, codes, err
		}
		n, err := q.UseTOTPStep(c, platform.UseTOTPStepParams{ID: p.UserID, TotpLastStep: step})
		return n == 1, nil, err
	}
	if p.session.TotpConfirmedAt == nil || len(strings.TrimSpace(code)) < 12 {
		return false, nil, nil
	}
	n, err := q.UseRecoveryCode(c, platform.UseRecoveryCodeParams{UserID: p.UserID, CodeHash: auth.HashRecoveryCode(code)})
	return n == 1, nil, err
}

func (s *Server) newRecoveryCodes(c *gin.Context, p *principal) ([]string, error) {
	codes, err := auth.NewRecoveryCodes(10)
	if err != nil {
		return nil, err
	}
	q := platform.New(s.tenants.Platform())
	if err := q.DeleteRecoveryCodes(c, p.UserID); err != nil {
		return nil, err
	}
	for _, code := range codes {
		if err := q.AddRecoveryCode(c, platform.AddRecoveryCodeParams{UserID: p.UserID, CodeHash: auth.HashRecoveryCode(code)}); err != nil {
			return nil, err
		}
	}
	return codes, nil
}

// errReauthenticate marks an API request for a sensitive action whose
// session has not confirmed the password recently.
var errReauthenticate = errors.New("re-authentication required")

// recentAuth is the re-authentication hook for sensitive actions (consent,
// signing): the person must have entered password and code within maxAge,
// else they are asked to do so and sent back (ASVS 3.7.1).
func (s *Server) recentAuth(maxAge time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := principalOf(c)
		if p == nil || p.session.MfaAt == nil {
			s.unauthenticated(c)
			return
		}
		if time.Since(p.session.ReauthAt) <= maxAge {
			c.Next()
			return
		}
		if isAPI(c) {
			s.fail(c, errReauthenticate)
			return
		}
		c.Redirect(http.StatusSeeOther, "/inloggen/opnieuw?terug="+urlEscape(c.Request.URL.Path))
		c.Abort()
	}
}

func (s *Server) handleReauthShow(c *gin.Context) error {
	if principalOf(c) == nil {
		c.Redirect(http.StatusSeeOther, "/inloggen")
		return nil
	}
	s.render(c, http.StatusOK, "code", codePage{Back: safeBack(c.Query("terug")), Reauth: true})
	return nil
}

// handleReauth confirms password and code again for a sensitive action.
func (s *Server) handleReauth(c *gin.Context) error {
	p := principalOf(c)
	if p == nil || p.session.MfaAt == nil {
		c.Redirect(http.StatusSeeOther, "/inloggen")
		return nil
	}
	if err := parseForm(c); err != nil {
		return err
	}
	back := safeBack(c.PostForm("terug"))
	limited, err := s.loginLimited(c, p.session.Email)
	if err != nil {
		return err
	}
	ok := !limited && p.session.PasswordHash != nil
	if ok {
		if ok, err = s.verifyPassword(c, c.PostForm("password"), *p.session.PasswordHash); err != nil {
			return err
		}
	}
	if ok {
		ok, _, err = s.checkSecondFactor(c, p, c.PostForm("code"))
		if err != nil {
			return err
		}
	}
	if err := s.recordAttempt(c, p.session.Email, ok); err != nil {
		return err
	}
	q := platform.New(s.tenants.Platform())
	if !ok {
		s.render(c, http.StatusUnauthorized, "code", codePage{Back: back, Reauth: true,
			Error: "Het wachtwoord of de code klopt niet."})
		return nil
	}
	if err := q.Reauthenticated(c, p.TokenHash); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, back)
	return nil
}
