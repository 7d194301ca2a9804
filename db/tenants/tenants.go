// Package tenants hands out a small connection pool per licence database and
// creates, migrates and drops those databases. The platform database's
// licence table is the shard map: it names the server and database of every
// licence, so licences can spread over several PostgreSQL servers.
package tenants

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/fault"
)

// Config tunes the pools. Servers maps a server name (as stored in
// licence.db_server) to an administrative DSN on that server; the DSN's
// database is used for CREATE and DROP DATABASE, a licence's own name
// replaces it for the licence pool.
type Config struct {
	Servers       map[string]string
	DefaultServer string
	// MaxConnsPerPool bounds one licence pool (default 4).
	MaxConnsPerPool int32
	// MaxOpenPools bounds how many licence pools stay open at once; past it
	// the least recently used idle pool is closed (default 32).
	MaxOpenPools int
	// PoolIdleTimeout closes a pool nobody used for this long (default 5m).
	PoolIdleTimeout time.Duration
	// ConnIdleTimeout closes a connection idle for this long (default 1m).
	ConnIdleTimeout time.Duration
	// AppRole is the database user of the licence pools; migrations run as
	// the server's administrative user, who owns the tables. Empty: the
	// pools use the administrative user too (no separation).
	AppRole string
	// AppPassword is AppRole's password, where the server asks for one.
	AppPassword string
}

func (c *Config) defaults() {
	if c.DefaultServer == "" {
		c.DefaultServer = "main"
	}
	if c.MaxConnsPerPool <= 0 {
		c.MaxConnsPerPool = 4
	}
	if c.MaxOpenPools <= 0 {
		c.MaxOpenPools = 32
	}
	if c.PoolIdleTimeout <= 0 {
		c.PoolIdleTimeout = 5 * time.Minute
	}
	if c.ConnIdleTimeout <= 0 {
		c.ConnIdleTimeout = time.Minute
	}
}

// Licence is what the manager needs to know of a licence to reach it.
type Licence struct {
	ID       uuid.UUID
	Kind     platform.LicenceKind
	DBServer string
	DBName   string
}

// Schema is the schema a licence's database carries.
func (l Licence) Schema() db.Schema {
	if l.Kind == platform.LicenceKindSwv {
		return db.SchemaSWV
	}
	return db.SchemaSchool
}

// Manager owns the licence pools.
type Manager struct {
	platform *pgxpool.Pool
	cfg      Config
	logger   *slog.Logger

	mu    sync.Mutex
	pools map[uuid.UUID]*entry

	closing sync.WaitGroup // pools being closed in the background
	stop    chan struct{}
	done    chan struct{}
}

type entry struct {
	licence  Licence
	pool     *pgxpool.Pool
	users    int
	lastUsed time.Time
}

