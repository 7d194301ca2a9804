package service

import (
	"context"
	"regexp"
	"strings"

	"github.com/google/uuid"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/fault"
)

// SWVInput is a new samenwerkingsverband.
type SWVInput struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

var swvCodePattern = regexp.MustCompile(`^[A-Z]{2}[0-9]{2,4}[A-Z]?$`)

// Normalised is the input as it is checked and kept: the code in capitals,
// no spaces around either.
func (in SWVInput) Normalised() SWVInput {
	return SWVInput{Code: strings.ToUpper(strings.TrimSpace(in.Code)), Name: strings.TrimSpace(in.Name)}
}

func (in SWVInput) validate() fault.FieldErrors {
	errs := fault.FieldErrors{}
	if !swvCodePattern.MatchString(in.Code) {
		errs["code"] = "De code van een samenwerkingsverband is bijvoorbeeld PO2801 of VO2805."
	}
	if in.Name == "" || len([]rune(in.Name)) > 200 {
		errs["swv_name"] = "Vul de naam van het samenwerkingsverband in (hoogstens 200 tekens)."
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// CreateSWV registers a samenwerkingsverband, so licences can be made for
// it. A code that is taken is a field error.
func (s *Licences) CreateSWV(ctx context.Context, in SWVInput) error {
	in = in.Normalised()
	if errs := in.validate(); errs != nil {
		return errs
	}
	_, err := platform.New(s.tenants.Platform()).CreateSWV(ctx, platform.CreateSWVParams{Code: in.Code, Name: in.Name})
	if db.Constraint(err) == "swv_code_key" {
		return fault.FieldErrors{"code": "Er is al een samenwerkingsverband met deze code."}
	}
	return err
}

// APITokenPrefix marks TOP dossier tokens, so secret scanners can find a
// leaked one.
const APITokenPrefix = "td_"

// APITokens are the licence's keys for integrations, without their
// secrets (only hashes are kept).
func (s *Licences) APITokens(ctx context.Context, licenceID uuid.UUID) (platform.Licence, []platform.ListAPITokensRow, error) {
	q := platform.New(s.tenants.Platform())
	lic, err := q.GetLicence(ctx, licenceID)
	if err != nil {
		return lic, nil, db.Classify(err)
	}
	tokens, err := q.ListAPITokens(ctx, lic.ID)
	return lic, tokens, err
}

// CreateAPIToken makes a key for an integration (name, read or write
// scope) and returns it, to be shown once: only its hash is kept.
func (s *Licences) CreateAPIToken(ctx context.Context, actor Actor, licenceID uuid.UUID, name string, scope platform.ApiScope) (string, error) {
	name = strings.TrimSpace(name)
	errs := fault.FieldErrors{}
	if name == "" || len([]rune(name)) > 100 {
		errs["name"] = "Geef de koppeling een naam van hoogstens 100 tekens, bijvoorbeeld de naam van het leerlingvolgsysteem."
	}
	if !scope.Valid() {
		errs["scope"] = "Kies of de koppeling alleen mag lezen of ook mag schrijven."
	}
	if len(errs) > 0 {
		return "", errs
	}
	secret, err := auth.NewToken()
	if err != nil {
		return "", err
	}
	token := APITokenPrefix + secret
	var creator *uuid.UUID
	if actor.UserID != uuid.Nil {
		creator = &actor.UserID
	}
	_, err = platform.New(s.tenants.Platform()).CreateAPIToken(ctx, platform.CreateAPITokenParams{
		LicenceID: licenceID, Name: name, Scope: scope, TokenHash: auth.HashToken(token), CreatedBy: creator,
	})
	if err != nil {
		return "", err
	}
	s.logger.InfoContext(ctx, "api token created", "licence", licenceID, "scope", scope)
	return token, nil
}

// RevokeAPIToken ends a key of the licence at once; another licence's key
// is fault.ErrNotFound.
func (s *Licences) RevokeAPIToken(ctx context.Context, licenceID, tokenID uuid.UUID) error {
	n, err := platform.New(s.tenants.Platform()).RevokeAPIToken(ctx, platform.RevokeAPITokenParams{ID: tokenID, LicenceID: licenceID})
	if err != nil {
		return err
	}
	if n == 0 {
		return fault.ErrNotFound
	}
	return nil
}
