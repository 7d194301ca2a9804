package documents_test

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/topdossier/topdossier/documents"
)

func demoTLV(now time.Time) documents.DecisionDocument {
	return documents.DecisionDocument{Kind: documents.DecisionTLV, Number: "TLV-2026-0001", SWV: "Samenwerkingsverband Rivierenland",
		Pupil: "Noor de Vries", BirthDate: time.Date(2015, 6, 2, 0, 0, 0, 0, time.UTC), School: "Basisschool De Regenboog",
		SchoolType: "so", Category: "midden", StartOn: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		EndOn: time.Date(2029, 7, 31, 0, 0, 0, 0, time.UTC), DecidedOn: now,
		Motivation: "De ondersteuningsbehoefte op het gebied van gedrag vraagt een kleine groep met een vaste structuur.",
		Experts:    []documents.Expert{{Name: "drs. P. Jansen", Profession: "orthopedagoog"}, {Name: "dr. M. Bakker", Profession: "psycholoog"}},
		Signer:     "J. de Wit, directeur-bestuurder", Printed: now}
}

// signedTLV renders and signs a TLV with a fresh demo CA and SWV
// certificate that went through storage (marshal, parse).
func signedTLV(t testing.TB, now time.Time) ([]byte, []byte, *documents.SigningIdentity) {
	t.Helper()
	ca, err := documents.NewDemoCA("TOP dossier demo-CA", now)
	if err != nil {
		t.Fatal(err)
	}
	issued, err := ca.Issue("Samenwerkingsverband Rivierenland", "Samenwerkingsverband Rivierenland", now, 3*365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyDER, err := documents.MarshalIdentity(issued)
	if err != nil {
		t.Fatal(err)
	}
	swv, err := documents.ParseIdentity(certPEM, keyDER)
	if err != nil || len(swv.Chain) != 1 {
		t.Fatalf("identity after storage: chain %d (err %v)", len(swv.Chain), err)
	}
	doc, err := documents.RenderDecisionPDF(demoTLV(now))
	if err != nil {
		t.Fatal(err)
	}
	signed, err := documents.SignPDF(doc, swv, documents.SignatureInfo{Name: "J. de Wit", Location: "Tiel",
		Reason: "Besluit toelaatbaarheidsverklaring TLV-2026-0001", At: now})
	if err != nil {
		t.Fatal(err)
	}
	return doc, signed, ca
}

// TestSignedTLVVerifies: a TLV signed with the SWV's certificate verifies
// in process and in poppler's pdfsig (trusting the demo CA through an NSS
// database); a changed byte breaks it; the text reads as a TLV.
func TestSignedTLVVerifies(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	doc, signed, ca := signedTLV(t, now)
	if !bytes.HasPrefix(signed, doc) {
		t.Error("signing rewrote the document instead of appending to it")
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Certificate)
	v, err := documents.VerifyPDF(signed, roots)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Trusted || v.Name != "J. de Wit" || v.Subject != "Samenwerkingsverband Rivierenland" || !v.SignedAt.Equal(now) {
		t.Errorf("verified %+v, want trusted, signed by J. de Wit for the SWV at %v", v, now)
	}
	if v, err := documents.VerifyPDF(signed, x509.NewCertPool()); err != nil || v.Trusted {
		t.Errorf("trusted without its root: %+v (err %v)", v, err)
	}
	if _, err := documents.VerifyPDF(doc, roots); err == nil {
		t.Error("an unsigned document verifies")
	}
	tampered := bytes.Clone(signed)
	i := bytes.Index(tampered, []byte("/Title"))
	tampered[i+1] = 't'
	if _, err := documents.VerifyPDF(tampered, roots); err == nil {
		t.Error("a document changed after signing verifies")
	}

	// poppler's pdfsig, with the demo CA trusted in a fresh NSS database.
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	nss := filepath.Join(dir, "nss")
	if err := os.Mkdir(nss, 0o700); err != nil {
		t.Fatal(err)
	}
	caFile := write("ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Certificate.Raw}))
	for _, args := range [][]string{{"-N", "-d", "sql:" + nss, "--empty-password"},
		{"-A", "-d", "sql:" + nss, "-n", "demo-ca", "-t", "C,C,C", "-i", caFile}} {
		if out, err := exec.Command("certutil", args...).CombinedOutput(); err != nil {
			t.Fatalf("certutil %v: %v\n%s", args, err, out)
		}
	}
	pdfsig := func(path string) string {
		out, _ := exec.Command("pdfsig", "-nssdir", "sql:"+nss, path).CombinedOutput()
		return string(out)
	}
	out := pdfsig(write("tlv.pdf", signed))
	for _, want := range []string{"Signer Certificate Common Name: Samenwerkingsverband Rivierenland", "Signature is Valid.",
		"Certificate is Trusted.", "Total document signed"} {
		if !strings.Contains(out, want) {
			t.Errorf("pdfsig does not say %q:\n%s", want, out)
		}
	}
	if out := pdfsig(write("tampered.pdf", tampered)); strings.Contains(out, "Signature is Valid.") {
		t.Errorf("pdfsig accepts the changed document:\n%s", out)
	}
	text, err := exec.Command("pdftotext", "-layout", filepath.Join(dir, "tlv.pdf"), "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Toelaatbaarheidsverklaring", "TLV-2026-0001", "Noor de Vries", "speciaal onderwijs (SO)", "midden",
		"31-07-2029", "drs. P. Jansen (orthopedagoog)", "De termijn is zes weken", "begint op de dag na de dag", "Bezwaaradviescommissie",
		"J. de Wit, directeur-bestuurder"} {
		if !strings.Contains(string(text), want) && !strings.Contains(strings.Join(strings.Fields(string(text)), " "), want) {
			t.Errorf("the TLV does not say %q", want)
		}
	}
}

// TestArrangementObjectionClause: an arrangement's decision gives the
// objection term from the day after it was sent (Awb 6:8) and does not
// name the bezwaaradviescommissie, which advises on TLVs only.
func TestArrangementObjectionClause(t *testing.T) {
	d := demoTLV(time.Now().UTC())
	d.Kind, d.SchoolType, d.Category, d.Experts = documents.DecisionArrangement, "", "", nil
	doc, err := documents.RenderDecisionPDF(d)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "arrangement.pdf")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	if !strings.Contains(text, "begint op de dag na de dag waarop dit besluit u is toegestuurd") {
		t.Errorf("the arrangement does not say from when the objection term runs:\n%s", text)
	}
	if strings.Contains(text, "Bezwaaradviescommissie") {
		t.Errorf("the arrangement names the bezwaaradviescommissie")
	}
}

// BenchmarkSignAndVerifyTLV: render, sign and verify one TLV (goal 50 ms).
func BenchmarkSignAndVerifyTLV(b *testing.B) {
	now := time.Now().UTC()
	_, _, ca := signedTLV(b, now)
	swv, err := ca.Issue("SWV", "SWV", now, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Certificate)
	doc, err := documents.RenderDecisionPDF(demoTLV(now))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		signed, err := documents.SignPDF(doc, swv, documents.SignatureInfo{Name: "J. de Wit", At: now})
		if err != nil {
			b.Fatal(err)
		}
		if v, err := documents.VerifyPDF(signed, roots); err != nil || !v.Trusted {
			b.Fatalf("verify: %+v %v", v, err)
		}
	}
}
