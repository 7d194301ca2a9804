package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/internal/requestlog"
	"github.com/topdossier/topdossier/oso"
	ososchema "github.com/topdossier/topdossier/oso/schema"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/store"
)

// OSO is the exchange of OSO dossiers with schools and SWVs outside the
// platform: the export of a pupil's dossier (OV or PaO) and the import of
// a received one into a new pupil and dossier.
type OSO struct {
	tenants   *tenants.Manager
	logger    *slog.Logger
	dossiers  *Dossiers
	transfers *Transfers
	cfg       OSOConfig
}

// OSOConfig is what the OSO exchange takes from the configuration.
type OSOConfig struct {
	Location *time.Location
	// Version is TOP dossier's version, written as pakketversie.
	Version string
}

// NewOSO returns the OSO service; transfers starts the processes of an
// imported pupil and dossier.
func NewOSO(tm *tenants.Manager, logger *slog.Logger, dossiers *Dossiers, transfers *Transfers, cfg OSOConfig) *OSO {
	return &OSO{tenants: tm, logger: logger, dossiers: dossiers, transfers: transfers, cfg: cfg}
}

// OSOExportForm is what the school chooses: the kind of transfer, the
// optional categories the parents opted out of, the attachments that go.
type OSOExportForm struct {
	Overstap    string
	OptOut      []string
	Attachments []string
}

// Export writes the pupil's OSO dossier, logged as an export. It
// validates against the schema before it leaves; a dossier that would
// not is the platform's error, never sent.
func (s *OSO) Export(ctx context.Context, actor Actor, lic platform.Licence, pupilID uuid.UUID, f OSOExportForm) ([]byte, string, error) {
	if err := s.dossiers.CheckNotRestricted(ctx, lic.ID, pupilID); err != nil {
		return nil, "", err // sharing is a use of the data
	}
	in := oso.ExportInput{Overstap: f.Overstap, OptOut: f.OptOut, Today: Today(s.cfg.Location), Version: s.cfg.Version, SchoolName: lic.Name}
	if lic.Brin != nil {
		in.BRIN = *lic.Brin
	}
	if lic.SchoolType != nil {
		in.SchoolType = string(*lic.SchoolType)
	}
	v, err := s.dossiers.Load(ctx, lic.ID, pupilID)
	switch {
	case err == nil:
		err = s.tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
			pkg, err := buildTransferPackage(ctx, school.New(pool), lic, v, TransferForm{Parts: plan.TransferParts(), Attachments: f.Attachments})
			if err != nil {
				return err
			}
			in.Guardians, in.ActionParts, in.Tests = pkg.Guardians, pkg.ActionParts, pkg.Tests
			c := v.Content
			in.Needs = strings.TrimSpace(strings.Join(nonBlank("Onderwijsbehoeften: "+c.Understand.EducationalNeeds,
				"Ondersteuningsbehoeften: "+c.Understand.SupportNeeds), "\n"))
			if c.Perspective.Destination != "" || c.Perspective.Rationale != "" {
				in.OPP = "Uitstroombestemming: " + c.Perspective.Destination + "\n\n" + c.Perspective.Rationale
				in.OPPFrom = v.Dossier.StartedOn
				if v.Dossier.OppEstablishedOn != nil {
					in.OPPFrom = *v.Dossier.OppEstablishedOn
				}
			}
			q := school.New(pool)
			for _, a := range pkg.Attachments {
				id, err := uuid.Parse(a.ID)
				if err != nil {
					continue
				}
				file, err := q.GetAttachment(ctx, school.GetAttachmentParams{ID: id, DossierID: v.Dossier.ID})
				if err != nil {
					return db.Classify(err)
				}
				in.Attachments = append(in.Attachments, oso.ExportDocument{Name: file.FileName, Content: file.Content})
			}
			return nil
		})
		if err != nil {
			return nil, "", err
		}
		in.Pupil = plan.TransferPupil{GivenName: v.Pupil.GivenName, NameInfix: v.Pupil.NameInfix, FamilyName: v.Pupil.FamilyName,
			BirthDate: v.Pupil.BirthDate.Format(time.DateOnly), Group: v.Pupil.GroupName}
		in.LASKey, in.EnrolledOn, in.LeftOn, in.YearGroup = v.Pupil.LasKey, v.Pupil.EnrolledOn, v.Pupil.LeftOn, v.Pupil.YearGroup
	case errors.Is(err, fault.ErrNotFound) && v.Pupil.ID != uuid.Nil:
		// No plan: the pupil and the guardians only.
		var gs []school.Guardian
		err := s.tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
			var err error
			gs, err = school.New(pool).ListGuardians(ctx, pupilID)
			return err
		})
		if err != nil {
			return nil, "", err
		}
		for _, g := range gs {
			in.Guardians = append(in.Guardians, plan.TransferGuardian{GivenName: g.GivenName, NameInfix: g.NameInfix, FamilyName: g.FamilyName,
				Email: g.Email, Phone: g.Phone, Relation: string(g.Relation), ParentalAuthority: g.ParentalAuthority})
		}
		in.Pupil = plan.TransferPupil{GivenName: v.Pupil.GivenName, NameInfix: v.Pupil.NameInfix, FamilyName: v.Pupil.FamilyName,
			BirthDate: v.Pupil.BirthDate.Format(time.DateOnly), Group: v.Pupil.GroupName}
		in.LASKey, in.EnrolledOn, in.LeftOn, in.YearGroup = v.Pupil.LasKey, v.Pupil.EnrolledOn, v.Pupil.LeftOn, v.Pupil.YearGroup
	default:
		return nil, "", err
	}
	d, err := oso.Export(in)
	if err != nil {
		return nil, "", osoFault(err)
	}
	data, err := oso.Marshal(d)
	if err != nil {
		return nil, "", err
	}
	if err := ososchema.Validate(data); err != nil {
		return nil, "", fmt.Errorf("an OSO export that does not validate: %w", err)
	}
	err = s.tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			e := actor.entry(ctx, pupilID, logbook.ActionExport, "oso_export")
			e.EntityID = f.Overstap
			return logbook.Append(ctx, tx, e)
		})
	})
	if err != nil {
		return nil, "", err
	}
	name := fmt.Sprintf("OSO %s %s %s.xml", f.Overstap, strings.Join(strings.Fields(in.Pupil.Name()), " "), in.Today.Format(time.DateOnly))
	return data, name, nil
}

