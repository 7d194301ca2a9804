package service

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/las"
	"github.com/topdossier/topdossier/las/schema"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/workflows"
)

// LASConfig is where the nightly update finds a school's export.
type LASConfig struct {
	Location *time.Location
	// DropDir holds one folder per school licence (named by its id) where
	// the LAS, or a transfer the school's board runs, drops the export.
	// A school never names a server path itself.
	DropDir string
	// RootCAs and AllowPrivate are for tests: the HTTPS source trusts the
	// system's roots and only public addresses otherwise.
	RootCAs      *x509.CertPool
	AllowPrivate bool
	// SiteURL is where the admins' mails link to.
	SiteURL string
}

// LAS is how the school's leerlingadministratie becomes the source of its
// pupils, groups and teachers: a file is read and checked, its changes
// shown, and applied only when confirmed (or, at night, when within the
// school's limits).
type LAS struct {
	tenants   *tenants.Manager
	temporal  client.Client
	logger    *slog.Logger
	pupils    *Pupils
	dossiers  *Dossiers
	retention *Retention
	box       *auth.SecretBox
	cfg       LASConfig
}

// NewLAS returns the LAS import service.
func NewLAS(tm *tenants.Manager, tc client.Client, logger *slog.Logger, pupils *Pupils, dossiers *Dossiers, retention *Retention,
	secretKey auth.Keys, cfg LASConfig) (*LAS, error) {
	box, err := auth.NewSecretBox(secretKey, "las-client-key")
	if err != nil {
		return nil, err
	}
	return &LAS{tenants: tm, temporal: tc, logger: logger, pupils: pupils, dossiers: dossiers, retention: retention, box: box, cfg: cfg}, nil
}

// Import sources.
const (
	LASSourceUpload   = "upload"
	LASSourceAPI      = "api"
	LASSourceCLI      = "cli"
	LASSourceSchedule = "schedule"
)

// Import statuses.
const (
	LASPreview   = "preview"
	LASWaiting   = "waiting" // the nightly run found more changes than the school allows unattended
	LASApplied   = "applied"
	LASDiscarded = "discarded"
	LASRefused   = "refused" // the file was not valid
	LASFailed    = "failed"  // the export could not be fetched
)

// LASImport is one import with its preview.
type LASImport struct {
	ID        uuid.UUID
	Source    string
	Status    string
	Message   string
	CreatedAt time.Time
	DecidedAt *time.Time
	Digest    string
	Preview   *las.Preview
}

// ErrLASStale: the school's data changed since the preview was made; the
// new preview is stored and shown.
var ErrLASStale = fmt.Errorf("import preview stale: %w", fault.ErrConflict)

// systemActor is the nightly update in the logbook.
var systemActor = Actor{Role: auth.Role("system")}

func (s *LAS) today() time.Time { return Today(s.cfg.Location) }

// Preview reads, checks and compares a file without storing anything (the
// command line's -dry-run).
func (s *LAS) Preview(ctx context.Context, licenceID uuid.UUID, data []byte) (*las.Preview, error) {
	f, err := s.read(ctx, licenceID, data)
	if err != nil {
		return nil, err
	}
	var p *las.Preview
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		p, err = s.diff(ctx, school.New(pool), licenceID, f)
		return err
	})
	return p, err
}

// read checks a file as a whole and that it is the licence's school's.
func (s *LAS) read(ctx context.Context, licenceID uuid.UUID, data []byte) (*las.File, error) {
	f, err := schema.Read(data, s.today())
	if err != nil {
		return nil, fileFault(err, "file", ".")
	}
	lic, err := platform.New(s.tenants.Platform()).GetLicence(ctx, licenceID)
	if err != nil {
		return nil, db.Classify(err)
	}
	if lic.Brin == nil || !strings.EqualFold(f.BRIN, *lic.Brin) {
		return nil, fault.FieldErrors{"file": fmt.Sprintf("Dit bestand is van de school met BRIN %s, niet van %s. Er is niets overgenomen.", f.BRIN, lic.Name)}
	}
	return f, nil
}

// fileFault says what is wrong with a file as the message of field (the
// problems, then end); any other error stays as it is.
func fileFault(err error, field, end string) error {
	if las.IsFileError(err) {
		return fault.FieldErrors{field: capitalise(err.Error()) + end}
	}
	return err
}

func (s *LAS) diff(ctx context.Context, q *school.Queries, licenceID uuid.UUID, f *las.File) (*las.Preview, error) {
	cur, err := lasCurrent(ctx, q)
	if err != nil {
		return nil, err
	}
	accounts, err := s.teacherAccounts(ctx, licenceID)
	if err != nil {
		return nil, err
	}
	return las.Diff(f, cur, accounts, s.today()), nil
}

