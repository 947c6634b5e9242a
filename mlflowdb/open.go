// Package mlflowdb reads the runs of MLflow's backend database (its SQLAlchemy store, on
// SQLite or PostgreSQL) straight from its tables — runs, params, tags, latest_metrics —
// read-only, for mlexp's run index: the same runs as MLflow's runs/search, about twenty
// times faster (docs/mlflow-database.md). It never writes: a SQLite store is opened with
// mode=ro and query_only, a PostgreSQL session is read-only (default_transaction_read_only).
package mlflowdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/readonlydb"
	"github.com/mlexp-dev/mlexp/internal/sqlbind"
)

// Revisions are the alembic revisions of MLflow's schema that mlexp reads: those of the
// MLflow versions CI tests (scripts/mlflow-requirements.txt: MLflow 3.17.2). A database at
// another revision is not read.
var Revisions = []string{"dc11669786a5"}

// tables are the tables read, each checked at Open for the rights to read it.
var tables = []string{"runs", "params", "tags", "latest_metrics"}

// Store is MLflow's backend database, opened read-only.
type Store struct {
	db   *sql.DB
	pg   bool
	name string // the database, for messages: a file path, or a URL without its password
}

// Open opens MLflow's database at dsn (a SQLite file path, or a postgres:// URL), read-only,
// and checks that it is at a revision mlexp reads and that every table read can be read. Its
// errors never hold a password.
func Open(ctx context.Context, dsn string) (*Store, error) {
	s := &Store{name: dsn}
	var err error
	if s.pg = readonlydb.IsPostgres(dsn); s.pg {
		s.name = readonlydb.Redact(dsn)
	}
	if s.db, err = readonlydb.Open(dsn); err != nil {
		return nil, fail("it cannot be opened", err, "opening MLflow's database %s: %v", s.name, err)
	}
	s.db.SetMaxOpenConns(4)
	s.db.SetMaxIdleConns(4) // a load reads three tables at once: keep their connections (and caches)
	if err := s.check(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Name is the database, for messages: a file path, or a URL without its password.
func (s *Store) Name() string { return s.name }

// Kind is "SQLite" or "PostgreSQL".
func (s *Store) Kind() string {
	if s.pg {
		return "PostgreSQL"
	}
	return "SQLite"
}

// check reads the schema revision and one row of every table read.
func (s *Store) check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var rev string
	err := s.db.QueryRowContext(ctx, `SELECT version_num FROM alembic_version`).Scan(&rev)
	if errors.Is(err, sql.ErrNoRows) {
		return fail("not an MLflow database", err, "%s is not an MLflow database: its alembic_version table is empty", s.name)
	}
	if err != nil {
		return fail("its schema revision (alembic_version) cannot be read", err, "%s cannot be read as MLflow's database (no alembic_version table, or no right to read it): %v", s.name, err)
	}
	if !slices.Contains(Revisions, rev) {
		return fail(fmt.Sprintf("schema revision %s is not one mlexp reads (%s)", rev, strings.Join(Revisions, ", ")), nil,
			"MLflow's database %s is at schema revision %s, and mlexp reads revision %s (MLflow 3.17.2)",
			s.name, rev, strings.Join(Revisions, ", "))
	}
	for _, t := range tables {
		rows, err := s.db.QueryContext(ctx, `SELECT * FROM `+t+` LIMIT 1`)
		if err != nil {
			return fail("no right to read table "+t, err, "MLflow's database %s: table %s cannot be read (GRANT SELECT ON %s to mlexp's role): %v", s.name, t, t, err)
		}
		rows.Close()
	}
	return nil
}

// query runs a SELECT written with ? placeholders.
func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s.pg {
		q = sqlbind.Postgres(q)
	}
	return s.db.QueryContext(ctx, q, args...)
}

// fail is an error of Open: reason, in its details, says why in words that hold no secret,
// host or URL (for /readyz); the message names the database, without its password.
func fail(reason string, cause error, format string, args ...any) error {
	e := mlexp.Unavailable(mlexp.DependencyMLflow, cause, format, args...)
	e.Details = map[string]any{"reason": reason}
	return e
}

// Reason is why Open failed, in words that hold no secret, host or URL.
func Reason(err error) string {
	var e *mlexp.Error
	if errors.As(err, &e) {
		if r, ok := e.Details["reason"].(string); ok {
			return r
		}
	}
	return "it cannot be read"
}