func nonBlank(lines ...string) []string {
	var out []string
	for _, l := range lines {
		if _, v, _ := strings.Cut(l, ": "); strings.TrimSpace(v) != "" {
			out = append(out, l)
		}
	}
	return out
}

// osoFault turns the file's or the form's problems into field errors
// (one message per problem, in Dutch).
func osoFault(err error) error {
	var es oso.Errors
	var e *oso.Error
	switch {
	case errors.As(err, &es):
		msgs := make([]string, len(es))
		for i, x := range es {
			msgs[i] = x.Msg
		}
		return fault.FieldErrors{"oso": strings.Join(msgs, "; ")}
	case errors.As(err, &e):
		return fault.FieldErrors{"oso": e.Msg}
	}
	return err
}

// OSOImport is a staged import with its preview.
type OSOImport struct {
	ID      uuid.UUID   `json:"id"`
	Status  string      `json:"status"`
	Preview oso.Preview `json:"preview"`
	PupilID *uuid.UUID  `json:"pupil_id,omitempty"`
}

// PreviewFile reads a dossier and says what it would store, without
// storing anything (the command line's dry run).
func (s *OSO) PreviewFile(data []byte) (oso.Preview, error) {
	d, err := ososchema.Read(data)
	if err != nil {
		return oso.Preview{}, osoFault(err)
	}
	return d.Preview(data), nil
}

// Stage keeps a received dossier until the school decides, and shows
// what it would store; a file with problems is refused with all of them
// and nothing is kept.
func (s *OSO) Stage(ctx context.Context, actor Actor, licenceID uuid.UUID, data []byte) (OSOImport, error) {
	p, err := s.PreviewFile(data)
	if err != nil {
		return OSOImport{}, err
	}
	var out OSOImport
	err = s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			row, err := school.New(tx).CreateOSOImport(ctx, school.CreateOSOImportParams{Digest: p.Digest, Data: data, CreatedBy: actor.userID()})
			if err != nil {
				return err
			}
			out = OSOImport{ID: row.ID, Status: row.Status, Preview: p}
			return logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionCreate, "oso_import", row.ID.String()))
		})
	})
	return out, err
}

// Get is a staged or decided import; a staged one with its preview.
func (s *OSO) Get(ctx context.Context, licenceID, id uuid.UUID) (OSOImport, error) {
	var row school.OsoImport
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		row, err = school.New(pool).GetOSOImport(ctx, id)
		return db.Classify(err)
	})
	if err != nil {
		return OSOImport{}, err
	}
	out := OSOImport{ID: row.ID, Status: row.Status, PupilID: row.PupilID}
	if row.Status == "staged" && row.Data != nil {
		if out.Preview, err = s.PreviewFile(row.Data); err != nil {
			return out, err
		}
	}
	return out, nil
}

