// Package config reads TOP dossier's configuration from the environment,
// once, into a typed struct.
package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/topdossier/topdossier/law"
)

// Config is the whole configuration. Every field comes from one
// environment variable; the table in README.md lists the same.
//
//	DATABASE_URL               platform database            postgres://postgres@127.0.0.1:5432/topdossier
//	LICENCE_DB_SERVERS         extra licence DB servers     "" (name=DSN;name=DSN; "main" is DATABASE_URL's server)
//	LICENCE_DB_DEFAULT_SERVER  server for new licences      main
//	LICENCE_DB_APP_ROLE        DB user of the licence pools topdossier_app ("-": the admin user)
//	LICENCE_DB_APP_PASSWORD    its password                 ""
//	TENANT_MAX_CONNS_PER_POOL  connections per licence pool 4
//	TENANT_MAX_OPEN_POOLS      licence pools open at once   32
//	TENANT_POOL_IDLE           close a pool unused this long 5m
//	TENANT_CONN_IDLE           close a connection idle this long 1m
//	TEMPORAL_ADDRESS           Temporal frontend            127.0.0.1:7233
//	TEMPORAL_NAMESPACE         Temporal namespace           default
//	PAYLOAD_KEY                base64 AES-256 key for workflow payloads (required; dev generates one)
//	PAYLOAD_KEYS_OLD           older keys, comma separated, to decrypt only  ""
//	HTTP_ADDR                  server listen address        127.0.0.1:8080
//	WEBAUTHN_RP_ID             host name for passkeys       "" (off; dev: localhost)
//	WEBAUTHN_ORIGINS           origins for passkeys, comma separated  "" (dev: http://localhost:<port>)
//	OIDC_ISSUER                Entree/OIDC issuer URL       "" (off)
//	OIDC_CLIENT_ID             OIDC client id               ""
//	OIDC_CLIENT_SECRET         OIDC client secret           ""
//	OIDC_REDIRECT_URL          this server's /inloggen/entree/terug ""
//	METRICS_ADDR               server: /metrics address, never the public one  127.0.0.1:9463
//	WORKER_METRICS_ADDR        worker: /metrics address     127.0.0.1:9464
//	WORKER_WORKFLOW_CACHE      workflows a worker keeps in memory (sticky cache; fewer: less memory, more replays)  10000
//	WORKER_EXPIRY_CONCURRENCY  retention deletions a worker runs at once (more: a faster night, slower pages meanwhile)  2
//	MAX_BODY_BYTES             largest request body         1048576
//	ENROLMENT_CHECK_WITHIN     time to check an enrolment   336h (14 days)
//	DOSSIER_OPP_WITHIN         OPP established within       1008h (6 weeks after opening for extra support)
//	DOSSIER_OPP_REMINDER       reminder about the OPP after 672h (4 weeks)
//	DOSSIER_EVALUATION_EVERY   evaluate with parents every  8760h (a year)
//	DOSSIER_EVALUATION_REMINDER  reminder before evaluation 672h (4 weeks)
//	CONSENT_REMIND_AFTER       remind parties after         168h (7 days)
//	CONSENT_DEADLINE           answer within                336h (14 days), then on the school's list
//	CONSENT_SCHOOL_REMINDER_EVERY  remind the school every  168h, after the deadline
//	CONSENT_POLICY             any (one guardian's consent counts unless another refuses) or all   any
//	REQUEST_INCOMPLETE_WITHIN  school completes a returned request within  672h (4 weeks)
//	REQUEST_INCOMPLETE_REMINDER  reminder to the school after 336h (2 weeks)
//	REQUEST_OBJECTION_WINDOW   bezwaar within               1008h (6 weeks, Awb 6:7)
//	REQUEST_OBJECTION_ADVICE   ask the advice committee within 336h (2 weeks)
//	REQUEST_REAPPLY_LEAD       TLV re-application reminder before the end  2568h (107 days: 15 April for 31 July)
//	REQUEST_STALE_AFTER        a request nobody acted on closes after       8760h (a year)
//	REQUEST_VIEW_WITHIN        parents' term for a view on a request       336h (two weeks)
//	REQUEST_OBJECTION_DECIDE   decide on an objection within (Awb 7:10)    1008h (six weeks; twelve for a TLV)
//	REQUEST_QUORUM             votes that decide, the chair's among them   2
//	RETENTION_DOSSIER          dossier kept after leaving   17520h (2 years)
//	RETENTION_ENROLMENT        pupil record kept after leaving  43800h (5 years)
//	AVG_RESPOND_WITHIN         the school answers an AVG request within  672h (4 weeks)
//	RETENTION_TLV              SWV: a request kept after its TLV ends (or it closes)  26280h (3 years)
//	SMTP_ADDR                  mail server host:port        "" (off: mails stay in the outbox)
//	SMTP_FROM                  sender address               noreply@topdossier.invalid
//	SMTP_USERNAME              SMTP login (needs TLS)       ""
//	SMTP_PASSWORD              its password                 ""
//	SITE_URL                   public address, for links in mails a workflow writes  http://<HTTP_ADDR>
//	LOG_LEVEL                  debug, info, warn, error     info
//	DATA_DIR                   dev: local state folder      .data
//	SIGNING_DIR                the SWVs' signing certificates, one per SWV code: CODE.p12 + CODE.pass, or CODE.pem + CODE.key  ""
//	TEMPORAL_BIN               dev: Temporal CLI binary     bin/temporal
//	TEMPORAL_UI_PORT           dev: Temporal UI port        8233
type Config struct {
	DatabaseURL             string
	LicenceDBServers        map[string]string
	LicenceDefaultServer    string
	LicenceAppRole          string
	LicenceAppPassword      string
	TenantMaxConns          int32
	TenantMaxOpenPools      int
	TenantPoolIdle          time.Duration
	TenantConnIdle          time.Duration
	TemporalAddress         string
	TemporalNamespace       string
	PayloadKey              []byte
	PayloadKeysOld          [][]byte
	HTTPAddr                string
	WebAuthnRPID            string
	WebAuthnOrigins         []string
	OIDCIssuer              string
	OIDCClientID            string
	OIDCClientSecret        string
	OIDCRedirectURL         string
	MetricsAddr             string
	WorkerMetricsAddr       string
	WorkerWorkflowCache     int
	WorkerExpiryConcurrency int
	MaxBodyBytes            int64
	EnrolmentCheckWithin    time.Duration
	// Consent terms and policy; see workflows.ConsentTimers. The ages are
	// the law's (law.Ages), not a setting.
	ConsentRemindAfter, ConsentDeadline, ConsentSchoolReminderEvery time.Duration
	ConsentPolicy                                                   string
	// Request terms and the committee's quorum; see workflows.RequestTimers.
	RequestIncompleteWithin, RequestIncompleteReminder, RequestObjectionWindow time.Duration
	RequestObjectionAdvice, RequestReapplyLead, RequestStaleAfter              time.Duration
	RequestViewWithin, RequestObjectionDecide                                  time.Duration
	RequestQuorum                                                              int
	// TransferConsentWithin: the parties' term to agree to a transfer.
	TransferConsentWithin time.Duration
	// LicenceRemovalGrace: how long a removed licence stays closed but
	// restorable before its workflows end and its database is dropped.
	LicenceRemovalGrace time.Duration
	// Retention terms after a pupil left.
	RetentionDossier, RetentionEnrolment time.Duration
	RetentionTLV                         time.Duration
	AVGRespondWithin                     time.Duration
	// Dossier terms; see workflows.DossierTimers.
	DossierOPPWithin, DossierOPPReminder, DossierEvaluationEvery, DossierEvaluationReminder time.Duration
	LogLevel                                                                                string
	DataDir                                                                                 string
	// SigningDir holds the SWVs' signing certificates (see
	// store.ReadIdentityDir); the worker loads them at start.
	SigningDir string
	// LASDropDir holds one folder per school licence (its id) where the
	// school's LAS exports are dropped for the nightly update.
	LASDropDir                                     string
	SMTPAddr, SMTPFrom, SMTPUsername, SMTPPassword string
	SiteURL                                        string
	// DevMailbox shows each school's mail outbox on a page; set by the dev
	// subcommand, never from the environment.
	DevMailbox     bool
	TemporalBin    string
	TemporalUIPort int
}

