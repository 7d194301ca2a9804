package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db/dbtest"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	ososchema "github.com/topdossier/topdossier/oso/schema"
	"github.com/topdossier/topdossier/temporalx/temporaltest"
)

// TestMigrateAndLicenceCommands drives `migrate` and `licence
// create|list|remove` as an operator would, on a fresh platform database.
func TestMigrateAndLicenceCommands(t *testing.T) {
	ctx := context.Background()
	platformDB := fmt.Sprintf("tdcli_%d", time.Now().UnixNano())
	t.Cleanup(func() { dbtest.DropLike(t, platformDB) })
	ts := temporaltest.Start(t)
	env := map[string]string{"DATABASE_URL": dbtest.URLFor(t, platformDB), "TEMPORAL_ADDRESS": ts.HostPort,
		"PAYLOAD_KEY": base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))}
	cli := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(ctx, args, func(k string) string { return env[k] }, &out, &errOut)
		return out.String() + errOut.String(), err
	}

	out, err := cli("migrate")
	if err != nil || !strings.Contains(out, "0 licentiedatabases bijgewerkt") {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	pool, err := pgxpool.New(ctx, env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := platform.New(pool).CreateSWV(ctx, platform.CreateSWVParams{Code: "VO2805", Name: "SWV VO Test"}); err != nil {
		t.Fatal(err)
	}

	out, err = cli("licence", "create", "-swv", "VO2805", "-name", "Het Lyceum", "-brin", "12ab", "-type", "VO")
	if err != nil {
		t.Fatalf("create: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`licentie (\S+) aangemaakt in database main/(\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("create said %q", out)
	}
	id, dbName := m[1], m[2]

	out, err = cli("licence", "create", "-swv", "VO2805", "-name", "Zonder soort", "-brin", "34CD")
	if err == nil || !strings.Contains(out, "Kies de schoolsoort.") {
		t.Errorf("create without type: %v %q, want the Dutch field message", err, out)
	}

	out, err = cli("licence", "list")
	if err != nil || !strings.Contains(out, id) || !strings.Contains(out, "Het Lyceum") || strings.Contains(out, "Zonder soort") {
		t.Errorf("list: %v\n%s", err, out)
	}
	out, err = cli("migrate")
	if err != nil || !strings.Contains(out, "1 licentiedatabases bijgewerkt") {
		t.Errorf("migrate with a licence: %v\n%s", err, out)
	}

	// The import's dry run prints what the LAS file would change and
	// changes nothing; a file that is not valid is refused with its line.
	sample, err := os.ReadFile("../../las/testdata/EDEXML.Voorbeeld.2.1.xml")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "export.xml")
	if err := os.WriteFile(file, bytes.Replace(sample, []byte("<brincode>99ZZ</brincode>"), []byte("<brincode>12AB</brincode>"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = cli("import", "edexml", "-licence", id, "-dry-run", file)
	if err != nil || !strings.Contains(out, "Nieuw: 1.") || !strings.Contains(out, "nieuw       Wimpie (00001), groep 4B") ||
		!strings.Contains(out, "overgeslagen regel 91, leerling 00002: de geboortedatum ontbreekt") || !strings.Contains(out, "Proefdraai") {
		t.Errorf("import dry run: %v\n%s", err, out)
	}
	out, err = cli("import", "edexml", "-licence", id, "-dry-run", "../../las/testdata/EDEXML.invalid_1.xml")
	if err == nil || !strings.Contains(err.Error(), "Regel 3: element school_incorrect_element wordt hier niet verwacht") {
		t.Errorf("import of invalid_1: %v\n%s", err, out)
	}
	var pupils int
	if err := dbtest.Pool(t, dbName).QueryRow(ctx, "SELECT count(*) FROM pupil").Scan(&pupils); err != nil || pupils != 0 {
		t.Errorf("the dry run stored %d pupils (%v)", pupils, err)
	}

	// OSO: a received dossier's dry run, a broken one refused, and the
	// export of a pupil for the SWV, valid against the schema.
	out, err = cli("oso", "import", "-licence", id, "-dry-run", "../../oso/testdata/Voorbeelddossier_PaO_POSWV_full.xml")
	if err != nil || !strings.Contains(out, "Leerling: Daan van de Berg, geboren 2003-03-17") || !strings.Contains(out, "Ouders/verzorgers: 3 (van 5)") ||
		!strings.Contains(out, "Proefdraai") {
		t.Errorf("oso import dry run: %v\n%s", err, out)
	}
	osoFull, err := os.ReadFile("../../oso/testdata/Voorbeelddossier_PaO_POSWV_full.xml")
	if err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(t.TempDir(), "bsn.xml")
	if err := os.WriteFile(broken, bytes.Replace(osoFull, []byte("<leerlingid>"), []byte("<bsn>123456782</bsn><leerlingid>"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err = cli("oso", "import", "-licence", id, "-dry-run", broken); err == nil || !strings.Contains(err.Error(), "geen BSN") {
		t.Errorf("oso import of a PaO dossier with a BSN: %v\n%s", err, out)
	}

	// The logbook of the new licence: empty and whole, then tampered with.
	out, err = cli("logbook", "verify")
	if err != nil || !strings.Contains(out, "0 regels, keten klopt") {
		t.Errorf("verify: %v\n%s", err, out)
	}
	// The key rotation drill on a platform with nothing sealed under an
	// old key: every column is visited, nothing moves (server's
	// TestKeyRotation moves secrets).
	out, err = cli("keys", "reseal")
	if err != nil || !strings.Contains(out, "app_user.totp_secret_sealed") || !strings.Contains(out, "pupil.pgn_sealed") ||
		!strings.Contains(out, "0 geheimen opnieuw versleuteld") {
		t.Errorf("keys reseal: %v\n%s", err, out)
	}
	// The backup: a dump per database and a manifest with their sums; each
	// dump is one pg_restore reads.
	backupDir := t.TempDir()
	out, err = cli("backup", "-dir", backupDir)
	if err != nil || !strings.Contains(out, "platformdatabase en 1 licentiedatabases") {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	manifests, _ := filepath.Glob(filepath.Join(backupDir, "*", "manifest.json"))
	if len(manifests) != 1 {
		t.Fatalf("manifests: %v", manifests)
	}
	raw, err := os.ReadFile(manifests[0])
	if err != nil {
		t.Fatal(err)
	}
	var manifest struct {
		Licences []struct {
			LicenceID string `json:"licence_id"`
			Database  string `json:"database"`
			File      string `json:"file"`
			SHA256    string `json:"sha256"`
		} `json:"licences"`
	}
	if err := json.Unmarshal(raw, &manifest); err != nil || len(manifest.Licences) != 1 || manifest.Licences[0].LicenceID != id ||
		manifest.Licences[0].Database != dbName || len(manifest.Licences[0].SHA256) != 64 {
		t.Fatalf("manifest: %s (%v)", raw, err)
	}
	if list, err := exec.Command("pg_restore", "--list", filepath.Join(filepath.Dir(manifests[0]), manifest.Licences[0].File)).CombinedOutput(); err != nil ||
		!strings.Contains(string(list), "TABLE public logbook") {
		t.Errorf("pg_restore --list of the licence's dump: %v\n%s", err, list)
	}
	// The SWV's logbook is verified too (it was skipped): a broken row in
	// it fails the check and is named.
	out, err = cli("licence", "create", "-swv", "VO2805", "-kind", "swv", "-name", "SWV VO Test")
	sm := regexp.MustCompile(`licentie (\S+) aangemaakt in database main/(\S+)`).FindStringSubmatch(out)
	if err != nil || sm == nil {
		t.Fatalf("create the SWV licence: %v\n%s", err, out)
	}
	swvPool := dbtest.Pool(t, sm[2])
	for range 2 {
		if err := pgx.BeginFunc(ctx, swvPool, func(tx pgx.Tx) error {
			return logbook.Append(ctx, tx, logbook.Entry{ActorRole: "swv_admin", Action: logbook.ActionView, Entity: "request"})
		}); err != nil {
			t.Fatal(err)
		}
	}
	if out, err = cli("logbook", "verify", "-licence", sm[1]); err != nil || !strings.Contains(out, "SWV VO Test: 2 regels, keten klopt") {
		t.Errorf("verify the SWV's logbook: %v\n%s", err, out)
	}
	if _, err := swvPool.Exec(ctx, `ALTER TABLE logbook DISABLE TRIGGER logbook_no_update;
		UPDATE logbook SET actor_role = 'consultant' WHERE seq = 1;
		ALTER TABLE logbook ENABLE TRIGGER logbook_no_update`); err != nil {
		t.Fatal(err)
	}
	if out, err = cli("logbook", "verify"); err == nil || !strings.Contains(out, "SWV VO Test: GEBROKEN bij regel 1") {
		t.Errorf("verify after tampering with the SWV's logbook: %v\n%s", err, out)
	}
	swvPool.Close()
	// Removal (issue 19, fix 4): the name is asked; without -now the
	// licence is closed and left to its removal workflow; -now purges a
	// closing licence at once.
	if out, err := cli("licence", "remove", sm[1]); err == nil || !strings.Contains(err.Error(), "naam ter bevestiging") {
		t.Errorf("remove without the name: %v\n%s", err, out)
	}
	out, err = cli("licence", "remove", "-confirm", "SWV VO Test", sm[1])
	if err != nil || !strings.Contains(out, "gesloten; wordt op") {
		t.Fatalf("remove the SWV licence: %v\n%s", err, out)
	}
	if lic, err := platform.New(pool).GetLicence(ctx, uuid.MustParse(sm[1])); err != nil || lic.Status != platform.LicenceStatusClosing {
		t.Errorf("SWV licence after remove: %v %v, want closing", lic.Status, err)
	}
	if out, err := cli("licence", "remove", "-confirm", "SWV VO Test", "-now", sm[1]); err != nil || !strings.Contains(out, "database gewist") {
		t.Fatalf("purge the closing SWV licence now: %v\n%s", err, out)
	}
	var swvRecord int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM licence_removal WHERE licence_id = $1 AND purged_at IS NOT NULL", sm[1]).Scan(&swvRecord); err != nil || swvRecord != 1 {
		t.Errorf("the platform's record of the purge: %d (%v), want 1", swvRecord, err)
	}
	licPool := dbtest.Pool(t, dbName)
	for range 3 {
		err := pgx.BeginFunc(ctx, licPool, func(tx pgx.Tx) error {
			return logbook.Append(ctx, tx, logbook.Entry{ActorRole: "ib", Action: logbook.ActionView, Entity: "pupil"})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// The head anchored in the platform database catches a row cut off the end.
	var head []byte
	if err := licPool.QueryRow(ctx, "SELECT hash FROM logbook WHERE seq = 3").Scan(&head); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "INSERT INTO logbook_anchor (licence_id, seq, hash) VALUES ($1, 3, $2)", id, head); err != nil {
		t.Fatal(err)
	}
	_, err = licPool.Exec(ctx, `ALTER TABLE logbook DISABLE TRIGGER logbook_no_update;
		DELETE FROM logbook WHERE seq = 3;
		ALTER TABLE logbook ENABLE TRIGGER logbook_no_update`)
	if err != nil {
		t.Fatal(err)
	}
	out, err = cli("logbook", "verify", "-licence", id)
	if err == nil || !strings.Contains(out, "GEBROKEN bij regel 3") {
		t.Errorf("verify after cutting the last row: %v\n%s, want row 3 named", err, out)
	}
	_, err = licPool.Exec(ctx, `ALTER TABLE logbook DISABLE TRIGGER logbook_no_update;
		UPDATE logbook SET actor_role = 'teacher' WHERE seq = 2;
		ALTER TABLE logbook ENABLE TRIGGER logbook_no_update`)
	if err != nil {
		t.Fatal(err)
	}
	out, err = cli("logbook", "verify", "-licence", id)
	if err == nil || !strings.Contains(out, "GEBROKEN bij regel 2") {
		t.Errorf("verify after tampering: %v\n%s, want row 2 named", err, out)
	}
	// The export of a pupil for the SWV (logged: after the logbook checks).
	var pupilID string
	if err := dbtest.Pool(t, dbName).QueryRow(ctx, `WITH p AS (INSERT INTO pupil (given_name, family_name, birth_date, enrolled_on)
		VALUES ('Sem', 'Jansen', '2012-04-01', '2024-08-26') RETURNING id)
		INSERT INTO guardian (pupil_id, given_name, family_name, relation, parental_authority) SELECT id, 'Eva', 'Jansen', 'mother', true FROM p
		RETURNING pupil_id`).Scan(&pupilID); err != nil {
		t.Fatal(err)
	}
	out, err = cli("oso", "export", "-licence", id, "-pupil", pupilID, "-profile", "PaO")
	if err != nil || !strings.Contains(out, "<overstap>VOSWV</overstap>") || !strings.Contains(out, "<achternaam>Jansen</achternaam>") {
		t.Errorf("oso export: %v\n%s", err, out)
	} else if err := ososchema.Validate([]byte(out)); err != nil {
		t.Errorf("the exported dossier does not validate: %v", err)
	}
	licPool.Close()

	out, err = cli("licence", "remove", "-confirm", "Verkeerde naam", "-now", id)
	if err == nil || !strings.Contains(err.Error(), "komt niet overeen") {
		t.Errorf("remove -now with the wrong name: %v\n%s", err, out)
	}
	out, err = cli("licence", "remove", "-confirm", "Het Lyceum", "-now", id)
	if err != nil {
		t.Fatalf("remove: %v\n%s", err, out)
	}
	var exists bool
	if err := pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", dbName).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Errorf("database %s exists after licence remove", dbName)
	}
	if _, err := cli("onzin"); err == nil {
		t.Error("unknown command: got no error")
	}
}
