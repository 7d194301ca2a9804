package server

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db/platform"
)

// listedPage is one page of an API list: the ids in it and the cursor on.
type listedPage struct {
	ids  []string
	next *string
}

func (h *harness) listPage(t *testing.T, token, cookie, path, key string) listedPage {
	t.Helper()
	var status int
	var out string
	if token != "" {
		resp, body := h.apiCall(t, token, "GET", path, "", "")
		status, out = resp.StatusCode, body
	} else {
		resp, body := h.doAs(t, cookie, "GET", "/api/v1"+path, "", "")
		status, out = resp.StatusCode, body
	}
	if status != 200 {
		t.Fatalf("GET %s: %d %s", path, status, out)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		ID string `json:"id"`
	}
	var p listedPage
	if err := json.Unmarshal(raw[key], &rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		p.ids = append(p.ids, r.ID)
	}
	if err := json.Unmarshal(raw["next_cursor"], &p.next); err != nil {
		t.Fatal(err)
	}
	return p
}

// walkPages follows next_cursor to the end and returns every id.
func (h *harness) walkPages(t *testing.T, token, cookie, path, key string, limit int) ([]string, int) {
	t.Helper()
	var all []string
	pages := 0
	cursor := ""
	for {
		p := h.listPage(t, token, cookie, path+"?limit="+strconv.Itoa(limit)+"&cursor="+url.QueryEscape(cursor), key)
		pages++
		if len(p.ids) > limit {
			t.Fatalf("a page of %d, limit %d", len(p.ids), limit)
		}
		all = append(all, p.ids...)
		if p.next == nil {
			return all, pages
		}
		cursor = *p.next
		if pages > 20 {
			t.Fatal("no end to the pages")
		}
	}
}

// TestAPICursorPaging: lists page with limit and an opaque cursor, every
// row once, in a stable order; the SWV's list skips what the reader need
// not know and still fills its pages; a bad cursor or limit is 422.
func TestAPICursorPaging(t *testing.T) {
	h := newHarness(t)
	f := newSWVFixture(t, h)
	ctx := context.Background()
	lic := h.school.ID
	for _, name := range []string{"Een", "Twee", "Drie", "Vier", "Vijf"} {
		h.createPupil(t, h.cookie, lic, name, "3")
	}
	token := h.token(t, lic, platform.ApiScopeRead)
	ids, pages := h.walkPages(t, token, "", "/licences/"+lic.String()+"/pupils", "pupils", 2)
	if len(ids) != 5 || pages != 3 || len(uniq(ids)) != 5 {
		t.Errorf("pupils over pages of 2: %d ids (%d distinct) in %d pages, want 5 in 3", len(ids), len(uniq(ids)), pages)
	}
	for _, bad := range []string{"?cursor=bm9wZQ", "?limit=0", "?limit=201"} {
		if resp, _ := h.apiCall(t, token, "GET", "/licences/"+lic.String()+"/pupils"+bad, "", ""); resp.StatusCode != 422 {
			t.Errorf("pupils%s: %d, want 422", bad, resp.StatusCode)
		}
	}

	// Seven requests at the SWV, four from the consultant's school and
	// three from another, interleaved in time.
	other := uuid.New()
	var mine []string
	err := h.platform.Tenants.With(ctx, f.lic.ID, func(pool *pgxpool.Pool) error {
		for i := 0; i < 7; i++ {
			school := lic
			if i%2 == 1 {
				school = other
			}
			var id uuid.UUID
			if err := pool.QueryRow(ctx, `INSERT INTO request (school_licence_id, school_request_id, school_name, kind, pupil_name,
				pupil_birth_date, question, status, submitted_at) VALUES ($1, $2, 'School', 'advice', 'Kind', '2016-01-01', 'Vraag?',
				'intake', now() - make_interval(mins => $3)) RETURNING id`, school, uuid.New(), 60-i).Scan(&id); err != nil {
				return err
			}
			if school == lic {
				mine = append(mine, id.String())
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	all, pages := h.walkPages(t, h.token(t, f.lic.ID, platform.ApiScopeRead), "", "/licences/"+f.lic.ID.String()+"/requests", "requests", 3)
	if len(all) != 7 || pages != 3 || len(uniq(all)) != 7 {
		t.Errorf("the SWV's token: %d requests (%d distinct) in %d pages, want 7 in 3", len(all), len(uniq(all)), pages)
	}
	seen, pages := h.walkPages(t, "", f.cookies["consulent@swv.invalid"], "/licences/"+f.lic.ID.String()+"/requests", "requests", 2)
	if len(seen) != 4 || pages != 2 || seen[0] != mine[0] || seen[3] != mine[3] {
		t.Errorf("the consultant: %v in %d pages, want their school's four %v, oldest first, in 2", seen, pages, mine)
	}
}

func uniq(ids []string) map[string]bool {
	m := map[string]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return m
}
