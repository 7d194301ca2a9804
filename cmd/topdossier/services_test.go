package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/dbtest"
	"github.com/topdossier/topdossier/internal/poll"
	"github.com/topdossier/topdossier/temporalx/temporaltest"
)

// TestServerAndWorkerApart runs `migrate`, then `server` and `worker` as the
// separate processes of a deployment (docker-compose.yml) would, and
// enrols a pupil through the API whose workflow the worker then runs.
func TestServerAndWorkerApart(t *testing.T) {
	ts := temporaltest.Start(t)
	platformDB := fmt.Sprintf("tdsplit_%d", time.Now().UnixNano())
	t.Cleanup(func() { dbtest.DropLike(t, platformDB) })
	httpPort, metricsPort, serverMetricsPort := freePort(t), freePort(t), freePort(t)
	env := map[string]string{
		"DATABASE_URL":           dbtest.URLFor(t, platformDB),
		"TEMPORAL_ADDRESS":       ts.HostPort,
		"PAYLOAD_KEY":            base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)),
		"HTTP_ADDR":              fmt.Sprintf("127.0.0.1:%d", httpPort),
		"WORKER_METRICS_ADDR":    fmt.Sprintf("127.0.0.1:%d", metricsPort),
		"METRICS_ADDR":           fmt.Sprintf("127.0.0.1:%d", serverMetricsPort),
		"ENROLMENT_CHECK_WITHIN": "1h",
	}
	getenv := func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	if err := run(ctx, []string{"migrate"}, getenv, io.Discard, io.Discard); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	done := make(chan error, 2)
	var logs syncBuffer
	for _, cmd := range []string{"server", "worker"} {
		go func() { done <- run(ctx, []string{cmd}, getenv, &logs, &logs) }()
	}
	t.Cleanup(func() {
		cancel()
		for range 2 {
			if err := <-done; err != nil {
				t.Errorf("stop: %v", err)
			}
		}
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	waitReady(t, base)

	// An SWV and a platform admin are needed; the CLI has no commands for
	// them yet.
	pool := dbtest.Pool(t, platformDB)
	var swvID, adminID string
	if err := pool.QueryRow(ctx, "INSERT INTO swv (code, name) VALUES ('PO2802', 'SWV Split') RETURNING id").Scan(&swvID); err != nil {
		t.Fatal(err)
	}
	hash, err := auth.HashPassword(DemoPassword, auth.Argon2Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32})
	if err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, "INSERT INTO app_user (kind, email, display_name, password_hash) VALUES ('staff', 'admin@split.test', 'Admin', $1) RETURNING id", hash).Scan(&adminID); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "INSERT INTO membership (user_id, role) VALUES ($1, 'platform_admin')", adminID); err != nil {
		t.Fatal(err)
	}
	box, err := auth.NewSecretBox(auth.Keys{bytes.Repeat([]byte{7}, 32)}, "totp")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := box.Seal(DemoTOTPSecret)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "UPDATE app_user SET totp_secret_sealed = $2, totp_confirmed_at = now() WHERE id = $1", adminID, sealed); err != nil {
		t.Fatal(err)
	}
	admin := login(t, base, "admin@split.test", DemoPassword)
	lic := postJSON(t, base+"/api/v1/licences", admin, fmt.Sprintf(`{"swv_id":%q,"kind":"school","name":"OBS Split","brin":"77XY","school_type":"BAO"}`, swvID))
	if _, err := pool.Exec(ctx, "INSERT INTO membership (user_id, licence_id, role) VALUES ($1, $2, 'ib')", adminID, lic["id"]); err != nil {
		t.Fatal(err)
	}
	pupil := postJSON(t, base+"/api/v1/licences/"+lic["id"].(string)+"/pupils", admin,
		`{"given_name":"Ties","family_name":"Mulder","birth_date":"2018-10-10","enrolled_on":"2025-08-18",
		  "guardians":[{"given_name":"Roos","family_name":"Mulder","relation":"mother","parental_authority":true}]}`)
	pupilURL := base + "/api/v1/licences/" + lic["id"].(string) + "/pupils/" + pupil["pupil"].(map[string]any)["id"].(string)
	recorded := poll.Until(30*time.Second, func() bool {
		var got struct {
			Pupil struct {
				Process *struct{ Step string } `json:"process"`
			} `json:"pupil"`
		}
		getJSON(t, pupilURL, admin, &got)
		return got.Pupil.Process != nil && got.Pupil.Process.Step == "inschrijving_controleren"
	})
	if !recorded {
		t.Fatalf("the worker did not record the first step:\n%s", logs.String())
	}
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "temporal_") {
		t.Errorf("worker metrics lack the Temporal SDK metrics")
	}
	// The server's metrics are on their own address, not the public one
	// (issue 19, fix 8).
	resp, err = http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", serverMetricsPort))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `topdossier_http_requests_total{method="GET",route="/readyz"`) {
		t.Errorf("server metrics lack the HTTP request counter")
	}
	if resp, err := http.Get(base + "/metrics"); err != nil || resp.StatusCode != 404 {
		t.Errorf("/metrics on the public address: %v %v, want 404", resp, err)
	} else {
		resp.Body.Close()
	}
	if strings.Contains(logs.String(), "Ties") || strings.Contains(logs.String(), "Mulder") {
		t.Errorf("a pupil's name reached the logs:\n%s", logs.String())
	}
}

func postJSON(t *testing.T, url string, cookie *http.Cookie, body string) map[string]any {
	t.Helper()
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: %d %v", url, resp.StatusCode, out)
	}
	return out
}