func lasCurrent(ctx context.Context, q *school.Queries) (las.Current, error) {
	var cur las.Current
	pupils, err := q.ListPupilsForImport(ctx)
	if err != nil {
		return cur, err
	}
	cur.Pupils = make([]las.CurrentPupil, len(pupils))
	for i, p := range pupils {
		cur.Pupils[i] = las.CurrentPupil{ID: p.ID, Key: p.LasKey, ECKID: p.Eckid, GivenName: p.GivenName, NameInfix: p.NameInfix,
			FamilyName: p.FamilyName, BirthDate: p.BirthDate, GroupName: p.GroupName, YearGroup: p.YearGroup, Left: p.LeftSchool,
			Missing: p.LasMissingSince, Kept: p.Kept}
	}
	groups, err := q.ListLASGroups(ctx)
	if err != nil {
		return cur, err
	}
	for _, g := range groups {
		cur.Groups = append(cur.Groups, las.CurrentGroup{Key: g.Key, Name: g.Name})
	}
	teachers, err := q.ListLASTeachers(ctx)
	if err != nil {
		return cur, err
	}
	for _, t := range teachers {
		cur.Teachers = append(cur.Teachers, las.CurrentTeacher{Key: t.Key, ECKID: t.Eckid, Name: t.Name, Groups: t.Groups, UserID: t.UserID})
	}
	return cur, nil
}

// teacherAccounts are the licence's teachers, to link the file's teachers
// to by e-mail address.
func (s *LAS) teacherAccounts(ctx context.Context, licenceID uuid.UUID) ([]las.Account, error) {
	staff, err := platform.New(s.tenants.Platform()).ListStaffForLicence(ctx, &licenceID)
	if err != nil {
		return nil, err
	}
	var out []las.Account
	for _, m := range staff {
		if m.Role == platform.StaffRoleTeacher {
			out = append(out, las.Account{UserID: m.UserID, Email: m.Email, Name: m.DisplayName})
		}
	}
	return out, nil
}

// Stage reads a file, stores its preview and returns it. A file that is
// not valid is recorded as refused (without its content) and the error
// names line and element; nothing of it is applied.
func (s *LAS) Stage(ctx context.Context, actor Actor, licenceID uuid.UUID, source string, data []byte) (LASImport, error) {
	var out LASImport
	sum := sha256.Sum256(data)
	f, ferr := s.read(ctx, licenceID, data)
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			params := school.CreateLASImportParams{Source: source, FileSha256: hex.EncodeToString(sum[:]), CreatedBy: actor.userID()}
			if ferr != nil {
				var fields fault.FieldErrors
				if !errors.As(ferr, &fields) {
					return ferr
				}
				params.Status, params.Message = LASRefused, fields["file"]
			} else {
				p, err := s.diff(ctx, q, licenceID, f)
				if err != nil {
					return err
				}
				body, err := json.Marshal(p)
				if err != nil {
					return err
				}
				params.Status, params.Content, params.Preview, params.Digest = LASPreview, data, body, p.Digest()
				out.Preview = p
			}
			row, err := q.CreateLASImport(ctx, params)
			if err != nil {
				return err
			}
			out.ID, out.CreatedAt, out.Source, out.Status, out.Message, out.Digest = row.ID, row.CreatedAt, source, params.Status, params.Message, params.Digest
			if params.Status == LASPreview {
				if err := q.SetAsideOpenImports(ctx, row.ID); err != nil {
					return err
				}
			}
			return logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionCreate, "las_import", row.ID.String()))
		})
	})
	if err != nil {
		return out, err
	}
	return out, ferr
}

// Get reads one import with its preview.
func (s *LAS) Get(ctx context.Context, licenceID, id uuid.UUID) (LASImport, error) {
	var out LASImport
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		row, err := school.New(pool).GetLASImport(ctx, id)
		if err != nil {
			return db.Classify(err)
		}
		out, err = importOf(row)
		return err
	})
	return out, err
}

func importOf(row school.LasImport) (LASImport, error) {
	out := LASImport{ID: row.ID, Source: row.Source, Status: row.Status, Message: row.Message, CreatedAt: row.CreatedAt,
		DecidedAt: row.DecidedAt, Digest: row.Digest}
	if len(row.Preview) > 0 {
		out.Preview = &las.Preview{}
		if err := json.Unmarshal(row.Preview, out.Preview); err != nil {
			return out, fmt.Errorf("read preview: %w", err)
		}
	}
	return out, nil
}

// Discard sets an open preview aside.
func (s *LAS) Discard(ctx context.Context, actor Actor, licenceID, id uuid.UUID) error {
	return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			row, err := q.LockLASImport(ctx, id)
			if err != nil {
				return db.Classify(err)
			}
			if row.Status != LASPreview && row.Status != LASWaiting {
				return fault.FieldErrors{"import": "Deze import is al afgehandeld."}
			}
			if err := q.DecideLASImport(ctx, school.DecideLASImportParams{ID: id, Status: LASDiscarded, Message: "terzijde gelegd",
				DecidedBy: actor.userID()}); err != nil {
				return err
			}
			return logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionUpdate, "las_import", id.String()))
		})
	})
}

// applied is what an apply leaves to do after its commit.
type applied struct {
	newPupils []uuid.UUID
	dossiers  []school.Dossier
	signals   []string // workflows with a signal waiting
}

