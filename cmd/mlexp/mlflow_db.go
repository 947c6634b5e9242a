package main

import (
	"context"
	"log/slog"

	"github.com/mlexp-dev/mlexp/mlflowdb"
	"github.com/mlexp-dev/mlexp/tracking"
)

// mlflowDBOption is the flag of the read-only path to MLflow's backend database.
func mlflowDBOption() option {
	return option{name: "mlflow-db", arg: "PATH|URL", env: "MLEXP_MLFLOW_DB",
		usage: "MLflow's backend database, read-only, for the run index's loads and syncs: a SQLite file path or a postgres:// URL (default: none, every read goes through MLflow's API; any error falls back to it; see docs/mlflow-database.md)"}
}

// mlflowDBNote is the name of the /readyz note on MLflow's database.
const mlflowDBNote = "mlflow_database"

// useMLflowDB makes the syncer read from MLflow's database at dsn, read-only. It returns the
// note /readyz shows ("" without dsn) and how to close the database. A database that cannot
// be opened, is at a schema revision mlexp does not read or that mlexp may not read is logged
// and noted, and every read goes through MLflow's API: it never stops serve.
func useMLflowDB(ctx context.Context, dsn string, s *tracking.Syncer, log *slog.Logger) (note string, closeDB func()) {
	if dsn == "" {
		return "", func() {}
	}
	db, err := mlflowdb.Open(ctx, dsn)
	if err != nil {
		log.Warn("MLflow's database is not read: runs are read through MLflow's API", "err", err)
		return "off: " + mlflowdb.Reason(err) + "; runs are read through MLflow's API", func() {}
	}
	s.WithDatabase(db)
	log.Info("the run index reads MLflow's database, read-only", "db", db.Name(), "kind", db.Kind())
	return "in use (" + db.Kind() + ")", func() { _ = db.Close() }
}
