package mlflowtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/mlflowtest"
	"github.com/mlexp-dev/mlexp/internal/pgtest"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

// pyRun is what read_run.py prints.
type pyRun struct {
	RunName   string                  `json:"run_name"`
	Status    string                  `json:"status"`
	StartTime int64                   `json:"start_time"`
	EndTime   int64                   `json:"end_time"`
	Params    map[string]string       `json:"params"`
	Tags      map[string]string       `json:"tags"`
	Latest    map[string]mlflow.Float `json:"latest"`
	History   map[string][]struct {
		Step      int64        `json:"step"`
		Timestamp int64        `json:"timestamp"`
		Value     mlflow.Float `json:"value"`
	} `json:"history"`
	Artifacts map[string]string `json:"artifacts"`
}

// TestPostgreSQLBackedMLflow runs MLflow the way production does — a PostgreSQL backend
// store (through psycopg2) and served artifacts — logs a quick test and a full training
// with mlexp's logger, and reads them back with mlexp's reader and with MLflow's Python
// client, which must agree.
func TestPostgreSQLBackedMLflow(t *testing.T) {
	pg, err := pgtest.Start()
	if err != nil {
		t.Fatalf("PostgreSQL: %v", err)
	}
	t.Cleanup(pg.Stop)
	dbURL := mlflowtest.SQLAlchemyURL(pg.NewDatabase(t))
	// scripts/mlflow.sh reads the backend store from the environment of the server.
	t.Setenv("MLEXP_MLFLOW_BACKEND_URI", dbURL)
	srv, err := mlflowtest.Start(t.TempDir(), 0)
	if err != nil {
		t.Fatalf("MLflow on PostgreSQL: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop() }) // before the database is dropped (cleanups run last-in first-out)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var calls []string
	client, err := mlflow.NewClient(srv.URL, mlflow.WithObserver(func(c mlflow.Call) { calls = append(calls, c.Endpoint) }))
	if err != nil {
		t.Fatal(err)
	}
	// The curves are an artifact like any other; text keeps read_run.py (which reads every
	// artifact as UTF-8) able to return it, so both clients can compare the bytes.
	curves := func(title string, h []mlexp.EpochMetrics) ([]byte, error) {
		return fmt.Appendf(nil, "curves of %s over %d epochs\n", title, len(h)), nil
	}
	logger := tracking.NewLogger(client, curves)

	q := sample.QuickTestReport()
	q.Model.ID, q.Model.Name = "model-pg", "retail-recs-pg"
	tr := sample.TrainingRunReport()
	tr.Model = q.Model
	qID, err := logger.LogQuickTest(ctx, q)
	if err != nil {
		t.Fatalf("logging a quick test to PostgreSQL-backed MLflow: %v", err)
	}
	q2 := q
	q2.QuickTest.ID = 4
	calls = nil
	q2ID, err := logger.LogQuickTest(ctx, q2)
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) > 5 { // search, create, search again (tracking/runkey.go), log batch, update
		t.Errorf("a quick test in a known experiment took %d requests: %v", len(calls), calls)
	}
	trID, err := logger.LogTrainingRun(ctx, tr)
	if err != nil {
		t.Fatalf("logging a full training to PostgreSQL-backed MLflow: %v", err)
	}

	// mlexp's reader sees the three runs as the domain expects them.
	reader := tracking.NewReader(client, time.Minute, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	models, err := reader.Models(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var expID string
	for _, m := range models {
		if m.ID == q.Model.ID {
			for _, d := range m.Datasets {
				if d.ID == q.Dataset.ID {
					expID = d.ExperimentID
				}
			}
		}
	}
	if expID == "" {
		t.Fatalf("the reader does not list model %s on dataset %s: %+v", q.Model.ID, q.Dataset.ID, models)
	}
	set, err := reader.Runs(ctx, expID)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]mlexp.Run{}
	for _, r := range set.Runs {
		byID[r.ID] = r
	}
	if len(byID) != 3 {
		t.Fatalf("the reader reads %d runs, want 3", len(set.Runs))
	}
	if r := byID[qID]; r.Name != "config-042 Quick Test #3" || r.Type != mlexp.QuickTestRun || r.ConfigID != "config-042" ||
		r.Metrics.Value("recall_at_100") != 0.473 || r.CostUSD == nil || *r.CostUSD != 1.42 || r.Status != mlexp.RunFinished || !r.Start.Equal(q.QuickTest.StartedAt) {
		t.Errorf("quick test read back as %+v", r)
	}
	if r := byID[q2ID]; r.Name != "config-042 Quick Test #4" {
		t.Errorf("second quick test read back as %+v", r)
	}
	if r := byID[trID]; r.Name != "config-042 Full Training #46" || r.Type != mlexp.FullTrainingRun || r.Metrics.Value("recall_at_100") != 0.468 ||
		r.Metrics.Value("loss") != 0.28 || r.Params.Get("batch_size") != "8192" || !r.End.Equal(tr.TrainingRun.FinishedAt) {
		t.Errorf("full training read back as %+v", r)
	}

	// MLflow's Python client reads exactly what mlexp's Go client reads.
	for _, id := range []string{qID, trID} {
		run, err := client.GetRun(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		out, err := srv.RunPython("read_run.py", nil, id)
		if err != nil {
			t.Fatal(err)
		}
		var py pyRun
		if err := json.Unmarshal(out, &py); err != nil {
			t.Fatalf("read_run.py: %v\n%s", err, out)
		}
		goParams, goTags, goLatest := map[string]string{}, map[string]string{}, map[string]mlflow.Float{}
		for _, p := range run.Data.Params {
			goParams[p.Key] = p.Value
		}
		for _, x := range run.Data.Tags {
			goTags[x.Key] = x.Value
		}
		for _, m := range run.Data.Metrics {
			goLatest[m.Key] = m.Value
		}
		if py.RunName != run.Info.RunName || py.Status != string(run.Info.Status) || py.StartTime != run.Info.StartTime || py.EndTime != run.Info.EndTime {
			t.Errorf("run %s: Python reads %q %s %d..%d, Go %q %s %d..%d", id, py.RunName, py.Status, py.StartTime, py.EndTime,
				run.Info.RunName, run.Info.Status, run.Info.StartTime, run.Info.EndTime)
		}
		if !maps.Equal(py.Params, goParams) || len(goParams) < 16 {
			t.Errorf("run %s: Python reads params %v, Go %v", id, py.Params, goParams)
		}
		if !maps.Equal(py.Tags, goTags) {
			t.Errorf("run %s: Python reads tags %v, Go %v", id, py.Tags, goTags)
		}
		if !maps.Equal(py.Latest, goLatest) || len(goLatest) < 5 {
			t.Errorf("run %s: Python reads metrics %v, Go %v", id, py.Latest, goLatest)
		}
		for key := range goLatest {
			hist, err := client.GetMetricHistory(ctx, id, key)
			if err != nil {
				t.Fatal(err)
			}
			if len(hist) != len(py.History[key]) {
				t.Errorf("run %s: history of %s has %d points in Go, %d in Python", id, key, len(hist), len(py.History[key]))
				continue
			}
			// Neither client promises an order of points with the same step.
			seen := map[string]int{}
			for _, h := range hist {
				seen[fmt.Sprint(h.Step, h.Timestamp, float64(h.Value))]++
			}
			for _, h := range py.History[key] {
				seen[fmt.Sprint(h.Step, h.Timestamp, float64(h.Value))]--
			}
			for k, n := range seen {
				if n != 0 {
					t.Errorf("run %s: history of %s differs at %s", id, key, k)
				}
			}
		}
		if id == trID {
			if n := len(py.History["recall_at_100"]); n != 21 {
				t.Errorf("Python reads %d points of recall_at_100, want 21 (20 epochs and the final value)", n)
			}
			want := map[string]string{
				tracking.ModelURIArtifact: tr.TrainingRun.ModelURI + "\n",
				tracking.CurvesArtifact:   "curves of config-042 Full Training #46 over 20 epochs\n",
			}
			if !maps.Equal(py.Artifacts, want) {
				t.Errorf("Python reads artifacts %q, want %q", py.Artifacts, want)
			}
			for path, content := range want {
				b, err := client.DownloadArtifact(ctx, run.Info.ArtifactURI, path)
				if err != nil || string(b) != content {
					t.Errorf("Go reads artifact %s = %q, %v", path, b, err)
				}
			}
		}
	}
}
