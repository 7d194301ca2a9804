package store

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/swv"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/plan"
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

// RefuseSWVRestricted answers fault.ErrSWVRestricted while the SWV's use
// of a request is restricted (AVG art. 18 or 21): it is kept and read,
// not worked on.
func RefuseSWVRestricted(ctx context.Context, q *swv.Queries, requestID uuid.UUID) error {
	restricted, err := q.RequestRestricted(ctx, requestID)
	if err != nil {
		return db.Classify(err)
	}
	if restricted {
		return fault.ErrSWVRestricted
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

// RequesterAddress is where the answer to a request under the AVG goes:
// the guardian's address (partyKey guardian:<id>), or the pupil's own;
// "" when the guardian is gone.
func RequesterAddress(ctx context.Context, q *school.Queries, p school.Pupil, partyKey string) (string, error) {
	gid, err := plan.PartyGuardian(partyKey)
	if err != nil || gid == nil {
		return p.Email, err
	}
	g, err := q.GetGuardian(ctx, school.GetGuardianParams{ID: *gid, PupilID: p.ID})
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return g.Email, err
}
