package service

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/swv"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/store"
)

// SWVReader is a person of the SWV with every role they hold on its
// licence: what they may read of its requests follows from all of them.
type SWVReader struct {
	UserID uuid.UUID
	Roles  []auth.Role
}

// readable is what a reader may read of the SWV's requests (need to
// know, AVG art. 5(1)(c) and 25): the SWV's admin everything; a
// consultant the requests of the schools they serve and the ones they
// took on; a committee member the requests on the agenda of a meeting
// they chair or sit in (past ones too); an expert the requests they were
// asked to advise on or advised on.
type readable struct {
	all      bool
	me       uuid.UUID
	schools  map[uuid.UUID]bool
	requests map[uuid.UUID]bool
}

func (r readable) allows(req swv.Request) bool {
	return r.all || r.requests[req.ID] || r.schools[req.SchoolLicenceID] ||
		(r.schools != nil && req.ConsultantID != nil && *req.ConsultantID == r.me)
}

func (s *SWV) readable(ctx context.Context, reader SWVReader, licenceID uuid.UUID) (readable, error) {
	r := readable{me: reader.UserID, requests: map[uuid.UUID]bool{}}
	for _, role := range reader.Roles {
		switch role {
		case auth.RoleSWVAdmin, auth.RoleAPISWVRead, auth.RoleAPISWVWrite:
			// The SWV's admin, and the SWV's own administration through
			// a token its admin made, hold every request of the SWV.
			r.all = true
			return r, nil
		case auth.RoleConsultant:
			q := platform.New(s.tenants.Platform())
			lic, err := q.GetLicence(ctx, licenceID)
			if err != nil {
				return r, db.Classify(err)
			}
			schools, err := q.SchoolsOfConsultant(ctx, platform.SchoolsOfConsultantParams{
				ConsultantUserID: reader.UserID, SwvID: lic.SwvID})
			if err != nil {
				return r, err
			}
			r.schools = map[uuid.UUID]bool{}
			for _, sc := range schools {
				r.schools[sc.ID] = true
			}
		case auth.RoleCommitteeMember, auth.RoleExpert:
			err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
				q := swv.New(pool)
				read := q.RequestsOfCommitteeMember
				if role == auth.RoleExpert {
					read = q.RequestsOfExpert
				}
				ids, err := read(ctx, reader.UserID)
				for _, id := range ids {
					r.requests[id] = true
				}
				return err
			})
			if err != nil {
				return r, err
			}
		}
	}
	return r, nil
}

// MayRead lets the reader reach the request only when they need to know
// it; any other request is fault.ErrNotFound to them, as if it did not
// exist.
func (s *SWV) MayRead(ctx context.Context, reader SWVReader, licenceID, requestID uuid.UUID) error {
	r, err := s.readable(ctx, reader, licenceID)
	if err != nil || r.all {
		return err
	}
	var req swv.Request
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		req, err = swv.New(pool).GetRequest(ctx, requestID)
		return db.Classify(err)
	})
	if err != nil {
		return err
	}
	if !r.allows(req) {
		return fault.ErrNotFound
	}
	return nil
}

// AskExpert asks an expert of the SWV to advise on a request. An expert
// who works at the applying school, or who is its consultant, is refused:
// the experts advise independently (WPO art. 18a lid 11, WVO art. 17a).
func (s *SWV) AskExpert(ctx context.Context, actor Actor, lic platform.Licence, requestID, expertID uuid.UUID) error {
	q := platform.New(s.tenants.Platform())
	staff, err := q.ListStaffForLicence(ctx, &lic.ID)
	if err != nil {
		return err
	}
	isExpert := false
	for _, m := range staff {
		isExpert = isExpert || (m.UserID == expertID && m.Role == platform.StaffRoleExpert)
	}
	if !isExpert {
		return fault.FieldErrors{"expert": "Kies een deskundige van het samenwerkingsverband."}
	}
	var req swv.Request
	err = s.tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		var err error
		req, err = swv.New(pool).GetRequest(ctx, requestID)
		return db.Classify(err)
	})
	if err != nil {
		return err
	}
	linked, err := q.IsLinkedToLicence(ctx, platform.IsLinkedToLicenceParams{UserID: expertID, LicenceID: &req.SchoolLicenceID})
	if err != nil {
		return err
	}
	consultant, err := q.GetSchoolConsultant(ctx, req.SchoolLicenceID)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	if linked || consultant == expertID || (req.ConsultantID != nil && *req.ConsultantID == expertID) {
		return fault.FieldErrors{"expert": "Deze deskundige is verbonden aan de school die de aanvraag doet, of is er consulent, " +
			"en kan daarom niet onafhankelijk adviseren. Kies een andere deskundige."}
	}
	return s.tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			if err := store.RefuseSWVRestricted(ctx, swv.New(tx), requestID); err != nil {
				return err
			}
			n, err := swv.New(tx).AskExpert(ctx, swv.AskExpertParams{RequestID: requestID, ExpertID: expertID, AskedBy: &actor.UserID})
			if err != nil || n == 0 {
				return err
			}
			return logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionShare, "request_expert", requestID.String()))
		})
	})
}
