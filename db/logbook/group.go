package logbook

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Group writes lines that need no transaction of their own (what people
// read) together: the lines queued while one group is being written go
// in the next, in one transaction with one lock and one read of the
// chain's head. Readers of one school then wait for one commit per group
// instead of queueing on the logbook's lock one line at a time.
//
// A line counts as written when its group commits; a caller still waits
// for that before it shows anything. When a group fails, each of its
// lines is tried once more in a transaction of its own, so a line the
// database refuses fails only its own reader. (Were the connection lost
// while the group's commit went through, its lines would be written
// twice: a read logged twice, never not at all.)
type Group struct {
	inTx func(ctx context.Context, fn func(pgx.Tx) error) error

	mu      sync.Mutex
	queue   []pending
	writing bool // a goroutine is writing groups; it stops when the queue is empty
	groups  int  // groups written, for tests
}

type pending struct {
	e    Entry
	done chan error // buffered: the writer never waits for a reader that gave up
}

const (
	// maxGroup bounds the lines in one transaction, so the lock is held
	// for a bounded time.
	maxGroup = 100
	// groupTimeout bounds writing one group, retries included. The writer
	// works for several readers, so it runs on a context of its own.
	groupTimeout = 30 * time.Second
)

// NewGroup returns a group writer; inTx runs fn in a transaction on the
// licence's database and commits when fn returns nil.
func NewGroup(inTx func(ctx context.Context, fn func(pgx.Tx) error) error) *Group {
	return &Group{inTx: inTx}
}

// Add writes e with the next group and returns when that group has
// committed or failed. When ctx ends first Add returns its error; the
// line may still be written (a read recorded that was not shown, never
// the other way round).
func (g *Group) Add(ctx context.Context, e Entry) error {
	p := pending{e: e, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, p)
	if !g.writing {
		g.writing = true
		go g.write()
	}
	g.mu.Unlock()
	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Queued is the number of lines waiting for a group.
func (g *Group) Queued() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.queue)
}

// Groups is the number of groups written so far.
func (g *Group) Groups() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.groups
}

// write writes groups until the queue is empty.
func (g *Group) write() {
	for {
		g.mu.Lock()
		n := min(len(g.queue), maxGroup)
		if n == 0 {
			g.writing, g.queue = false, nil
			g.mu.Unlock()
			return
		}
		batch := g.queue[:n:n]
		g.queue = g.queue[n:]
		g.groups++
		g.mu.Unlock()
		g.writeGroup(batch)
	}
}

func (g *Group) writeGroup(batch []pending) {
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	es := make([]Entry, len(batch))
	for i, p := range batch {
		es[i] = p.e
	}
	err := g.inTx(ctx, func(tx pgx.Tx) error { return appendAll(ctx, tx, es) })
	if err == nil || len(batch) == 1 {
		for _, p := range batch {
			p.done <- err
		}
		return
	}
	for _, p := range batch {
		p.done <- g.inTx(ctx, func(tx pgx.Tx) error { return Append(ctx, tx, p.e) })
	}
}
