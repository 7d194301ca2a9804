package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/documents"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/workflows"
)

// Licences is how the platform admin opens and closes a school's or an
// SWV's licence, each with its own database.
type Licences struct {
	tenants  *tenants.Manager
	temporal client.Client
	logger   *slog.Logger
	grace    time.Duration
}

// NewLicences returns the licence service; a removed licence stays
// restorable for grace.
func NewLicences(tm *tenants.Manager, tc client.Client, logger *slog.Logger, grace time.Duration) *Licences {
	return &Licences{tenants: tm, temporal: tc, logger: logger, grace: grace}
}

// LicenceInput is a new licence as the form and the API send it.
type LicenceInput struct {
	SWVID      string `json:"swv_id"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	BRIN       string `json:"brin"`
	SchoolType string `json:"school_type"`
}

func (in LicenceInput) toNew() (tenants.NewLicence, error) {
	n := tenants.NewLicence{
		Kind:       platform.LicenceKind(in.Kind),
		Name:       strings.TrimSpace(in.Name),
		BRIN:       strings.ToUpper(strings.TrimSpace(in.BRIN)),
		SchoolType: platform.SchoolType(in.SchoolType),
	}
	id, err := uuid.Parse(in.SWVID)
	if err != nil {
		return n, fault.FieldErrors{"swv_id": "Kies het samenwerkingsverband."}
	}
	n.SWVID = id
	return n, n.Validate()
}

// Create registers a licence, creates and migrates its database and only
// then marks it active; a failure removes what was made.
func (s *Licences) Create(ctx context.Context, in LicenceInput) (platform.Licence, error) {
	n, err := in.toNew()
	if err != nil {
		return platform.Licence{}, err
	}
	lic, err := s.tenants.CreateLicence(ctx, n)
	if err != nil {
		switch db.Constraint(err) {
		case "licence_brin_key":
			return lic, fault.FieldErrors{"brin": "Er is al een licentie met deze BRIN-code."}
		case "licence_one_swv_per_swv":
			return lic, fault.FieldErrors{"kind": "Dit samenwerkingsverband heeft al een SWV-licentie."}
		case "licence_swv_id_fkey":
			return lic, fault.FieldErrors{"swv_id": "Dit samenwerkingsverband bestaat niet."}
		}
		return lic, err
	}
	s.logger.InfoContext(ctx, "licence created", "licence", lic.ID, "kind", lic.Kind)
	return lic, nil
}

// Remove starts the removal of a licence (issue 19, fix 4): confirmName
// must be its name as typed (page and API alike). The licence is closed at
// once — nobody reaches it any more — and the platform records who asked;
// a LicenceRemovalWorkflow purges it (its workflows terminated, its
// database dropped) after the grace period, unless Restore comes first.
// When the workflow cannot be started the licence is opened again:
// nothing half-done.
func (s *Licences) Remove(ctx context.Context, actor Actor, id uuid.UUID, confirmName string) (platform.LicenceRemoval, error) {
	q := platform.New(s.tenants.Platform())
	lic, err := q.GetLicence(ctx, id)
	if err != nil {
		return platform.LicenceRemoval{}, db.Classify(err)
	}
	if lic.Status == platform.LicenceStatusClosing {
		return platform.LicenceRemoval{}, fault.FieldErrors{"confirm_name": "Deze licentie wordt al verwijderd; u kunt haar nog herstellen."}
	}
	if strings.TrimSpace(confirmName) != lic.Name {
		return platform.LicenceRemoval{}, fault.FieldErrors{"confirm_name": "De naam ter bevestiging komt niet overeen; er is niets verwijderd."}
	}
	r, err := q.CloseLicence(ctx, platform.CloseLicenceParams{LicenceID: id, RequestedBy: actor.userRef(),
		PurgeAfter: time.Now().Add(s.grace).Truncate(time.Second)})
	if errors.Is(err, pgx.ErrNoRows) {
		return r, fault.FieldErrors{"confirm_name": "Deze licentie wordt al verwijderd of bestaat nog niet volledig."}
	}
	if err != nil {
		return r, err
	}
	_, err = s.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        workflows.LicenceRemovalID(id.String()),
		TaskQueue: workflows.TaskQueue,
		// A run still waiting belongs to a removal that was restored (only
		// an active licence is closed), its signal lost: it would purge
		// nothing, and it must not block this one.
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		TypedSearchAttributes:    temporal.NewSearchAttributes(workflows.KindKey().ValueSet("licence-removal")),
	}, workflows.LicenceRemovalWorkflow, workflows.LicenceRemovalInput{LicenceID: id.String(), RemovalID: r.ID.String(), PurgeAfter: r.PurgeAfter})
	if err != nil {
		if _, rerr := q.RestoreLicence(context.WithoutCancel(ctx), platform.RestoreLicenceParams{RestoredBy: actor.userRef(), RemovalID: r.ID}); rerr != nil {
			return r, errors.Join(err, rerr)
		}
		return r, fmt.Errorf("start licence removal: %w", err)
	}
	s.logger.InfoContext(ctx, "licence closed for removal", "licence", id, "purge_after", r.PurgeAfter)
	return r, nil
}

// Restore opens a licence again within its removal's grace period, as it
// was; the removal's workflow is told to stop waiting. After the grace
// period the licence cannot be restored.
func (s *Licences) Restore(ctx context.Context, actor Actor, id uuid.UUID) error {
	q := platform.New(s.tenants.Platform())
	r, err := q.OpenLicenceRemoval(ctx, id)
	if err != nil {
		return db.Classify(err)
	}
	n, err := q.RestoreLicence(ctx, platform.RestoreLicenceParams{RestoredBy: actor.userRef(), RemovalID: r.ID})
	if err != nil {
		return err
	}
	if n == 0 {
		return fault.FieldErrors{"licence": "De termijn om te herstellen is voorbij; de licentie wordt nu verwijderd."}
	}
	// The record says restored; the workflow checks it before purging, so
	// a signal that does not arrive only costs a wait.
	err = s.temporal.SignalWorkflow(ctx, workflows.LicenceRemovalID(id.String()), "", workflows.SignalRestoreLicence, nil)
	var notFound *serviceerror.NotFound
	if err != nil && !errors.As(err, &notFound) {
		s.logger.WarnContext(ctx, "licence restored; its removal workflow was not told", "licence", id, "err", err)
	}
	s.logger.InfoContext(ctx, "licence restored", "licence", id)
	return nil
}

// Removals are the platform's records of licence removals, newest first.
func (s *Licences) Removals(ctx context.Context) ([]platform.LicenceRemoval, error) {
	return platform.New(s.tenants.Platform()).ListLicenceRemovals(ctx)
}

// Letterhead is the licence's own logo and details for its documents
// (empty when it has none).
func (s *Licences) Letterhead(ctx context.Context, licenceID uuid.UUID) (documents.Letterhead, error) {
	return store.Letterhead(ctx, platform.New(s.tenants.Platform()), licenceID)
}

// SetLetterhead stores the licence's details and, when a file is given,
// its logo (a PNG or JPEG, documents.CheckLogo); removeLogo drops the
// logo. The change is a line in the licence's logbook.
func (s *Licences) SetLetterhead(ctx context.Context, actor Actor, licenceID uuid.UUID, logo []byte, removeLogo bool, details string) error {
	details = strings.TrimSpace(strings.ReplaceAll(details, "\r\n", "\n"))
	errs := fault.FieldErrors{}
	if len([]rune(details)) > 500 || strings.Count(details, "\n") > 4 {
		errs["details"] = "Hoogstens vijf regels en 500 tekens."
	}
	p := platform.SetLetterheadParams{LicenceID: licenceID, Details: details, KeepLogo: logo == nil && !removeLogo}
	if logo != nil {
		kind, err := documents.CheckLogo(logo)
		var refused *documents.LogoError
		switch {
		case errors.As(err, &refused):
			errs["logo"] = refused.Reason
		case err != nil:
			return err
		}
		p.Logo, p.LogoType = logo, &kind
	}
	if len(errs) > 0 {
		return errs
	}
	if err := platform.New(s.tenants.Platform()).SetLetterhead(ctx, p); err != nil {
		return err
	}
	return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			return logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionUpdate, "letterhead", licenceID.String()))
		})
	})
}
