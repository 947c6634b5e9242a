// Package mlmd reads an ML Metadata store (the ml-metadata library's SQL schema, version 10)
// on SQLite or PostgreSQL, read-only: it finds the run of an MLflow run in it and returns the
// lineage of the run's model. There is no Go client of MLMD, so it reads the store's
// documented tables (Type, Artifact, ArtifactProperty, Execution, ExecutionProperty, Event,
// MLMDEnv) with SELECTs only.
package mlmd

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp/internal/readonlydb"
	"github.com/mlexp-dev/mlexp/internal/sqlbind"

	"github.com/mlexp-dev/mlexp"
)

// SchemaVersion is the MLMDEnv.schema_version this package reads: the schema of
// ml-metadata 1.14 to 1.17.
const SchemaVersion = 10

// Store is an ML Metadata store opened read-only.
type Store struct {
	db       *sql.DB
	pg       bool
	name     string // the store, for messages (a file path, or a URL without its password)
	maxNodes int    // MaxNodes; tests lower it
}

// Open opens the store at dsn (a SQLite file path, or a postgres:// URL) and checks its
// schema version. A store of another version is refused with an EUNAVAILABLE error that
// says which version it has, so that lineage turns off and nothing else does.
func Open(ctx context.Context, dsn string) (*Store, error) {
	s := &Store{name: dsn, maxNodes: MaxNodes}
	var err error
	if s.pg = readonlydb.IsPostgres(dsn); s.pg {
		s.name = readonlydb.Redact(dsn)
	}
	if s.db, err = readonlydb.Open(dsn); err != nil {
		return nil, mlexp.Unavailable(mlexp.DependencyMLMD, err, "the ML Metadata store %s cannot be read: %v; check --mlmd-db (MLEXP_MLMD_DB)", s.name, err)
	}
	s.db.SetMaxOpenConns(4)
	if err := s.checkSchema(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) checkSchema(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var v int64
	err := s.db.QueryRowContext(ctx, `SELECT schema_version FROM MLMDEnv`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return mlexp.Unavailable(mlexp.DependencyMLMD, err, "%s is not an ML Metadata store: its MLMDEnv table is empty; lineage is off", s.name)
	}
	if err != nil {
		return mlexp.Unavailable(mlexp.DependencyMLMD, err, "%s cannot be read as an ML Metadata store (no MLMDEnv table?): %v; lineage is off", s.name, err)
	}
	if v != SchemaVersion {
		return mlexp.Unavailable(mlexp.DependencyMLMD, nil,
			"the ML Metadata store %s has schema version %d, and mlexp reads version %d (ml-metadata 1.14 to 1.17); lineage is off until the store is migrated to version %d or mlexp reads version %d",
			s.name, v, SchemaVersion, SchemaVersion, v)
	}
	return nil
}

// query runs a SELECT written with ? placeholders (rewritten to $N for PostgreSQL).
func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return nil, s.readErr(err)
	}
	return rows, nil
}

func (s *Store) rebind(q string) string {
	if !s.pg {
		return q
	}
	return sqlbind.Postgres(q)
}

// ids reads one column of int64 ids.
func (s *Store) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, s.readErr(err)
		}
		out = append(out, id)
	}
	return out, s.readErr(rows.Err())
}

// in returns "(?,?,…)" for n values and the values as arguments.
func in(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return "(" + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + ")", args
}

// Off is the lineage of a store that cannot be read (Open failed): every answer is Err, so
// that lineage says why it is off and everything else works.
type Off struct{ Err error }

// Lineage answers o.Err.
func (o Off) Lineage(context.Context, mlexp.LineageRef) (*mlexp.Lineage, error) { return nil, o.Err }

// Unavailable is why lineage is off, so that a caller can answer it without reading MLflow.
func (o Off) Unavailable() error { return o.Err }