// Load reads the configuration through getenv. A missing PAYLOAD_KEY is
// not an error here: `dev` generates one, other commands check it.
func Load(getenv func(string) string) (Config, error) {
	get := func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return def
	}
	var errs []error
	intVar := func(key string, def int) int {
		v, err := strconv.Atoi(get(key, strconv.Itoa(def)))
		if err != nil || v <= 0 {
			errs = append(errs, fmt.Errorf("%s: want a positive whole number", key))
		}
		return v
	}
	durVar := func(key string, def time.Duration) time.Duration {
		v, err := time.ParseDuration(get(key, def.String()))
		if err != nil || v <= 0 {
			errs = append(errs, fmt.Errorf("%s: want a positive duration such as 90s or 336h", key))
		}
		return v
	}

	c := Config{
		DatabaseURL:                get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/topdossier"),
		LicenceDefaultServer:       get("LICENCE_DB_DEFAULT_SERVER", "main"),
		LicenceAppRole:             get("LICENCE_DB_APP_ROLE", "topdossier_app"),
		LicenceAppPassword:         getenv("LICENCE_DB_APP_PASSWORD"),
		TenantMaxConns:             int32(intVar("TENANT_MAX_CONNS_PER_POOL", 4)),
		TenantMaxOpenPools:         intVar("TENANT_MAX_OPEN_POOLS", 32),
		TenantPoolIdle:             durVar("TENANT_POOL_IDLE", 5*time.Minute),
		TenantConnIdle:             durVar("TENANT_CONN_IDLE", time.Minute),
		TemporalAddress:            get("TEMPORAL_ADDRESS", "127.0.0.1:7233"),
		TemporalNamespace:          get("TEMPORAL_NAMESPACE", "default"),
		HTTPAddr:                   get("HTTP_ADDR", "127.0.0.1:8080"),
		WebAuthnRPID:               get("WEBAUTHN_RP_ID", ""),
		OIDCIssuer:                 get("OIDC_ISSUER", ""),
		OIDCClientID:               get("OIDC_CLIENT_ID", ""),
		OIDCClientSecret:           getenv("OIDC_CLIENT_SECRET"),
		OIDCRedirectURL:            get("OIDC_REDIRECT_URL", ""),
		MetricsAddr:                get("METRICS_ADDR", "127.0.0.1:9463"),
		WorkerMetricsAddr:          get("WORKER_METRICS_ADDR", "127.0.0.1:9464"),
		WorkerWorkflowCache:        intVar("WORKER_WORKFLOW_CACHE", 10000),
		WorkerExpiryConcurrency:    intVar("WORKER_EXPIRY_CONCURRENCY", 2),
		MaxBodyBytes:               int64(intVar("MAX_BODY_BYTES", 1<<20)),
		EnrolmentCheckWithin:       durVar("ENROLMENT_CHECK_WITHIN", 14*24*time.Hour),
		ConsentRemindAfter:         durVar("CONSENT_REMIND_AFTER", 7*24*time.Hour),
		ConsentDeadline:            durVar("CONSENT_DEADLINE", 14*24*time.Hour),
		ConsentSchoolReminderEvery: durVar("CONSENT_SCHOOL_REMINDER_EVERY", 7*24*time.Hour),
		ConsentPolicy:              get("CONSENT_POLICY", "any"),
		RequestIncompleteWithin:    durVar("REQUEST_INCOMPLETE_WITHIN", 28*24*time.Hour),
		RequestIncompleteReminder:  durVar("REQUEST_INCOMPLETE_REMINDER", 14*24*time.Hour),
		RequestObjectionWindow:     durVar("REQUEST_OBJECTION_WINDOW", law.ObjectionWindow),
		RequestObjectionAdvice:     durVar("REQUEST_OBJECTION_ADVICE", 14*24*time.Hour),
		RequestReapplyLead:         durVar("REQUEST_REAPPLY_LEAD", 107*24*time.Hour),
		RequestStaleAfter:          durVar("REQUEST_STALE_AFTER", law.RequestStaleAfter),
		RequestViewWithin:          durVar("REQUEST_VIEW_WITHIN", law.RequestViewWithin),
		RequestObjectionDecide:     durVar("REQUEST_OBJECTION_DECIDE", law.ObjectionDecideWithin),
		RequestQuorum:              intVar("REQUEST_QUORUM", 2),
		TransferConsentWithin:      durVar("TRANSFER_CONSENT_WITHIN", law.TransferConsentWithin),
		LicenceRemovalGrace:        durVar("LICENCE_REMOVAL_GRACE", 30*24*time.Hour),
		RetentionDossier:           durVar("RETENTION_DOSSIER", law.RetentionDossier),
		RetentionEnrolment:         durVar("RETENTION_ENROLMENT", law.RetentionEnrolment),
		AVGRespondWithin:           durVar("AVG_RESPOND_WITHIN", law.AVGRespondWithin),
		RetentionTLV:               durVar("RETENTION_TLV", law.RetentionTLV),
		DossierOPPWithin:           durVar("DOSSIER_OPP_WITHIN", law.OPPWithin),
		DossierOPPReminder:         durVar("DOSSIER_OPP_REMINDER", 4*7*24*time.Hour),
		DossierEvaluationEvery:     durVar("DOSSIER_EVALUATION_EVERY", law.EvaluationEvery),
		DossierEvaluationReminder:  durVar("DOSSIER_EVALUATION_REMINDER", 4*7*24*time.Hour),
		LogLevel:                   get("LOG_LEVEL", "info"),
		SMTPAddr:                   getenv("SMTP_ADDR"),
		SMTPFrom:                   get("SMTP_FROM", "noreply@topdossier.invalid"),
		SMTPUsername:               getenv("SMTP_USERNAME"),
		SMTPPassword:               getenv("SMTP_PASSWORD"),
		SiteURL:                    strings.TrimRight(getenv("SITE_URL"), "/"),
		DataDir:                    get("DATA_DIR", ".data"),
		SigningDir:                 get("SIGNING_DIR", ""),
		LASDropDir:                 getenv("LAS_DROP_DIR"),
		TemporalUIPort:             intVar("TEMPORAL_UI_PORT", 8233),
	}
	if c.LASDropDir == "" {
		c.LASDropDir = filepath.Join(c.DataDir, "las")
	}
	if c.SiteURL == "" {
		c.SiteURL = "http://" + c.HTTPAddr
	}
	for _, o := range strings.Split(get("WEBAUTHN_ORIGINS", ""), ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.WebAuthnOrigins = append(c.WebAuthnOrigins, o)
		}
	}
	if c.WebAuthnRPID != "" && len(c.WebAuthnOrigins) == 0 {
		errs = append(errs, errors.New("WEBAUTHN_RP_ID is set: WEBAUTHN_ORIGINS is needed too"))
	}
	if c.OIDCIssuer != "" && (c.OIDCClientID == "" || c.OIDCRedirectURL == "") {
		errs = append(errs, errors.New("OIDC_ISSUER is set: OIDC_CLIENT_ID and OIDC_REDIRECT_URL are needed too"))
	}
	if c.LicenceAppRole == "-" {
		c.LicenceAppRole = ""
	}
	c.TemporalBin = get("TEMPORAL_BIN", filepath.Join("bin", "temporal"))

	servers, err := parseServers(c.DatabaseURL, get("LICENCE_DB_SERVERS", ""))
	if err != nil {
		errs = append(errs, err)
	}
	c.LicenceDBServers = servers
	if _, ok := servers[c.LicenceDefaultServer]; !ok {
		errs = append(errs, fmt.Errorf("LICENCE_DB_DEFAULT_SERVER: %q is not a configured server", c.LicenceDefaultServer))
	}
	if v := get("PAYLOAD_KEY", ""); v != "" {
		if c.PayloadKey, err = decodeKey(v); err != nil {
			errs = append(errs, fmt.Errorf("PAYLOAD_KEY: %w", err))
		}
	}
	for _, v := range strings.Split(get("PAYLOAD_KEYS_OLD", ""), ",") {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		k, err := decodeKey(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("PAYLOAD_KEYS_OLD: %w", err))
		}
		c.PayloadKeysOld = append(c.PayloadKeysOld, k)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("LOG_LEVEL: want debug, info, warn or error"))
	}
	if c.ConsentRemindAfter >= c.ConsentDeadline {
		errs = append(errs, fmt.Errorf("CONSENT_REMIND_AFTER: must come before CONSENT_DEADLINE"))
	}
	if c.ConsentPolicy != "any" && c.ConsentPolicy != "all" {
		errs = append(errs, fmt.Errorf("CONSENT_POLICY: want any or all"))
	}
	if c.DossierOPPReminder >= c.DossierOPPWithin {
		errs = append(errs, fmt.Errorf("DOSSIER_OPP_REMINDER: must come before DOSSIER_OPP_WITHIN"))
	}
	if c.DossierEvaluationReminder >= c.DossierEvaluationEvery {
		errs = append(errs, fmt.Errorf("DOSSIER_EVALUATION_REMINDER: must be shorter than DOSSIER_EVALUATION_EVERY"))
	}
	return c, errors.Join(errs...)
}

