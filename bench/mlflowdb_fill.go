package main

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"github.com/mlexp-dev/mlexp/internal/readonlydb"
	"github.com/mlexp-dev/mlexp/internal/sqlbind"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// fillMLflowDB adds n runs (syntheticRun 0…n-1, with ids of their own) to the experiment
// expID straight into MLflow's store at dsn (a SQLite path or a postgres:// URL), the way
// MLflow's SQLAlchemy store keeps them — runs, params, tags, metrics and latest_metrics — in
// one transaction: logging 100,000 runs through MLflow's API would take hours. MLflow created
// the schema at its start.
func fillMLflowDB(ctx context.Context, dsn, expID string, n int) error {
	pg := readonlydb.IsPostgres(dsn)
	db, err := sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)")
	if pg {
		db, err = sql.Open("pgx", dsn)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, a no-op
	stmts := map[string]string{
		"runs": `INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time,
			source_version, lifecycle_stage, artifact_uri, experiment_id) VALUES (?, ?, 'LOCAL', '', '', 'bench', ?, ?, ?, '', 'active', ?, ?)`,
		"params":         `INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)`,
		"tags":           `INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)`,
		"metrics":        `INSERT INTO metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, ?, ?)`,
		"latest_metrics": `INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, ?, ?)`,
	}
	prepared := map[string]*sql.Stmt{}
	for name, text := range stmts {
		if pg {
			text = sqlbind.Postgres(text)
		}
		if prepared[name], err = tx.PrepareContext(ctx, text); err != nil {
			return fmt.Errorf("preparing the inserts into %s: %w", name, err)
		}
	}
	for i := range n {
		r := syntheticRun(i)
		r.Info.RunID = fmt.Sprintf("b%07x%024x", n, i+1)
		if err := insertRun(ctx, prepared, r, expID); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func insertRun(ctx context.Context, st map[string]*sql.Stmt, r mlflow.Run, expID string) error {
	id := r.Info.RunID
	artifacts := fmt.Sprintf("mlflow-artifacts:/%s/%s/artifacts", expID, id)
	if _, err := st["runs"].ExecContext(ctx, id, r.Info.RunName, string(r.Info.Status), r.Info.StartTime, r.Info.EndTime, artifacts, expID); err != nil {
		return fmt.Errorf("inserting run %s: %w", id, err)
	}
	for _, p := range r.Data.Params {
		if _, err := st["params"].ExecContext(ctx, p.Key, p.Value, id); err != nil {
			return err
		}
	}
	for _, t := range r.Data.Tags {
		if _, err := st["tags"].ExecContext(ctx, t.Key, t.Value, id); err != nil {
			return err
		}
	}
	for _, m := range r.Data.Metrics {
		v, isNaN := float64(m.Value), math.IsNaN(float64(m.Value))
		if isNaN {
			v = 0
		}
		for _, table := range []string{"metrics", "latest_metrics"} {
			if _, err := st[table].ExecContext(ctx, m.Key, v, m.Timestamp, m.Step, isNaN, id); err != nil {
				return err
			}
		}
	}
	return nil
}
