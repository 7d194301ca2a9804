package store

import (
	"testing"

	"github.com/google/uuid"

	"github.com/topdossier/topdossier/db/school"
)

// TestSharedByAll: an attachment goes to the SWV only when every party of
// the request let it go; with no party, nothing goes.
func TestSharedByAll(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	parties := []school.ListSWVRequestPartiesRow{{PartyKey: "guardian:1"}, {PartyKey: "guardian:2"}}
	shares := SharesOf([]school.SwvRequestAttachment{
		{AttachmentID: a, PartyKey: "guardian:1", Share: true}, {AttachmentID: a, PartyKey: "guardian:2", Share: true},
		{AttachmentID: b, PartyKey: "guardian:1", Share: true}, {AttachmentID: b, PartyKey: "guardian:2", Share: false},
	})
	cases := []struct {
		name    string
		parties []school.ListSWVRequestPartiesRow
		id      string
		want    bool
	}{
		{"both let it go", parties, a.String(), true},
		{"one said no", parties, b.String(), false},
		{"nobody answered for it", parties, uuid.NewString(), false},
		{"no party", nil, a.String(), false},
	}
	for _, c := range cases {
		if got := SharedByAll(c.parties, shares[c.id]); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}