// Apply applies an import the school saw as digest: in one transaction,
// with a logbook line for every pupil it changes with the import as
// source. When the preview made again now differs (another import, a
// pupil changed since), nothing is applied: the new preview is stored and
// ErrLASStale returned.
//
// links names, per LAS key, the pupil typed in before (without a LAS key)
// that a new pupil of the file is: the admin confirmed it among the
// preview's similar pupils. Those pupils get the LAS key and the LAS's
// values instead of a second record; TOP dossier never links by name on
// its own.
func (s *LAS) Apply(ctx context.Context, actor Actor, licenceID, id uuid.UUID, digest string, links map[string]uuid.UUID) (*las.Preview, error) {
	lic, err := platform.New(s.tenants.Platform()).GetLicence(ctx, licenceID)
	if err != nil {
		return nil, db.Classify(err)
	}
	var p *las.Preview
	var done applied
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		stale := false
		err := db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			// One import at a time per school.
			if _, err := tx.Exec(ctx, "LOCK TABLE las_group IN SHARE ROW EXCLUSIVE MODE"); err != nil {
				return err
			}
			row, err := q.LockLASImport(ctx, id)
			if err != nil {
				return db.Classify(err)
			}
			if (row.Status != LASPreview && row.Status != LASWaiting) || row.Content == nil {
				return fault.FieldErrors{"import": "Deze import is al afgehandeld."}
			}
			f, err := schema.Read(row.Content, s.today())
			if err != nil {
				return fmt.Errorf("read staged import: %w", err)
			}
			if p, err = s.diff(ctx, q, licenceID, f); err != nil {
				return err
			}
			if p.Digest() != digest || row.Digest != digest {
				body, err := json.Marshal(p)
				if err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, "UPDATE las_import SET preview = $2, digest = $3 WHERE id = $1", id, body, p.Digest()); err != nil {
					return err
				}
				stale = true
				return nil
			}
			for key, pupilID := range links {
				ok := false
				for _, sim := range p.Similar {
					ok = ok || (sim.Key == key && sim.PupilID != nil && *sim.PupilID == pupilID)
				}
				if !ok {
					return fault.FieldErrors{"link": "Koppel alleen een leerling die het voorstel als gelijk noemt."}
				}
			}
			if done, err = s.write(ctx, tx, actor, lic, id, f, p, links); err != nil {
				return err
			}
			return q.DecideLASImport(ctx, school.DecideLASImportParams{ID: id, Status: LASApplied, Message: summary(p), DecidedBy: actor.userID()})
		})
		if err == nil && stale {
			return ErrLASStale
		}
		if err != nil {
			return err
		}
		for _, wf := range done.signals {
			if _, err := store.DeliverSignals(ctx, s.temporal, pool, wf); err != nil {
				s.logger.WarnContext(ctx, "signal after import left to the deliver schedule", "err", err)
			}
		}
		return nil
	})
	if err != nil {
		return p, err
	}
	startErr := s.pupils.StartEnrolments(ctx, licenceID, done.newPupils)
	for _, d := range done.dossiers {
		startErr = errors.Join(startErr, s.dossiers.Start(ctx, licenceID, d))
	}
	if startErr != nil {
		// The pupils are there; a pupil page without a process offers
		// to start it (proces-starten), as after any failed start.
		s.logger.WarnContext(ctx, "processes after import not all started", "err", startErr)
	}
	return p, nil
}

