package logbook_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/dbtest"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/school"
)

func appendN(t *testing.T, pool *pgxpool.Pool, n int) {
	t.Helper()
	ctx := context.Background()
	actor, pupil := uuid.New(), uuid.New()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n { // concurrent writers must not fork the chain
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- db.InTx(ctx, pool, func(tx pgx.Tx) error {
				return logbook.Append(ctx, tx, logbook.Entry{ActorID: &actor, ActorRole: "ib", Action: logbook.ActionView,
					PupilID: &pupil, Entity: "pupil", EntityID: pupil.String(), RequestID: string(rune('a' + i))})
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestChainVerifiesAndCatchesTampering(t *testing.T) {
	ctx := context.Background()
	pool, _ := dbtest.New(t, db.SchemaSchool)
	appendN(t, pool, 20)
	n, err := logbook.Verify(ctx, school.New(pool), nil)
	if err != nil || n != 20 {
		t.Fatalf("verify: %d rows, err %v; want 20 rows and no error", n, err)
	}

	// A superuser who switches the trigger off and edits row 7 is caught.
	_, err = pool.Exec(ctx, `ALTER TABLE logbook DISABLE TRIGGER logbook_no_update;
		UPDATE logbook SET action = 'export' WHERE seq = 7;
		ALTER TABLE logbook ENABLE TRIGGER logbook_no_update`)
	if err != nil {
		t.Fatal(err)
	}
	n, err = logbook.Verify(ctx, school.New(pool), nil)
	var broken *logbook.BrokenError
	if !errors.As(err, &broken) || broken.Seq != 7 {
		t.Fatalf("verify after tampering: %d rows, err %v; want broken at row 7", n, err)
	}
	if n != 6 {
		t.Errorf("checked %d rows before the break, want 6", n)
	}
}

func TestChainCatchesRecomputedRow(t *testing.T) {
	ctx := context.Background()
	pool, _ := dbtest.New(t, db.SchemaSchool)
	appendN(t, pool, 5)
	// Deleting a row in the middle breaks the sequence.
	_, err := pool.Exec(ctx, `ALTER TABLE logbook DISABLE TRIGGER logbook_no_update;
		DELETE FROM logbook WHERE seq = 3;
		ALTER TABLE logbook ENABLE TRIGGER logbook_no_update`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = logbook.Verify(ctx, school.New(pool), nil)
	var broken *logbook.BrokenError
	if !errors.As(err, &broken) || broken.Seq != 3 {
		t.Fatalf("verify after delete: err %v, want broken at row 3", err)
	}
}

func TestLogbookIsAppendOnly(t *testing.T) {
	ctx := context.Background()
	pool, _ := dbtest.New(t, db.SchemaSchool)
	appendN(t, pool, 2)
	for _, stmt := range []string{
		"UPDATE logbook SET action = 'x'",
		"DELETE FROM logbook",
		"TRUNCATE logbook",
	} {
		if _, err := pool.Exec(ctx, stmt); err == nil {
			t.Errorf("%s: got no error, want it refused", stmt)
		}
	}
	n, err := logbook.Verify(ctx, school.New(pool), nil)
	if err != nil || n != 2 {
		t.Errorf("after refused statements: %d rows, err %v; want 2 intact rows", n, err)
	}
}

// TestAnchorCatchesCutTail: rows cut off the end leave a valid chain, but
// not the anchored head.
func TestAnchorCatchesCutTail(t *testing.T) {
	ctx := context.Background()
	pool, _ := dbtest.New(t, db.SchemaSchool)
	appendN(t, pool, 5)
	head, err := logbook.Head(ctx, school.New(pool))
	if err != nil || head == nil || head.Seq != 5 {
		t.Fatalf("head %+v (err %v), want row 5", head, err)
	}
	if _, err := logbook.Verify(ctx, school.New(pool), head); err != nil {
		t.Fatalf("verify with anchor before tampering: %v", err)
	}
	_, err = pool.Exec(ctx, `ALTER TABLE logbook DISABLE TRIGGER logbook_no_update;
		DELETE FROM logbook WHERE seq >= 4;
		ALTER TABLE logbook ENABLE TRIGGER logbook_no_update`)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := logbook.Verify(ctx, school.New(pool), nil); err != nil || n != 3 {
		t.Fatalf("without anchor: %d rows, err %v; want 3 rows that look fine", n, err)
	}
	_, err = logbook.Verify(ctx, school.New(pool), head)
	var broken *logbook.BrokenError
	if !errors.As(err, &broken) || broken.Seq != 5 {
		t.Errorf("with anchor: %v, want broken at the anchored row 5", err)
	}
}

// TestRedactionKeepsTheChain: after a pupil's lines are redacted the
// chain still verifies, no line names the pupil, the other pupil's lines
// are untouched, the redaction is a line of its own, and a redacted row's
// kept hash still guards its place: changing it breaks the chain. Other
// updates stay refused.
func TestRedactionKeepsTheChain(t *testing.T) {
	ctx := context.Background()
	pool, _ := dbtest.New(t, db.SchemaSchool)
	gone, stays, actor := uuid.New(), uuid.New(), uuid.New()
	for i := range 6 {
		pupil := gone
		if i%2 == 1 {
			pupil = stays
		}
		err := db.InTx(ctx, pool, func(tx pgx.Tx) error {
			return logbook.Append(ctx, tx, logbook.Entry{ActorID: &actor, ActorRole: "ib", Action: logbook.ActionView, PupilID: &pupil,
				Entity: "dossier", EntityID: pupil.String(), RequestID: uuid.NewString()})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int64
	err := db.InTx(ctx, pool, func(tx pgx.Tx) error {
		var err error
		n, err = logbook.Redact(ctx, tx, gone, "dossier-2j")
		return err
	})
	if err != nil || n != 3 {
		t.Fatalf("redacted %d rows (err %v), want 3", n, err)
	}
	checked, err := logbook.Verify(ctx, school.New(pool), nil)
	if err != nil || checked != 7 {
		t.Fatalf("verify after redaction: %d rows, %v; want 7 (6 lines and the redaction)", checked, err)
	}
	var mentions, others int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM logbook WHERE pupil_id = $1 OR entity_id = $2 OR logbook::text LIKE '%' || $2 || '%'`,
		gone, gone.String()).Scan(&mentions); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM logbook WHERE pupil_id = $1 AND entity_id = $2 AND redacted_at IS NULL`,
		stays, stays.String()).Scan(&others); err != nil {
		t.Fatal(err)
	}
	if mentions != 0 || others != 3 {
		t.Errorf("%d rows still mention the deleted pupil, %d of the other pupil's 3 kept", mentions, others)
	}
	if _, err := pool.Exec(ctx, `UPDATE logbook SET action = 'export' WHERE seq = 1`); err == nil {
		t.Error("a redacted row's other columns can be changed")
	}
	if _, err := pool.Exec(ctx, `UPDATE logbook SET pupil_id = NULL, entity_id = '', request_id = '', redacted_at = now() WHERE seq = 2`); err != nil {
		t.Fatalf("redacting another row: %v", err)
	}
	if _, err := pool.Exec(ctx, `DELETE FROM logbook WHERE seq = 1`); err == nil {
		t.Error("a redacted row can be deleted")
	}
	// Someone with the owner's rights rewrites a redacted row's hash.
	_, err = pool.Exec(ctx, `ALTER TABLE logbook DISABLE TRIGGER logbook_no_update;
		UPDATE logbook SET content_hash = sha256('other'::bytea) WHERE seq = 3;
		ALTER TABLE logbook ENABLE TRIGGER logbook_no_update`)
	if err != nil {
		t.Fatal(err)
	}
	var broken *logbook.BrokenError
	if _, err := logbook.Verify(ctx, school.New(pool), nil); !errors.As(err, &broken) || broken.Seq != 3 {
		t.Errorf("a changed hash of a redacted row: %v, want broken at row 3", err)
	}
}
