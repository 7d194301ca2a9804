package worker

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestThrottledRunsAtMostN: of 40 deletions handed to a worker at once
// (its activity slots are ExpirySlotsPerDeletion times more than its
// deletions) no more than ExpiryConcurrency run at the same moment, and
// every one runs; one whose context ends while it waits gives up without
// running.
func TestThrottledRunsAtMostN(t *testing.T) {
	var now, most, ran atomic.Int32
	fn := throttled(ExpiryConcurrency, func(_ context.Context, _ int) error {
		n := now.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(5 * time.Millisecond)
		now.Add(-1)
		ran.Add(1)
		return nil
	})
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			if err := fn(context.Background(), i); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if most.Load() != ExpiryConcurrency || ran.Load() != 40 {
		t.Fatalf("%d ran, at most %d at once; want 40, at most %d (and that many)", ran.Load(), most.Load(), ExpiryConcurrency)
	}

	release := make(chan struct{})
	var called atomic.Int32
	one := throttled(1, func(_ context.Context, _ int) error {
		called.Add(1)
		<-release
		return nil
	})
	go func() { _ = one(context.Background(), 0) }()
	for called.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := one(ctx, 1); !errors.Is(err, context.DeadlineExceeded) || called.Load() != 1 {
		t.Fatalf("a waiting deletion whose time ran out: err %v, %d ran; want the deadline and only the first", err, called.Load())
	}
	close(release)
}
