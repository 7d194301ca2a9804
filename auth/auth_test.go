package auth

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

var fastArgon = Argon2Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32}

func TestPasswordHashRoundTrip(t *testing.T) {
	h, err := HashPassword("correct paard batterij nietje", fastArgon)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Errorf("hash %q, want PHC argon2id with its parameters", h)
	}
	if err := VerifyPassword("correct paard batterij nietje", h); err != nil {
		t.Errorf("right password: %v", err)
	}
	if err := VerifyPassword("correct paard batterij nietjE", h); !errors.Is(err, ErrMismatch) {
		t.Errorf("wrong password: got %v, want ErrMismatch", err)
	}
	h2, _ := HashPassword("correct paard batterij nietje", fastArgon)
	if h == h2 {
		t.Error("two hashes of one password are equal: salt missing")
	}
	if err := VerifyPassword("x", "$2a$10$bcrypt"); err == nil || errors.Is(err, ErrMismatch) {
		t.Errorf("foreign hash: got %v, want an unsupported-hash error", err)
	}
}

func TestPasswordPolicy(t *testing.T) {
	var c CommonPasswords
	tests := []struct {
		name, pw, want string
	}{
		{"OK", "zonnebloem in de regen 7", ""},
		{"ErrShort", "kort1234", "minstens 12"},
		{"ErrCommon", "password1234", "veelgebruikte"},
		{"ErrCommonCase", "PASSWORD1234", "veelgebruikte"},
		{"ErrPersonal", "janssen-wachtwoord-2026", "naam of e-mailadres"},
		{"ErrLong", strings.Repeat("a", 129), "hoogstens 128"},
		// Dutch (issue 19: "wachtwoord123" was accepted).
		{"ErrDutch", "wachtwoord123", "te makkelijk te raden"},
		{"ErrDutchLeet", "W@chtw00rd2026!", "te makkelijk te raden"},
		{"ErrDutchWelkom", "Welkom2026!!", "te makkelijk te raden"},
		{"ErrDutchTwoWords", "zomerwinter2026", "te makkelijk te raden"},
		{"ErrDutchClub", "feyenoord1908!", "te makkelijk te raden"},
		// From the wider list (nl-words.txt): words and first names.
		{"ErrDutchCompound", "Zomervakantie2026!", "te makkelijk te raden"},
		{"ErrDutchName", "Charlotte2015!!", "te makkelijk te raden"},
		{"ErrDutchNames", "emmalucas2019!", "te makkelijk te raden"},
		{"OKLongSentence", "herfstbladeren op de stoep", ""},
		{"ErrSchool", "lindeboom2026!x", "naam van je school"},
		{"ErrSWV", "Rivierenland#42", "naam van je school"},
		{"OKDutchSentence", "de kat zit op de 3e mat!", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.CheckPassword(tt.pw, []string{"Basisschool De Linde", "SWV Rivierenland"}, "Janssen", "p.janssen@school.invalid")
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestGrants checks the permission table row by row: every role ×
// permission pair has exactly the scope written here.
func TestGrants(t *testing.T) {
	L, G := ScopeLicence, ScopeOwnGroups
	want := map[Permission]map[Role]Scope{
		PermLicencesManage:   {RolePlatformAdmin: ScopePlatform},
		PermPupilsList:       {RoleSchoolAdmin: L, RoleIB: L, RoleTeacher: G, RoleAPIRead: L, RoleAPIWrite: L},
		PermPupilRead:        {RoleSchoolAdmin: L, RoleIB: L, RoleTeacher: G, RoleAPIRead: L, RoleAPIWrite: L},
		PermPupilEnrol:       {RoleSchoolAdmin: L, RoleIB: L, RoleAPIWrite: L},
		PermEnrolmentConfirm: {RoleSchoolAdmin: L, RoleIB: L, RoleAPIWrite: L},
		PermLogbookRead:      {RoleSchoolAdmin: L, RoleIB: L},
		PermAPITokensManage:  {RoleSchoolAdmin: L, RoleSWVAdmin: L},
		PermStaffManage:      {RoleSchoolAdmin: L, RoleSWVAdmin: L, RolePlatformAdmin: ScopePlatform},
		PermSWVSchools:       {RoleSWVAdmin: L},
		PermDossierRead:      {RoleSchoolAdmin: L, RoleIB: L, RoleTeacher: G, RoleAPIRead: L, RoleAPIWrite: L},
		PermDossierWrite:     {RoleSchoolAdmin: L, RoleIB: L, RoleTeacher: G, RoleAPIWrite: L},
		PermDossierManage:    {RoleSchoolAdmin: L, RoleIB: L, RoleAPIWrite: L},
		PermSchoolSettings:   {RoleSchoolAdmin: L, RoleAPIWrite: L},
		PermSWVSettings:      {RoleSWVAdmin: L, RoleAPISWVWrite: L},
		PermRequestRead:      {RoleSWVAdmin: L, RoleConsultant: L, RoleCommitteeMember: L, RoleExpert: L, RoleAPISWVRead: L, RoleAPISWVWrite: L},
		PermRequestManage:    {RoleSWVAdmin: L, RoleConsultant: L, RoleAPISWVWrite: L},
		PermRequestAdvise:    {RoleExpert: L, RoleAPISWVWrite: L},
		PermRequestVote:      {RoleCommitteeMember: L, RoleAPISWVWrite: L},
		PermRequestSign:      {RoleSWVAdmin: L, RoleAPISWVWrite: L},
		PermSWVPrivacy:       {RoleSWVAdmin: L, RoleAPISWVWrite: L},
		PermLetterhead:       {RoleSchoolAdmin: L, RoleSWVAdmin: L},
		PermLASImport:        {RoleSchoolAdmin: L, RoleAPIWrite: L},
		PermTransferReceive:  {RoleSchoolAdmin: L, RoleIB: L, RoleAPIWrite: L},
		PermSWVMonitor:       {RoleSWVAdmin: L, RoleAPISWVRead: L, RoleAPISWVWrite: L},
	}
	pairs := 0
	for _, perm := range AllPermissions() {
		for _, role := range AllRoles() {
			pairs++
			if got := ScopeOf(role, perm); got != want[perm][role] {
				t.Errorf("%s × %s: got scope %d, want %d", role, perm, got, want[perm][role])
			}
		}
	}
	if pairs != 288 {
		t.Errorf("checked %d pairs, want 12 roles × 24 permissions", pairs)
	}
	// The SWV's roles never reach a pupil in a school database.
	for _, role := range []Role{RoleSWVAdmin, RoleConsultant, RoleCommitteeMember, RoleExpert, RolePlatformAdmin, RoleAPISWVRead, RoleAPISWVWrite} {
		for _, perm := range []Permission{PermPupilsList, PermPupilRead, PermLogbookRead, PermDossierRead, PermDossierWrite, PermDossierManage} {
			if ScopeOf(role, perm) != ScopeNone {
				t.Errorf("%s may %s", role, perm)
			}
		}
	}
}

// BenchmarkHashPassword measures one argon2id hash with the production
// parameters (target ~100 ms on the project's machines).
func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := HashPassword("een redelijk lang wachtwoord", DefaultArgon2); err != nil {
			b.Fatal(err)
		}
	}
}

func TestTOTPOncePerStep(t *testing.T) {
	key, err := NewTOTPKey("ib@school.invalid")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 28, 12, 0, 10, 0, time.UTC)
	code, err := totp.GenerateCode(key.Secret(), now)
	if err != nil {
		t.Fatal(err)
	}
	step, ok := CheckTOTP(key.Secret(), code, now, 0)
	if !ok {
		t.Fatal("fresh code refused")
	}
	if _, ok := CheckTOTP(key.Secret(), code, now, step); ok {
		t.Error("the same code was accepted twice")
	}
	if _, ok := CheckTOTP(key.Secret(), code, now.Add(31*time.Second), 0); !ok {
		t.Error("a code one step old was refused (clock drift)")
	}
	if _, ok := CheckTOTP(key.Secret(), code, now.Add(2*time.Minute), 0); ok {
		t.Error("a code four steps old was accepted")
	}
	if _, ok := CheckTOTP(key.Secret(), "12345", now, 0); ok {
		t.Error("a 5-digit code was accepted")
	}
}

func TestSecretBoxAndRecoveryCodes(t *testing.T) {
	box, err := NewSecretBox(Keys{[]byte(strings.Repeat("k", 32))}, "totp")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := box.Seal("JBSWY3DPEHPK3PXP")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(sealed), "JBSWY3DP") {
		t.Error("sealed secret is readable")
	}
	if got, err := box.Open(sealed); err != nil || got != "JBSWY3DPEHPK3PXP" {
		t.Errorf("open: %q %v", got, err)
	}
	other, _ := NewSecretBox(Keys{[]byte(strings.Repeat("k", 32))}, "other")
	if _, err := other.Open(sealed); err == nil {
		t.Error("a box for another purpose opened the secret")
	}
	codes, err := NewRecoveryCodes(10)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != 14 || seen[c] {
			t.Errorf("code %q: want 14 characters, unique", c)
		}
		seen[c] = true
	}
	if string(HashRecoveryCode(" "+strings.ToUpper(codes[0])+" ")) != string(HashRecoveryCode(codes[0])) {
		t.Error("recovery code hash depends on case or spaces")
	}
}
