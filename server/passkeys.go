package server

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/google/uuid"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/fault"
)

// WebAuthnConfig names this site for passkeys. The RP ID must be the
// site's host name (never an IP address); Origins are its full origins.
type WebAuthnConfig struct {
	RPID    string
	Origins []string
}

// ceremonyCookie carries the WebAuthn challenge between begin and finish,
// sealed.
const ceremonyCookie = "__Host-td_wa"

// passkeyUser adapts an account to the WebAuthn library. The user handle
// is the account's uuid: no personal data on the authenticator.
type passkeyUser struct {
	id          uuid.UUID
	name        string
	display     string
	credentials []webauthn.Credential
}

func (u *passkeyUser) WebAuthnID() []byte                         { return u.id[:] }
func (u *passkeyUser) WebAuthnName() string                       { return u.name }
func (u *passkeyUser) WebAuthnDisplayName() string                { return u.display }
func (u *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.credentials }

func (s *Server) webAuthn() (*webauthn.WebAuthn, error) {
	if s.cfg.WebAuthn.RPID == "" {
		return nil, errNotConfigured
	}
	return webauthn.New(&webauthn.Config{RPID: s.cfg.WebAuthn.RPID, RPDisplayName: "TOP dossier", RPOrigins: s.cfg.WebAuthn.Origins})
}

func (s *Server) loadPasskeyUser(c *gin.Context, id uuid.UUID) (*passkeyUser, []platform.Passkey, error) {
	q := platform.New(s.tenants.Platform())
	user, err := q.GetUser(c, id)
	if err != nil {
		return nil, nil, db.Classify(err)
	}
	rows, err := q.ListPasskeysForUser(c, id)
	if err != nil {
		return nil, nil, err
	}
	u := &passkeyUser{id: user.ID, name: user.Email, display: user.DisplayName}
	for _, r := range rows {
		var cred webauthn.Credential
		if err := json.Unmarshal(r.Credential, &cred); err != nil {
			return nil, nil, err
		}
		u.credentials = append(u.credentials, cred)
	}
	return u, rows, nil
}

func (s *Server) setCeremony(c *gin.Context, sd *webauthn.SessionData) error {
	if sd.Expires.IsZero() {
		sd.Expires = time.Now().Add(5 * time.Minute)
	}
	raw, err := json.Marshal(sd)
	if err != nil {
		return err
	}
	sealed, err := s.cookieBox.Seal("webauthn:" + string(raw))
	if err != nil {
		return err
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: ceremonyCookie, Value: base64.RawURLEncoding.EncodeToString(sealed), Path: "/",
		MaxAge: 300, Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	return nil
}

var errCeremony = errors.New("passkey ceremony expired or tampered")

func (s *Server) ceremony(c *gin.Context) (webauthn.SessionData, error) {
	var sd webauthn.SessionData
	v, err := c.Cookie(ceremonyCookie)
	http.SetCookie(c.Writer, &http.Cookie{Name: ceremonyCookie, Value: "", Path: "/", MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	if err != nil {
		return sd, errCeremony
	}
	sealed, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return sd, errCeremony
	}
	raw, err := s.cookieBox.Open(sealed)
	if err != nil || len(raw) < 9 || raw[:9] != "webauthn:" {
		return sd, errCeremony
	}
	if err := json.Unmarshal([]byte(raw[9:]), &sd); err != nil || time.Now().After(sd.Expires) {
		return sd, errCeremony
	}
	return sd, nil
}

// passkeyRefused is a passkey ceremony that did not go through, answered
// (by fail, as every error) with problem details in Dutch; the browser
// script shows the title.
func passkeyRefused(status int, title string) error {
	return &answerError{answer{Status: status, Title: title, Detail: title}}
}

type accountPage struct {
	Passkeys []platform.Passkey
}

// handleAccount shows the person's own login methods.
func (s *Server) handleAccount(c *gin.Context) error {
	_, rows, err := s.loadPasskeyUser(c, principalOf(c).UserID)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "account", accountPage{Passkeys: rows})
	return nil
}

// handlePasskeyRegisterBegin starts adding a passkey to the account.
func (s *Server) handlePasskeyRegisterBegin(c *gin.Context) error {
	wa, err := s.webAuthn()
	if err != nil {
		return err
	}
	u, _, err := s.loadPasskeyUser(c, principalOf(c).UserID)
	if err != nil {
		return err
	}
	var exclude []protocol.CredentialDescriptor
	for _, cr := range u.credentials {
		exclude = append(exclude, cr.Descriptor())
	}
	opts, sd, err := wa.BeginRegistration(u,
		webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementRequired, UserVerification: protocol.VerificationRequired}),
		webauthn.WithExclusions(exclude))
	if err != nil {
		return err
	}
	if err := s.setCeremony(c, sd); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, opts)
}

