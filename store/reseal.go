package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/tenants"
)

// sealedColumn is a column of secrets sealed with auth.SecretBox for a
// purpose.
type sealedColumn struct{ table, column, purpose string }

// The secrets at rest, by database. The Idempotency-Key answers (a day)
// are not moved: they expire while PAYLOAD_KEYS_OLD still holds the key.
var (
	platformSealed = []sealedColumn{
		{"app_user", "totp_secret_sealed", "totp"},
		{"swv_signing_identity", "key_sealed", "signing-key"},
		{"webhook", "secret_sealed", "webhook"},
	}
	schoolSealed = []sealedColumn{
		{"pupil", "pgn_sealed", "pgn"},
		{"las_setting", "client_key_sealed", "las-client-key"},
	}
)

// ResealCount is what Reseal did to one column of one database.
type ResealCount struct {
	Database, Table, Column string
	Resealed, Current       int
}

// Reseal is the key rotation drill (issue 19, drill 12): every secret at
// rest that an old key (keys[1:], PAYLOAD_KEYS_OLD) sealed is sealed again
// with the current one (keys[0], PAYLOAD_KEY), in the platform database
// and in every school licence's database, one transaction per column, so
// a secret none of the keys opens stops the drill with nothing half-moved
// in that column. Run twice, the second run moves nothing.
func Reseal(ctx context.Context, tm *tenants.Manager, keys auth.Keys) ([]ResealCount, error) {
	var out []ResealCount
	for _, col := range platformSealed {
		n, err := resealColumn(ctx, tm.Platform(), "platform", col, keys)
		if err != nil {
			return out, err
		}
		out = append(out, n)
	}
	licences, err := platform.New(tm.Platform()).ListLicencesWithDatabase(ctx)
	if err != nil {
		return out, err
	}
	for _, lic := range licences {
		if lic.Kind == platform.LicenceKindSwv {
			continue // an SWV's database seals nothing
		}
		err := tm.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
			for _, col := range schoolSealed {
				n, err := resealColumn(ctx, pool, lic.DbName, col, keys)
				if err != nil {
					return err
				}
				out = append(out, n)
			}
			return nil
		})
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

func resealColumn(ctx context.Context, pool *pgxpool.Pool, database string, col sealedColumn, keys auth.Keys) (ResealCount, error) {
	count := ResealCount{Database: database, Table: col.table, Column: col.column}
	box, err := auth.NewSecretBox(keys, col.purpose)
	if err != nil {
		return count, err
	}
	table, column := pgx.Identifier{col.table}.Sanitize(), pgx.Identifier{col.column}.Sanitize()
	err = db.InTx(ctx, pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, fmt.Sprintf("SELECT ctid::text, %s FROM %s WHERE %s IS NOT NULL FOR UPDATE", column, table, column))
		if err != nil {
			return err
		}
		type row struct {
			ctid   string
			sealed []byte
		}
		all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
			var v row
			return v, r.Scan(&v.ctid, &v.sealed)
		})
		if err != nil {
			return err
		}
		for _, r := range all {
			resealed, changed, err := box.Reseal(r.sealed)
			if err != nil {
				return fmt.Errorf("%s.%s.%s: a secret none of the keys opens (is a key missing from PAYLOAD_KEYS_OLD?): %w",
					database, col.table, col.column, err)
			}
			if !changed {
				count.Current++
				continue
			}
			if _, err := tx.Exec(ctx, fmt.Sprintf("UPDATE %s SET %s = $1 WHERE ctid = $2::tid", table, column), resealed, r.ctid); err != nil {
				return err
			}
			count.Resealed++
		}
		return nil
	})
	return count, err
}
