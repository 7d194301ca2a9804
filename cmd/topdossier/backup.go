package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/topdossier/topdossier/db/platform"
)

// backupManifest lists what one backup holds: a pg_dump per database.
type backupManifest struct {
	TakenAt  time.Time     `json:"taken_at"`
	Platform backupFile    `json:"platform"`
	Licences []licenceDump `json:"licences"`
	Tool     string        `json:"tool"`
}

type backupFile struct {
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

type licenceDump struct {
	LicenceID string `json:"licence_id"`
	Kind      string `json:"kind"`
	Server    string `json:"server"`
	Database  string `json:"database"`
	Status    string `json:"status"`
	backupFile
}

// runBackup is `topdossier backup -dir DIR` (README Beheer): a pg_dump in
// custom format of the platform database and of every licence database
// (active or closing), each on its own, into DIR/<time>/ with a manifest of
// their sha256 sums. One dump per database because each school is
// restored on its own: a point-in-time restore of the whole cluster would
// set every other school back too.
func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "map voor de back-up (er komt een submap per keer in)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("gebruik: topdossier backup -dir MAP")
	}
	cfg, _, dbs, err := openForCommand(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer dbs.Close()
	now := time.Now().UTC()
	out := filepath.Join(*dir, now.Format("20060102T150405Z"))
	if err := os.MkdirAll(out, 0o700); err != nil {
		return err
	}
	m := backupManifest{TakenAt: now, Tool: "pg_dump -Fc"}
	if m.Platform, err = dump(ctx, cfg.DatabaseURL, filepath.Join(out, "platform.dump")); err != nil {
		return fmt.Errorf("platformdatabase: %w", err)
	}
	rows, err := platform.New(dbs.platform).ListLicencesWithDatabase(ctx)
	if err != nil {
		return err
	}
	for _, r := range rows {
		server, ok := cfg.LicenceDBServers[r.DbServer]
		if !ok {
			return fmt.Errorf("licentie %s: server %q staat niet in LICENCE_DB_SERVERS", r.ID, r.DbServer)
		}
		f, err := dump(ctx, withDatabase(server, r.DbName), filepath.Join(out, r.DbName+".dump"))
		if err != nil {
			return fmt.Errorf("licentie %s: %w", r.ID, err)
		}
		m.Licences = append(m.Licences, licenceDump{LicenceID: r.ID.String(), Kind: string(r.Kind), Server: r.DbServer,
			Database: r.DbName, Status: string(r.Status), backupFile: f})
	}
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "manifest.json"), raw, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "back-up in %s: platformdatabase en %d licentiedatabases\n", out, len(m.Licences))
	return nil
}

// withDatabase points a server's admin DSN (a URL or key=value words) at
// one database.
func withDatabase(dsn, database string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + database
		return u.String()
	}
	return strings.TrimSpace(dsn) + " dbname=" + database // a later keyword wins
}

// dump runs pg_dump in custom format into file and returns its sum. A
// password in a URL goes to pg_dump through PGPASSWORD, not its command
// line (which other users of the machine can read).
func dump(ctx context.Context, dsn, file string) (backupFile, error) {
	env := os.Environ()
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
			dsn = u.String()
		}
	}
	cmd := exec.CommandContext(ctx, "pg_dump", "--format=custom", "--file="+file, "--dbname="+dsn)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		return backupFile{}, fmt.Errorf("pg_dump: %v: %s", err, strings.TrimSpace(string(out)))
	}
	f, err := os.Open(file)
	if err != nil {
		return backupFile{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return backupFile{}, err
	}
	return backupFile{File: filepath.Base(file), SHA256: hex.EncodeToString(h.Sum(nil)), Bytes: n}, nil
}
