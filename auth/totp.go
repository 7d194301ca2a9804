package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTPPeriod is the length of one time step of a TOTP code.
const TOTPPeriod = 30 * time.Second

// NewTOTPKey makes a new TOTP secret for an authenticator app.
func NewTOTPKey(account string) (*otp.Key, error) {
	return totp.Generate(totp.GenerateOpts{Issuer: "TOP dossier", AccountName: account, SecretSize: 20})
}

// TOTPKeyFromSecret rebuilds the key of a stored secret, for its QR code.
func TOTPKeyFromSecret(account, secret string) (*otp.Key, error) {
	return otp.NewKeyFromURL(fmt.Sprintf("otpauth://totp/TOP%%20dossier:%s?secret=%s&issuer=TOP%%20dossier", account, secret))
}

// CheckTOTP checks a 6-digit code against secret, allowing one time step
// of clock drift either way. It returns the time step that matched; a
// code is accepted only for a step after lastStep, so each code works once
// (ASVS 2.8.4).
func CheckTOTP(secret, code string, now time.Time, lastStep int64) (int64, bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != 6 {
		return 0, false
	}
	step := now.Unix() / int64(TOTPPeriod.Seconds())
	for s := step - 1; s <= step+1; s++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*int64(TOTPPeriod.Seconds()), 0), totp.ValidateOpts{
			Period: uint(TOTPPeriod.Seconds()), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
		})
		if err != nil {
			return 0, false
		}
		if hmac.Equal([]byte(want), []byte(code)) && s > lastStep {
			return s, true
		}
	}
	return 0, false
}

// SecretBox encrypts small secrets (TOTP seeds) at rest with AES-GCM under
// a key derived for that purpose.
type SecretBox struct{ aead cipher.AEAD }

// NewSecretBox derives the box's key from a master key and a purpose.
func NewSecretBox(master []byte, purpose string) (*SecretBox, error) {
	if len(master) < 32 {
		return nil, errors.New("secret box: master key too short")
	}
	mac := hmac.New(sha256.New, master)
	mac.Write([]byte("topdossier/" + purpose))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &SecretBox{aead: aead}, nil
}

// Seal encrypts plain.
func (b *SecretBox) Seal(plain string) ([]byte, error) {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return b.aead.Seal(nonce, nonce, []byte(plain), nil), nil
}

// Open decrypts what Seal made.
func (b *SecretBox) Open(sealed []byte) (string, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("secret box: too short")
	}
	plain, err := b.aead.Open(nil, sealed[:n], sealed[n:], nil)
	return string(plain), err
}

const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789" // no look-alikes

// NewRecoveryCodes returns n one-time codes like "k3m9-x2pq-7hrt".
func NewRecoveryCodes(n int) ([]string, error) {
	codes := make([]string, n)
	for i := range codes {
		b := make([]byte, 12)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		var sb strings.Builder
		for j, c := range b {
			if j > 0 && j%4 == 0 {
				sb.WriteByte('-')
			}
			sb.WriteByte(recoveryAlphabet[int(c)%len(recoveryAlphabet)])
		}
		codes[i] = sb.String()
	}
	return codes, nil
}

// HashRecoveryCode is how a recovery code is stored: the codes are long
// and random, so a plain hash suffices.
func HashRecoveryCode(code string) []byte {
	norm := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(code), " ", ""))
	sum := sha256.Sum256([]byte(norm))
	return sum[:]
}
