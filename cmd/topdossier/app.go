package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/config"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/server"
	"github.com/topdossier/topdossier/service"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/temporalx"
	"github.com/topdossier/topdossier/worker"
	"github.com/topdossier/topdossier/workflows"
)

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// databases is the platform pool and the licence pools.
type databases struct {
	platform *pgxpool.Pool
	tenants  *tenants.Manager
}

func (d *databases) Close() {
	d.tenants.Close()
	d.platform.Close()
}

func openDatabases(ctx context.Context, cfg config.Config, logger *slog.Logger) (*databases, error) {
	pool, err := pgxpool.New(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("open platform database: %w", err)
	}
	tm, err := tenants.New(pool, tenants.Config{
		Servers:         cfg.LicenceDBServers,
		DefaultServer:   cfg.LicenceDefaultServer,
		MaxConnsPerPool: cfg.TenantMaxConns,
		MaxOpenPools:    cfg.TenantMaxOpenPools,
		PoolIdleTimeout: cfg.TenantPoolIdle,
		ConnIdleTimeout: cfg.TenantConnIdle,
		AppRole:         cfg.LicenceAppRole,
		AppPassword:     cfg.LicenceAppPassword,
	}, logger)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return &databases{platform: pool, tenants: tm}, nil
}

// migrateAll creates the platform database when missing, then brings it and
// every licence database to the latest schema.
func migrateAll(ctx context.Context, cfg config.Config, dbs *databases) (int, error) {
	if err := db.Migrate(ctx, dbs.platform, db.SchemaPlatform); err != nil {
		return 0, err
	}
	return dbs.tenants.MigrateAll(ctx)
}

func dialTemporal(ctx context.Context, cfg config.Config, logger *slog.Logger, reg *prometheus.Registry) (client.Client, func(), error) {
	keys, err := cfg.PayloadKeys()
	if err != nil {
		return nil, nil, err
	}
	codec, err := temporalx.NewCodec(keys...)
	if err != nil {
		return nil, nil, err
	}
	c, closeMetrics, err := temporalx.Dial(ctx, temporalx.Options{
		HostPort: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace,
		Codec: codec, Logger: logger, Registry: reg,
	})
	if err != nil {
		return nil, nil, err
	}
	return c, func() { c.Close(); closeMetrics() }, nil
}

// housekeeping is what the daily schedule removes: sessions idle past the
// server's 30 minutes, login attempts, activation links and sent mails after
// 30 days.
func housekeeping() workflows.HousekeepingInput {
	return workflows.HousekeepingInput{SessionIdle: 30 * time.Minute, KeepLoginAttempts: 30 * 24 * time.Hour, KeepSentMail: 30 * 24 * time.Hour}
}

