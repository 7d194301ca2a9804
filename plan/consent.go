package plan

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/topdossier/topdossier/law"
)

// ConsentParty is one party of a consent round. Decides: their answer
// decides on the handelingsdeel. Shares: their toestemming is needed to
// share the dossier.
type ConsentParty struct {
	Key     string
	Kind    string // guardian or pupil
	Decides bool
	Shares  bool
}

// PupilPartyKey is the party key of the pupil.
const PupilPartyKey = "pupil"

// GuardianPartyKey is the party key of a guardian.
func GuardianPartyKey(id uuid.UUID) string { return "guardian:" + id.String() }

// PartyGuardian is the guardian a party key names; nil for the pupil.
func PartyGuardian(key string) (*uuid.UUID, error) {
	id, ok := strings.CutPrefix(key, "guardian:")
	if !ok {
		return nil, nil
	}
	g, err := uuid.Parse(id)
	if err != nil {
		return nil, fmt.Errorf("party key %q: %w", key, err)
	}
	return &g, nil
}

// Guardian is what the consent rules need of a guardian: who, and whether
// they hold parental authority (ouderlijk gezag).
type Guardian struct {
	ID                uuid.UUID
	ParentalAuthority bool
}

// ConsentPartiesAt decides who is asked on day at: the guardians with
// parental authority decide until the pupil reaches ages.Decide, then the
// pupil; from ages.Share the pupil's own toestemming is needed for
// sharing. It is pure, so the re-routing on a birthday and the start of a
// round follow the same rule.
func ConsentPartiesAt(birth, at time.Time, guardians []Guardian, ages law.ConsentAges) []ConsentParty {
	sharesFrom, decidesFrom := birth.AddDate(ages.Share, 0, 0), birth.AddDate(ages.Decide, 0, 0)
	if !at.Before(decidesFrom) {
		return []ConsentParty{{Key: PupilPartyKey, Kind: "pupil", Decides: true, Shares: true}}
	}
	var out []ConsentParty
	for _, g := range guardians {
		if g.ParentalAuthority {
			out = append(out, ConsentParty{Key: GuardianPartyKey(g.ID), Kind: "guardian", Decides: true, Shares: at.Before(sharesFrom)})
		}
	}
	if !at.Before(sharesFrom) {
		out = append(out, ConsentParty{Key: PupilPartyKey, Kind: "pupil", Shares: true})
	}
	return out
}

// ConsentAnswer is one party's answer, as the portal or the school
// records it.
type ConsentAnswer struct {
	RequestID string
	PartyKey  string
	Answer    string // agree, disagree or question
	Remark    string
	Channel   string // portal, or school when the school records an answer given on paper
	UserID    string
}

// Answers a party can give.
const (
	AnswerAgree    = "agree"
	AnswerDisagree = "disagree"
	AnswerQuestion = "question"
)

// Outcomes of a round.
const (
	RoundConsented  = "consented"
	RoundRefused    = "refused"
	RoundSuperseded = "superseded"
	RoundWithdrawn  = "withdrawn" // the pupil left the school
)
