package service

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/swv"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/plan"
)

// Reader is who reads a pupil's plan in the portal: a guardian, or the
// pupil from the age of their own privacy rights.
type Reader struct {
	Pupil     bool   // the pupil themselves
	PartyKey  string // their key in a consent round
	CanAnswer bool   // a guardian without parental authority only reads
	Ages      law.ConsentAges
	// Adult: the pupil is of age (18). A guardian then reads only with
	// the pupil's leave (GuardiansGranted), which the pupil gives or ends
	// in their own portal.
	Adult            bool
	GuardiansGranted bool
}

// Access decides whether the portal account userID (a guardian's or a
// pupil's, kind) may read the pupil's plan today: a guardian with
// parental authority, one without where the school allows it, and the
// pupil from the share age. Anybody else, and an account not linked to
// the pupil, gets fault.ErrNotFound.
func (s *Portal) Access(ctx context.Context, userID uuid.UUID, kind platform.UserKind, licenceID, pupilID uuid.UUID) (Reader, error) {
	link, err := platform.New(s.tenants.Platform()).GetPupilLink(ctx, platform.GetPupilLinkParams{UserID: userID,
		LicenceID: licenceID, PupilID: pupilID})
	if err != nil {
		return Reader{}, fault.ErrNotFound
	}
	rules, err := s.dossiers.ConsentRules(ctx, licenceID)
	if err != nil {
		return Reader{}, err
	}
	var u Reader
	ok := false
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		u, ok, err = readerOf(ctx, school.New(pool), link, kind, rules.Ages.Share, Today(s.location))
		return err
	})
	if err != nil {
		return Reader{}, err
	}
	if !ok {
		return Reader{}, fault.ErrNotFound
	}
	u.Ages = rules.Ages
	return u, nil
}

// readerOf is who the account behind link is to the pupil, and whether
// they may read the plan today.
func readerOf(ctx context.Context, q *school.Queries, link platform.PupilLink, kind platform.UserKind,
	share int, today time.Time) (Reader, bool, error) {
	switch {
	case kind == platform.UserKindGuardian && link.GuardianID != nil:
		g, err := q.GetGuardian(ctx, school.GetGuardianParams{ID: *link.GuardianID, PupilID: link.PupilID})
		if errors.Is(err, pgx.ErrNoRows) {
			return Reader{}, false, nil
		}
		if err != nil {
			return Reader{}, false, err
		}
		u := Reader{PartyKey: plan.GuardianPartyKey(g.ID), CanAnswer: g.ParentalAuthority}
		p, err := q.GetPupil(ctx, link.PupilID)
		if errors.Is(err, pgx.ErrNoRows) {
			return Reader{}, false, nil
		}
		if err != nil {
			return Reader{}, false, err
		}
		u.Adult, u.GuardiansGranted = law.Reached(p.BirthDate, law.DecideAge, today), p.GuardiansGrantedAt != nil
		if u.Adult && !u.GuardiansGranted {
			// Of age: the parents' access ends unless the pupil lets them
			// read on (parental authority ends at 18, BW 1:233, 1:245).
			return u, false, nil
		}
		if g.ParentalAuthority {
			return u, true, nil
		}
		set, err := q.GetSchoolSetting(ctx)
		return u, err == nil && set.ViewWithoutAuthority, err
	case kind == platform.UserKindPupil && link.GuardianID == nil:
		p, err := q.GetPupil(ctx, link.PupilID)
		if errors.Is(err, pgx.ErrNoRows) {
			return Reader{}, false, nil
		}
		if err != nil {
			return Reader{}, false, err
		}
		ok := law.Reached(p.BirthDate, share, today)
		return Reader{Pupil: true, PartyKey: plan.PupilPartyKey, CanAnswer: true, Adult: law.Reached(p.BirthDate, law.DecideAge, today),
			GuardiansGranted: p.GuardiansGrantedAt != nil}, ok, nil
	}
	return Reader{}, false, nil
}

// Child is a pupil on a reader's portal home page.
type Child struct {
	LicenceID  uuid.UUID
	School     string
	Pupil      school.Pupil
	HasDossier bool
	Closed     bool // a guardian without authority where the school does not share the plan
	Adult      bool // closed because the pupil is of age and did not let the guardians read on
}

