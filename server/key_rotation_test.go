package server

import (
	"bytes"
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/store"
)

// TestKeyRotation (issue 19, drill 12): with a new PAYLOAD_KEY and the old
// one in PAYLOAD_KEYS_OLD, TOTP secrets sealed with the old key still work
// at login; the reseal drill (store.Reseal, `topdossier keys reseal`)
// moves every secret at rest — TOTP secrets in the platform database, PGNs
// in a school's — to the new key, after which the old key alone opens
// none of them and the new key alone opens all; a second run moves nothing.
func TestKeyRotation(t *testing.T) {
	newKey := bytes.Repeat([]byte{0x42}, 32)
	rotated := auth.Keys{newKey, testSecretKey[0]}
	h := newHarness(t, func(c *Config) { c.SecretKey = rotated })
	ctx := context.Background()
	ib := h.user(t, "ib@rotatie.invalid", "staff", member{auth.RoleIB, &h.school.ID}) // sealed with the old key
	h.login(t, "ib@rotatie.invalid")

	// A PGN sealed with the old key in the school's database.
	oldPGN, err := auth.NewSecretBox(testSecretKey, "pgn")
	if err != nil {
		t.Fatal(err)
	}
	sealedPGN, err := oldPGN.Seal("123456782")
	if err != nil {
		t.Fatal(err)
	}
	pupil := uuid.Nil
	err = h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(ctx, `INSERT INTO pupil (given_name, family_name, birth_date, enrolled_on, pgn_sealed)
			VALUES ('Roos', 'Sleutel', '2015-01-01', '2021-08-23', $1) RETURNING id`, sealedPGN).Scan(&pupil)
	})
	if err != nil {
		t.Fatal(err)
	}

	counts, err := store.Reseal(ctx, h.platform.Tenants, rotated)
	if err != nil {
		t.Fatal(err)
	}
	moved := map[string]int{}
	for _, c := range counts {
		moved[c.Table+"."+c.Column] += c.Resealed
	}
	if moved["app_user.totp_secret_sealed"] < 1 || moved["pupil.pgn_sealed"] != 1 {
		t.Errorf("resealed %v, want the TOTP secrets and the one PGN", moved)
	}
	onlyNew := func(purpose string) *auth.SecretBox {
		b, err := auth.NewSecretBox(auth.Keys{newKey}, purpose)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	onlyOld := func(purpose string) *auth.SecretBox {
		b, err := auth.NewSecretBox(testSecretKey, purpose)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var totp []byte
	if err := h.platform.Pool.QueryRow(ctx, "SELECT totp_secret_sealed FROM app_user WHERE id = $1", ib).Scan(&totp); err != nil {
		t.Fatal(err)
	}
	if s, err := onlyNew("totp").Open(totp); err != nil || s != testTOTP {
		t.Errorf("the new key alone does not open the resealed TOTP secret: %v", err)
	}
	if _, err := onlyOld("totp").Open(totp); err == nil {
		t.Error("the old key still opens the resealed TOTP secret")
	}
	var pgn []byte
	err = h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
		return pool.QueryRow(ctx, "SELECT pgn_sealed FROM pupil WHERE id = $1", pupil).Scan(&pgn)
	})
	if err != nil {
		t.Fatal(err)
	}
	if s, err := onlyNew("pgn").Open(pgn); err != nil || s != "123456782" {
		t.Errorf("the new key alone does not open the resealed PGN: %v", err)
	}
	// Logins go on; a second drill finds nothing to move.
	h.login(t, "ib@rotatie.invalid")
	again, err := store.Reseal(ctx, h.platform.Tenants, rotated)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range again {
		if c.Resealed != 0 {
			t.Errorf("second reseal moved %d in %s.%s", c.Resealed, c.Table, c.Column)
		}
	}
	// A secret no key opens stops the drill, naming the column.
	if _, err := store.Reseal(ctx, h.platform.Tenants, auth.Keys{bytes.Repeat([]byte{0x43}, 32)}); err == nil {
		t.Error("a reseal with a key that opens nothing succeeded")
	}
}
