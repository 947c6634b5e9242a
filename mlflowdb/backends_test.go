package mlflowdb_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/mlflowtest"
	"github.com/mlexp-dev/mlexp/internal/pgtest"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/mlflowdb"
	"github.com/mlexp-dev/mlexp/tracking"
)

// TestLatestMetricByMLflowRules reads, from the database, the runs logged with metric
// histories out of order and checks the value mlexp serves: the highest step, then the latest
// timestamp, then the highest value; NaN and ±Infinity as logged.
func TestLatestMetricByMLflowRules(t *testing.T) {
	fx, db := sqliteSetup(t)
	runs, err := db.SearchRuns(context.Background(), mlflow.RunQuery{ExperimentID: fx.Experiments["db-compare-a"], Ordered: true})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]mlexp.Run{}
	for i := range runs {
		r := tracking.ToRun(&runs[i])
		byName[r.Name] = r
	}
	for _, c := range []struct {
		run, metric string
		want        float64
	}{
		{"config-003 Quick Test #4", "loss", 0.7},                 // step 1 at the latest timestamp, logged before an older one
		{"config-003 Quick Test #4", "recall_at_100", 0.33},       // step 2, logged before step 1
		{"ties", "recall_at_100", 0.75},                           // same step and timestamp: the highest value
		{"ties", "auc", 0.9},                                      // step 5 beats a later timestamp at step 4
		{"batch", "loss", 0.5},                                    // log_batch: step 2, the later timestamp
		{"non-finite", "recall_at_100", math.Inf(1)},              // stored as MaxFloat64
		{"non-finite", "ndcg_at_10", math.Inf(-1)},                // stored as -MaxFloat64
		{"non-finite", "mrr", 0.4},                                // a NaN superseded
		{"named by tag", "recall_at_100", math.NaN()},             // no such metric: not there
		{"config-002 Quick Test #3", mlexp.MetricCostUSD, 3.5},    // a single point
		{"same-start-2", "recall_at_100", 0.2},                    // runs sharing a start time
		{"running", "loss", 1.5},                                  // a run still running
		{"failed", "loss", 3.0},                                   // a failed run
		{"config-000 Quick Test #1", "recall_at_100", 0.3},        // the first run
		{"config-005 Quick Test #6", "recall_at_100", 0.3 + 0.05}, // the last of the grid
	} {
		r, ok := byName[c.run]
		if !ok {
			t.Fatalf("run %q is not among the active runs read from the database", c.run)
		}
		got, ok := r.Metrics.Lookup(c.metric)
		if math.IsNaN(c.want) {
			if ok {
				t.Errorf("%s: %s = %v, want no such metric", c.run, c.metric, got)
			}
			continue
		}
		if !ok || !(got == c.want || math.Abs(got-c.want) <= 1e-12) { // NaN fails both
			t.Errorf("%s: %s = %v (present %v), want %v", c.run, c.metric, got, ok, c.want)
		}
	}
	if v, ok := byName["non-finite"].Metrics.Lookup("loss"); !ok || !math.IsNaN(v) {
		t.Errorf("non-finite: loss = %v (present %v), want NaN", v, ok)
	}
	if _, ok := byName["deleted"]; ok {
		t.Error("a deleted run is among the active runs")
	}
	if _, ok := byName["restored"]; !ok {
		t.Error("a restored run is not among the active runs")
	}
	if r := byName["running"]; r.Status != mlexp.RunRunning || !r.End.IsZero() {
		t.Errorf("the running run reads as %s ending %v", r.Status, r.End)
	}
	if r := byName["failed"]; r.Failure == nil || r.Failure.Reason != "out of memory" {
		t.Errorf("the failed run's failure reads as %+v", r.Failure)
	}
	if r := byName["config-002 Quick Test #3"]; !r.Deployed || r.ConfigID != "config-002" || r.DatasetVersion != "3" || r.Params.Get("learning_rate") != "0.001" {
		t.Errorf("params and tags of config-002 read as %+v", r)
	}
}

