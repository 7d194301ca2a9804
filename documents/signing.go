package documents

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"
	"github.com/digitorus/pdfsign/verify"
)

// SigningIdentity is a certificate with its private key and the chain of
// issuers up to (not including) the root: an SWV's signing identity, or
// the demo CA that issues them in `make run`.
type SigningIdentity struct {
	Certificate *x509.Certificate
	Chain       []*x509.Certificate
	Key         crypto.Signer
}

// oidDocumentSigning is the extended key usage "document signing"
// (RFC 9336).
var oidDocumentSigning = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 36}

// NewDemoCA makes a self-signed root for development and tests. It is
// never a real trust anchor: production SWVs bring a certificate from a
// qualified provider.
func NewDemoCA(name string, now time.Time) (*SigningIdentity, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"TOP dossier (demo)"}, Country: []string{"NL"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("demo CA: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &SigningIdentity{Certificate: cert, Key: key}, nil
}

// Issue makes a signing certificate for an organisation (an SWV), valid
// from now for validity, with the key usages a PDF signature needs.
func (ca *SigningIdentity) Issue(commonName, organisation string, now time.Time, validity time.Duration) (*SigningIdentity, error) {
	if !ca.Certificate.IsCA {
		return nil, errors.New("issue: not a CA")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:       serial(),
		Subject:            pkix.Name{CommonName: commonName, Organization: []string{organisation}, Country: []string{"NL"}},
		NotBefore:          now.Add(-time.Hour),
		NotAfter:           now.Add(validity),
		KeyUsage:           x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:        []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
		UnknownExtKeyUsage: []asn1.ObjectIdentifier{oidDocumentSigning},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Certificate, key.Public(), ca.Key)
	if err != nil {
		return nil, fmt.Errorf("issue certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &SigningIdentity{Certificate: cert, Chain: append([]*x509.Certificate{ca.Certificate}, ca.Chain...), Key: key}, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return n
}

// MarshalIdentity returns the certificate chain as PEM and the private key
// as PKCS#8 DER, for storage: the key is sealed before it is stored.
func MarshalIdentity(id *SigningIdentity) (certPEM, keyDER []byte, err error) {
	var buf bytes.Buffer
	for _, c := range append([]*x509.Certificate{id.Certificate}, id.Chain...) {
		if err := pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}); err != nil {
			return nil, nil, err
		}
	}
	keyDER, err = x509.MarshalPKCS8PrivateKey(id.Key)
	return buf.Bytes(), keyDER, err
}

// ParseIdentity is the reverse of MarshalIdentity: the first certificate
// is the signer's, the rest its chain.
func ParseIdentity(certPEM, keyDER []byte) (*SigningIdentity, error) {
	var certs []*x509.Certificate
	for rest := certPEM; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse certificate: %w", err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("parse identity: no certificate")
	}
	k, err := x509.ParsePKCS8PrivateKey(keyDER)
	if err != nil {
		return nil, fmt.Errorf("parse key: %w", err)
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, errors.New("parse identity: key cannot sign")
	}
	return &SigningIdentity{Certificate: certs[0], Chain: certs[1:], Key: signer}, nil
}

// SignatureInfo is what the signature says about who signed, where, why
// and when.
type SignatureInfo struct {
	Name, Location, Reason, Contact string
	At                              time.Time
}

// SignPDF adds a PKCS#7 detached signature (adbe.pkcs7.detached) over
// doc with the identity's key and certificate chain: a certification
// signature that allows no further changes. There is no time-stamping
// authority here, so the signing time is the signer's clock.
func SignPDF(doc []byte, id *SigningIdentity, info SignatureInfo) ([]byte, error) {
	rdr, err := pdf.NewReader(bytes.NewReader(doc), int64(len(doc)))
	if err != nil {
		return nil, fmt.Errorf("sign: read pdf: %w", err)
	}
	chain := append([]*x509.Certificate{id.Certificate}, id.Chain...)
	var out bytes.Buffer
	err = sign.Sign(bytes.NewReader(doc), &out, rdr, int64(len(doc)), sign.SignData{
		Signature: sign.SignDataSignature{
			Info: sign.SignDataSignatureInfo{Name: info.Name, Location: info.Location, Reason: info.Reason,
				ContactInfo: info.Contact, Date: info.At},
			CertType:   sign.CertificationSignature,
			DocMDPPerm: sign.DoNotAllowAnyChangesPerms,
		},
		Signer:            id.Key,
		DigestAlgorithm:   crypto.SHA256,
		Certificate:       id.Certificate,
		CertificateChains: [][]*x509.Certificate{chain},
	})
	if err != nil {
		return nil, fmt.Errorf("sign pdf: %w", err)
	}
	return out.Bytes(), nil
}

// VerifiedSignature is what VerifyPDF found.
type VerifiedSignature struct {
	Name      string
	Subject   string // the certificate's common name
	SignedAt  time.Time
	Trusted   bool // the chain ends in one of the roots given
	WholeFile bool // the signature covers the document as it is
}

// VerifyPDF checks the one signature of a signed document: the digest
// over the signed byte ranges, the PKCS#7 signature, and whether the
// certificate chains to roots. A document changed after signing, or one
// without a signature, is an error.
func VerifyPDF(doc []byte, roots *x509.CertPool) (VerifiedSignature, error) {
	var v VerifiedSignature
	opts := verify.DefaultVerifyOptions()
	opts.TrustSignatureTime = true
	opts.EnableExternalRevocationCheck = false
	resp, err := verify.VerifyWithOptions(bytes.NewReader(doc), int64(len(doc)), opts)
	if err != nil {
		return v, fmt.Errorf("verify pdf: %w", err)
	}
	if len(resp.Signers) != 1 {
		return v, fmt.Errorf("verify pdf: %d signatures, want 1", len(resp.Signers))
	}
	s := resp.Signers[0]
	if !s.ValidSignature {
		return v, errors.New("verify pdf: the signature does not match the document")
	}
	v.Name, v.WholeFile = s.Name, true
	if s.SignatureTime != nil {
		v.SignedAt = *s.SignatureTime
	}
	if len(s.Certificates) > 0 && s.Certificates[0].Certificate != nil {
		cert := s.Certificates[0].Certificate
		v.Subject = cert.Subject.CommonName
		if roots != nil {
			inter := x509.NewCertPool()
			for _, c := range s.Certificates[1:] {
				if c.Certificate != nil {
					inter.AddCert(c.Certificate)
				}
			}
			_, err := cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: v.SignedAt,
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
			v.Trusted = err == nil
		}
	}
	return v, nil
}
