package server

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db/platform"
)

// TestRetryAfterACrash (issue 19, found by make drill): the server died
// after enrolling a pupil and before it stored the answer under the
// Idempotency-Key. The claim it left is taken over by a retry after two
// minutes (before, the retry got "still running" for a day), and the
// retry finds the pupil and the growth note the first call made instead of
// making a second; a claim younger than that still answers "running".
func TestRetryAfterACrash(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	token := h.token(t, h.school.ID, platform.ApiScopeWrite)
	pupils := fmt.Sprintf("/licences/%s/pupils", h.school.ID)
	body := `{"given_name":"Crash","family_name":"Drill","group_name":"6","birth_date":"2016-05-05","enrolled_on":"2022-08-22",
	  "guardians":[{"given_name":"Ouder","family_name":"Drill","email":"ouder.crash@thuis.invalid","relation":"mother","parental_authority":true}]}`
	resp, out := h.apiCall(t, token, "POST", pupils, "crash-1", body)
	first := regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindStringSubmatch(out)
	if resp.StatusCode != 201 || first == nil {
		t.Fatalf("enrol: %d %s", resp.StatusCode, out)
	}
	count := func() (n int) {
		err := h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
			return pool.QueryRow(ctx, "SELECT count(*) FROM pupil WHERE given_name = 'Crash'").Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// The answer was never stored: the crash.
	crash := func(key, age string) {
		if _, err := h.platform.Pool.Exec(ctx, `UPDATE api_idempotency SET status = NULL, response = NULL, location = '',
			created_at = now() - $2::interval WHERE key = $1`, key, age); err != nil {
			t.Fatal(err)
		}
	}
	crash("crash-1", "30 seconds")
	if resp, _ := h.apiCall(t, token, "POST", pupils, "crash-1", body); resp.StatusCode != 409 {
		t.Errorf("retry while the first call may still run: %d, want 409", resp.StatusCode)
	}
	crash("crash-1", "3 minutes")
	resp, out = h.apiCall(t, token, "POST", pupils, "crash-1", body)
	again := regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindStringSubmatch(out)
	if resp.StatusCode != 201 || again == nil || again[1] != first[1] {
		t.Errorf("retry after the crash: %d %s, want 201 with pupil %s", resp.StatusCode, out, first[1])
	}
	if n := count(); n != 1 {
		t.Errorf("%d pupils after the retry, want 1", n)
	}

	// The same for a growth note in the pupil's dossier.
	h.openDossier(t, h.cookie, h.school.ID, uuid.MustParse(first[1]))
	notes := fmt.Sprintf("/licences/%s/pupils/%s/dossier/growth-entries", h.school.ID, first[1])
	note := `{"kind":"observation","occurred_on":"2026-11-02","body":"Eén keer"}`
	resp, out = h.apiCall(t, token, "POST", notes, "note-1", note)
	firstNote := regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindStringSubmatch(out)
	if resp.StatusCode != 201 || firstNote == nil {
		t.Fatalf("note: %d %s", resp.StatusCode, out)
	}
	crash("note-1", "3 minutes")
	resp, out = h.apiCall(t, token, "POST", notes, "note-1", note)
	if againNote := regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindStringSubmatch(out); resp.StatusCode != 201 || againNote == nil || againNote[1] != firstNote[1] {
		t.Errorf("note retry after the crash: %d %s, want the same note", resp.StatusCode, out)
	}
	var n int
	err := h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(ctx, "SELECT count(*) FROM growth_entry WHERE body = 'Eén keer'").Scan(&n)
	})
	if err != nil || n != 1 {
		t.Errorf("%d notes after the retry (%v), want 1", n, err)
	}
}
