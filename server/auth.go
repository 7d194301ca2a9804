package server

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/fault"
)

// sessionCookie carries the session token. The __Host- prefix makes the
// browser refuse it unless it is Secure, host-only and on path /.
const sessionCookie = "__Host-td_sid"

// Rate limits on failed logins (ASVS 2.2.1).
const (
	maxFailedPerAccount = 100 // per hour
	maxFailedPerIP      = 300 // per hour; schools sit behind one address
)

// principal is the person behind a request.
type principal struct {
	UserID      uuid.UUID
	Name        string
	TokenHash   []byte
	Memberships []platform.ListMembershipsForUserRow
	session     platform.GetSessionRow
	apiToken    bool // an integration's token, not a person
}

// access is what the access middleware decided for a licence route.
type access struct {
	Role  auth.Role
	Scope auth.Scope
}

// can reports whether the person holds perm on a licence, so pages offer
// only the actions the server would allow.
func (p *principal) can(perm auth.Permission, licenceID uuid.UUID) bool {
	for _, m := range p.Memberships {
		if m.LicenceID != nil && *m.LicenceID == licenceID && auth.ScopeOf(auth.Role(m.Role), perm) != auth.ScopeNone {
			return true
		}
	}
	return false
}

// IsGuardian reports whether the person is a guardian (parents' portal).
func (p *principal) IsGuardian() bool {
	return p.session.UserKind == platform.UserKindGuardian
}

// IsPupil reports whether the person is a pupil with their own portal
// account (from 16).
func (p *principal) IsPupil() bool {
	return p.session.UserKind == platform.UserKindPupil
}

const (
	principalKey = "principal"
	accessKey    = "access"
)

func principalOf(c *gin.Context) *principal {
	p, _ := c.Get(principalKey)
	pr, _ := p.(*principal)
	return pr
}

func accessOf(c *gin.Context) access {
	a, _ := c.Get(accessKey)
	ac, _ := a.(access)
	return ac
}

func hashToken(token string) []byte { return auth.HashToken(token) }

// session resolves the session cookie into a principal. An expired, idle
// or unknown session is removed and the request goes on anonymously.
func (s *Server) session(c *gin.Context) {
	if handled, err := s.bearer(c); handled {
		if err != nil {
			s.fail(c, err)
			return
		}
		c.Next()
		return
	}
	cookie, err := c.Cookie(sessionCookie)
	if err != nil || cookie == "" {
		c.Next()
		return
	}
	q := platform.New(s.tenants.Platform())
	th := hashToken(cookie)
	sess, err := q.GetSession(c, th)
	if err != nil {
		if !errors.Is(err, pgx.ErrNoRows) {
			s.fail(c, err)
			return
		}
		c.Next()
		return
	}
	now := time.Now()
	if now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > s.cfg.SessionIdle || sess.DisabledAt != nil {
		_ = q.DeleteSession(c, th)
		c.Next()
		return
	}
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if err := q.TouchSession(c, th); err != nil {
			s.fail(c, err)
			return
		}
	}
	ms, err := q.ListMembershipsForUser(c, sess.UserID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Set(principalKey, &principal{UserID: sess.UserID, Name: sess.DisplayName, TokenHash: th,
		Memberships: ms, session: sess})
	c.Next()
}

// errUnauthenticated marks a request that needs a login.
var errUnauthenticated = errors.New("not logged in")

// signedIn lets through whoever passed password and second factor; pages
// send others to the login page (or its second step), the API answers 401.
func (s *Server) signedIn(c *gin.Context) {
	if p := principalOf(c); p == nil || p.session.MfaAt == nil {
		s.unauthenticated(c)
		return
	}
	c.Next()
}

func (s *Server) unauthenticated(c *gin.Context) {
	if isAPI(c) {
		s.fail(c, errUnauthenticated)
		return
	}
	to := "/inloggen"
	if pendingOf(c) != nil {
		to = "/inloggen/code"
	}
	c.Redirect(http.StatusSeeOther, to+"?terug="+urlEscape(c.Request.URL.Path))
	c.Abort()
}

func urlEscape(s string) string { return url.QueryEscape(s) }