func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// serveHTTP serves h on addr until ctx is done, then drains for 10 s. The
// listener is opened before it returns, so ready is called with the real
// address (a port of 0 picks a free one).
func serveHTTP(ctx context.Context, addr string, h http.Handler, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func newHandler(cfg config.Config, logger *slog.Logger, dbs *databases, tc client.Client, reg *prometheus.Registry) (http.Handler, error) {
	return server.New(server.Config{
		MaxBodyBytes:         cfg.MaxBodyBytes,
		EnrolmentCheckWithin: cfg.EnrolmentCheckWithin,
		DossierTimers:        dossierTimers(cfg),
		ConsentTimers: workflows.ConsentTimers{RemindAfter: cfg.ConsentRemindAfter, Deadline: cfg.ConsentDeadline,
			SchoolReminderEvery: cfg.ConsentSchoolReminderEvery},
		ConsentPolicy: cfg.ConsentPolicy,
		RequestTimers: workflows.RequestTimers{IncompleteWithin: cfg.RequestIncompleteWithin,
			IncompleteReminder: cfg.RequestIncompleteReminder, ObjectionWindow: cfg.RequestObjectionWindow,
			ObjectionAdvice: cfg.RequestObjectionAdvice, ReapplyLead: cfg.RequestReapplyLead, StaleAfter: cfg.RequestStaleAfter,
			ObjectionDecideWithin: cfg.RequestObjectionDecide, ObjectionExtend: cfg.RequestObjectionDecide},
		RequestQuorum:    cfg.RequestQuorum,
		RetentionDossier: cfg.RetentionDossier, RetentionEnrolment: cfg.RetentionEnrolment,
		AVGRespondWithin: cfg.AVGRespondWithin, RetentionTLV: cfg.RetentionTLV, RequestViewWithin: cfg.RequestViewWithin,
		TransferConsentWithin: cfg.TransferConsentWithin,
		LicenceRemovalGrace:   cfg.LicenceRemovalGrace,
		DevMailbox:            cfg.DevMailbox,
		SiteURL:               cfg.SiteURL,
		SecretKey:             secretKeys(cfg),
		LAS:                   service.LASConfig{DropDir: cfg.LASDropDir},
		OIDC: server.OIDCConfig{Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID,
			ClientSecret: cfg.OIDCClientSecret, RedirectURL: cfg.OIDCRedirectURL},
		WebAuthn: server.WebAuthnConfig{RPID: cfg.WebAuthnRPID, Origins: cfg.WebAuthnOrigins},
		Ready: func(ctx context.Context) error {
			if err := dbs.tenants.Ping(ctx); err != nil {
				return err
			}
			_, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{})
			return err
		},
	}, logger, dbs.tenants, tc, reg)
}

// services is what the server and the worker both connect to.
type services struct {
	cfg    config.Config
	logger *slog.Logger
	dbs    *databases
	reg    *prometheus.Registry
	tc     client.Client
	close  func()
}

func connect(ctx context.Context, getenv func(string) string, stderr io.Writer) (*services, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return nil, err
	}
	logger := newLogger(cfg, stderr)
	dbs, err := openDatabases(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	reg := newRegistry()
	tc, closeTemporal, err := dialTemporal(ctx, cfg, logger, reg)
	if err != nil {
		dbs.Close()
		return nil, err
	}
	return &services{cfg: cfg, logger: logger, dbs: dbs, reg: reg, tc: tc,
		close: func() { closeTemporal(); dbs.Close() }}, nil
}

func runServer(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	svc, err := connect(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer svc.close()
	h, err := newHandler(svc.cfg, svc.logger, svc.dbs, svc.tc, svc.reg)
	if err != nil {
		return err
	}
	return withMetrics(ctx, svc.cfg.MetricsAddr, svc.reg, func(ctx context.Context) error {
		return serveHTTP(ctx, svc.cfg.HTTPAddr, h, func(a net.Addr) { svc.logger.Info("server listening", "addr", a.String()) })
	})
}

// withMetrics runs run while /metrics is served from reg on its own address
// (issue 19: never on the public one, which a proxy exposes). Each stops
// when the other does, so a port that cannot be had is not ignored.
func withMetrics(ctx context.Context, addr string, reg *prometheus.Registry, run func(context.Context) error) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	metricsDone := make(chan error, 1)
	go func() {
		metricsDone <- serveHTTP(ctx, addr, mux, nil)
		cancel()
	}()
	err := run(ctx)
	cancel()
	return errors.Join(err, <-metricsDone)
}

// registerWithTemporal makes the search attributes and schedules the
// workers need. Several workers start at once in a cluster: one may find
// what another is making half-made. What each registers is the same, so a
// failed round is simply tried again (five times).
func registerWithTemporal(ctx context.Context, cfg config.Config, tc client.Client, logger *slog.Logger) error {
	ensure := func() error {
		if err := temporalx.EnsureSearchAttributes(ctx, tc, cfg.TemporalNamespace); err != nil {
			return err
		}
		if err := workflows.EnsureRetentionSchedule(ctx, tc, workflows.ReconcileInput{Dossier: cfg.RetentionDossier,
			Enrolment: cfg.RetentionEnrolment, TLV: cfg.RetentionTLV}); err != nil {
			return err
		}
		if err := workflows.EnsureHousekeepingSchedule(ctx, tc, housekeeping()); err != nil {
			return err
		}
		if err := workflows.EnsureDeliverSchedule(ctx, tc); err != nil {
			return err
		}
		if err := workflows.EnsureMonitorSchedule(ctx, tc); err != nil {
			return err
		}
		return workflows.EnsureProcessReconcileSchedule(ctx, tc)
	}
	for attempt := 1; ; attempt++ {
		err := ensure()
		if err == nil || attempt == 5 || ctx.Err() != nil {
			return err
		}
		logger.WarnContext(ctx, "registering with Temporal again", "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt) * time.Second):
		}
	}
}

