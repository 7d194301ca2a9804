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

	// The same for a second guardian.
	guardians := fmt.Sprintf("/licences/%s/pupils/%s/guardians", h.school.ID, first[1])
	guardian := `{"given_name":"Tweede","family_name":"Ouder","email":"tweede.crash@thuis.invalid","relation":"father","parental_authority":true}`
	resp, out = h.apiCall(t, token, "POST", guardians, "guardian-1", guardian)
	firstGuardian := regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindStringSubmatch(out)
	if resp.StatusCode != 201 || firstGuardian == nil {
		t.Fatalf("add guardian: %d %s", resp.StatusCode, out)
	}
	crash("guardian-1", "3 minutes")
	resp, out = h.apiCall(t, token, "POST", guardians, "guardian-1", guardian)
	if again := regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindStringSubmatch(out); resp.StatusCode != 201 || again == nil || again[1] != firstGuardian[1] {
		t.Errorf("guardian retry after the crash: %d %s, want 201 with the same guardian", resp.StatusCode, out)
	}

	// The same for opening the pupil's dossier (a retry answered 409 "already
	// an open dossier" before) and for a growth note in it.
	open := fmt.Sprintf("/licences/%s/pupils/%s/dossier", h.school.ID, first[1])
	openBody := `{"support_level":"extra_school","reason":"Leest nog niet vlot","started_on":"2026-11-02"}`
	resp, out = h.apiCall(t, token, "POST", open, "open-1", openBody)
	firstDossier := regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindStringSubmatch(out)
	if resp.StatusCode != 201 || firstDossier == nil {
		t.Fatalf("open dossier: %d %s", resp.StatusCode, out)
	}
	crash("open-1", "3 minutes")
	resp, out = h.apiCall(t, token, "POST", open, "open-1", openBody)
	if againDossier := regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindStringSubmatch(out); resp.StatusCode != 201 || againDossier == nil ||
		againDossier[1] != firstDossier[1] {
		t.Errorf("open retry after the crash: %d %s, want 201 with the same dossier", resp.StatusCode, out)
	}
	h.waitPhase(t, h.school.ID, uuid.MustParse(firstDossier[1]), "observe")
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
	var n, g int
	err := h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
		if err := pool.QueryRow(ctx, "SELECT count(*) FROM guardian WHERE email = 'tweede.crash@thuis.invalid'").Scan(&g); err != nil {
			return err
		}
		return pool.QueryRow(ctx, "SELECT count(*) FROM growth_entry WHERE body = 'Eén keer'").Scan(&n)
	})
	if err != nil || n != 1 || g != 1 {
		t.Errorf("%d notes and %d second guardians after the retries (%v), want 1 and 1", n, g, err)
	}
}
