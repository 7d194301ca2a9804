package server

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/service"
)

// apiTokenPrefix marks TOP dossier tokens (service.APITokenPrefix).
const apiTokenPrefix = service.APITokenPrefix

// bearer resolves "Authorization: Bearer td_…" on API routes into a
// principal acting with the token's scope on its one licence. A bad token
// is refused outright, never treated as anonymous.
func (s *Server) bearer(c *gin.Context) (bool, error) {
	h := c.GetHeader("Authorization")
	if h == "" || !isAPI(c) {
		return false, nil
	}
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || !strings.HasPrefix(token, apiTokenPrefix) {
		return true, errUnauthenticated
	}
	q := platform.New(s.tenants.Platform())
	th := hashToken(token)
	row, err := q.GetAPITokenByHash(c, th)
	if errors.Is(err, pgx.ErrNoRows) {
		return true, errUnauthenticated
	}
	if err != nil {
		return true, err
	}
	// Last used is kept to the minute: most calls need no write.
	if row.LastUsedAt == nil || time.Since(*row.LastUsedAt) >= time.Minute {
		if err := q.TouchAPIToken(c, row.ID); err != nil {
			return true, err
		}
	}
	role := tokenRole(row.LicenceKind, row.Scope)
	licence := row.LicenceID
	now := row.CreatedAt
	c.Set(principalKey, &principal{UserID: row.ID, Name: "koppeling " + row.Name, apiToken: true,
		Memberships: []platform.ListMembershipsForUserRow{{LicenceID: &licence, Role: platform.StaffRole(role)}},
		session:     platform.GetSessionRow{MfaAt: &now}})
	return true, nil
}

// tokenRole is the role a token of scope holds on a licence of kind: a
// school's token reaches the school's pupils, an SWV's token the requests
// submitted to the SWV, never the other.
func tokenRole(kind platform.LicenceKind, scope platform.ApiScope) auth.Role {
	write := scope == platform.ApiScopeWrite
	switch {
	case kind == platform.LicenceKindSwv && write:
		return auth.RoleAPISWVWrite
	case kind == platform.LicenceKindSwv:
		return auth.RoleAPISWVRead
	case write:
		return auth.RoleAPIWrite
	}
	return auth.RoleAPIRead
}

type apiTokensPage struct {
	Licence  platform.Licence
	Tokens   []platform.ListAPITokensRow
	NewToken string
	Name     string
	Errors   fault.FieldErrors
}

func (s *Server) renderAPITokens(c *gin.Context, status int, page apiTokensPage) error {
	var err error
	if page.Licence, page.Tokens, err = s.licences.APITokens(c, page.Licence.ID); err != nil {
		return err
	}
	s.render(c, status, "apitokens", page)
	return nil
}

func (s *Server) handleAPITokenIndex(c *gin.Context) error {
	id, err := uuidParam(c, "licence")
	if err != nil {
		return err
	}
	return s.renderAPITokens(c, http.StatusOK, apiTokensPage{Licence: platform.Licence{ID: id}})
}

// handleAPITokenCreate makes a token and shows it once; only its hash is
// kept.
func (s *Server) handleAPITokenCreate(c *gin.Context) error {
	id, err := uuidParam(c, "licence")
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	name := c.PostForm("name")
	token, err := s.licences.CreateAPIToken(c, actorOf(c), id, name, platform.ApiScope(c.PostForm("scope")))
	if fields, ok := asFieldErrors(err); ok {
		return s.renderAPITokens(c, http.StatusUnprocessableEntity, apiTokensPage{Licence: platform.Licence{ID: id},
			Name: strings.TrimSpace(name), Errors: fields})
	}
	if err != nil {
		return err
	}
	return s.renderAPITokens(c, http.StatusOK, apiTokensPage{Licence: platform.Licence{ID: id}, NewToken: token})
}

func (s *Server) handleAPITokenRevoke(c *gin.Context) error {
	id, err := uuidParam(c, "licence")
	if err != nil {
		return err
	}
	tokenID, err := uuidParam(c, "token")
	if err != nil {
		return err
	}
	if err := s.licences.RevokeAPIToken(c, id, tokenID); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/licenties/"+id.String()+"/api-sleutels")
	return nil
}