// write applies a preview in tx.
func (s *LAS) write(ctx context.Context, tx pgx.Tx, actor Actor, lic platform.Licence, importID uuid.UUID, f *las.File, p *las.Preview,
	links map[string]uuid.UUID) (applied, error) {
	q := school.New(tx)
	var out applied
	source := importID.String()
	log := func(pupilID uuid.UUID, action string) error {
		e := actor.entry(ctx, pupilID, action, "las_import")
		e.EntityID = source
		return logbook.Append(ctx, tx, e)
	}
	current := map[uuid.UUID]school.ListPupilsForImportRow{}
	rows, err := q.ListPupilsForImport(ctx)
	if err != nil {
		return out, err
	}
	for _, r := range rows {
		current[r.ID] = r
	}
	update := func(r las.PupilRow) (birthChanged bool, err error) {
		c := current[*r.PupilID]
		params := school.UpdateImportedPupilParams{ID: c.ID, GivenName: c.GivenName, NameInfix: c.NameInfix, FamilyName: c.FamilyName,
			BirthDate: c.BirthDate, GroupName: c.GroupName, YearGroup: c.YearGroup, LasKey: r.Key, Eckid: c.Eckid}
		if r.GivenName != "" {
			params.GivenName = r.GivenName
		}
		if r.FamilyName != "" {
			params.FamilyName, params.NameInfix = r.FamilyName, r.NameInfix
		}
		if r.BirthDate != nil {
			params.BirthDate = *r.BirthDate
		}
		if r.GroupName != "" {
			params.GroupName = r.GroupName
		}
		if r.YearGroupSet {
			params.YearGroup = r.YearGroup
		}
		if r.ECKID != "" {
			params.Eckid = r.ECKID
		}
		if _, err := q.UpdateImportedPupil(ctx, params); err != nil {
			return false, fmt.Errorf("regel %d: leerling %s: %w", r.Line, r.Key, db.Classify(err))
		}
		return !params.BirthDate.Equal(c.BirthDate), log(c.ID, logbook.ActionUpdate)
	}
	for _, r := range p.New {
		if pupilID, ok := links[r.Key]; ok {
			// The pupil typed in before: the LAS's key and values.
			r.PupilID = &pupilID
			if _, err := update(r); err != nil {
				return out, err
			}
			continue
		}
		id, err := q.CreateImportedPupil(ctx, school.CreateImportedPupilParams{GivenName: r.GivenName, NameInfix: r.NameInfix,
			FamilyName: r.FamilyName, BirthDate: *r.BirthDate, GroupName: r.GroupName, YearGroup: r.YearGroup,
			EnrolledOn: *r.EnrolledOn, LasKey: r.Key, Eckid: r.ECKID})
		if err != nil {
			return out, fmt.Errorf("regel %d: leerling %s: %w", r.Line, r.Key, db.Classify(err))
		}
		if err := log(id, logbook.ActionCreate); err != nil {
			return out, err
		}
		out.newPupils = append(out.newPupils, id)
		if OPPForEveryPupil(lic.SchoolType) {
			d, err := createDossier(ctx, tx, actor, school.CreateDossierParams{PupilID: id, SupportLevel: school.SupportLevelExtraFacility,
				StartedOn: *r.EnrolledOn, Reason: "Geplaatst in het " + specialLabel(lic.SchoolType) + ": een OPP is voor elke leerling verplicht."},
				"geplaatst op de inschrijfdatum (uit de leerlingadministratie)")
			if err != nil {
				return out, err
			}
			out.dossiers = append(out.dossiers, d)
		}
	}
	touched := map[uuid.UUID]bool{}
	for _, ch := range p.Changed {
		birth, err := update(ch.PupilRow)
		if err != nil {
			return out, err
		}
		touched[*ch.PupilID] = true
		if birth {
			wfs, err := s.tellBirthDate(ctx, q, lic.ID, *ch.PupilID, importID)
			if err != nil {
				return out, err
			}
			out.signals = append(out.signals, wfs...)
		}
	}
	for _, r := range p.Back {
		if touched[*r.PupilID] {
			continue
		}
		if _, err := update(r); err != nil {
			return out, err
		}
	}
	today := s.today()
	for _, r := range p.Gone {
		since := today
		if r.LeftOn != nil {
			since = *r.LeftOn
		}
		if _, err := q.MarkPupilMissing(ctx, school.MarkPupilMissingParams{ID: *r.PupilID, Since: &since}); err != nil {
			return out, err
		}
		if err := log(*r.PupilID, logbook.ActionUpdate); err != nil {
			return out, err
		}
	}
	for _, g := range p.Groups {
		if g.Change != "renamed" {
			continue
		}
		if err := q.RenamePupilsGroup(ctx, school.RenamePupilsGroupParams{OldName: g.From, NewName: g.Name}); err != nil {
			return out, err
		}
		if err := q.RenameStaffGroup(ctx, school.RenameStaffGroupParams{OldName: g.From, NewName: g.Name}); err != nil {
			return out, err
		}
	}
	if err := q.DeleteLASGroups(ctx); err != nil {
		return out, err
	}
	for _, g := range f.Groups {
		if err := q.InsertLASGroup(ctx, school.InsertLASGroupParams{Key: g.Key, Name: g.Name, Composite: g.Composite, YearGroup: g.YearGroup}); err != nil {
			return out, fmt.Errorf("regel %d: groep %s: %w", g.Line, g.Key, db.Classify(err))
		}
	}
	if err := q.DeleteLASTeachers(ctx); err != nil {
		return out, err
	}
	for _, t := range p.Teachers {
		if t.UserID != nil && t.Change != "same" {
			// What the teacher may see follows the LAS from now on.
			if err := q.ReplaceStaffGroups(ctx, school.ReplaceStaffGroupsParams{UserID: *t.UserID, Groups: t.Groups}); err != nil {
				return out, err
			}
			if err := logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionUpdate, "staff_groups", t.UserID.String())); err != nil {
				return out, err
			}
		}
		if t.Change == "gone" {
			continue
		}
		if err := q.InsertLASTeacher(ctx, school.InsertLASTeacherParams{Key: t.Key, Eckid: t.ECKID, Name: t.Name, Email: t.Email,
			Groups: t.Groups, UserID: t.UserID}); err != nil {
			return out, err
		}
	}
	return out, nil
}

// tellBirthDate queues a signal for every process that counts with the
// pupil's birthdays: the enrolment (own portal at 16, of age at 18) and
// an open consent round; they move their timers.
func (s *LAS) tellBirthDate(ctx context.Context, q *school.Queries, licenceID, pupilID, importID uuid.UUID) ([]string, error) {
	sig := workflows.BirthDateChanged{RequestID: "las:" + importID.String() + ":" + pupilID.String()}
	wfs := []string{workflows.EnrolmentWorkflowID(licenceID.String(), pupilID.String())}
	rounds, err := q.ListOpenConsentWorkflows(ctx, pupilID)
	if err != nil {
		return nil, err
	}
	for _, r := range rounds {
		wfs = append(wfs, workflows.ConsentWorkflowID(licenceID.String(), r.DossierID.String(), r.ActionPartNumber))
	}
	for _, wf := range wfs {
		if err := store.EnqueueSignal(ctx, q, wf, workflows.SignalBirthDateChanged, sig); err != nil {
			return nil, err
		}
	}
	return wfs, nil
}