// allow is the access check of every protected route: user × licence ×
// role × relation to the pupil. Whoever may not see a licence or pupil
// gets 404, exactly as for an id that does not exist, so ids cannot be
// probed. Handlers never decide access themselves.
func (s *Server) allow(perm auth.Permission) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := principalOf(c)
		if p == nil || p.session.MfaAt == nil {
			s.unauthenticated(c)
			return
		}
		best := access{}
		licenceParam := c.Param("licence")
		for _, m := range p.Memberships {
			role := auth.Role(m.Role)
			scope := auth.ScopeOf(role, perm)
			switch {
			case scope == auth.ScopeNone:
				continue
			case scope == auth.ScopePlatform && m.LicenceID == nil:
			case scope != auth.ScopePlatform && m.LicenceID != nil && m.LicenceID.String() == licenceParam:
			default:
				continue
			}
			if scope > best.Scope {
				best = access{Role: role, Scope: scope}
			}
		}
		if best.Scope == auth.ScopeNone {
			s.fail(c, fault.ErrNotFound)
			return
		}
		if best.Scope == auth.ScopeOwnGroups && c.Param("pupil") != "" {
			if err := s.checkOwnGroup(c, p.UserID); err != nil {
				s.fail(c, err)
				return
			}
		}
		if requestPermission(perm) && c.Param("request") != "" {
			// At the SWV a request is read on need to know only.
			licenceID, err1 := uuidParam(c, "licence")
			requestID, err2 := uuidParam(c, "request")
			if err1 != nil || err2 != nil {
				s.fail(c, fault.ErrNotFound)
				return
			}
			if err := s.swv.MayRead(c, swvReaderOf(c, licenceID), licenceID, requestID); err != nil {
				s.fail(c, err)
				return
			}
		}
		c.Set(accessKey, best)
		c.Next()
	}
}

// requestPermission: the permissions on the SWV's requests.
func requestPermission(perm auth.Permission) bool {
	switch perm {
	case auth.PermRequestRead, auth.PermRequestManage, auth.PermRequestAdvise, auth.PermRequestVote, auth.PermRequestSign:
		return true
	}
	return false
}

// checkOwnGroup lets a teacher reach a pupil only in one of their groups.
func (s *Server) checkOwnGroup(c *gin.Context, userID uuid.UUID) error {
	licenceID, err := uuidParam(c, "licence")
	if err != nil {
		return err
	}
	pupilID, err := uuidParam(c, "pupil")
	if err != nil {
		return err
	}
	return s.pupils.InOwnGroup(c, licenceID, pupilID, userID)
}

// securityHeaders are sent with every answer (ASVS 14.4).
func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	if isAPI(c) {
		// Like the pages with pupil data: no cache keeps an answer.
		h.Set("Cache-Control", "no-store")
	}
	c.Next()
}

type loginPage struct {
	Email  string
	Back   string
	Error  string
	Notice string
	OIDC   bool // offer "Inloggen met Entree"
}

func (s *Server) handleLoginShow(c *gin.Context) error {
	page := loginPage{Back: safeBack(c.Query("terug")), OIDC: s.oidc != nil}
	if c.Query("uitgelogd") != "" {
		page.Notice = "U bent uitgelogd."
	}
	s.render(c, http.StatusOK, "login", page)
	return nil
}

// handleLogin checks e-mail and password. Unknown address and wrong
// password get the same message and take the same time (ASVS 2.2.1,
// 3.2.1: a fresh session id at every login).
func (s *Server) handleLogin(c *gin.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	email := strings.ToLower(strings.TrimSpace(c.PostForm("email")))
	password := c.PostForm("password")
	back := safeBack(c.PostForm("terug"))
	page := loginPage{Email: email, Back: back, OIDC: s.oidc != nil}
	q := platform.New(s.tenants.Platform())
	limited, err := s.loginLimited(c, email)
	if err != nil {
		return err
	}
	if limited {
		page.Error = "Te veel mislukte pogingen. Probeer het over een uur opnieuw, of vraag de school (of uw beheerder) om hulp."
		s.render(c, http.StatusTooManyRequests, "login", page)
		return nil
	}

	user, err := q.GetUserByEmail(c, email)
	ok := false
	switch {
	case err == nil && user.PasswordHash != nil && user.DisabledAt == nil && len(password) <= auth.MaxPasswordLength:
		ok, err = s.verifyPassword(c, password, *user.PasswordHash)
		if err != nil {
			return err
		}
	case err != nil && !errors.Is(err, pgx.ErrNoRows):
		return err
	default:
		// Spend the same time as a real check, so timing does not tell
		// which addresses have an account.
		if _, err := s.verifyPassword(c, password, s.dummyHash); err != nil {
			return err
		}
	}
	if err := s.recordAttempt(c, email, ok); err != nil {
		return err
	}
	if !ok {
		page.Error = "Het e-mailadres of wachtwoord klopt niet."
		s.render(c, http.StatusUnauthorized, "login", page)
		return nil
	}
	if err := s.startSession(c, user.ID); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/inloggen/code?terug="+urlEscape(back))
	return nil
}