func runWorker(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	svc, err := connect(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer svc.close()
	cfg, tc := svc.cfg, svc.tc
	if err := registerWithTemporal(ctx, cfg, tc, svc.logger); err != nil {
		return err
	}
	if err := importSigning(ctx, cfg, svc.dbs.tenants.Platform(), svc.logger); err != nil {
		return err
	}
	deps, err := leaver(svc.cfg, svc.dbs.tenants, tc, svc.logger)
	if err != nil {
		return err
	}
	// Each workflow kept in the sticky cache holds its goroutines and
	// state; the cache bounds the worker's memory (a workflow evicted is
	// replayed from its history when it next has work).
	sdkworker.SetStickyWorkflowCacheSize(cfg.WorkerWorkflowCache)
	deps.ExpiryConcurrency = cfg.WorkerExpiryConcurrency
	return withMetrics(ctx, cfg.WorkerMetricsAddr, svc.reg, func(ctx context.Context) error {
		return worker.Run(ctx, tc, deps)
	})
}

func runMigrate(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	if err := db.EnsureDatabase(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	dbs, err := openDatabases(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer dbs.Close()
	n, err := migrateAll(ctx, cfg, dbs)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "platformdatabase en %d licentiedatabases bijgewerkt\n", n)
	return nil
}

// dossierTimers are the configured legal terms of a dossier.
func dossierTimers(cfg config.Config) workflows.DossierTimers {
	return workflows.DossierTimers{OPPWithin: cfg.DossierOPPWithin, OPPReminder: cfg.DossierOPPReminder,
		EvaluationEvery: cfg.DossierEvaluationEvery, EvaluationReminder: cfg.DossierEvaluationReminder}
}

// mailConfig is the SMTP server the worker sends mail through.
func mailConfig(cfg config.Config) config.MailConfig {
	return config.MailConfig{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword,
		SiteURL: cfg.SiteURL}
}

// importSigning loads the SWVs' signing certificates from SIGNING_DIR
// into the platform database (sealed). An SWV whose files cannot be used
// is logged with the reason and keeps what it had; its signer sees on the
// request page why signing is refused.
func importSigning(ctx context.Context, cfg config.Config, pool *pgxpool.Pool, logger *slog.Logger) error {
	if cfg.SigningDir == "" {
		return nil
	}
	files, err := store.ImportSigningIdentities(ctx, platform.New(pool), secretKeys(cfg), cfg.SigningDir, time.Now())
	if err != nil {
		return fmt.Errorf("signing certificates: %w", err)
	}
	for _, f := range files {
		if f.Err != nil {
			logger.ErrorContext(ctx, "signing certificate not loaded", "swv", f.Code, "file", f.Path, "err", f.Err)
			continue
		}
		logger.InfoContext(ctx, "signing certificate loaded", "swv", f.Code, "not_after", f.Identity.Certificate.NotAfter)
	}
	return nil
}

// leaver is the retention service as the worker's planned leavings use
// it, and the LAS service as its nightly updates do: the same code as a
// leaving typed on the pupil page, an import confirmed on the LAS page.
func leaver(cfg config.Config, tm *tenants.Manager, tc client.Client, logger *slog.Logger) (worker.Deps, error) {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return worker.Deps{}, err
	}
	retention := service.NewRetention(tm, tc, logger, service.RetentionConfig{Location: loc, Dossier: cfg.RetentionDossier,
		Enrolment: cfg.RetentionEnrolment, AVGRespondWithin: cfg.AVGRespondWithin})
	li, err := lasService(cfg, tm, tc, logger, loc, retention)
	if err != nil {
		return worker.Deps{}, err
	}
	return worker.Deps{Tenants: tm, Mail: mailConfig(cfg), SecretKey: secretKeys(cfg), Leaver: retention, LAS: li,
		Transfers: transferService(cfg, tm, tc, logger, loc)}, nil
}

// lasOf is the LAS import as the command line uses it.
func lasOf(cfg config.Config, tm *tenants.Manager, tc client.Client, logger *slog.Logger) (*service.LAS, error) {
	deps, err := leaver(cfg, tm, tc, logger)
	if err != nil {
		return nil, err
	}
	return deps.LAS.(*service.LAS), nil
}

// transferService is the transfers' part the worker needs: starting the
// processes of a transferred pupil at the receiving school.
func transferService(cfg config.Config, tm *tenants.Manager, tc client.Client, logger *slog.Logger, loc *time.Location) *service.Transfers {
	dossiers := service.NewDossiers(tm, tc, logger, service.Config{Location: loc, DossierTimers: dossierTimers(cfg),
		ConsentDefaults: service.ConsentRules{Timers: workflows.ConsentTimers{RemindAfter: cfg.ConsentRemindAfter,
			Deadline: cfg.ConsentDeadline, SchoolReminderEvery: cfg.ConsentSchoolReminderEvery}, Ages: law.Ages(), Policy: cfg.ConsentPolicy}})
	pupils := service.NewPupils(tm, tc, dossiers, service.PupilsConfig{Location: loc, EnrolmentCheckWithin: cfg.EnrolmentCheckWithin})
	return service.NewTransfers(tm, tc, logger, dossiers, pupils, service.TransfersConfig{Location: loc, SiteURL: cfg.SiteURL,
		ConsentWithin: cfg.TransferConsentWithin})
}

// lasService is the LAS import as the worker and the command line use it.
func lasService(cfg config.Config, tm *tenants.Manager, tc client.Client, logger *slog.Logger, loc *time.Location,
	retention *service.Retention) (*service.LAS, error) {
	dossiers := service.NewDossiers(tm, tc, logger, service.Config{Location: loc, DossierTimers: dossierTimers(cfg),
		ConsentDefaults: service.ConsentRules{Timers: workflows.ConsentTimers{RemindAfter: cfg.ConsentRemindAfter,
			Deadline: cfg.ConsentDeadline, SchoolReminderEvery: cfg.ConsentSchoolReminderEvery}, Ages: law.Ages(), Policy: cfg.ConsentPolicy}})
	pupils := service.NewPupils(tm, tc, dossiers, service.PupilsConfig{Location: loc, EnrolmentCheckWithin: cfg.EnrolmentCheckWithin})
	return service.NewLAS(tm, tc, logger, pupils, dossiers, retention, secretKeys(cfg), service.LASConfig{Location: loc, DropDir: cfg.LASDropDir,
		SiteURL: cfg.SiteURL})
}

// secretKeys are the keys that seal secrets at rest: PAYLOAD_KEY seals,
// it and PAYLOAD_KEYS_OLD open (a rotation; `topdossier keys reseal`
// moves what the old keys sealed to the new one).
func secretKeys(cfg config.Config) auth.Keys {
	return append(auth.Keys{cfg.PayloadKey}, cfg.PayloadKeysOld...)
}

// openForCommand loads the configuration and opens the databases for one
// of the operator's commands; the caller closes the databases.
func openForCommand(ctx context.Context, getenv func(string) string, stderr io.Writer) (config.Config, *slog.Logger, *databases, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return cfg, nil, nil, err
	}
	logger := newLogger(cfg, stderr)
	dbs, err := openDatabases(ctx, cfg, logger)
	return cfg, logger, dbs, err
}