func (s *Server) handlePasskeyRegisterFinish(c *gin.Context) error {
	wa, err := s.webAuthn()
	if err != nil {
		return err
	}
	sd, err := s.ceremony(c)
	if err != nil {
		return passkeyRefused(http.StatusBadRequest, "Het toevoegen duurde te lang. Probeer het opnieuw.")
	}
	u, _, err := s.loadPasskeyUser(c, principalOf(c).UserID)
	if err != nil {
		return err
	}
	cred, err := wa.FinishRegistration(u, sd, c.Request)
	if err != nil {
		s.logger.WarnContext(c, "passkey registration", "err", err)
		return passkeyRefused(http.StatusBadRequest, "Deze passkey kon niet worden toegevoegd.")
	}
	raw, err := json.Marshal(cred)
	if err != nil {
		return err
	}
	name := "Passkey van " + time.Now().In(s.location).Format("02-01-2006")
	if err := platform.New(s.tenants.Platform()).AddPasskey(c, platform.AddPasskeyParams{
		CredentialID: cred.ID, UserID: u.id, Name: name, Credential: raw}); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, gin.H{"ok": true})
}

func (s *Server) handlePasskeyDelete(c *gin.Context) error {
	id, err := base64.RawURLEncoding.DecodeString(c.Param("credential"))
	if err != nil {
		return fault.ErrNotFound
	}
	n, err := platform.New(s.tenants.Platform()).DeletePasskey(c, platform.DeletePasskeyParams{CredentialID: id, UserID: principalOf(c).UserID})
	if err != nil {
		return err
	}
	if n == 0 {
		return fault.ErrNotFound
	}
	c.Redirect(http.StatusSeeOther, "/account")
	return nil
}

// handlePasskeyLoginBegin starts a username-less login: the browser offers
// the passkeys it holds for this site.
func (s *Server) handlePasskeyLoginBegin(c *gin.Context) error {
	wa, err := s.webAuthn()
	if err != nil {
		return err
	}
	opts, sd, err := wa.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return err
	}
	if err := s.setCeremony(c, sd); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, opts)
}

// handlePasskeyLoginFinish checks the signed assertion and logs the person
// in fully: a user-verified passkey is something they have and something
// they know or are, so no code is asked.
func (s *Server) handlePasskeyLoginFinish(c *gin.Context) error {
	wa, err := s.webAuthn()
	if err != nil {
		return err
	}
	limited, err := s.loginLimited(c, "passkey")
	if err != nil {
		return err
	}
	if limited {
		return passkeyRefused(http.StatusTooManyRequests, "Te veel mislukte pogingen. Probeer het over een uur opnieuw.")
	}
	sd, err := s.ceremony(c)
	if err != nil {
		return passkeyRefused(http.StatusBadRequest, "Het inloggen duurde te lang. Probeer het opnieuw.")
	}
	var account *passkeyUser
	_, cred, err := wa.FinishPasskeyLogin(func(rawID, userHandle []byte) (webauthn.User, error) {
		id, err := uuid.FromBytes(userHandle)
		if err != nil {
			return nil, err
		}
		account, _, err = s.loadPasskeyUser(c, id)
		return account, err
	}, sd, c.Request)
	if rerr := s.recordAttempt(c, "passkey", err == nil); rerr != nil {
		return rerr
	}
	q := platform.New(s.tenants.Platform())
	if err != nil || account == nil {
		s.logger.WarnContext(c, "passkey login", "err", err)
		return passkeyRefused(http.StatusUnauthorized, "Deze passkey is niet bekend of de aanmelding klopt niet.")
	}
	user, err := q.GetUser(c, account.id)
	if err != nil || user.DisabledAt != nil {
		return passkeyRefused(http.StatusUnauthorized, "Deze passkey is niet bekend of de aanmelding klopt niet.")
	}
	raw, err := json.Marshal(cred)
	if err != nil {
		return err
	}
	if err := q.UsePasskey(c, platform.UsePasskeyParams{CredentialID: cred.ID, Credential: raw}); err != nil {
		return err
	}
	token, err := newToken()
	if err != nil {
		return err
	}
	if err := q.CreateSession(c, platform.CreateSessionParams{TokenHash: hashToken(token), UserID: account.id,
		ExpiresAt: time.Now().Add(s.cfg.SessionAbsolute)}); err != nil {
		return err
	}
	if err := q.PassSecondFactor(c, hashToken(token)); err != nil {
		return err
	}
	s.logger.InfoContext(c, "login with passkey", "user", account.id)
	setSessionCookie(c, token, int(s.cfg.SessionAbsolute.Seconds()))
	return writeJSON(c, http.StatusOK, gin.H{"redirect": safeBack(c.Query("terug"))})
}