// summary is an applied import's counts, for the list of runs.
func summary(p *las.Preview) string {
	if p.Empty() {
		return "geen wijzigingen"
	}
	return fmt.Sprintf("%d nieuw, %d gewijzigd, %d niet meer in de leerlingadministratie, %d niet overgenomen",
		len(p.New), len(p.Changed), len(p.Gone), len(p.Skipped))
}

// LASOverview is the admin's page: the runs, the pupils the LAS no longer
// has, the teachers and their links, the nightly settings.
type LASOverview struct {
	Imports  []school.ListLASImportsRow
	Missing  []school.ListMissingPupilsRow
	Teachers []school.LasTeacher
	Accounts []las.Account
	Setting  LASSetting
}

// Overview reads the admin's page.
func (s *LAS) Overview(ctx context.Context, actor Actor, licenceID uuid.UUID) (LASOverview, error) {
	var out LASOverview
	var err error
	if out.Accounts, err = s.teacherAccounts(ctx, licenceID); err != nil {
		return out, err
	}
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			var err error
			if out.Imports, err = q.ListLASImports(ctx, 20); err != nil {
				return err
			}
			if out.Missing, err = q.ListMissingPupils(ctx); err != nil {
				return err
			}
			if out.Teachers, err = q.ListLASTeachers(ctx); err != nil {
				return err
			}
			set, err := q.GetLASSetting(ctx)
			if err != nil {
				return err
			}
			out.Setting = settingOf(set)
			if len(out.Missing) == 0 {
				return nil
			}
			return logbook.Append(ctx, tx, actor.listEntry(ctx, len(out.Missing)))
		})
	})
	return out, err
}

// KeepPupil keeps a pupil the LAS no longer has (a pupil on leave, an
// error in the LAS): the next imports leave them be.
func (s *LAS) KeepPupil(ctx context.Context, actor Actor, licenceID, pupilID uuid.UUID) error {
	return writeOfPupil(ctx, s.tenants, licenceID, pupilID, func(tx pgx.Tx) error {
		n, err := school.New(tx).KeepMissingPupil(ctx, pupilID)
		if err != nil {
			return err
		}
		if n == 0 {
			return fault.ErrNotFound
		}
		return logbook.Append(ctx, tx, actor.entry(ctx, pupilID, logbook.ActionUpdate, "las_kept"))
	})
}

// ConfirmLeaving is the school's yes to a pupil the LAS no longer has:
// the pupil leaves on the day the LAS gave (or the day the import found
// them gone), which starts retention as any leaving.
func (s *LAS) ConfirmLeaving(ctx context.Context, actor Actor, licenceID, pupilID uuid.UUID, requestID string) error {
	var since *time.Time
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		missing, err := school.New(pool).ListMissingPupils(ctx)
		if err != nil {
			return err
		}
		for _, m := range missing {
			if m.ID == pupilID {
				since = m.LasMissingSince
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if since == nil {
		return fault.ErrNotFound
	}
	return s.retention.Leave(ctx, actor, licenceID, pupilID, requestID, since.Format(time.DateOnly))
}

// LinkTeacher links a teacher of the LAS to a teacher's account of the
// licence (nil: unlinks); the account's groups become the LAS's at once.
func (s *LAS) LinkTeacher(ctx context.Context, actor Actor, licenceID uuid.UUID, key string, userID *uuid.UUID) error {
	if userID != nil {
		accounts, err := s.teacherAccounts(ctx, licenceID)
		if err != nil {
			return err
		}
		ok := false
		for _, a := range accounts {
			ok = ok || a.UserID == *userID
		}
		if !ok {
			return fault.FieldErrors{"user_id": "Kies een leerkracht van deze school."}
		}
	}
	return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			teachers, err := q.ListLASTeachers(ctx)
			if err != nil {
				return err
			}
			for _, t := range teachers {
				if t.Key != key {
					continue
				}
				if _, err := q.LinkLASTeacher(ctx, school.LinkLASTeacherParams{Key: key, UserID: userID}); err != nil {
					return err
				}
				if t.UserID != nil {
					if err := q.DeleteStaffGroups(ctx, *t.UserID); err != nil {
						return err
					}
				}
				if userID != nil {
					if err := q.ReplaceStaffGroups(ctx, school.ReplaceStaffGroupsParams{UserID: *userID, Groups: t.Groups}); err != nil {
						return err
					}
				}
				return logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionUpdate, "staff_groups", key))
			}
			return fault.ErrNotFound
		})
	})
}

// LASSetting is the nightly update of a school.
type LASSetting struct {
	Source            string // none, folder, https
	URL               string
	ClientCert        string
	HasClientKey      bool
	MaxLeavingPercent int
	Hour              int
}

func settingOf(s school.LasSetting) LASSetting {
	return LASSetting{Source: s.Source, URL: s.Url, ClientCert: s.ClientCert, HasClientKey: s.ClientKeySealed != nil,
		MaxLeavingPercent: int(s.MaxLeavingPercent), Hour: int(s.Hour)}
}