// ErrOSOChanged: the import is not the file the person saw (another
// digest), or was decided meanwhile.
var ErrOSOChanged = fault.FieldErrors{"oso": "Dit bestand is intussen al verwerkt of terzijde gelegd, of het is niet het bestand dat u zag. Er is niets veranderd."}

// Apply stores a staged dossier as previewed (its digest), in one
// transaction: a pupil (or the school's own, by name and birth date,
// without an open dossier) with the guardians who are alive, a dossier
// whose history is the file's plan (career, plans, tests), and the
// documents as attachments. Then the pupil's processes start.
func (s *OSO) Apply(ctx context.Context, actor Actor, lic platform.Licence, id uuid.UUID, digest string) (uuid.UUID, error) {
	schoolType := plan.NoSchool
	if lic.SchoolType != nil {
		schoolType = string(*lic.SchoolType)
	}
	var got store.ReceivedPlan
	err := s.tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			row, err := q.GetOSOImportForUpdate(ctx, id)
			if err != nil {
				return db.Classify(err)
			}
			if row.Status != "staged" || row.Data == nil || (digest != "" && digest != row.Digest) {
				return ErrOSOChanged
			}
			p, err := s.PreviewFile(row.Data)
			if err != nil {
				return err
			}
			pkg, files := receivedOf(p)
			if got, err = store.Receive(ctx, tx, store.Received{Key: id, FromName: orSchool(p.School, p.BRIN), Package: pkg, Files: files,
				SchoolType: schoolType, Today: Today(s.cfg.Location), Actor: actor.userID(), Role: string(actor.Role),
				RequestID: requestlog.ID(ctx)}); err != nil {
				return err
			}
			pupilID := got.Pupil.ID
			if _, err := q.DecideOSOImport(ctx, school.DecideOSOImportParams{ID: id, Status: "applied", PupilID: &pupilID}); err != nil {
				return err
			}
			e := actor.entry(ctx, pupilID, logbook.ActionCreate, "oso_import")
			e.EntityID = id.String()
			return logbook.Append(ctx, tx, e)
		})
	})
	if err != nil {
		return uuid.Nil, err
	}
	if err := s.transfers.StartReceived(ctx, lic.ID, got.Pupil.ID, got.Dossier.ID); err != nil {
		// The pupil and the plan are stored; the pages offer to start
		// the processes, as after any failed start.
		s.logger.ErrorContext(ctx, "processes of an imported pupil not started", "err", err)
	}
	return got.Pupil.ID, nil
}

// Discard sets a staged import aside; the file is dropped.
func (s *OSO) Discard(ctx context.Context, actor Actor, licenceID, id uuid.UUID) error {
	return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			n, err := school.New(tx).DecideOSOImport(ctx, school.DecideOSOImportParams{ID: id, Status: "discarded"})
			if err != nil {
				return err
			}
			if n == 0 {
				return ErrOSOChanged
			}
			return logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionUpdate, "oso_import", id.String()))
		})
	})
}

func orSchool(name, brin string) string {
	switch {
	case name != "" && brin != "":
		return name + " (" + brin + ")"
	case name != "":
		return name
	}
	return "school " + brin
}

// receivedOf is the file's plan as the history of a new dossier, and its
// documents as attachments.
func receivedOf(p oso.Preview) (plan.TransferPackage, []store.ReceivedFile) {
	pkg := plan.TransferPackage{Source: "oso", School: orSchool(p.School, p.BRIN), Pupil: p.Pupil, SchoolHistory: p.Loopbaan,
		Plans: p.Plans, Tests: p.Tests, SupportLevel: string(school.SupportLevelExtraSchool)}
	for _, g := range p.Guardians {
		if !g.Deceased {
			pkg.Guardians = append(pkg.Guardians, g.TransferGuardian)
		}
	}
	if len(p.Tests) > 0 {
		pkg.Parts = append(pkg.Parts, plan.PartTests)
	}
	var files []store.ReceivedFile
	for i, d := range p.Documents {
		sum := sha256.Sum256(append([]byte(fmt.Sprintf("%d:%s:", i, d.Name)), d.Content...))
		files = append(files, store.ReceivedFile{ID: uuid.NewSHA1(uuid.Nil, []byte(hex.EncodeToString(sum[:]))), Name: d.Name,
			ContentType: d.ContentType, Content: d.Content})
		pkg.Attachments = append(pkg.Attachments, plan.SnapshotAttachment{FileName: d.Name, ContentType: d.ContentType, SizeBytes: int32(d.Size)})
	}
	return pkg, files
}

// BuildVersion is TOP dossier's version as the build records it: the
// module version, else the VCS revision, else "dev".
func BuildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return s.Value[:12]
		}
	}
	return "dev"
}
