package temporalx_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/topdossier/topdossier/temporalx"
	"github.com/topdossier/topdossier/temporalx/temporaltest"
)

// waitForWord waits for a signal and answers with its input and the word:
// both payloads are sealed by the codec.
func waitForWord(ctx workflow.Context, in string) (string, error) {
	var word string
	workflow.GetSignalChannel(ctx, "word").Receive(ctx, &word)
	return in + " " + word, nil
}

// TestPayloadKeyRotation (issue 19, drill 12): a workflow started under
// the old PAYLOAD_KEY keeps running after the rotation: the worker with the
// new key and the old one in PAYLOAD_KEYS_OLD reads its history, takes a
// signal sealed with the new key and finishes; a worker with the new key
// alone could not have read it.
func TestPayloadKeyRotation(t *testing.T) {
	ctx := context.Background()
	oldKey, newKey := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	ts := temporaltest.StartWithKey(t, oldKey)
	dial := func(keys ...[]byte) client.Client {
		codec, err := temporalx.NewCodec(keys...)
		if err != nil {
			t.Fatal(err)
		}
		c, closeMetrics, err := temporalx.Dial(ctx, temporalx.Options{HostPort: ts.HostPort, Namespace: "default", Codec: codec,
			Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close(); closeMetrics() })
		return c
	}
	run := func(c client.Client) worker.Worker {
		w := worker.New(c, "rotation", worker.Options{})
		w.RegisterWorkflow(waitForWord)
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		return w
	}
	before := run(ts.Client)
	wr, err := ts.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "rotation", TaskQueue: "rotation"}, waitForWord, "vóór de wissel")
	if err != nil {
		t.Fatal(err)
	}
	// The first task ran under the old key; then the rotation.
	time.Sleep(time.Second)
	before.Stop()

	// The start input in the history is sealed with the old key: the new
	// key alone cannot open it, which is why the old one stays listed.
	newCodec, err := temporalx.NewCodec(newKey)
	if err != nil {
		t.Fatal(err)
	}
	hist := ts.Client.GetWorkflowHistory(ctx, "rotation", "", false, 0)
	first, err := hist.Next()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newCodec.Decode(first.GetWorkflowExecutionStartedEventAttributes().GetInput().GetPayloads()); err == nil {
		t.Fatal("the new key alone opens the input sealed with the old one")
	}

	rotated := dial(newKey, oldKey)
	after := run(rotated)
	defer after.Stop()
	if err := rotated.SignalWorkflow(ctx, "rotation", "", "word", "na de wissel"); err != nil {
		t.Fatal(err)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var got string
	if err := rotated.GetWorkflow(waitCtx, "rotation", wr.GetRunID()).Get(waitCtx, &got); err != nil || got != "vóór de wissel na de wissel" {
		t.Fatalf("after the rotation: %q %v", got, err)
	}
	// The result was sealed with the new key: the new key alone reads it.
	var again string
	if err := dial(newKey).GetWorkflow(ctx, "rotation", wr.GetRunID()).Get(ctx, &again); err != nil || again != got {
		t.Fatalf("the result with the new key alone: %q %v", again, err)
	}
}