// LASSettingForm is the settings as typed; an empty ClientKey keeps the
// key stored.
type LASSettingForm struct {
	Source, URL, ClientCert, ClientKey string
	MaxLeavingPercent, Hour            int
}

// Folder is the school's drop folder.
func (s *LAS) Folder(licenceID uuid.UUID) string {
	if s.cfg.DropDir == "" {
		return ""
	}
	return filepath.Join(s.cfg.DropDir, licenceID.String())
}

// SaveSetting stores the nightly update's settings and sets its schedule
// (removes it for source none).
func (s *LAS) SaveSetting(ctx context.Context, actor Actor, licenceID uuid.UUID, form LASSettingForm) error {
	errs := fault.FieldErrors{}
	form.URL, form.ClientCert, form.ClientKey = strings.TrimSpace(form.URL), strings.TrimSpace(form.ClientCert), strings.TrimSpace(form.ClientKey)
	switch form.Source {
	case "none":
	case "folder":
		if s.cfg.DropDir == "" {
			errs["source"] = "Deze installatie heeft geen map voor exports; kies een HTTPS-adres."
		}
	case "https":
		if !strings.HasPrefix(form.URL, "https://") || len(form.URL) > 500 {
			errs["url"] = "Vul het HTTPS-adres van de export in (begint met https://)."
		}
	default:
		errs["source"] = "Kies waar de export vandaan komt."
	}
	if form.MaxLeavingPercent < 0 || form.MaxLeavingPercent > 100 {
		errs["max_leaving_percent"] = "Vul een percentage van 0 tot en met 100 in."
	}
	if form.Hour < 0 || form.Hour > 23 {
		errs["hour"] = "Vul een uur van 0 tot en met 23 in."
	}
	var sealed []byte
	if form.ClientKey != "" {
		if _, err := tls.X509KeyPair([]byte(form.ClientCert), []byte(form.ClientKey)); err != nil {
			errs["client_cert"] = "Het certificaat en de sleutel horen niet bij elkaar of zijn geen PEM."
		} else if sealed, err = s.box.Seal(form.ClientKey); err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return errs
	}
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			if err := q.SetLASSetting(ctx, school.SetLASSettingParams{Source: form.Source, Url: form.URL, ClientCert: form.ClientCert,
				KeepKey: form.ClientKey == "" && form.ClientCert != "", ClientKeySealed: sealed,
				MaxLeavingPercent: int32(form.MaxLeavingPercent), Hour: int32(form.Hour)}); err != nil {
				return err
			}
			return logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionUpdate, "las_setting", licenceID.String()))
		})
	})
	if err != nil {
		return err
	}
	if form.Source == "none" {
		return workflows.RemoveLASSchedule(ctx, s.temporal, licenceID.String())
	}
	if form.Source == "folder" {
		// The operator may make the folder instead (other owner, a mount
		// of the LAS's own); a run without it says so on the page.
		if err := os.MkdirAll(s.Folder(licenceID), 0o750); err != nil {
			s.logger.WarnContext(ctx, "drop folder not made", "licence", licenceID, "err", err)
		}
	}
	return workflows.EnsureLASSchedule(ctx, s.temporal, licenceID.String(), form.Hour, s.cfg.Location)
}

// fetch reads the school's export from its source.
func (s *LAS) fetch(ctx context.Context, licenceID uuid.UUID, set school.LasSetting) ([]byte, error) {
	switch set.Source {
	case "folder":
		dir := s.Folder(licenceID)
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("de map voor exports is niet te lezen")
		}
		var newest os.DirEntry
		var at time.Time
		for _, e := range entries {
			if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".xml") {
				continue
			}
			info, err := e.Info()
			if err == nil && info.ModTime().After(at) {
				newest, at = e, info.ModTime()
			}
		}
		if newest == nil {
			return nil, fmt.Errorf("er staat geen export (.xml) in de map")
		}
		fh, err := os.Open(filepath.Join(dir, newest.Name()))
		if err != nil {
			return nil, fmt.Errorf("de export is niet te openen")
		}
		defer fh.Close()
		return io.ReadAll(io.LimitReader(fh, las.MaxFileSize+1))
	case "https":
		tc := &tls.Config{RootCAs: s.cfg.RootCAs, MinVersion: tls.VersionTLS12}
		if set.ClientCert != "" && set.ClientKeySealed != nil {
			key, err := s.box.Open(set.ClientKeySealed)
			if err != nil {
				return nil, err
			}
			cert, err := tls.X509KeyPair([]byte(set.ClientCert), []byte(key))
			if err != nil {
				return nil, fmt.Errorf("het clientcertificaat is niet te gebruiken")
			}
			tc.Certificates = []tls.Certificate{cert}
		}
		hc := store.PublicHTTPClient(tc, 2*time.Minute, s.cfg.AllowPrivate)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, set.Url, nil)
		if err != nil {
			return nil, fmt.Errorf("het adres van de export klopt niet")
		}
		resp, err := hc.Do(req)
		switch {
		case err != nil && strings.Contains(err.Error(), "not a public address"):
			return nil, fmt.Errorf("het adres van de export is geen openbaar internetadres")
		case err != nil:
			return nil, fmt.Errorf("de export is niet op te halen (geen verbinding of het certificaat werd geweigerd)")
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("de bron van de export antwoordde %d", resp.StatusCode)
		}
		return io.ReadAll(io.LimitReader(resp.Body, las.MaxFileSize+1))
	}
	return nil, fmt.Errorf("er is geen bron voor de export ingesteld")
}

