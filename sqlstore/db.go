// Package sqlstore keeps mlexp's own state — the ingest outbox, saved comparisons and the
// deployment history with its promotion locks — in SQLite (pure Go, the default) or
// PostgreSQL, with embedded, ordered migrations. The differences between the two stay in
// this package.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp/internal/sqlbind"

	_ "github.com/jackc/pgx/v5/stdlib" // the PostgreSQL driver, registered as "pgx"
	_ "modernc.org/sqlite"             // the pure-Go SQLite driver, registered as "sqlite"

	"github.com/mlexp-dev/mlexp"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is mlexp's store.
type DB struct {
	db      *sql.DB
	dialect string // "sqlite" or "postgres"
}

// Open opens the store at dsn: a SQLite file path (created with its directory if needed) or
// a postgres:// URL, and applies pending migrations.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn)
	}
	if dsn == "" {
		return nil, mlexp.InvalidField("db", "is empty: give a SQLite file path")
	}
	if dir := filepath.Dir(dsn); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("sqlstore: creating %s: %w", dir, err)
		}
	}
	// WAL lets readers work during a write; busy_timeout makes writers wait instead of failing;
	// immediate transactions take the write lock up front, so two writers never deadlock.
	sqlDB, err := sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	s := &DB{db: sqlDB, dialect: "sqlite"}
	// A brand-new file opened by several processes at once can be busy while one of them
	// switches it to WAL, which SQLite's busy timeout does not cover: try again a little.
	for try := 0; ; try++ {
		err = s.Migrate(ctx)
		if err == nil || try == 50 || !strings.Contains(err.Error(), "SQLITE_BUSY") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		sqlDB.Close()
		return nil, err
	}
	return s, nil
}

// Dialect is "sqlite" or "postgres".
func (s *DB) Dialect() string { return s.dialect }

// Close closes the store.
func (s *DB) Close() error { return s.db.Close() }

// Ping checks that the store answers (for readiness).
func (s *DB) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	sqlDB, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(20)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	s := &DB{db: sqlDB, dialect: "postgres"}
	if err := s.Migrate(ctx); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return s, nil
}

// migrationLock is the PostgreSQL advisory lock that serialises migrations of several
// mlexp processes starting at once.
const migrationLock = 7_318_392_001

// Migrate applies, in order and each in its own transaction, the embedded migrations not yet
// applied. On PostgreSQL an advisory lock keeps concurrent processes from racing.
func (s *DB) Migrate(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlstore: connecting: %w", err)
	}
	defer conn.Close()
	if s.dialect == "postgres" {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
			return fmt.Errorf("sqlstore: migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock) //nolint:errcheck
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("sqlstore: migrations table: %w", err)
	}
	entries, err := migrations.ReadDir("migrations")
	if err != nil {
		return err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		version, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("sqlstore: migration %s does not start with a number", e.Name())
		}
		if err := s.apply(ctx, conn, version, e.Name()); err != nil {
			return err
		}
	}
	return nil
}

func (s *DB) apply(ctx context.Context, conn *sql.Conn, version int, name string) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, s.rebind(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	body, err := migrations.ReadFile("migrations/" + name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("sqlstore: migration %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`), version, time.Now().UnixMilli()); err != nil {
		return err
	}
	return tx.Commit()
}

// rebind turns ? placeholders into PostgreSQL's $1, $2, ... when needed.
func (s *DB) rebind(q string) string {
	if s.dialect != "postgres" {
		return q
	}
	return sqlbind.Postgres(q)
}

// SchemaVersion is the number of the newest migration applied.
func (s *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}
