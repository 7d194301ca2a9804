package service

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/fault"
)

// ROD is the registration of every OPP in the Register
// Onderwijsdeelnemers: begin and end date per OPP, kept in step by the
// database (migration school/00019), passed on by the school through its
// LAS. This is what the school reads of it, exports and marks passed on.
type ROD struct {
	tenants *tenants.Manager
	box     *auth.SecretBox // seals a pupil's BSN or onderwijsnummer
}

// NewROD returns the ROD registration service; secretKey seals the PGNs.
func NewROD(tm *tenants.Manager, secretKey auth.Keys) (*ROD, error) {
	box, err := auth.NewSecretBox(secretKey, "pgn")
	if err != nil {
		return nil, err
	}
	return &ROD{tenants: tm, box: box}, nil
}

// ValidPGN reports whether v is a BSN (nine digits passing the 11-proef:
// 9·d1 + 8·d2 + … + 2·d8 − d9 divisible by 11) or an onderwijsnummer
// (nine digits starting with 10, 9·d1 + … + 1·d9 leaving 5 after
// division by 11).
func ValidPGN(v string) bool {
	if len(v) != 9 {
		return false
	}
	sum, plain := 0, 0
	for i := 0; i < 9; i++ {
		d := int(v[i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		plain += (9 - i) * d
		if i < 8 {
			sum += (9 - i) * d
		} else {
			sum -= d
		}
	}
	if v == "000000000" {
		return false
	}
	return sum%11 == 0 || (strings.HasPrefix(v, "10") && plain%11 == 5)
}

// PGN opens a sealed PGN ("" for none).
func (s *ROD) PGN(sealed []byte) string {
	if sealed == nil {
		return ""
	}
	v, err := s.box.Open(sealed)
	if err != nil {
		return ""
	}
	return v
}

// ErrPGNNotKept: the school does not keep PGNs.
var ErrPGNNotKept = fault.FieldErrors{"pgn": "De school bewaart geen BSN of onderwijsnummer in TOP dossier. Zet dat eerst aan bij " +
	"Instellingen, als het leerlingvolgsysteem het voor de registratie in het ROD nodig heeft."}

// SetPGNKept records the school's choice to keep PGNs here for the ROD
// registration; turning it off erases every PGN kept (AVG art. 5(1)(c)
// and (e)).
func (s *ROD) SetPGNKept(ctx context.Context, actor Actor, licenceID uuid.UUID, keep bool) error {
	return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			set, err := q.GetSchoolSetting(ctx)
			if err != nil || set.RodPgn == keep {
				return err
			}
			if err := q.SetRODPGN(ctx, keep); err != nil {
				return err
			}
			if !keep {
				if _, err := q.EraseAllPGN(ctx); err != nil {
					return err
				}
			}
			return logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionUpdate, "school_setting", "rod_pgn"))
		})
	})
}

// SetPGN keeps a pupil's BSN or onderwijsnummer for the ROD registration
// ("" removes it), only when the school chose to keep them.
func (s *ROD) SetPGN(ctx context.Context, actor Actor, licenceID, pupilID uuid.UUID, pgn string) error {
	pgn = strings.TrimSpace(pgn)
	if pgn != "" && !ValidPGN(pgn) {
		return fault.FieldErrors{"pgn": "Dit is geen geldig BSN of onderwijsnummer (negen cijfers die de elfproef doorstaan)."}
	}
	var sealed []byte
	if pgn != "" {
		var err error
		if sealed, err = s.box.Seal(pgn); err != nil {
			return err
		}
	}
	return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			set, err := q.GetSchoolSetting(ctx)
			if err != nil {
				return err
			}
			if !set.RodPgn && pgn != "" {
				return ErrPGNNotKept
			}
			n, err := q.SetPupilPGN(ctx, school.SetPupilPGNParams{ID: pupilID, PgnSealed: sealed})
			if err != nil {
				return err
			}
			if n == 0 {
				return fault.ErrNotFound
			}
			return logbook.Append(ctx, tx, actor.entry(ctx, pupilID, logbook.ActionUpdate, "pupil_pgn"))
		})
	})
}

// maxRODRows bounds the list page and the CSV.
const maxRODRows = 2000

// List is the registrations, the ones to pass on first (pendingOnly:
// only those), with the moment it was read: marking what was shown
// passed on leaves rows changed after it open. The list is one logbook
// line (names and dates of pupils, like the pupil list).
func (s *ROD) List(ctx context.Context, actor Actor, licenceID uuid.UUID, pendingOnly bool) ([]school.ListRODRegistrationsRow, time.Time, error) {
	var rows []school.ListRODRegistrationsRow
	var shownAt time.Time
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			if err := tx.QueryRow(ctx, "SELECT clock_timestamp()").Scan(&shownAt); err != nil {
				return err
			}
			var err error
			if rows, err = school.New(tx).ListRODRegistrations(ctx, school.ListRODRegistrationsParams{PendingOnly: pendingOnly,
				Lim: maxRODRows}); err != nil {
				return err
			}
			return logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionView, "rod_registrations", strconv.Itoa(len(rows))))
		})
	})
	return rows, shownAt, err
}