// New returns a manager reading the directory from the platform pool. Close
// it to close every licence pool.
func New(platformPool *pgxpool.Pool, cfg Config, logger *slog.Logger) (*Manager, error) {
	cfg.defaults()
	if _, ok := cfg.Servers[cfg.DefaultServer]; !ok {
		return nil, fmt.Errorf("tenants: default server %q has no DSN", cfg.DefaultServer)
	}
	m := &Manager{
		platform: platformPool,
		cfg:      cfg,
		logger:   logger,
		pools:    map[uuid.UUID]*entry{},
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	go m.janitor()
	return m, nil
}

// Platform returns the platform database pool.
func (m *Manager) Platform() *pgxpool.Pool { return m.platform }

// With runs fn with the pool of the licence's database. The pool stays open
// at least until fn returns. An unknown or unfinished licence gives
// fault.ErrNotFound.
func (m *Manager) With(ctx context.Context, licenceID uuid.UUID, fn func(*pgxpool.Pool) error) error {
	e, err := m.acquire(ctx, licenceID)
	if err != nil {
		return err
	}
	defer m.release(e)
	return fn(e.pool)
}

// Licence returns the directory entry of an active licence, or of one
// being removed (closing): nobody reaches that one (memberships, pupil
// links and API tokens of a closing licence give no access), but its
// workflows keep their database until the removal purges it, so a restore
// finds everything as it was.
func (m *Manager) Licence(ctx context.Context, licenceID uuid.UUID) (Licence, error) {
	m.mu.Lock()
	if e, ok := m.pools[licenceID]; ok {
		m.mu.Unlock()
		return e.licence, nil
	}
	m.mu.Unlock()
	return m.lookup(ctx, licenceID)
}

func (m *Manager) lookup(ctx context.Context, licenceID uuid.UUID) (Licence, error) {
	row, err := platform.New(m.platform).GetLicence(ctx, licenceID)
	if err != nil {
		return Licence{}, fmt.Errorf("look up licence %s: %w", licenceID, db.Classify(err))
	}
	if row.Status != platform.LicenceStatusActive && row.Status != platform.LicenceStatusClosing {
		return Licence{}, fmt.Errorf("licence %s is %s: %w", licenceID, row.Status, fault.ErrNotFound)
	}
	return Licence{ID: row.ID, Kind: row.Kind, DBServer: row.DbServer, DBName: row.DbName}, nil
}

func (m *Manager) acquire(ctx context.Context, licenceID uuid.UUID) (*entry, error) {
	m.mu.Lock()
	if e, ok := m.pools[licenceID]; ok {
		e.users++
		e.lastUsed = time.Now()
		m.mu.Unlock()
		return e, nil
	}
	m.mu.Unlock()

	lic, err := m.lookup(ctx, licenceID)
	if err != nil {
		return nil, err
	}
	pool, err := m.openPool(lic)
	if err != nil {
		return nil, err
	}

	m.mu.Lock()
	if e, ok := m.pools[licenceID]; ok { // another caller opened it meanwhile
		e.users++
		e.lastUsed = time.Now()
		m.mu.Unlock()
		pool.Close()
		return e, nil
	}
	evicted := m.evictLocked(m.cfg.MaxOpenPools - 1)
	e := &entry{licence: lic, pool: pool, users: 1, lastUsed: time.Now()}
	m.pools[licenceID] = e
	open := len(m.pools)
	m.mu.Unlock()
	if len(evicted) > 0 {
		m.logger.Debug("licence pools evicted", "evicted", len(evicted), "open", open)
	}
	m.closeLater(evicted)
	return e, nil
}

func (m *Manager) release(e *entry) {
	m.mu.Lock()
	e.users--
	e.lastUsed = time.Now()
	m.mu.Unlock()
}

// evictLocked removes least recently used idle pools until at most keep
// remain, and returns them for closing outside the lock.
func (m *Manager) evictLocked(keep int) []*pgxpool.Pool {
	if len(m.pools) <= keep {
		return nil
	}
	idle := make([]*entry, 0, len(m.pools))
	for _, e := range m.pools {
		if e.users == 0 {
			idle = append(idle, e)
		}
	}
	sort.Slice(idle, func(i, j int) bool { return idle[i].lastUsed.Before(idle[j].lastUsed) })
	var out []*pgxpool.Pool
	for _, e := range idle {
		if len(m.pools) <= keep {
			break
		}
		delete(m.pools, e.licence.ID)
		out = append(out, e.pool)
	}
	return out
}

// closeLater closes evicted pools off the caller's path: closing waits for
// each connection's goodbye to the server, which a request need not wait for.
func (m *Manager) closeLater(pools []*pgxpool.Pool) {
	if len(pools) == 0 {
		return
	}
	m.closing.Add(1)
	go func() {
		defer m.closing.Done()
		closeAll(pools)
	}()
}

func closeAll(pools []*pgxpool.Pool) {
	for _, p := range pools {
		p.Close()
	}
}

func (m *Manager) openPool(lic Licence) (*pgxpool.Pool, error) {
	cfg, err := m.poolConfig(lic.DBServer, lic.DBName)
	if err != nil {
		return nil, err
	}
	if m.cfg.AppRole != "" {
		cfg.ConnConfig.User = m.cfg.AppRole
		cfg.ConnConfig.Password = m.cfg.AppPassword
	}
	cfg.MaxConns = m.cfg.MaxConnsPerPool
	cfg.MinConns = 0
	cfg.MaxConnIdleTime = m.cfg.ConnIdleTimeout
	cfg.HealthCheckPeriod = m.cfg.ConnIdleTimeout / 2
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("open pool for licence %s: %w", lic.ID, err)
	}
	return pool, nil
}

func (m *Manager) poolConfig(server, dbName string) (*pgxpool.Config, error) {
	dsn, ok := m.cfg.Servers[server]
	if !ok {
		return nil, fmt.Errorf("database server %q is not configured", server)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse DSN of server %q: %w", server, err)
	}
	if dbName != "" {
		cfg.ConnConfig.Database = dbName
	}
	return cfg, nil
}

// OpenPools reports how many licence pools are open now.
func (m *Manager) OpenPools() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.pools)
}

// Ping checks that every configured database server answers.
func (m *Manager) Ping(ctx context.Context) error {
	if err := m.platform.Ping(ctx); err != nil {
		return fmt.Errorf("platform database: %w", err)
	}
	for name := range m.cfg.Servers {
		if err := m.adminExec(ctx, name, "SELECT 1"); err != nil {
			return fmt.Errorf("database server %q: %w", name, err)
		}
	}
	return nil
}

func (m *Manager) janitor() {
	defer close(m.done)
	tick := time.NewTicker(m.cfg.PoolIdleTimeout / 4)
	defer tick.Stop()
	for {
		select {
		case <-m.stop:
			return
		case now := <-tick.C:
			m.mu.Lock()
			var idle []*pgxpool.Pool
			for id, e := range m.pools {
				if e.users == 0 && now.Sub(e.lastUsed) > m.cfg.PoolIdleTimeout {
					delete(m.pools, id)
					idle = append(idle, e.pool)
				}
			}
			m.mu.Unlock()
			closeAll(idle)
		}
	}
}

// Close closes every licence pool; the platform pool stays the caller's.
func (m *Manager) Close() {
	close(m.stop)
	<-m.done
	m.mu.Lock()
	pools := m.evictLocked(0)
	m.mu.Unlock()
	closeAll(pools)
	m.closing.Wait()
}

// Forget closes the pool of one licence, waiting for its users; the next
// use opens a fresh one. After a licence's database was restored from a
// backup the old connections are gone (README Beheer).
func (m *Manager) Forget(licenceID uuid.UUID) { m.forget(licenceID) }

// forget closes the pool of one licence, waiting for its users.
func (m *Manager) forget(licenceID uuid.UUID) {
	m.mu.Lock()
	e, ok := m.pools[licenceID]
	delete(m.pools, licenceID)
	m.mu.Unlock()
	if ok {
		e.pool.Close()
	}
}

// adminExec runs one statement on a server's administrative database. It
// uses a single connection: CREATE and DROP DATABASE cannot run inside a
// transaction.
func (m *Manager) adminExec(ctx context.Context, server, sql string) error {
	cfg, err := m.poolConfig(server, "")
	if err != nil {
		return err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, sql)
	return err
}
