package service

import (
	"context"
	"log/slog"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/fault"
)

// Webhooks are the addresses a licence's admin registers for its events,
// and what became of each delivery.
type Webhooks struct {
	tenants *tenants.Manager
	logger  *slog.Logger
	box     *auth.SecretBox // seals the secrets: they sign every delivery
}

// NewWebhooks returns the webhook service; secretKey is the server's key
// (the worker opens the secrets with the same key and purpose).
func NewWebhooks(tm *tenants.Manager, logger *slog.Logger, secretKey auth.Keys) (*Webhooks, error) {
	box, err := auth.NewSecretBox(secretKey, "webhook")
	if err != nil {
		return nil, err
	}
	return &Webhooks{tenants: tm, logger: logger, box: box}, nil
}

// WebhookSecretPrefix marks a webhook's secret.
const WebhookSecretPrefix = "whsec_"

// List is the licence's webhooks and its last 100 deliveries.
func (s *Webhooks) List(ctx context.Context, licenceID uuid.UUID) ([]platform.Webhook, []platform.ListWebhookDeliveriesRow, error) {
	q := platform.New(s.tenants.Platform())
	hooks, err := q.ListWebhooks(ctx, licenceID)
	if err != nil {
		return nil, nil, err
	}
	deliveries, err := q.ListWebhookDeliveries(ctx, licenceID)
	return hooks, deliveries, err
}

// CheckWebhookURL accepts an https address with a host and no user
// name or password in it.
func CheckWebhookURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Fragment != "" || len(raw) > 2000 {
		return raw, fault.FieldErrors{"url": "Vul een https-adres in, zoals https://administratie.voorbeeld.nl/topdossier (zonder " +
			"gebruikersnaam of wachtwoord erin)."}
	}
	return raw, nil
}

// Create registers an address and returns its secret, to be shown once.
func (s *Webhooks) Create(ctx context.Context, actor Actor, licenceID uuid.UUID, rawURL string) (string, error) {
	u, err := CheckWebhookURL(rawURL)
	if err != nil {
		return "", err
	}
	token, err := auth.NewToken()
	if err != nil {
		return "", err
	}
	secret := WebhookSecretPrefix + token
	sealed, err := s.box.Seal(secret)
	if err != nil {
		return "", err
	}
	if _, err := platform.New(s.tenants.Platform()).CreateWebhook(ctx, platform.CreateWebhookParams{LicenceID: licenceID, Url: u,
		SecretSealed: sealed, CreatedBy: actor.userID()}); err != nil {
		return "", err
	}
	s.logger.InfoContext(ctx, "webhook registered", "licence", licenceID)
	return secret, nil
}

// Remove ends a webhook; deliveries under way stop at their next try.
func (s *Webhooks) Remove(ctx context.Context, licenceID, id uuid.UUID) error {
	n, err := platform.New(s.tenants.Platform()).RemoveWebhook(ctx, platform.RemoveWebhookParams{ID: id, LicenceID: licenceID})
	if err != nil {
		return err
	}
	if n == 0 {
		return fault.ErrNotFound
	}
	return nil
}