// Children are the pupils the portal account userID is linked to, at
// every school, that it may see today; for a pupil's account, the pupil.
// Seeing the list is logged per school.
func (s *Portal) Children(ctx context.Context, actor Actor, kind platform.UserKind) ([]Child, error) {
	q := platform.New(s.tenants.Platform())
	links, err := q.ListPupilLinksForUser(ctx, actor.UserID)
	if err != nil {
		return nil, err
	}
	var out []Child
	for _, l := range links {
		lic, err := q.GetLicence(ctx, l.LicenceID)
		if err != nil {
			continue // a licence that ended shows nothing
		}
		child := Child{LicenceID: l.LicenceID, School: lic.Name}
		shown := false
		rules, err := s.dossiers.ConsentRules(ctx, l.LicenceID)
		if err != nil {
			return nil, err
		}
		err = s.tenants.With(ctx, l.LicenceID, func(pool *pgxpool.Pool) error {
			return db.InTx(ctx, pool, func(tx pgx.Tx) error {
				sq := school.New(tx)
				u, ok, err := readerOf(ctx, sq, l, kind, rules.Ages.Share, Today(s.location))
				if err != nil || (!ok && (u.PartyKey == "" || u.Pupil)) {
					return err // not theirs (any more), or the pupil is not yet old enough
				}
				if child.Pupil, err = sq.GetPupil(ctx, l.PupilID); err != nil {
					return db.Classify(err)
				}
				shown, child.Closed, child.Adult = true, !ok, !ok && u.Adult
				if child.Closed {
					return nil
				}
				d, err := sq.CurrentDossierOfPupil(ctx, l.PupilID)
				child.HasDossier = err == nil && d.ClosedAt == nil
				return logbook.Append(ctx, tx, actor.entry(ctx, l.PupilID, logbook.ActionView, "pupil_list"))
			})
		})
		if errors.Is(err, fault.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if shown {
			out = append(out, child)
		}
	}
	return out, nil
}

// Reading is what the portal shows next to the plan: who looked at the
// dossier (views and exports, newest first, at most 5,000: the page groups
// and pages them) and the reader's own requests under the AVG.
type Reading struct {
	Seen []school.Logbook
	AVG  []school.AvgRequest
}

// Read logs that the reader saw the pupil's dossier and returns who else
// did and the reader's AVG requests.
func (s *Portal) Read(ctx context.Context, actor Actor, u Reader, licenceID, pupilID uuid.UUID) (Reading, error) {
	var out Reading
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			rows, err := q.ListLogbookForPupil(ctx, &pupilID)
			if err != nil {
				return err
			}
			for _, r := range rows {
				if (r.Action == logbook.ActionView || r.Action == logbook.ActionExport) && len(out.Seen) < 5000 {
					out.Seen = append(out.Seen, r)
				}
			}
			all, err := q.ListAVGRequests(ctx, pupilID)
			if err != nil {
				return err
			}
			for _, r := range all {
				if r.PartyKey == u.PartyKey {
					out.AVG = append(out.AVG, r)
				}
			}
			return logbook.Append(ctx, tx, actor.entry(ctx, pupilID, logbook.ActionView, "dossier"))
		})
	})
	return out, err
}

// PortalRequest is a request to the SWV as a party sees it in the portal.
type PortalRequest struct {
	RequestView
	Mine *school.ListSWVRequestPartiesRow // this reader's row, when asked
}

// Requests are the requests of the dossier the reader (party key) is
// asked about or that were sent, with their signed decision.
func (s *Portal) Requests(ctx context.Context, licenceID uuid.UUID, d school.Dossier, key string) ([]PortalRequest, error) {
	var reqs []school.SwvRequest
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		reqs, err = school.New(pool).ListSWVRequests(ctx, d.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []PortalRequest
	for _, r := range reqs {
		v, err := s.requests.Load(ctx, licenceID, d, r.ID)
		if err != nil {
			return nil, err
		}
		pr := PortalRequest{RequestView: v}
		for i, p := range v.Parties {
			if p.PartyKey == key {
				pr.Mine = &v.Parties[i]
			}
		}
		if pr.Mine != nil || r.Status == "submitted" {
			out = append(out, pr)
		}
	}
	return out, nil
}

// Copy is the reader's copy of everything the school keeps on the pupil
// (AVG art. 15): the dossier as it stands and the pupil's logbook; the
// export (entity names its form) is logged. A guardian without parental
// authority reads along but has no AVG rights over the child.
func (s *Portal) Copy(ctx context.Context, actor Actor, u Reader, licenceID, pupilID uuid.UUID, entity string) (platform.Licence, DossierView, []school.Logbook, error) {
	if !u.CanAnswer {
		return platform.Licence{}, DossierView{}, nil, fault.ErrNotFound
	}
	lic, err := platform.New(s.tenants.Platform()).GetLicence(ctx, licenceID)
	if err != nil {
		return lic, DossierView{}, nil, db.Classify(err)
	}
	v, err := s.dossiers.Load(ctx, licenceID, pupilID)
	if err != nil && !(errors.Is(err, fault.ErrNotFound) && v.Pupil.ID == pupilID) { // no dossier: the record alone
		return lic, v, nil, err
	}
	var rows []school.Logbook
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			var err error
			if rows, err = school.New(tx).ListLogbookForPupil(ctx, &pupilID); err != nil {
				return err
			}
			return logbook.Append(ctx, tx, actor.entry(ctx, pupilID, logbook.ActionExport, entity))
		})
	})
	return lic, v, rows, err
}

