package service

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/documents"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/store"
)

// Licences is how the platform admin opens and closes a school's or an
// SWV's licence, each with its own database.
type Licences struct {
	tenants *tenants.Manager
	logger  *slog.Logger
}

// NewLicences returns the licence service.
func NewLicences(tm *tenants.Manager, logger *slog.Logger) *Licences {
	return &Licences{tenants: tm, logger: logger}
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

// Remove drops a licence with its database. confirmName, when not nil,
// must be the licence's name as the admin typed it (the page asks; the
// API's DELETE is explicit enough).
func (s *Licences) Remove(ctx context.Context, id uuid.UUID, confirmName *string) error {
	if confirmName != nil {
		lic, err := platform.New(s.tenants.Platform()).GetLicence(ctx, id)
		if err != nil {
			return db.Classify(err)
		}
		if strings.TrimSpace(*confirmName) != lic.Name {
			return fault.FieldErrors{"confirm_name": "De naam ter bevestiging komt niet overeen; er is niets verwijderd."}
		}
	}
	if err := s.tenants.RemoveLicence(ctx, id); err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "licence removed", "licence", id)
	return nil
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
