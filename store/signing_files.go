package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/documents"
)

// swvCode is how the files of one SWV are named: its code (PO2801).
var swvCode = regexp.MustCompile(`^[A-Z]{2}[0-9]{2,4}[A-Z]?$`)

// IdentityFile is one SWV's signing identity read from a directory, or
// why it could not be read.
type IdentityFile struct {
	Code     string // the SWV's code, from the file name
	Path     string
	Identity *documents.SigningIdentity
	Err      error
}

// ReadIdentityDir reads the SWVs' signing identities from dir, one per
// SWV code: CODE.p12 (or CODE.pfx) with its password in CODE.pass, or
// CODE.pem (certificate and chain) with CODE.key (the private key). An
// identity that does not pass CheckIdentity at now is returned with its
// error; other files are ignored.
func ReadIdentityDir(dir string, now time.Time) ([]IdentityFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("signing directory: %w", err)
	}
	var out []IdentityFile
	for _, e := range entries {
		name := e.Name()
		ext := filepath.Ext(name)
		code := strings.TrimSuffix(name, ext)
		if e.IsDir() || !swvCode.MatchString(code) || !slices.Contains([]string{".p12", ".pfx", ".pem"}, ext) {
			continue
		}
		f := IdentityFile{Code: code, Path: filepath.Join(dir, name)}
		f.Identity, f.Err = readIdentity(dir, code, ext)
		if f.Err == nil {
			f.Err = documents.CheckIdentity(f.Identity, now)
		}
		out = append(out, f)
	}
	return out, nil
}

func readIdentity(dir, code, ext string) (*documents.SigningIdentity, error) {
	data, err := os.ReadFile(filepath.Join(dir, code+ext))
	if err != nil {
		return nil, err
	}
	if ext == ".pem" {
		key, err := os.ReadFile(filepath.Join(dir, code+".key"))
		if err != nil {
			return nil, fmt.Errorf("key: %w", err)
		}
		return documents.ParsePEMIdentity(data, key)
	}
	pass, err := os.ReadFile(filepath.Join(dir, code+".pass"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("password: %w", err)
	}
	return documents.ParsePKCS12(data, strings.TrimRight(string(pass), "\r\n"))
}

// ImportSigningIdentities stores every SWV's signing identity found in
// dir (ReadIdentityDir) as its signing identity, sealed with secretKey.
// A file that cannot be used, or whose code names no SWV, is reported
// and skipped: one SWV's expired certificate does not stop the others.
func ImportSigningIdentities(ctx context.Context, q *platform.Queries, secretKey auth.Keys, dir string, now time.Time) ([]IdentityFile, error) {
	files, err := ReadIdentityDir(dir, now)
	if err != nil {
		return nil, err
	}
	for i, f := range files {
		if f.Err != nil {
			continue
		}
		s, err := q.GetSWVByCode(ctx, f.Code)
		if errors.Is(err, pgx.ErrNoRows) {
			files[i].Err = fmt.Errorf("no SWV with code %s", f.Code)
			continue
		}
		if err != nil {
			return files, err
		}
		if err := StoreSigningIdentity(ctx, q, secretKey, s.ID, f.Identity); err != nil {
			return files, err
		}
	}
	return files, nil
}
