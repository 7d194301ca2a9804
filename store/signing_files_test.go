package store_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/dbtest"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/documents"
	"github.com/topdossier/topdossier/store"
)

// TestImportSigningIdentities: production SWVs bring their own signing
// certificate as files in SIGNING_DIR, named by the SWV's code: a
// PKCS#12 file with its password in CODE.pass, or PEM certificate and
// key. Valid ones are stored (sealed) as the SWV's identity; an expired
// one, a wrong password and a code without an SWV are reported with the
// reason and skipped, so the others still load.
func TestImportSigningIdentities(t *testing.T) {
	ctx := context.Background()
	p := dbtest.NewPlatform(t, tenants.Config{})
	q := platform.New(p.Pool)
	now := time.Now()
	ca, err := documents.NewDemoCA("Test-CA", now)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, data []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p12 := func(id *documents.SigningIdentity, password string) []byte {
		t.Helper()
		data, err := pkcs12.Modern.Encode(id.Key, id.Certificate, id.Chain, password)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	// The fixture's SWV gets a PKCS#12 identity.
	valid, err := ca.Issue("SWV Test", "SWV Test", now, 365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	valid.Chain = []*x509.Certificate{ca.Certificate}
	write(p.SWV.Code+".p12", p12(valid, "geheim"))
	write(p.SWV.Code+".pass", []byte("geheim\n"))
	// A second SWV brings PEM files, expired.
	other, err := q.CreateSWV(ctx, platform.CreateSWVParams{Code: "VO2899", Name: "SWV Verlopen"})
	if err != nil {
		t.Fatal(err)
	}
	expired, err := ca.Issue("SWV Verlopen", "SWV Verlopen", now.AddDate(-2, 0, 0), 365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, _, err := documents.MarshalIdentity(expired)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(expired.Key)
	if err != nil {
		t.Fatal(err)
	}
	write(other.Code+".pem", certPEM)
	write(other.Code+".key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	// A wrong password, and a code no SWV has.
	write("PO9998.p12", p12(valid, "anders"))
	write("PO9998.pass", []byte("fout"))
	write("PO9999.p12", p12(valid, ""))
	write("README.txt", []byte("not an identity"))

	files, err := store.ImportSigningIdentities(ctx, q, auth.Keys{[]byte(strings.Repeat("k", 32))}, dir, now)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range files {
		got[f.Code] = "ok"
		if f.Err != nil {
			got[f.Code] = f.Err.Error()
		}
	}
	if len(got) != 4 || got[p.SWV.Code] != "ok" || !strings.Contains(got[other.Code], "expired") ||
		!strings.Contains(got["PO9998"], "PKCS#12") || !strings.Contains(got["PO9999"], "no SWV") {
		t.Errorf("import results %v, want the fixture's SWV ok, VO2899 expired, PO9998 a bad password, PO9999 no SWV", got)
	}
	if _, err := q.GetSigningIdentity(ctx, p.SWV.ID); err != nil {
		t.Errorf("the valid identity was not stored: %v", err)
	}
	if _, err := q.GetSigningIdentity(ctx, other.ID); err == nil {
		t.Errorf("the expired identity was stored")
	}
}
