// Package workflows holds the deterministic workflow code of TOP dossier:
// the workflows, their ids, signal, update and query names and their
// input and output types. Inputs and signals carry ids and small values
// only, never dossier text or names.
package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// TaskQueue is the task queue of every workflow and activity, but one.
const TaskQueue = "topdossier"

// RetentionExpiryQueue takes the deletions of retention runs, so that a
// night on which thousands of terms end deletes a few at a time while
// people use the pages (worker.ExpiryConcurrency).
const RetentionExpiryQueue = "topdossier-retention-expiry"

// Search attribute names. They hold codes, never personal data.
const (
	SearchAttrLicence = "TopLicence"
	SearchAttrKind    = "TopKind"
	SearchAttrStep    = "TopStep"
)

// LicenceKey is the typed key of the licence search attribute.
func LicenceKey() temporal.SearchAttributeKeyKeyword {
	return temporal.NewSearchAttributeKeyKeyword(SearchAttrLicence)
}

// KindKey is the typed key of the workflow kind search attribute.
func KindKey() temporal.SearchAttributeKeyKeyword {
	return temporal.NewSearchAttributeKeyKeyword(SearchAttrKind)
}

// StepKey is the typed key of the process step search attribute.
func StepKey() temporal.SearchAttributeKeyKeyword {
	return temporal.NewSearchAttributeKeyKeyword(SearchAttrStep)
}

// requestLog remembers the request ids a workflow has handled, so a signal
// or update delivered twice (a retry, a double click) has one effect. It is
// a slice, not a map, to stay deterministic and small in the history; the
// oldest ids fall off past maxRequestIDs.
type requestLog struct {
	IDs []string
}

const maxRequestIDs = 500

// seen reports whether id was handled before and records it if not.
func (r *requestLog) seen(id string) bool {
	for _, known := range r.IDs {
		if known == id {
			return true
		}
	}
	r.IDs = append(r.IDs, id)
	if len(r.IDs) > maxRequestIDs {
		r.IDs = r.IDs[len(r.IDs)-maxRequestIDs:]
	}
	return false
}

// has reports whether id was handled before, without recording it.
func (r *requestLog) has(id string) bool {
	for _, known := range r.IDs {
		if known == id {
			return true
		}
	}
	return false
}

// taken reports whether a run takes the change changeID, made in
// revision at of its workflow's code, the run having started with
// revision rev (from its input). Runs started at that revision or later
// take it without a version marker: workflow.GetVersion also upserts the
// TemporalChangeVersion search attribute, a write to Temporal's
// visibility store (~2 ms on PostgreSQL, whose visibility table carries
// 55 indexes) per change and per run — when a school year's retention
// runs start or end together, visibility took as much of the database as
// the rest of Temporal's persistence (docs/scale.md). Runs started before
// ask GetVersion, as they always did, and replay unchanged.
func taken(ctx workflow.Context, rev, at int, changeID string) bool {
	if rev >= at {
		return true
	}
	return workflow.GetVersion(ctx, changeID, workflow.DefaultVersion, 1) == 1
}

// activityOptions are the defaults for short database activities: retried
// with backoff until they succeed or fail with a non-retryable error.
func activityOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
		},
	})
}
