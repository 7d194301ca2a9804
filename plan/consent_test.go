package plan

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/topdossier/topdossier/law"
)

func TestConsentPartiesAt(t *testing.T) {
	birth := time.Date(2010, 3, 15, 0, 0, 0, 0, time.UTC)
	withAuthority, without := uuid.New(), uuid.New()
	guardians := []Guardian{{ID: withAuthority, ParentalAuthority: true}, {ID: without, ParentalAuthority: false}}
	ages := law.Ages()
	g := GuardianPartyKey(withAuthority)
	cases := []struct {
		name string
		at   time.Time
		want []ConsentParty
	}{
		{"15", time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC), []ConsentParty{{Key: g, Kind: "guardian", Decides: true, Shares: true}}},
		{"16th birthday", time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC), []ConsentParty{
			{Key: g, Kind: "guardian", Decides: true}, {Key: PupilPartyKey, Kind: "pupil", Shares: true}}},
		{"17", time.Date(2028, 3, 14, 0, 0, 0, 0, time.UTC), []ConsentParty{
			{Key: g, Kind: "guardian", Decides: true}, {Key: PupilPartyKey, Kind: "pupil", Shares: true}}},
		{"18th birthday", time.Date(2028, 3, 15, 0, 0, 0, 0, time.UTC), []ConsentParty{
			{Key: PupilPartyKey, Kind: "pupil", Decides: true, Shares: true}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ConsentPartiesAt(birth, c.at, guardians, ages); !slices.Equal(got, c.want) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}
