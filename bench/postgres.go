package main

import (
	"fmt"
	"os"

	"github.com/mlexp-dev/mlexp/internal/mlflowtest"
	"github.com/mlexp-dev/mlexp/internal/pgtest"
)

// onPostgreSQL repeats the cold loads against MLflow the way production runs it: a
// PostgreSQL backend store (a throw-away cluster of pgtest) and served artifacts. The
// SQLite-backed server is stopped first, so that the two never share the machine. With
// -index, the run index is measured there too, kept in another database of the same
// PostgreSQL; then the loads from MLflow's database at each -mlflow-db-pg-n (only those with
// -mlflow-db-only).
func (b *bench) onPostgreSQL(ns []int) error {
	_ = b.srv.Stop()
	pg, err := pgtest.Start()
	if err != nil {
		return err
	}
	defer pg.Stop()
	dbURL, drop, err := pg.CreateDatabase()
	if err != nil {
		return err
	}
	defer drop()
	dir, err := os.MkdirTemp("", "mlexp-bench-pg-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	logf("starting MLflow (PostgreSQL backend) in %s", dir)
	// scripts/mlflow.sh takes the backend store from the server's environment.
	if err := os.Setenv("MLEXP_MLFLOW_BACKEND_URI", mlflowtest.SQLAlchemyURL(dbURL)); err != nil {
		return err
	}
	srv, err := mlflowtest.Start(dir, 0)
	_ = os.Unsetenv("MLEXP_MLFLOW_BACKEND_URI")
	if err != nil {
		return err
	}
	defer func() { _ = srv.Stop() }() // before the database is dropped
	sqlite := b.srv
	b.srv, b.backend, b.pg, b.storeDSN = srv, "PostgreSQL", pg, dbURL
	defer func() { b.srv, b.backend, b.pg, b.storeDSN = sqlite, "SQLite", nil, "" }()
	if b.cfg.dbOnly {
		return b.measureDB(b.cfg.pgDBNs)
	}
	for _, n := range ns {
		if err := b.coldLoad(n); err != nil {
			return fmt.Errorf("cold load of %d runs: %w", n, err)
		}
	}
	for _, n := range ns {
		if !b.cfg.index {
			break
		}
		if err := b.indexBench(n); err != nil { // the index in the same PostgreSQL, as replicas share it
			return fmt.Errorf("run index of %d runs: %w", n, err)
		}
	}
	return b.measureDB(b.cfg.pgDBNs)
}
