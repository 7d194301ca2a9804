package documents

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// ParsePKCS12 reads a signing identity from a PKCS#12 (.p12/.pfx) file:
// the key, its certificate and the chain.
func ParsePKCS12(data []byte, password string) (*SigningIdentity, error) {
	key, cert, chain, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return nil, fmt.Errorf("read PKCS#12: %w", err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, errors.New("read PKCS#12: the key cannot sign")
	}
	return &SigningIdentity{Certificate: cert, Chain: chain, Key: signer}, nil
}

// ParsePEMIdentity reads a signing identity from PEM: the certificate
// first, then its chain, and the private key (PKCS#8, PKCS#1 or SEC 1).
func ParsePEMIdentity(certPEM, keyPEM []byte) (*SigningIdentity, error) {
	b, _ := pem.Decode(keyPEM)
	if b == nil {
		return nil, errors.New("read key: no PEM block")
	}
	var key any
	var err error
	switch b.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(b.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(b.Bytes)
	default:
		key, err = x509.ParsePKCS8PrivateKey(b.Bytes)
	}
	if err != nil {
		return nil, fmt.Errorf("read key: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("read key: %w", err)
	}
	return ParseIdentity(certPEM, keyDER)
}

// CheckIdentity refuses an identity that cannot sign a decision at now:
// a key that does not belong to the certificate, a certificate not yet
// or no longer valid, or one that may not sign documents.
func CheckIdentity(id *SigningIdentity, now time.Time) error {
	pub, ok := id.Key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(id.Certificate.PublicKey) {
		return errors.New("the private key does not belong to the certificate")
	}
	switch {
	case now.Before(id.Certificate.NotBefore):
		return fmt.Errorf("the certificate is valid only from %s", id.Certificate.NotBefore.Format(time.DateOnly))
	case now.After(id.Certificate.NotAfter):
		return fmt.Errorf("the certificate expired on %s", id.Certificate.NotAfter.Format(time.DateOnly))
	}
	if ku := id.Certificate.KeyUsage; ku != 0 && ku&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return errors.New("the certificate may not sign (key usage)")
	}
	return nil
}
