package worker_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/topdossier/topdossier/temporalx"
	"github.com/topdossier/topdossier/worker"
)

// replayKey encrypts the payloads of the histories recorded for replay.
// It protects nothing: the recorded data is fictional test data.
var replayKey = bytes.Repeat([]byte{0x42}, 32)

// recordHistory replays the history of a finished workflow at once, and
// stores it under testdata/histories when RECORD_HISTORIES=1, so later
// changes to the workflow code are replayed against it.
func recordHistory(t *testing.T, c client.Client, workflowID, file string) {
	t.Helper()
	recordRun(t, c, workflowID, "", file)
}

// recordRun is recordHistory for one run of a workflow that continued as
// new ("" for the latest run).
func recordRun(t *testing.T, c client.Client, workflowID, runID, file string) {
	t.Helper()
	iter := c.GetWorkflowHistory(context.Background(), workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	hist := &historypb.History{}
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		hist.Events = append(hist.Events, ev)
	}
	replay(t, hist)
	if os.Getenv("RECORD_HISTORIES") != "1" {
		return
	}
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(hist)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("testdata", "histories", file), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func replay(t *testing.T, hist *historypb.History) {
	t.Helper()
	codec, err := temporalx.NewCodec(replayKey)
	if err != nil {
		t.Fatal(err)
	}
	replayer, err := sdkworker.NewWorkflowReplayerWithOptions(sdkworker.WorkflowReplayerOptions{DataConverter: codec.DataConverter()})
	if err != nil {
		t.Fatal(err)
	}
	worker.RegisterWorkflows(replayer)
	if err := replayer.ReplayWorkflowHistory(nil, hist); err != nil {
		t.Errorf("replay: %v", err)
	}
}

// TestReplayRecordedHistories replays histories recorded by earlier
// versions: a change that would break running workflows fails here.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/histories/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no recorded histories in testdata/histories")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			hist, err := client.HistoryFromJSON(r, client.HistoryJSONOptions{})
			if err != nil {
				t.Fatal(err)
			}
			replay(t, hist)
		})
	}
}