// RunScheduled is the nightly update of one school: fetch the export,
// check it, and apply it when the share of pupils leaving stays within the
// school's limit; above it the import waits for the admin. A fetch that
// fails returns an error (the workflow retries, then calls FailScheduled);
// a file that is not valid is recorded as refused.
func (s *LAS) RunScheduled(ctx context.Context, licenceID uuid.UUID) (workflows.LASImportResult, error) {
	var set school.LasSetting
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		set, err = school.New(pool).GetLASSetting(ctx)
		return err
	})
	if errors.Is(err, fault.ErrNotFound) {
		// The licence was removed: so is its nightly update.
		if err := workflows.RemoveLASSchedule(ctx, s.temporal, licenceID.String()); err != nil {
			return workflows.LASImportResult{}, err
		}
		return workflows.LASImportResult{Status: "off", Message: "de licentie bestaat niet meer; de nachtelijke update is verwijderd"}, nil
	}
	if err != nil {
		return workflows.LASImportResult{}, err
	}
	if set.Source == "none" {
		return workflows.LASImportResult{Status: "off", Message: "geen bron ingesteld"}, nil
	}
	data, err := s.fetch(ctx, licenceID, set)
	if err != nil {
		return workflows.LASImportResult{}, err
	}
	imp, err := s.Stage(ctx, systemActor, licenceID, LASSourceSchedule, data)
	var fields fault.FieldErrors
	if errors.As(err, &fields) {
		// The reason may name a pupil's key and birth date: it stays on
		// the page; the mail and the workflow's result only point there.
		const msg = "de export is geweigerd; de reden staat op de pagina Gegevens uit de leerlingadministratie"
		err := s.tellAdmins(ctx, licenceID, "las:"+imp.ID.String(), "Export uit de leerlingadministratie geweigerd",
			"De nachtelijke update heeft de export opgehaald, maar die is niet verwerkt: "+msg+".")
		return workflows.LASImportResult{ImportID: imp.ID.String(), Status: LASRefused, Message: msg}, err
	}
	if err != nil {
		return workflows.LASImportResult{}, err
	}
	wait := ""
	switch {
	case imp.Preview.Leaving()*100 > float64(set.MaxLeavingPercent):
		wait = fmt.Sprintf("%d van %d leerlingen staan niet meer in de leerlingadministratie (meer dan %d%%): de import wacht op een beheerder",
			len(imp.Preview.Gone), imp.Preview.Active, set.MaxLeavingPercent)
	case len(imp.Preview.Similar) > 0:
		wait = fmt.Sprintf("%d nieuwe leerlingen lijken al in TOP dossier te staan zonder leerlingnummer: de import wacht op een beheerder, die ze koppelt",
			len(imp.Preview.Similar))
	}
	if wait != "" {
		msg := wait
		err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
			return school.New(pool).DecideLASImport(ctx, school.DecideLASImportParams{ID: imp.ID, Status: LASWaiting, Message: msg})
		})
		if err == nil {
			err = s.tellAdmins(ctx, licenceID, "las:"+imp.ID.String(), "Import uit de leerlingadministratie wacht op u",
				"De nachtelijke update heeft de export opgehaald, maar "+msg+".")
		}
		return workflows.LASImportResult{ImportID: imp.ID.String(), Status: LASWaiting, Message: msg}, err
	}
	p, err := s.Apply(ctx, systemActor, licenceID, imp.ID, imp.Digest, nil)
	if err != nil {
		return workflows.LASImportResult{}, err
	}
	return workflows.LASImportResult{ImportID: imp.ID.String(), Status: LASApplied, Message: summary(p)}, nil
}

// FailScheduled records a nightly run that could not fetch the export, for
// the admin's page.
func (s *LAS) FailScheduled(ctx context.Context, licenceID uuid.UUID, reason string) error {
	msg := "De export kon niet worden opgehaald: " + reason + ". Er is niets overgenomen."
	var id uuid.UUID
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		row, err := school.New(pool).CreateLASImport(ctx, school.CreateLASImportParams{Source: LASSourceSchedule, Status: LASFailed, Message: msg})
		id = row.ID
		return err
	})
	if err != nil {
		return err
	}
	return s.tellAdmins(ctx, licenceID, "las:"+id.String(), "Nachtelijke update leerlingadministratie mislukt", msg)
}