// PayloadKeys returns the current key first, then the old ones.
func (c Config) PayloadKeys() ([][]byte, error) {
	if len(c.PayloadKey) == 0 {
		return nil, errors.New("PAYLOAD_KEY is not set: generate one with `openssl rand -base64 32`")
	}
	return append([][]byte{c.PayloadKey}, c.PayloadKeysOld...), nil
}

func decodeKey(v string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(k) != 32 {
		return nil, errors.New("want 32 bytes, base64 encoded")
	}
	return k, nil
}

// parseServers builds the licence database servers: "main" on the
// platform's own server, plus name=DSN pairs separated by semicolons.
func parseServers(databaseURL, extra string) (map[string]string, error) {
	u, err := url.Parse(databaseURL)
	if err != nil || u.Scheme == "" {
		return nil, errors.New("DATABASE_URL: want a postgres:// URL")
	}
	main := *u
	main.Path = "/postgres"
	servers := map[string]string{"main": main.String()}
	for _, pair := range strings.Split(extra, ";") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		name, dsn, ok := strings.Cut(pair, "=")
		if !ok || name == "" || dsn == "" {
			return nil, errors.New("LICENCE_DB_SERVERS: want name=DSN;name=DSN")
		}
		servers[strings.TrimSpace(name)] = strings.TrimSpace(dsn)
	}
	return servers, nil
}