// DecisionDownloaded logs that the reader took the signed decision on
// request requestID.
func (s *Portal) DecisionDownloaded(ctx context.Context, actor Actor, licenceID, pupilID, requestID uuid.UUID) error {
	return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			e := actor.entry(ctx, pupilID, logbook.ActionExport, "decision_document")
			e.EntityID = requestID.String()
			return logbook.Append(ctx, tx, e)
		})
	})
}

// SetGuardiansAccess is the adult pupil's choice whether their guardians
// may keep reading the plan in the portal (with their AVG rights on it).
// Only the pupil of age makes it; it is logged.
func (s *Portal) SetGuardiansAccess(ctx context.Context, actor Actor, u Reader, licenceID, pupilID uuid.UUID, granted bool) error {
	if !u.Pupil || !u.Adult {
		return fault.ErrNotFound
	}
	return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			n, err := school.New(tx).SetGuardiansGranted(ctx, school.SetGuardiansGrantedParams{ID: pupilID, Granted: granted})
			if err != nil || n == 0 {
				return err
			}
			entity := "guardians_access_ended"
			if granted {
				entity = "guardians_access_granted"
			}
			return logbook.Append(ctx, tx, actor.entry(ctx, pupilID, logbook.ActionShare, entity))
		})
	})
}

// RequestAttachment lets a party of a request to the SWV read an
// attachment of the request's snapshot before deciding whether it may be
// shared: only a party asked about the request (who may answer for the
// pupil), only an attachment the snapshot lists. The download is logged.
func (s *Portal) RequestAttachment(ctx context.Context, actor Actor, u Reader, licenceID, pupilID, requestID, attachmentID uuid.UUID) (school.Attachment, error) {
	var a school.Attachment
	if !u.CanAnswer {
		return a, fault.ErrNotFound
	}
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			d, err := q.CurrentDossierOfPupil(ctx, pupilID)
			if err != nil {
				return db.Classify(err)
			}
			req, err := q.GetSWVRequest(ctx, school.GetSWVRequestParams{ID: requestID, DossierID: d.ID})
			if err != nil {
				return db.Classify(err)
			}
			parties, err := q.ListSWVRequestParties(ctx, requestID)
			if err != nil {
				return err
			}
			asked := false
			for _, p := range parties {
				asked = asked || p.PartyKey == u.PartyKey
			}
			var snap plan.RequestSnapshot
			if err := json.Unmarshal(req.Snapshot, &snap); err != nil {
				return err
			}
			listed := false
			for _, at := range snap.Attachments {
				listed = listed || at.ID == attachmentID.String()
			}
			if !asked || !listed {
				return fault.ErrNotFound
			}
			if a, err = q.GetAttachment(ctx, school.GetAttachmentParams{ID: attachmentID, DossierID: d.ID}); err != nil {
				return db.Classify(err)
			}
			e := actor.entry(ctx, pupilID, logbook.ActionExport, "attachment")
			e.EntityID = attachmentID.String()
			return logbook.Append(ctx, tx, e)
		})
	})
	return a, err
}

// SWVRecord is what an SWV holds about one request of the pupil: the
// request, what the school sent, every step and note, the advices and
// votes with their motivations, the decision (without its PDF bytes) and
// any decision revoked on objection.
type SWVRecord struct {
	SWV      string                `json:"samenwerkingsverband"`
	Request  swv.Request           `json:"request"`
	Snapshot plan.RequestSnapshot  `json:"snapshot"`
	Events   []swv.RequestEvent    `json:"events"`
	Advices  []swv.ExpertAdvice    `json:"advices"`
	Votes    []swv.DecisionVote    `json:"votes"`
	Decision *SWVDecisionCopy      `json:"decision,omitempty"`
	Revoked  []swv.RevokedDecision `json:"revoked_decisions,omitempty"`
	// AVG are the reader's own requests under the AVG about it.
	AVG []swv.AvgRequest `json:"avg_requests,omitempty"`
}

// SWVDecisionCopy is a decision in a copy: its facts, not its PDF (the
// portal offers the signed PDF itself).
type SWVDecisionCopy struct {
	Approved       bool       `json:"approved"`
	Number         *string    `json:"number,omitempty"`
	Motivation     string     `json:"motivation"`
	DecidedOn      time.Time  `json:"decided_on"`
	StartOn        *time.Time `json:"start_on,omitempty"`
	EndOn          *time.Time `json:"end_on,omitempty"`
	MadeKnownAt    *time.Time `json:"made_known_at,omitempty"`
	ObjectionUntil *time.Time `json:"objection_until,omitempty"`
}