// startSession starts a fresh session for a user who proved their
// password (at login, or by setting it with a one-time link): the second
// step (/inloggen/code) comes next. An old session of this browser ends.
func (s *Server) startSession(c *gin.Context, userID uuid.UUID) error {
	q := platform.New(s.tenants.Platform())
	if old, err := c.Cookie(sessionCookie); err == nil && old != "" {
		_ = q.DeleteSession(c, hashToken(old))
	}
	token, err := newToken()
	if err != nil {
		return err
	}
	if err := q.CreateSession(c, platform.CreateSessionParams{
		TokenHash: hashToken(token), UserID: userID, ExpiresAt: time.Now().Add(s.cfg.SessionAbsolute),
	}); err != nil {
		return err
	}
	s.logger.InfoContext(c, "login", "user", userID)
	setSessionCookie(c, token, int(s.cfg.SessionAbsolute.Seconds()))
	return nil
}

// verifyPassword checks a password with no more argon2id hashes at once
// than the cores can run: each takes 64 MiB and its threads' cores for
// ~85 ms, so a burst of logins queues in order instead of sharing the
// cores (and the memory) until all of them are slow.
func (s *Server) verifyPassword(ctx context.Context, password, hash string) (bool, error) {
	select {
	case s.hashSlots <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-s.hashSlots }()
	return auth.VerifyPassword(password, hash) == nil, nil
}

// recordAttempt counts one login attempt (password, code or passkey) for
// the rate limits of the account and of the client's address.
func (s *Server) recordAttempt(c *gin.Context, account string, ok bool) error {
	return platform.New(s.tenants.Platform()).RecordLoginAttempt(c, platform.RecordLoginAttemptParams{
		AccountKey: hashToken(account), Ip: clientIP(c), Success: ok})
}

// loginLimited applies the rate limits on failed attempts: per account
// (its e-mail address, known or not) and per client address.
func (s *Server) loginLimited(c *gin.Context, email string) (bool, error) {
	q := platform.New(s.tenants.Platform())
	since := time.Now().Add(-time.Hour)
	byAccount, err := q.CountFailedLoginsForAccount(c, platform.CountFailedLoginsForAccountParams{AccountKey: hashToken(email), At: since})
	if err != nil {
		return false, err
	}
	byIP, err := q.CountFailedLoginsFromIP(c, platform.CountFailedLoginsFromIPParams{Ip: clientIP(c), At: since})
	if err != nil {
		return false, err
	}
	return byAccount >= maxFailedPerAccount || byIP >= maxFailedPerIP, nil
}

func (s *Server) handleLogout(c *gin.Context) error {
	if p := principalOf(c); p != nil {
		if err := platform.New(s.tenants.Platform()).DeleteSession(c, p.TokenHash); err != nil {
			return err
		}
	}
	setSessionCookie(c, "", -1)
	c.Redirect(http.StatusSeeOther, "/inloggen?uitgelogd=1")
	return nil
}

func setSessionCookie(c *gin.Context, token string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", MaxAge: maxAge,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

func newToken() (string, error) { return auth.NewToken() }

// safeBack keeps a return path on this site: a local path, never
// "//host" or a full URL.
// safeBack is where to go after a login: p when it is a path of this
// site, else "/". A path, decoded or not, must start with one slash (not
// two, not a backslash), hold no control character, whitespace or
// backslash anywhere (browsers drop a TAB or LF and read "/\t/evil" as
// "//evil"), and parse as a relative URL without scheme or host.
func safeBack(p string) string {
	if len(p) > 2048 || !localPath(p) {
		return "/"
	}
	decoded, err := url.PathUnescape(p)
	if err != nil || !localPath(decoded) {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return p
}

// localPath reports whether p starts with exactly one slash and holds no
// control character, whitespace or backslash.
func localPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || !utf8.ValidString(p) {
		return false
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f || r == '\\' || unicode.IsSpace(r) || (r >= 0x80 && r < 0xa0) {
			return false
		}
	}
	return true
}

func clientIP(c *gin.Context) netip.Addr {
	ap, err := netip.ParseAddrPort(c.Request.RemoteAddr)
	if err != nil {
		return netip.IPv6Unspecified()
	}
	return ap.Addr().Unmap()
}

// deny answers a cross-origin state-changing request (CSRF) in Dutch.
func (s *Server) deny(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write([]byte("Dit verzoek kwam niet van TOP dossier zelf en is geweigerd.\n"))
}

// dummyHashFor makes the hash compared against when an account does not
// exist, with the same parameters as real hashes.
func dummyHashFor(p auth.Argon2Params) (string, error) {
	return auth.HashPassword("geen-account-"+uuid.NewString(), p)
}

// handleAccessibility is the accessibility statement (toegankelijkheids-
// verklaring) Dutch public bodies publish: open to everyone.
func (s *Server) handleAccessibility(c *gin.Context) error {
	s.render(c, http.StatusOK, "accessibility", nil)
	return nil
}