// CSV is the registrations still to pass on, for the school's LAS: one
// row per OPP with the pupil's LAS key, name and birth date (to match),
// begin and end date and why it ended. Every pupil in it gets a logbook
// line of the export.
func (s *ROD) CSV(ctx context.Context, actor Actor, licenceID uuid.UUID) ([]byte, time.Time, error) {
	var buf bytes.Buffer
	var shownAt time.Time
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			if err := tx.QueryRow(ctx, "SELECT clock_timestamp()").Scan(&shownAt); err != nil {
				return err
			}
			rows, err := school.New(tx).ListRODRegistrations(ctx, school.ListRODRegistrationsParams{PendingOnly: true, Lim: maxRODRows})
			if err != nil {
				return err
			}
			w := csv.NewWriter(&buf)
			w.Comma = ';'
			_ = w.Write([]string{"leerlingnummer", "pgn", "achternaam", "tussenvoegsel", "voornaam", "geboortedatum", "begindatum_opp",
				"einddatum_opp", "reden_einde", "wijziging", "dossier_id"})
			for _, r := range rows {
				end, reason := "", ""
				if r.EndOn != nil {
					end = r.EndOn.Format(time.DateOnly)
				}
				if r.EndReason != nil {
					reason = map[string]string{"closed": "afgesloten", "left": "uitgeschreven"}[*r.EndReason]
				}
				_ = w.Write([]string{r.LasKey, s.PGN(r.PgnSealed), r.FamilyName, r.NameInfix, r.GivenName, r.BirthDate.Format(time.DateOnly),
					r.BeginOn.Format(time.DateOnly), end, reason, RODStatusLabel(r.Status), r.DossierID.String()})
				if err := logbook.Append(ctx, tx, actor.entry(ctx, r.PupilID, logbook.ActionExport, "rod_registration")); err != nil {
					return err
				}
			}
			w.Flush()
			return w.Error()
		})
	})
	return buf.Bytes(), shownAt, err
}

// RODStatusLabel is a status in Dutch.
func RODStatusLabel(status string) string {
	return map[string]string{"new": "nieuw", "changed": "gewijzigd", "to_end": "te beëindigen", "passed_on": "doorgegeven"}[status]
}

// MarkPassedOn records that the school passed these registrations on as
// they stood at shownAt; one changed after it stays open.
func (s *ROD) MarkPassedOn(ctx context.Context, actor Actor, licenceID uuid.UUID, dossierIDs []uuid.UUID, shownAt time.Time) (int, error) {
	n := 0
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			marked, err := school.New(tx).MarkRODPassedOn(ctx, school.MarkRODPassedOnParams{DossierIds: dossierIDs, ShownAt: shownAt})
			if err != nil {
				return err
			}
			n = len(marked)
			for _, m := range marked {
				e := actor.entry(ctx, m.PupilID, logbook.ActionUpdate, "rod_registration")
				e.EntityID = m.DossierID.String()
				if err := logbook.Append(ctx, tx, e); err != nil {
					return err
				}
			}
			return nil
		})
	})
	return n, err
}

// Since is a page of the registrations changed after since, for a LAS;
// each pupil in it gets a logbook line of the read.
func (s *ROD) Since(ctx context.Context, actor Actor, licenceID uuid.UUID, since, afterAt time.Time, afterID uuid.UUID,
	limit int) ([]school.ListRODRegistrationsSinceRow, bool, error) {
	var rows []school.ListRODRegistrationsSinceRow
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			var err error
			if rows, err = school.New(tx).ListRODRegistrationsSince(ctx, school.ListRODRegistrationsSinceParams{Since: since,
				AfterAt: afterAt, AfterID: afterID, Lim: int32(limit + 1)}); err != nil {
				return err
			}
			for i, r := range rows {
				if i == limit {
					break
				}
				if err := logbook.Append(ctx, tx, actor.entry(ctx, r.PupilID, logbook.ActionView, "rod_registration")); err != nil {
					return err
				}
			}
			return nil
		})
	})
	more := len(rows) > limit
	if more {
		rows = rows[:limit]
	}
	return rows, more, err
}

// Pending counts the registrations still to pass on (new, changed, to be
// ended): the school's dashboard shows it.
func (s *ROD) Pending(ctx context.Context, licenceID uuid.UUID) (int64, error) {
	var n int64
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		n, err = school.New(pool).CountRODPending(ctx)
		return err
	})
	return n, err
}
