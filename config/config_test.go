package config_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/topdossier/topdossier/config"
)

const day = 24 * time.Hour

// TestLegalDefaults pins the terms the law sets, as config.Load gives them
// with nothing in the environment. The numbers are written out here, not
// taken from package law, so a changed constant fails too. README's rules
// section gives each source.
func TestLegalDefaults(t *testing.T) {
	c, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		got, want time.Duration
	}{
		{"OPP within six weeks of admission (WPO 40a, WEC 41a, WVO 17a)", c.DossierOPPWithin, 42 * day},
		{"OPP evaluated yearly (WPO 40a lid 3)", c.DossierEvaluationEvery, 365 * day},
		{"objection within six weeks (Awb 6:7)", c.RequestObjectionWindow, 42 * day},
		{"AVG answer within a month, four weeks kept safe (AVG 12(3))", c.AVGRespondWithin, 28 * day},
		{"dossier kept two years after leaving", c.RetentionDossier, 2 * 365 * day},
		{"enrolment record kept five years after leaving", c.RetentionEnrolment, 5 * 365 * day},
		{"TLV request kept three years after the TLV ended", c.RetentionTLV, 3 * 365 * day},
		{"a request nobody acted on closes after a year", c.RequestStaleAfter, 365 * day},
		{"the parents' term for a view on a request", c.RequestViewWithin, 14 * day},
		{"the parties' term to agree to a transfer", c.TransferConsentWithin, 28 * day},
		{"decide on an objection within six weeks (Awb 7:10 lid 1)", c.RequestObjectionDecide, 42 * day},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, tc.got, tc.want)
		}
	}
}

// TestAgesAreNoSetting: the pupil's ages are the law's (UAVG art. 5, BW
// 1:233, law.Ages), so the configuration has no field for an age.
func TestAgesAreNoSetting(t *testing.T) {
	typ := reflect.TypeFor[config.Config]()
	for i := range typ.NumField() {
		if name := typ.Field(i).Name; strings.Contains(name, "Age") {
			t.Errorf("config.Config has %s: ages are not a setting", name)
		}
	}
}
