// Package sqlstore keeps mlexp's own state — the ingest outbox, and later saved comparisons —
// in SQLite (pure Go, the default) or PostgreSQL, with embedded, ordered migrations.
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

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"

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
		return nil, &mlexp.Error{Code: mlexp.EINVALID, Field: "db", Message: "db: PostgreSQL is not supported yet; use a SQLite file path"}
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
	if err := s.Migrate(ctx); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the store.
func (s *DB) Close() error { return s.db.Close() }

// Ping checks that the store answers (for readiness).
func (s *DB) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Migrate applies, in order and each in its own transaction, the embedded migrations not yet
// applied.
func (s *DB) Migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
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
		if err := s.apply(ctx, version, e.Name()); err != nil {
			return err
		}
	}
	return nil
}

func (s *DB) apply(ctx context.Context, version int, name string) error {
	tx, err := s.db.BeginTx(ctx, nil)
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
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
