// Package logbook writes and verifies the append-only, hash-chained
// logbook of a school licence: who saw, changed, exported or shared what
// of which pupil, and when. It records the fact, never the data itself.
package logbook

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/topdossier/topdossier/db/school"
)

// Actions written to the logbook.
const (
	ActionView    = "view"
	ActionCreate  = "create"
	ActionUpdate  = "update"
	ActionExport  = "export"
	ActionShare   = "share"
	ActionConsent = "consent"
	ActionProcess = "process" // a step taken by a workflow, not a person
	ActionRedact  = "redact"  // lines about a deleted pupil lost their link to the pupil
)

// Entry is one logbook line before it is chained.
type Entry struct {
	At         time.Time
	ActorID    *uuid.UUID // nil for the platform itself (a workflow)
	ActorRole  string     // a staff role, "guardian", "pupil" or "system"
	OnBehalfOf *uuid.UUID
	Action     string
	PupilID    *uuid.UUID
	Entity     string // e.g. "pupil", "enrolment"
	EntityID   string
	RequestID  string
}

// genesis is the prev_hash of the first row.
var genesis = make([]byte, sha256.Size)

// Append adds e to the logbook inside tx, so it commits or rolls back with
// the change it records. An advisory lock serialises appends, so the chain
// never forks.
func Append(ctx context.Context, tx pgx.Tx, e Entry) error {
	return appendAll(ctx, tx, []Entry{e})
}

// appendAll adds the entries in order under one lock and one read of
// the head.
func appendAll(ctx context.Context, tx pgx.Tx, es []Entry) error {
	q := school.New(tx)
	if err := q.LockLogbook(ctx); err != nil {
		return fmt.Errorf("lock logbook: %w", err)
	}
	seq, prev := int64(1), genesis
	last, err := q.LastLogbookEntry(ctx)
	switch {
	case err == nil:
		seq, prev = last.Seq+1, last.Hash
	case !errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("read logbook head: %w", err)
	}
	now := time.Now()
	for _, e := range es {
		if e.At.IsZero() {
			e.At = now
		}
		e.At = e.At.UTC().Truncate(time.Microsecond) // what PostgreSQL stores
		content := contentHash(seq, e)
		hash := chain(prev, content)
		err = q.InsertLogbookEntry(ctx, school.InsertLogbookEntryParams{
			Seq: seq, At: e.At, ActorUserID: e.ActorID, ActorRole: e.ActorRole, OnBehalfOf: e.OnBehalfOf,
			Action: e.Action, PupilID: e.PupilID, Entity: e.Entity, EntityID: e.EntityID, RequestID: e.RequestID,
			ContentHash: content, PrevHash: prev, Hash: hash,
		})
		if err != nil {
			return fmt.Errorf("append to logbook: %w", err)
		}
		seq, prev = seq+1, hash
	}
	return nil
}

// contentHash is sha256 over a canonical, unambiguous serialisation of
// the row: each field length-prefixed, in a fixed order.
func contentHash(seq int64, e Entry) []byte {
	var b strings.Builder
	field := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	id := func(u *uuid.UUID) string {
		if u == nil {
			return ""
		}
		return u.String()
	}
	field("v1")
	field(strconv.FormatInt(seq, 10))
	field(e.At.UTC().Format(time.RFC3339Nano))
	field(id(e.ActorID))
	field(e.ActorRole)
	field(id(e.OnBehalfOf))
	field(e.Action)
	field(id(e.PupilID))
	field(e.Entity)
	field(e.EntityID)
	field(e.RequestID)
	sum := sha256.Sum256([]byte(b.String()))
	return sum[:]
}

func chain(prev, content []byte) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(content)
	return h.Sum(nil)
}

// BrokenError names the first row whose content or link does not verify.
type BrokenError struct {
	Seq    int64
	Reason string
}

func (e *BrokenError) Error() string {
	return fmt.Sprintf("logbook broken at row %d: %s", e.Seq, e.Reason)
}

