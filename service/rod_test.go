package service_test

import (
	"testing"

	"github.com/topdossier/topdossier/service"
)

// TestValidPGN pins the elfproef of a BSN and of an onderwijsnummer.
func TestValidPGN(t *testing.T) {
	for v, want := range map[string]bool{
		"111222333":  true,  // BSN: 9+8+7+12+10+8+9+6−3 = 66
		"111222334":  false, // one digit off
		"101234567":  true,  // onderwijsnummer: 93 leaves 5
		"201234569":  false, // 104 leaves 5, but not starting with 10; no BSN either
		"12345678":   false,
		"1112223330": false,
		"000000000":  false,
		"10123456a":  false,
		"":           false,
	} {
		if got := service.ValidPGN(v); got != want {
			t.Errorf("ValidPGN(%q) = %v, want %v", v, got, want)
		}
	}
}