// SWVCopy is the reader's copy (AVG art. 15) of what the SWV holds about
// the pupil: every request the school sent it. Each read is a line in
// the SWV's logbook and in the school's. A guardian without parental
// authority has no AVG rights over the child.
func (s *Portal) SWVCopy(ctx context.Context, actor Actor, u Reader, licenceID, pupilID uuid.UUID) ([]SWVRecord, error) {
	if !u.CanAnswer {
		return nil, fault.ErrNotFound
	}
	var sent []school.SwvRequest
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			var err error
			if sent, err = sentSWVRequests(ctx, school.New(tx), pupilID); err != nil {
				return err
			}
			return logbook.Append(ctx, tx, actor.entry(ctx, pupilID, logbook.ActionExport, "avg_copy_swv"))
		})
	})
	if err != nil {
		return nil, err
	}
	out := []SWVRecord{}
	for _, r := range sent {
		lic, err := platform.New(s.tenants.Platform()).GetLicence(ctx, *r.SwvLicenceID)
		if err != nil {
			return nil, db.Classify(err)
		}
		rec := SWVRecord{SWV: lic.Name}
		err = s.tenants.With(ctx, *r.SwvLicenceID, func(pool *pgxpool.Pool) error {
			return db.InTx(ctx, pool, func(tx pgx.Tx) error {
				q := swv.New(tx)
				id := *r.SwvRequestID
				var err error
				if rec.Request, err = q.GetRequest(ctx, id); err != nil {
					return db.Classify(err)
				}
				snap, err := q.GetSnapshot(ctx, id)
				if err != nil {
					return db.Classify(err)
				}
				if err := json.Unmarshal(snap.Content, &rec.Snapshot); err != nil {
					return err
				}
				if rec.Events, err = q.ListRequestEvents(ctx, swv.ListRequestEventsParams{RequestID: id, Internal: true}); err != nil {
					return err
				}
				if rec.Advices, err = q.ListExpertAdvice(ctx, id); err != nil {
					return err
				}
				if rec.Votes, err = q.ListDecisionVotes(ctx, id); err != nil {
					return err
				}
				if d, err := q.GetDecision(ctx, id); err == nil {
					rec.Decision = &SWVDecisionCopy{Approved: d.Approved, Number: d.Number, Motivation: d.Motivation, DecidedOn: d.DecidedOn,
						StartOn: d.StartOn, EndOn: d.EndOn, MadeKnownAt: d.MadeKnownAt, ObjectionUntil: d.ObjectionUntil}
				}
				if rec.Revoked, err = q.ListRevokedDecisions(ctx, id); err != nil {
					return err
				}
				if rec.AVG, err = q.ListAVGRequestsOf(ctx, swv.ListAVGRequestsOfParams{RequestIds: []uuid.UUID{id}, PartyKey: u.PartyKey}); err != nil {
					return err
				}
				for i := range rec.Revoked {
					rec.Revoked[i].SignedPdf = nil
				}
				// The SWV's own logbook says who read its data, and why.
				return logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionExport, "avg_copy", id.String()))
			})
		})
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// SetReportView is the parents' (or the adult pupil's) view on the
// onderwijskundig rapport of the open dossier, which the report then
// carries (WPO art. 42: they get a copy; their view goes with it). Empty
// takes it back. Only a party who answers for the pupil gives it.
func (s *Portal) SetReportView(ctx context.Context, actor Actor, u Reader, licenceID, pupilID uuid.UUID, view string) error {
	if !u.CanAnswer || (u.Pupil && !u.Adult) {
		return fault.ErrNotFound
	}
	view = strings.TrimSpace(view)
	if len([]rune(view)) > 5000 {
		return fault.FieldErrors{"report_view": "Uw zienswijze is te lang (hoogstens 5000 tekens)."}
	}
	return writeOfPupil(ctx, s.tenants, licenceID, pupilID, func(tx pgx.Tx) error {
		q := school.New(tx)
		d, err := q.CurrentDossierOfPupil(ctx, pupilID)
		if err != nil {
			return db.Classify(err)
		}
		n, err := q.SetParentsReportView(ctx, school.SetParentsReportViewParams{ID: d.ID, View: view})
		if err != nil {
			return err
		}
		if n == 0 {
			return fault.FieldErrors{"report_view": "Dit dossier is gesloten."}
		}
		e := actor.entry(ctx, pupilID, logbook.ActionUpdate, "report_view")
		e.EntityID = d.ID.String()
		return logbook.Append(ctx, tx, e)
	})
}
