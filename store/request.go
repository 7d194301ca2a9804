package store

import (
	"context"

	"github.com/google/uuid"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/fault"
)

// RefuseRestricted answers fault.ErrRestricted while the use of the
// pupil's data is restricted (AVG art. 18): it is kept and read, not
// changed or shared. Writes call it inside their own transaction.
func RefuseRestricted(ctx context.Context, q *school.Queries, pupilID uuid.UUID) error {
	restricted, err := q.PupilRestricted(ctx, pupilID)
	if err != nil {
		return db.Classify(err)
	}
	if restricted {
		return fault.ErrRestricted
	}
	return nil
}

// SharesOf are the parties' choices per attachment of a request:
// attachment id → party key → may go.
func SharesOf(rows []school.SwvRequestAttachment) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, sh := range rows {
		id := sh.AttachmentID.String()
		if out[id] == nil {
			out[id] = map[string]bool{}
		}
		out[id][sh.PartyKey] = sh.Share
	}
	return out
}

// SharedByAll reports whether an attachment may go to the SWV: every
// party of the request let it go (byParty: party key → may go); with no
// party, nothing goes.
func SharedByAll(parties []school.ListSWVRequestPartiesRow, byParty map[string]bool) bool {
	if len(parties) == 0 {
		return false
	}
	for _, p := range parties {
		if !byParty[p.PartyKey] {
			return false
		}
	}
	return true
}
