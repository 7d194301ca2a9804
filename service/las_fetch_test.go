package service

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/school"
)

// clientCert makes a self-signed client certificate and its key, PEM.
func clientCert(t *testing.T) (certPEM, keyPEM string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "TOP dossier bij De Linde"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ = x509.ParseCertificate(der)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})), cert
}

// TestLASFetchHTTPS: the nightly update fetches the export over HTTPS
// with the school's client certificate; a LAS that asks for the
// certificate gets it, a wrong key is refused when saved, and an address
// inside the platform's network is never dialled.
func TestLASFetchHTTPS(t *testing.T) {
	certPEM, keyPEM, cert := clientCert(t)
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TLS.PeerCertificates) == 0 || r.TLS.PeerCertificates[0].Subject.CommonName != "TOP dossier bij De Linde" {
			http.Error(w, "no", http.StatusForbidden)
			return
		}
		w.Write([]byte("<EDEX/>"))
	}))
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	ts.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	ts.StartTLS()
	defer ts.Close()
	roots := x509.NewCertPool()
	roots.AddCert(ts.Certificate())

	key := auth.Keys{[]byte("test-key-test-key-test-key-test-key")}
	s, err := NewLAS(nil, nil, slog.New(slog.DiscardHandler), nil, nil, nil, key, LASConfig{RootCAs: roots, AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.box.Seal(keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	set := school.LasSetting{Source: "https", Url: ts.URL + "/export.xml", ClientCert: certPEM, ClientKeySealed: sealed}
	data, err := s.fetch(context.Background(), uuid.New(), set)
	if err != nil || string(data) != "<EDEX/>" {
		t.Fatalf("fetch: %q %v", data, err)
	}
	// Without the certificate the LAS refuses.
	if _, err := s.fetch(context.Background(), uuid.New(), school.LasSetting{Source: "https", Url: ts.URL}); err == nil {
		t.Error("fetched without the client certificate")
	}
	// A certificate and a key that do not belong together are refused on
	// saving, before anything is stored.
	_, otherKey, _ := clientCert(t)
	err = s.SaveSetting(context.Background(), Actor{}, uuid.New(), LASSettingForm{Source: "https", URL: ts.URL, ClientCert: certPEM,
		ClientKey: otherKey, MaxLeavingPercent: 10, Hour: 2})
	if err == nil || !strings.Contains(err.Error(), "client_cert") {
		t.Errorf("mismatched key: %v", err)
	}
	// The platform's own network is never dialled (SSRF).
	public, err := NewLAS(nil, nil, slog.New(slog.DiscardHandler), nil, nil, nil, key, LASConfig{RootCAs: roots})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := public.fetch(context.Background(), uuid.New(), set); err == nil || !strings.Contains(err.Error(), "geen openbaar internetadres") {
		t.Errorf("fetch from loopback: %v", err)
	}
}
