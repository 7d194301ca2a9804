package server

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/topdossier/topdossier/auth"
)

func TestAPITokens(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	other := h.platform.School(t, "Andere school", "45GH")
	h.user(t, "directie@linde.invalid", "staff", member{auth.RoleSchoolAdmin, &h.school.ID})
	admin := h.login(t, "directie@linde.invalid")
	page := "/licenties/" + h.school.ID.String() + "/api-sleutels"

	if resp, _ := h.do(t, "GET", page, "", ""); resp.StatusCode != 404 {
		t.Errorf("IB'er on the token page: %d, want 404 (school admins only)", resp.StatusCode)
	}
	make := func(name, scope string) string {
		t.Helper()
		resp, body := h.doAs(t, admin, "POST", page, "application/x-www-form-urlencoded", url.Values{"name": {name}, "scope": {scope}}.Encode())
		m := regexp.MustCompile(`<code id="new-token">(td_[A-Za-z0-9_-]+)</code>`).FindStringSubmatch(body)
		if resp.StatusCode != 200 || m == nil {
			t.Fatalf("create token: %d, no token shown", resp.StatusCode)
		}
		return m[1]
	}
	read, write := make("LVS lezen", "read"), make("LVS schrijven", "write")
	if _, body := h.doAs(t, admin, "GET", page, "", ""); strings.Contains(body, read) || strings.Contains(body, write) {
		t.Error("a token is shown again after it was made")
	}
	var stored int
	if err := h.platform.Pool.QueryRow(ctx, "SELECT count(*) FROM api_token WHERE position($1::bytea in token_hash) > 0 OR name = $2",
		[]byte(read), "LVS lezen").Scan(&stored); err != nil || stored != 1 {
		t.Errorf("stored tokens matching: %d (err %v), want only the named row, no plain token", stored, err)
	}
	if resp, body := h.doAs(t, admin, "POST", page, "application/x-www-form-urlencoded", "name=&scope=alles"); resp.StatusCode != 422 || !strings.Contains(body, "Kies of de koppeling") {
		t.Errorf("invalid token form: %d, want 422 naming the fields", resp.StatusCode)
	}

	call := func(token, method, path, body string) int {
		t.Helper()
		req, err := http.NewRequest(method, h.http.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		if method != "GET" {
			req.Header.Set(idempotencyHeader, uuid.NewString())
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	pupils := "/api/v1/licences/" + h.school.ID.String() + "/pupils"
	checks := []struct {
		name, token, method, path, body string
		want                            int
	}{
		{"OK read lists", read, "GET", pupils, "", 200},
		{"ErrReadWrites", read, "POST", pupils, validPupil, 404},
		{"OK write enrols", write, "POST", pupils, validPupil, 201},
		{"ErrOtherLicence", read, "GET", "/api/v1/licences/" + other.ID.String() + "/pupils", "", 404},
		{"ErrGarbage", "td_nietsgeldigs", "GET", pupils, "", 401},
		{"ErrLicenceAdmin", write, "GET", "/api/v1/licences", "", 404},
		{"ErrPages", read, "GET", "/licenties/" + h.school.ID.String() + "/leerlingen", "", 303},
	}
	for _, c := range checks {
		if got := call(c.token, c.method, c.path, c.body); got != c.want {
			t.Errorf("%s: %s %s: %d, want %d", c.name, c.method, c.path, got, c.want)
		}
	}

	// A revoked token stops working at once.
	_, body := h.doAs(t, admin, "GET", page, "", "")
	revoke := regexp.MustCompile(`action="(/licenties/[^"]+/intrekken)"`).FindStringSubmatch(body)
	if revoke == nil {
		t.Fatal("no revoke form")
	}
	if resp, _ := h.doAs(t, admin, "POST", revoke[1], "", ""); resp.StatusCode != 303 {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if got, got2 := call(read, "GET", pupils, ""), call(write, "GET", pupils, ""); got != 401 && got2 != 401 {
		t.Errorf("after revoking one token: %d and %d, want one of them 401", got, got2)
	}
}
