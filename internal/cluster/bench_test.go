package cluster

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/topdossier/topdossier/internal/latency"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/temporalx"
	"github.com/topdossier/topdossier/workflows"
)

// The cluster benchmarks (make bench-cluster) run against the production
// topology: Temporal on PostgreSQL (16 shards), two workers, two servers.
// Each reports its figures next to a floor measured in the same run.

// noopWorkflow waits forever and answers an update at once: the floor an
// advance is compared with.
func noopWorkflow(ctx workflow.Context) error {
	if err := workflow.SetUpdateHandler(ctx, "noop", func(_ workflow.Context, n int) (int, error) { return n, nil }); err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return false })
}

// apiClient calls one server of the cluster with a school's token.
type apiClient struct {
	base, licence, token string
}

func (a apiClient) do(method, path, body string) (int, string, error) {
	req, err := http.NewRequest(method, a.base+"/api/v1/licences/"+a.licence+path, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if method != http.MethodGet {
		req.Header.Set("Idempotency-Key", uuid.NewString())
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// BenchmarkClusterAdvance is P1: an HGW step through the API (HTTP,
// checklist, update with validator, the local activity writing
// transition, projection and logbook) against a bare update on a no-op
// workflow on the same cluster, one at a time, alternating.
//
//	make bench-cluster BENCH=ClusterAdvance BENCHTIME=200x
func BenchmarkClusterAdvance(b *testing.B) {
	ctx := context.Background()
	opt := testOptions(b, "topdossier_bench", 7900, 16)
	c, err := Start(ctx, opt)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Stop)
	licence, _, token := seedSchool(b, c)
	api := apiClient{base: c.Servers[0], licence: licence, token: token}

	// The client speaks with the cluster's payload key, as the servers do.
	tc := dialTemporal(b, c, opt)
	w := sdkworker.New(tc, "bench-noop", sdkworker.Options{})
	w.RegisterWorkflowWithOptions(noopWorkflow, workflow.RegisterOptions{Name: "noop"})
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	noop, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "bench-noop-" + uuid.NewString(), TaskQueue: "bench-noop"}, "noop")
	if err != nil {
		b.Fatal(err)
	}

	// A dossier in observe with a note, its process running: made before
	// each timed step.
	today := time.Now().Format("2006-01-02")
	newDossier := func() (string, string) {
		st, body, err := api.do("POST", "/pupils", `{"given_name":"Bench","family_name":"Mark","group_name":"6","birth_date":"2016-02-03",
			"enrolled_on":"2023-08-21","guardians":[{"given_name":"Ouder","family_name":"Mark","relation":"mother","parental_authority":true}]}`)
		if err != nil || st != 201 {
			b.Fatalf("enrol: %d %v %s", st, err, body)
		}
		pupil := regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindStringSubmatch(body)[1]
		dossier := "/pupils/" + pupil + "/dossier"
		st, body, err = api.do("POST", dossier, `{"support_level":"extra_school","reason":"Rekenen","started_on":"`+today+`"}`)
		if err != nil || st != 201 {
			b.Fatalf("open dossier: %d %v %s", st, err, body)
		}
		id := regexp.MustCompile(`"dossier":\{"id":"([0-9a-f-]{36})"`).FindStringSubmatch(body)
		if id == nil {
			b.Fatalf("no dossier id in %s", body)
		}
		if st, body, err := api.do("POST", dossier+"/growth-entries", `{"kind":"observation","occurred_on":"`+today+`","body":"Telt"}`); err != nil || st != 201 {
			b.Fatalf("note: %d %v %s", st, err, body)
		}
		deadline := time.Now().Add(time.Minute)
		for {
			st, body, _ := api.do("GET", dossier+"/process", "")
			if st == 200 && strings.Contains(body, `"observe"`) {
				return dossier, id[1]
			}
			if time.Now().After(deadline) {
				b.Fatalf("the dossier's process did not start: %d %s", st, body)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// Every dossier is made first, and the cluster left to finish what
	// their enrolments started (mail, projections, visibility), so the
	// steps are timed on a quiet cluster rather than beside that work.
	type pair struct{ dossier, other string }
	pairs := make([]pair, b.N)
	for i := range pairs {
		pairs[i].dossier, _ = newDossier()
		_, pairs[i].other = newDossier()
	}
	time.Sleep(5 * time.Second)
	b.ResetTimer()
	var viaAPI, direct, bare []time.Duration
	for i := 0; i < b.N; i++ {
		dossier, other := pairs[i].dossier, pairs[i].other
		start := time.Now()
		st, body, err := api.do("POST", dossier+"/advance", fmt.Sprintf(`{"request_id":"%s","from":"observe"}`, uuid.NewString()))
		viaAPI = append(viaAPI, time.Since(start))
		if err != nil || st != 200 {
			b.Fatalf("advance: %d %v %s", st, err, body)
		}
		// The same step sent straight to the dossier's workflow, as the
		// server sends it after its checks: what the process costs.
		start = time.Now()
		req := uuid.NewString()
		var out workflows.DossierStatus
		err = temporalx.Update(ctx, tc, workflows.DossierWorkflowID(licence, other), req, workflows.UpdateAdvanceDossier, &out,
			workflows.AdvanceDossier{RequestID: req, UserID: uuid.NewString(), Role: "ib", From: plan.PhaseObserve,
				Checklist: plan.Checklist{Cycle: 1, GrowthEntries: 1}})
		direct = append(direct, time.Since(start))
		if err != nil || out.Phase != plan.PhaseUnderstand {
			b.Fatalf("advance straight to the workflow: %v, phase %q", err, out.Phase)
		}
		start = time.Now()
		handle, err := tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: noop.GetID(), UpdateName: "noop",
			Args: []any{i}, WaitForStage: client.WorkflowUpdateStageCompleted})
		if err == nil {
			err = handle.Get(ctx, nil)
		}
		bare = append(bare, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(latency.Ms(latency.Pct(viaAPI, 0.5)), "api-p50-ms")
	b.ReportMetric(latency.Ms(latency.Pct(viaAPI, 0.99)), "api-p99-ms")
	b.ReportMetric(latency.Ms(latency.Pct(direct, 0.5)), "workflow-p50-ms")
	b.ReportMetric(latency.Ms(latency.Pct(bare, 0.5)), "bare-p50-ms")
	b.ReportMetric(latency.Ms(latency.Pct(bare, 0.99)), "bare-p99-ms")
	b.ReportMetric(latency.Ms(latency.Pct(viaAPI, 0.5))/latency.Ms(latency.Pct(bare, 0.5)), "ratio-p50")
}
