package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/internal/dossiertest"
	"github.com/topdossier/topdossier/service"
)

// BenchmarkAPIIdempotency measures what the Idempotency-Key costs on a
// change (a groeidocument entry): a person's session without a key, a
// token with a fresh key (claim, run, seal and keep the answer), and a
// retry with the same key (the kept answer, nothing run).
func BenchmarkAPIIdempotency(b *testing.B) {
	h := newHarness(b)
	ctx := context.Background()
	var pupil uuid.UUID
	err := h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		p, err := q.CreatePupil(ctx, school.CreatePupilParams{GivenName: "Bench", FamilyName: "Sleutel",
			BirthDate: time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC), EnrolledOn: time.Date(2022, 8, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return err
		}
		pupil = p.ID
		_, err = dossiertest.Complete(ctx, q, p.ID)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	token, err := h.srv.licences.CreateAPIToken(ctx, service.Actor{}, h.school.ID, "bench", platform.ApiScopeWrite)
	if err != nil {
		b.Fatal(err)
	}
	url := h.http.URL + "/api/v1/licences/" + h.school.ID.String() + "/pupils/" + pupil.String() + "/dossier/growth-entries"
	body := `{"kind":"observation","occurred_on":"2026-11-02","body":"Werkt geconcentreerd in de instructiegroep."}`
	post := func(b *testing.B, auth func(*http.Request), key string, want int) {
		req, _ := http.NewRequest("POST", url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		auth(req)
		if key != "" {
			req.Header.Set(idempotencyHeader, key)
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			b.Fatalf("status %d, want %d", resp.StatusCode, want)
		}
	}
	session := func(r *http.Request) { r.AddCookie(&http.Cookie{Name: sessionCookie, Value: h.cookie}) }
	bearer := func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
	b.Run("session, no key", func(b *testing.B) {
		for b.Loop() {
			post(b, session, "", http.StatusCreated)
		}
	})
	b.Run("token, new key", func(b *testing.B) {
		for b.Loop() {
			post(b, bearer, uuid.NewString(), http.StatusCreated)
		}
	})
	key := uuid.NewString()
	post(b, bearer, key, http.StatusCreated)
	b.Run("token, retry", func(b *testing.B) {
		for b.Loop() {
			post(b, bearer, key, http.StatusCreated)
		}
	})
}