// Anchor is a head of the chain recorded outside the licence database.
type Anchor struct {
	Seq  int64
	Hash []byte
}

// Verify walks the whole chain in order and returns the number of rows
// checked, or a *BrokenError naming the first row that does not verify.
// With an anchor it also requires the anchored row to be there unchanged,
// which catches rows cut off the end of the chain.
func Verify(ctx context.Context, q *school.Queries, anchor *Anchor) (int64, error) {
	n, err := verifyChain(ctx, q)
	if err != nil || anchor == nil {
		return n, err
	}
	row, err := q.GetLogbookEntry(ctx, anchor.Seq)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !bytes.Equal(row.Hash, anchor.Hash)) {
		return n, &BrokenError{Seq: anchor.Seq, Reason: "row recorded as the head of the logbook is missing or changed"}
	}
	if err != nil {
		return n, fmt.Errorf("read anchored row: %w", err)
	}
	return n, nil
}

// Redact removes from the logbook lines about a pupil whatever links them
// to the pupil, and records that it did, in tx: the rows keep their place
// and content hash, so the chain still verifies (see Verify), and the
// redaction is itself a line, naming the rule, never the pupil.
func Redact(ctx context.Context, tx pgx.Tx, pupilID uuid.UUID, rule string) (int64, error) {
	q := school.New(tx)
	if err := q.LockLogbook(ctx); err != nil {
		return 0, fmt.Errorf("lock logbook: %w", err)
	}
	n, err := q.RedactLogbookForPupil(ctx, school.RedactLogbookForPupilParams{PupilID: &pupilID, RedactedAt: ptr(time.Now())})
	if err != nil {
		return 0, fmt.Errorf("redact logbook: %w", err)
	}
	err = Append(ctx, tx, Entry{ActorRole: "system", Action: ActionRedact, Entity: "retention", EntityID: fmt.Sprintf("%s:%d", rule, n)})
	return n, err
}

func ptr[T any](v T) *T { return &v }

// Head returns the last row's sequence number and hash, to anchor it.
func Head(ctx context.Context, q *school.Queries) (*Anchor, error) {
	last, err := q.LastLogbookEntry(ctx)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &Anchor{Seq: last.Seq, Hash: last.Hash}, nil
}

func verifyChain(ctx context.Context, q *school.Queries) (int64, error) {
	prev, next, checked := genesis, int64(1), int64(0)
	for {
		rows, err := q.ListLogbookAfter(ctx, school.ListLogbookAfterParams{Seq: next - 1, Limit: 1000})
		if err != nil {
			return checked, fmt.Errorf("read logbook: %w", err)
		}
		for _, r := range rows {
			if r.Seq != next {
				return checked, &BrokenError{Seq: next, Reason: fmt.Sprintf("row missing (next is %d)", r.Seq)}
			}
			e := Entry{At: r.At, ActorID: r.ActorUserID, ActorRole: r.ActorRole, OnBehalfOf: r.OnBehalfOf,
				Action: r.Action, PupilID: r.PupilID, Entity: r.Entity, EntityID: r.EntityID, RequestID: r.RequestID}
			// A redacted row's content can no longer be recomputed; its
			// kept content hash still has to fit the chain below.
			if r.RedactedAt == nil && !bytes.Equal(contentHash(r.Seq, e), r.ContentHash) {
				return checked, &BrokenError{Seq: r.Seq, Reason: "content does not match its hash"}
			}
			if !bytes.Equal(r.PrevHash, prev) {
				return checked, &BrokenError{Seq: r.Seq, Reason: "link to the previous row is broken"}
			}
			if !bytes.Equal(chain(prev, r.ContentHash), r.Hash) {
				return checked, &BrokenError{Seq: r.Seq, Reason: "chain hash does not match"}
			}
			prev, next, checked = r.Hash, r.Seq+1, checked+1
		}
		if len(rows) < 1000 {
			return checked, nil
		}
	}
}
