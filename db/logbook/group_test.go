package logbook_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/dbtest"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/internal/poll"
)

// lockedGroup returns a group writer on pool and a function to let it
// write: until then another transaction holds the logbook's lock, the
// way a busy school's writers do.
func lockedGroup(t *testing.T, pool *pgxpool.Pool) (*logbook.Group, func()) {
	t.Helper()
	ctx := context.Background()
	holder, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := school.New(holder).LockLogbook(ctx); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release := func() {
		once.Do(func() {
			if err := holder.Commit(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	t.Cleanup(release)
	return logbook.NewGroup(func(ctx context.Context, fn func(pgx.Tx) error) error { return db.InTx(ctx, pool, fn) }), release
}

// add starts adding each entry and returns their results, in order.
func add(g *logbook.Group, es []logbook.Entry) func() []error {
	errs := make([]error, len(es))
	var wg sync.WaitGroup
	for i, e := range es {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = g.Add(context.Background(), e) }()
	}
	return func() []error { wg.Wait(); return errs }
}

func viewOf(pupil uuid.UUID, entityID string) logbook.Entry {
	return logbook.Entry{ActorRole: "ib", Action: logbook.ActionView, PupilID: &pupil, Entity: "pupil", EntityID: entityID}
}

// transactions counts the transactions that wrote the logbook's rows.
func transactions(t *testing.T, pool *pgxpool.Pool) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(DISTINCT xmin::text) FROM logbook`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// queuedBehindFirst adds a line "first" to a group writer while the
// logbook is locked, waits until its group is taken, queues es behind
// it, then lets the writer go and returns the results: first's, then
// those of es in order.
func queuedBehindFirst(t *testing.T, pupil uuid.UUID, es []logbook.Entry) (*pgxpool.Pool, *logbook.Group, []error) {
	t.Helper()
	pool, _ := dbtest.New(t, db.SchemaSchool)
	g, release := lockedGroup(t, pool)
	first := add(g, []logbook.Entry{viewOf(pupil, "first")})
	poll.Must(t, 10*time.Second, "the first group to be taken", func() bool { return g.Groups() == 1 && g.Queued() == 0 })
	rest := add(g, es)
	poll.Must(t, 10*time.Second, "the lines to queue", func() bool { return g.Queued() == len(es) })
	release()
	return pool, g, append(first(), rest()...)
}

// TestGroupWritesQueuedLinesTogether: lines that queue while a group
// waits for the lock go together in the next group, in one transaction,
// and the chain over all of them verifies.
func TestGroupWritesQueuedLinesTogether(t *testing.T) {
	ctx := context.Background()
	pupil := uuid.New()
	es := make([]logbook.Entry, 29)
	for i := range es {
		es[i] = viewOf(pupil, uuid.NewString())
	}
	pool, g, errs := queuedBehindFirst(t, pupil, es)

	for i, err := range errs {
		if err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
	}
	if n, err := logbook.Verify(ctx, school.New(pool), nil); err != nil || n != 30 {
		t.Fatalf("verify: %d rows, %v; want 30 and no error", n, err)
	}
	if got := g.Groups(); got != 2 {
		t.Errorf("%d groups, want 2 (the first line, then the 29 queued behind it)", got)
	}
	if got := transactions(t, pool); got != 2 {
		t.Errorf("rows written by %d transactions, want 2", got)
	}
}

// TestGroupRefusedLineFailsAlone: a line the database refuses (text with
// a NUL byte) fails its own reader; the lines grouped with it are written
// each on its own and the chain verifies.
func TestGroupRefusedLineFailsAlone(t *testing.T) {
	ctx := context.Background()
	pupil := uuid.New()
	pool, _, errs := queuedBehindFirst(t, pupil, []logbook.Entry{viewOf(pupil, "a"), viewOf(pupil, "bad\x00line"), viewOf(pupil, "c")})

	for i, err := range errs {
		if bad := i == 2; (err != nil) != bad {
			t.Errorf("line %d: err %v, want an error only for the refused line", i, err)
		}
	}
	if n, err := logbook.Verify(ctx, school.New(pool), nil); err != nil || n != 3 {
		t.Fatalf("verify: %d rows, %v; want the 3 good lines and no error", n, err)
	}
	rows, err := pool.Query(ctx, `SELECT entity_id FROM logbook ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(ids) // the queued lines arrive in any order
	if !slices.Equal(ids, []string{"a", "c", "first"}) {
		t.Errorf("rows %q, want a, c and first", ids)
	}
}

// TestGroupReaderGivesUp: a reader whose request ends stops waiting; the
// writer still writes its line and goes on with the next.
func TestGroupReaderGivesUp(t *testing.T) {
	pool, _ := dbtest.New(t, db.SchemaSchool)
	g, release := lockedGroup(t, pool)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- g.Add(ctx, viewOf(uuid.New(), "gone")) }()
	poll.Must(t, 10*time.Second, "the group to be taken", func() bool { return g.Groups() == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Add after its context ended: %v, want context.Canceled", err)
	}
	release()
	if err := g.Add(context.Background(), viewOf(uuid.New(), "next")); err != nil {
		t.Fatal(err)
	}
	if n, err := logbook.Verify(context.Background(), school.New(pool), nil); err != nil || n != 2 {
		t.Errorf("verify: %d rows, %v; want both lines", n, err)
	}
}
