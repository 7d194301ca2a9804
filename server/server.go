// Package server is TOP dossier's HTTP face: the Dutch HTML pages for
// people and the JSON API under /api/v1, on Gin. Handlers validate input,
// write content in one transaction and then start or signal workflows.
package server

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/internal/requestlog"
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/service"
	"github.com/topdossier/topdossier/workflows"
)

// Config is the part of the configuration the server uses.
type Config struct {
	// LAS is where the nightly LAS update finds the schools' exports.
	LAS service.LASConfig
	// MaxBodyBytes bounds every request body; larger gives 413.
	MaxBodyBytes int64
	// EnrolmentCheckWithin is the deadline given to new enrolment checks.
	EnrolmentCheckWithin time.Duration
	// DossierTimers are the legal terms given to new dossiers; zero means
	// the defaults of the law.
	DossierTimers workflows.DossierTimers
	// ConsentTimers, ConsentAges and ConsentPolicy rule new consent
	// rounds; zero means the defaults.
	ConsentTimers workflows.ConsentTimers
	ConsentAges   law.ConsentAges
	ConsentPolicy string
	// RequestTimers rule the requests to the SWV (defaults: the law's).
	RequestTimers workflows.RequestTimers
	RequestQuorum int // votes that decide, the chair's among them (default 2)
	// RetentionDossier and RetentionEnrolment are how long a pupil's
	// dossiers and record are kept after leaving (defaults 2 and 5 years).
	RetentionDossier, RetentionEnrolment time.Duration
	// RetentionTLV: an SWV request is deleted this long after its TLV
	// ends, or after it closes (default 3 years).
	RetentionTLV time.Duration
	// RequestViewWithin: the parents' term for a view on an arrangement
	// or TLV request (default two weeks).
	RequestViewWithin time.Duration
	// TransferConsentWithin: the parties' term to agree to a transfer
	// (default four weeks).
	TransferConsentWithin time.Duration
	// LicenceRemovalGrace: a removed licence is closed but restorable
	// this long (default 30 days), then purged.
	LicenceRemovalGrace time.Duration
	// AVGRespondWithin is the school's term to answer an AVG request
	// (default a month, AVG art. 12(3)).
	AVGRespondWithin time.Duration
	// DevMailbox adds a page with each school's mail outbox (make run).
	DevMailbox bool
	// SiteURL is the public address, for links in mails the services
	// write (config SITE_URL).
	SiteURL string
	// Ready reports whether every dependency answers, for /readyz.
	Ready func(context.Context) error
	// SessionIdle and SessionAbsolute end a session after inactivity and
	// after login (defaults 30 minutes and 12 hours).
	SessionIdle     time.Duration
	SessionAbsolute time.Duration
	// Argon2 are the password hashing costs (default auth.DefaultArgon2).
	Argon2 auth.Argon2Params
	// SecretKey is the platform keys (PAYLOAD_KEY, then PAYLOAD_KEYS_OLD):
	// the first seals the TOTP secrets and other secrets at rest and the
	// round-trip cookies, any opens them.
	SecretKey auth.Keys
	// OIDC is the optional Entree (OpenID Connect) login.
	OIDC OIDCConfig
	// WebAuthn names the site for passkeys; an empty RPID turns them off.
	WebAuthn WebAuthnConfig
}

// Server holds the handlers' dependencies.
type Server struct {
	cfg      Config
	logger   *slog.Logger
	tenants  *tenants.Manager
	temporal client.Client
	pages    *renderer
	assets   *assets
	metrics  *httpMetrics
	location *time.Location
	// dummyHash is checked when an account does not exist, so a login
	// takes as long either way.
	dummyHash string
	totpBox   *auth.SecretBox
	hashSlots chan struct{} // password hashes running at once: cores / argon2 threads
	common    *auth.CommonPasswords
	oidc      *oidcClient     // nil when OIDC is not configured
	cookieBox *auth.SecretBox // seals the OIDC and passkey round-trip cookies
	idemBox   *auth.SecretBox // seals the answers kept under an Idempotency-Key
	// The OpenAPI document, generated once from the operations' table.
	openAPIOnce sync.Once
	openAPIDoc  []byte
	openAPIErr  error
	dossiers    *service.Dossiers
	requests    *service.Requests
	retention   *service.Retention
	pupils      *service.Pupils
	portal      *service.Portal
	staff       *service.Staff
	licences    *service.Licences
	webhooks    *service.Webhooks
	rod         *service.ROD
	las         *service.LAS
	transfers   *service.Transfers
	oso         *service.OSO
	monitor     *service.Monitor
	swv         *service.SWV
	logbook     *service.Logbook
}

// New builds the HTTP handler. The registry receives the HTTP metrics; the
// caller serves it on /metrics on an address of its own, never this one.
func New(cfg Config, logger *slog.Logger, tm *tenants.Manager, tc client.Client, registry *prometheus.Registry) (http.Handler, error) {
	s, err := newServer(cfg, logger, tm, tc, registry)
	if err != nil {
		return nil, err
	}
	return s.handler(), nil
}

// handler is the router behind cross-origin protection: a state-changing
// request that a browser marks as coming from another site is refused
// (CSRF, ASVS 4.2.2), whatever the route.
func (s *Server) handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.deny))
	return cop.Handler(s.routes())
}

