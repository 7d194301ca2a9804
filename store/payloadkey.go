package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/topdossier/topdossier/db/platform"
)

// KeyFingerprint names a payload key without giving it away.
func KeyFingerprint(key []byte) string {
	sum := sha256.Sum256(append([]byte("topdossier payload key fingerprint\x00"), key...))
	return hex.EncodeToString(sum[:8])
}

// PayloadKeyError: the database was sealed with another payload key. Its
// text is Dutch, for the person starting `make run`.
type PayloadKeyError struct{ Stored, Given, KeyFile string }

func (e *PayloadKeyError) Error() string {
	return fmt.Sprintf("De database is versleuteld met een andere sleutel (vingerafdruk %s) dan deze start gebruikt (%s). "+
		"Kies een van beide: zet het oude sleutelbestand terug als %s (uit de map .data van de eerste start), "+
		"of start op een nieuwe, lege database met een andere DATABASE_URL.", e.Stored, e.Given, e.KeyFile)
}

// CheckPayloadKey compares key with the fingerprint the platform database
// keeps: the first start records it; a later start with another key is
// refused with a *PayloadKeyError naming the two ways out (keyFile is
// where the key is read from).
func CheckPayloadKey(ctx context.Context, q *platform.Queries, key []byte, keyFile string) error {
	want := KeyFingerprint(key)
	got, err := q.PayloadKeyFingerprint(ctx)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return q.SetPayloadKeyFingerprint(ctx, want)
	case err != nil:
		return err
	case got != want:
		return &PayloadKeyError{Stored: got, Given: want, KeyFile: keyFile}
	}
	return nil
}
