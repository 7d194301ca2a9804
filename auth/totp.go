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

// Keys are the platform's master keys: the first (PAYLOAD_KEY) seals, the
// others (PAYLOAD_KEYS_OLD) only open what was sealed before a rotation.
type Keys [][]byte

// SecretBox encrypts small secrets (TOTP seeds) at rest with AES-GCM under
// a key derived for that purpose from each master key.
type SecretBox struct{ aeads []cipher.AEAD }

// NewSecretBox derives the box's keys from the master keys and a purpose:
// it seals with the first and opens with any.
func NewSecretBox(keys Keys, purpose string) (*SecretBox, error) {
	if len(keys) == 0 {
		return nil, errors.New("secret box: no key")
	}
	b := &SecretBox{}
	for _, master := range keys {
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
		b.aeads = append(b.aeads, aead)
	}
	return b, nil
}

// Seal encrypts plain with the current key.
func (b *SecretBox) Seal(plain string) ([]byte, error) {
	aead := b.aeads[0]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, []byte(plain), nil), nil
}

// Open decrypts what Seal made, under the current key or an old one.
func (b *SecretBox) Open(sealed []byte) (string, error) {
	plain, _, err := b.open(sealed)
	return plain, err
}

// open also says whether an old key opened it (Reseal's question).
func (b *SecretBox) open(sealed []byte) (string, bool, error) {
	var err error
	for i, aead := range b.aeads {
		n := aead.NonceSize()
		if len(sealed) < n {
			return "", false, errors.New("secret box: too short")
		}
		var plain []byte
		if plain, err = aead.Open(nil, sealed[:n], sealed[n:], nil); err == nil {
			return string(plain), i > 0, nil
		}
	}
	return "", false, err
}

// Reseal opens sealed with any key and, when an old key opened it, seals
// it again with the current one (changed true): the key rotation drill.
func (b *SecretBox) Reseal(sealed []byte) (out []byte, changed bool, err error) {
	plain, old, err := b.open(sealed)
	if err != nil || !old {
		return sealed, false, err
	}
	out, err = b.Seal(plain)
	return out, err == nil, err
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