func newServer(cfg Config, logger *slog.Logger, tm *tenants.Manager, tc client.Client, registry *prometheus.Registry) (*Server, error) {
	// Every line logged while serving a request names it.
	logger = slog.New(requestlog.Handler(logger.Handler()))
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = 30 * time.Minute
	}
	if cfg.SessionAbsolute <= 0 {
		cfg.SessionAbsolute = 12 * time.Hour
	}
	if cfg.DossierTimers == (workflows.DossierTimers{}) {
		cfg.DossierTimers = workflows.DefaultDossierTimers()
	}
	if cfg.ConsentTimers == (workflows.ConsentTimers{}) {
		cfg.ConsentTimers = workflows.DefaultConsentTimers()
	}
	if cfg.AVGRespondWithin <= 0 {
		cfg.AVGRespondWithin = law.AVGRespondWithin
	}
	if cfg.RetentionTLV <= 0 {
		cfg.RetentionTLV = law.RetentionTLV
	}
	if cfg.RetentionDossier <= 0 {
		cfg.RetentionDossier = law.RetentionDossier
	}
	if cfg.RetentionEnrolment <= 0 {
		cfg.RetentionEnrolment = law.RetentionEnrolment
	}
	if cfg.RequestTimers == (workflows.RequestTimers{}) {
		cfg.RequestTimers = workflows.DefaultRequestTimers()
	}
	if cfg.ConsentPolicy == "" {
		cfg.ConsentPolicy = workflows.PolicyAny
	}
	if cfg.Argon2 == (auth.Argon2Params{}) {
		cfg.Argon2 = auth.DefaultArgon2
	}
	dummy, err := dummyHashFor(cfg.Argon2)
	if err != nil {
		return nil, err
	}
	box, err := auth.NewSecretBox(cfg.SecretKey, "totp")
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	cookieBox, err := auth.NewSecretBox(cfg.SecretKey, "cookies")
	if err != nil {
		return nil, err
	}
	idemBox, err := auth.NewSecretBox(cfg.SecretKey, "idempotency")
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	var oc *oidcClient
	if cfg.OIDC.Issuer != "" {
		oc = &oidcClient{cfg: cfg.OIDC}
	}
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return nil, fmt.Errorf("load time zone: %w", err)
	}
	as, err := newAssets()
	if err != nil {
		return nil, err
	}
	pages, err := newRenderer(as, loc)
	if err != nil {
		return nil, err
	}
	metrics, err := newHTTPMetrics(registry)
	if err != nil {
		return nil, err
	}
	dossiers := service.NewDossiers(tm, tc, logger, service.Config{Location: loc, DossierTimers: cfg.DossierTimers,
		ConsentDefaults: service.ConsentRules{Timers: cfg.ConsentTimers, Ages: law.Ages(), Policy: cfg.ConsentPolicy}})
	requests := service.NewRequests(tm, tc, logger, dossiers, service.RequestsConfig{Location: loc, Timers: cfg.RequestTimers, Quorum: cfg.RequestQuorum,
		RetentionTerm: cfg.RetentionTLV, ViewWithin: cfg.RequestViewWithin, SiteURL: cfg.SiteURL})
	webhooks, err := service.NewWebhooks(tm, logger, cfg.SecretKey)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	rod, err := service.NewROD(tm, cfg.SecretKey)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	retention := service.NewRetention(tm, tc, logger, service.RetentionConfig{Location: loc, Dossier: cfg.RetentionDossier,
		Enrolment: cfg.RetentionEnrolment, AVGRespondWithin: cfg.AVGRespondWithin})
	pupils := service.NewPupils(tm, tc, dossiers, service.PupilsConfig{Location: loc, EnrolmentCheckWithin: cfg.EnrolmentCheckWithin})
	lasCfg := cfg.LAS
	lasCfg.Location, lasCfg.SiteURL = loc, cfg.SiteURL
	lasSvc, err := service.NewLAS(tm, tc, logger, pupils, dossiers, retention, cfg.SecretKey, lasCfg)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	transfers := service.NewTransfers(tm, tc, logger, dossiers, pupils, service.TransfersConfig{Location: loc, SiteURL: cfg.SiteURL,
		ConsentWithin: cfg.TransferConsentWithin})
	gin.SetMode(gin.ReleaseMode)
	return &Server{
		cfg: cfg, logger: logger, tenants: tm, temporal: tc,
		pages: pages, assets: as, metrics: metrics, location: loc, dummyHash: dummy, totpBox: box,
		common:    &auth.CommonPasswords{},
		oidc:      oc,
		cookieBox: cookieBox, idemBox: idemBox,
		retention: retention,
		las:       lasSvc,
		requests:  requests,
		dossiers:  dossiers,
		portal:    service.NewPortal(tm, tc, logger, dossiers, requests, loc),
		staff:     service.NewStaff(tm, logger),
		licences:  service.NewLicences(tm, tc, logger, cmp.Or(cfg.LicenceRemovalGrace, 30*24*time.Hour)),
		webhooks:  webhooks,
		rod:       rod,
		swv:       service.NewSWV(tm),
		logbook:   service.NewLogbook(tm),
		pupils:    pupils,
		transfers: transfers,
		monitor:   service.NewMonitor(tm, loc),
		oso:       service.NewOSO(tm, logger, dossiers, transfers, service.OSOConfig{Location: loc, Version: service.BuildVersion()}),
		hashSlots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/int(cfg.Argon2.Threads))),
	}, nil
}