// tellAdmins mails the school's admins about a nightly run that needs
// them, through the school's outbox (once per key). The mail names no
// pupil: counts and the page.
func (s *LAS) tellAdmins(ctx context.Context, licenceID uuid.UUID, key, subject, text string) error {
	people, err := platform.New(s.tenants.Platform()).ListStaffToRemind(ctx, platform.ListStaffToRemindParams{
		UserIds: []uuid.UUID{}, LicenceID: &licenceID, Role: platform.StaffRoleSchoolAdmin})
	if err != nil || len(people) == 0 {
		return err
	}
	body := text + "\n\nBekijk het op de pagina Gegevens uit de leerlingadministratie: " + s.cfg.SiteURL + "/licenties/" +
		licenceID.String() + "/leerlingadministratie\n"
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		for _, p := range people {
			if err := q.EnqueueMail(ctx, school.EnqueueMailParams{DedupeKey: key + ":" + p.Email, ToAddress: p.Email,
				Subject: subject, Body: body}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if s.temporal == nil {
		return nil
	}
	return workflows.StartSendOutbox(ctx, s.temporal, licenceID.String())
}

// PurgeImports removes the runs older than before (applied, refused, set
// aside); open previews stay.
func (s *LAS) PurgeImports(ctx context.Context, licenceID uuid.UUID, before time.Time) (int64, error) {
	var n int64
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		n, err = school.New(pool).PurgeLASImports(ctx, before)
		return err
	})
	return n, err
}

// LOVSMapping is the column mapping the school chose before (empty the
// first time).
func (s *LAS) LOVSMapping(ctx context.Context, licenceID uuid.UUID) (las.LOVSMapping, error) {
	var m las.LOVSMapping
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		set, err := school.New(pool).GetLASSetting(ctx)
		if err != nil || len(set.LovsMapping) == 0 {
			return err
		}
		return json.Unmarshal(set.LovsMapping, &m)
	})
	return m, err
}

// LOVSSummary is what a results import did: stored, pupils unknown
// (listed, never guessed), results of pupils without an open dossier (not
// kept: TOP dossier keeps test results for the plan only), and of pupils
// whose data is restricted (AVG art. 18).
type LOVSSummary struct {
	Stored, WithoutDossier, Restricted int
	Unknown                            []las.LOVSRow
}

// ImportLOVS reads a LOVS export by the mapping (columns left empty are
// guessed from the header) and stores the results of the pupils with a
// plan, in one transaction, with a logbook line per pupil; the mapping is
// remembered. Any error in the file stores nothing.
func (s *LAS) ImportLOVS(ctx context.Context, actor Actor, licenceID uuid.UUID, data []byte, m las.LOVSMapping) (LOVSSummary, error) {
	var out LOVSSummary
	head, err := las.LOVSHeader(data)
	if err != nil {
		return out, fileFault(err, "lovs", ".")
	}
	// A column left empty: the one chosen before, else a guess from the
	// header.
	if m == (las.LOVSMapping{}) {
		if m, err = s.LOVSMapping(ctx, licenceID); err != nil {
			return out, err
		}
	}
	guess := las.GuessMapping(head)
	m.Key, m.Test, m.Date = cmpOr(m.Key, guess.Key), cmpOr(m.Test, guess.Test), cmpOr(m.Date, guess.Date)
	if m.Score == "" && m.Level == "" {
		m.Score, m.Level = guess.Score, guess.Level
	}
	rows, err := las.ParseLOVS(data, m, s.today())
	if err != nil {
		return out, fileFault(err, "lovs", ". Er is niets opgeslagen.")
	}
	mapping, err := json.Marshal(m)
	if err != nil {
		return out, err
	}
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			keys, err := q.ListPupilKeys(ctx)
			if err != nil {
				return err
			}
			type pupil struct {
				id      uuid.UUID
				dossier bool
			}
			byKey := map[string]pupil{}
			for _, k := range keys {
				byKey[k.LasKey] = pupil{k.ID, k.HasDossier}
			}
			logged := map[uuid.UUID]bool{}
			for _, r := range rows {
				p, ok := byKey[r.Key]
				switch {
				case !ok:
					out.Unknown = append(out.Unknown, r)
					continue
				case !p.dossier:
					out.WithoutDossier++
					continue
				}
				if _, done := logged[p.id]; !done {
					if err := store.RefuseRestricted(ctx, q, p.id); err != nil {
						if !errors.Is(err, fault.ErrRestricted) {
							return err
						}
						logged[p.id] = false
					} else {
						logged[p.id] = true
						if err := logbook.Append(ctx, tx, actor.entry(ctx, p.id, logbook.ActionCreate, "lovs_result")); err != nil {
							return err
						}
					}
				}
				if !logged[p.id] {
					out.Restricted++
					continue
				}
				if err := q.UpsertLOVSResult(ctx, school.UpsertLOVSResultParams{PupilID: p.id, Test: r.Test, TakenOn: r.Date,
					Score: r.Score, Level: r.Level}); err != nil {
					return fmt.Errorf("regel %d: %w", r.Line, db.Classify(err))
				}
				out.Stored++
			}
			return q.SetLOVSMapping(ctx, mapping)
		})
	})
	return out, err
}

func cmpOr(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return strings.TrimSpace(a)
	}
	return b
}

// loadTestSeries reads a pupil's LOVS results as series per test.
func loadTestSeries(ctx context.Context, q *school.Queries, pupilID uuid.UUID) ([]las.TestSeries, error) {
	rows, err := q.ListLOVSResults(ctx, pupilID)
	if err != nil {
		return nil, err
	}
	by := map[string][]las.TestResult{}
	for _, r := range rows {
		by[r.Test] = append(by[r.Test], las.TestResult{Date: r.TakenOn, Score: r.Score, Level: r.Level})
	}
	return las.Series(by), nil
}