// TestSameRunsAsRESTOnPostgreSQL compares both paths on MLflow with a PostgreSQL backend
// store, as the spec deploys it (Cloud SQL), read through a read-only role.
func TestSameRunsAsRESTOnPostgreSQL(t *testing.T) {
	pg, err := pgtest.Start()
	if err != nil {
		t.Fatalf("PostgreSQL: %v", err)
	}
	t.Cleanup(pg.Stop)
	dsn := pg.NewDatabase(t)
	t.Setenv("MLEXP_MLFLOW_BACKEND_URI", mlflowtest.SQLAlchemyURL(dsn))
	s, err := mlflowtest.Start(t.TempDir(), 0)
	if err != nil {
		t.Fatalf("MLflow on PostgreSQL: %v", err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	fx, err := logFixture(s)
	if err != nil {
		t.Fatalf("logging the runs with MLflow's Python client: %v", err)
	}
	ro := readOnlyRole(t, dsn, "mlexp_reader", "runs", "params", "tags", "latest_metrics", "alembic_version")
	db := openDB(t, ro)
	compareBackends(t, s, db, fx)

	// The session is read-only, whatever the role may do.
	var on string
	if err := sqlOpenPG(t, ro).QueryRow(`SHOW default_transaction_read_only`).Scan(&on); err != nil || on != "on" {
		t.Errorf("default_transaction_read_only of a session = %q, %v", on, err)
	}

	// A role without the right to read latest_metrics is refused at Open, saying which table.
	_, err = mlflowdb.Open(context.Background(), readOnlyRole(t, dsn, "mlexp_partial", "runs", "params", "tags", "alembic_version"))
	if err == nil || !strings.Contains(err.Error(), "latest_metrics") || strings.Contains(err.Error(), "secret") {
		t.Errorf("Open with a role that cannot read latest_metrics: %v, want an error naming the table and no password", err)
	}
}

// readOnlyRole creates a role with password "secret" that may read tables and nothing else,
// as docs/mlflow-database.md says, and returns its URL.
func readOnlyRole(t *testing.T, dsn, role string, tables ...string) string {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var dbname string
	if err := conn.QueryRow(context.Background(), `SELECT current_database()`).Scan(&dbname); err != nil {
		t.Fatal(err)
	}
	stmts := []string{`CREATE ROLE ` + role + ` LOGIN PASSWORD 'secret'`, `GRANT CONNECT ON DATABASE "` + dbname + `" TO ` + role,
		`GRANT USAGE ON SCHEMA public TO ` + role, `GRANT SELECT ON ` + strings.Join(tables, ", ") + ` TO ` + role,
		`ALTER ROLE ` + role + ` SET default_transaction_read_only = on`}
	for _, s := range stmts {
		if _, err := conn.Exec(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), dsn)
		if err == nil {
			_, _ = c.Exec(context.Background(), `DROP OWNED BY `+role)
			_, _ = c.Exec(context.Background(), `DROP ROLE `+role)
			c.Close(context.Background())
		}
	})
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Replace(dsn, "://"+cfg.User+"@", "://"+role+":secret@", 1)
}

func sqlOpenPG(t *testing.T, dsn string) *sql.DB {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestUnknownRevisionIsRefused opens a copy of MLflow's SQLite store whose schema revision is
// one mlexp does not read: Open refuses it, naming both revisions, so that mlexp reads through
// REST. A store that is not MLflow's is refused too.
func TestUnknownRevisionIsRefused(t *testing.T) {
	if _, err := sqliteFixture(); err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(t.TempDir(), "mlflow.db")
	copyFile(t, srv.SQLitePath(), copyPath)
	w, err := sql.Open("sqlite", copyPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Exec(`UPDATE alembic_version SET version_num = 'abc123future'`); err != nil {
		t.Fatal(err)
	}
	w.Close()
	_, err = mlflowdb.Open(context.Background(), copyPath)
	var e *mlexp.Error
	if !errors.As(err, &e) || e.Code != mlexp.EUNAVAILABLE || !strings.Contains(err.Error(), "abc123future") || !strings.Contains(err.Error(), mlflowdb.Revisions[0]) {
		t.Errorf("Open of a store at an unknown revision: %v, want EUNAVAILABLE naming both revisions", err)
	}
	empty := filepath.Join(t.TempDir(), "other.db")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := mlflowdb.Open(context.Background(), empty); err == nil || !strings.Contains(err.Error(), "alembic_version") {
		t.Errorf("Open of a database that is not MLflow's: %v", err)
	}
	if _, err := mlflowdb.Open(context.Background(), filepath.Join(t.TempDir(), "missing.db")); err == nil {
		t.Error("Open of a missing file succeeded")
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
}
