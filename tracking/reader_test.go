package tracking_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"path/filepath"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/mlflowtest"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

func TestToRun(t *testing.T) {
	m := &mlflow.Run{
		Info: mlflow.RunInfo{RunID: "abc", ExperimentID: "7", Status: "FAILED", StartTime: 1_700_000_000_000, EndTime: 1_700_000_480_000},
		Data: mlflow.RunData{
			Params:  []mlflow.Param{{Key: "run_type", Value: "full_training"}, {Key: "config_id", Value: "config-038"}},
			Metrics: []mlflow.Metric{{Key: "final_loss", Value: 0.32}, {Key: "recall_at_100", Value: mlflow.Float(math.NaN())}, {Key: "cost_usd", Value: 32.1}},
			Tags: []mlflow.Tag{{Key: "mlflow.runName", Value: "config-038 Full Training #45"}, {Key: "is_deployed", Value: "true"},
				{Key: "failure_stage", Value: "Trainer"}, {Key: "failure_reason", Value: "preempted"}, {Key: "dataset_version", Value: "3"}},
		},
	}
	r := tracking.ToRun(m)
	if r.Name != "config-038 Full Training #45" || r.ConfigName != "config-038" || r.ConfigID != "config-038" || r.Type != mlexp.FullTrainingRun {
		t.Errorf("names: %+v", r)
	}
	if recall, ok := r.Metrics.Lookup("recall_at_100"); r.Metrics.Value("loss") != 0.32 || !ok || !math.IsNaN(recall) || r.CostUSD == nil || *r.CostUSD != 32.1 {
		t.Errorf("metrics: %v cost %v", r.Metrics, r.CostUSD)
	}
	if !r.Deployed || r.Failure == nil || r.Failure.Reason != "preempted" || !r.Failed() || r.DatasetVersion != "3" {
		t.Errorf("tags: %+v", r)
	}
	if r.Duration() != 8*time.Minute || r.Start.Location() != time.UTC {
		t.Errorf("times: %v %v", r.Start, r.Duration())
	}
	if _, err := json.Marshal(r); err != nil {
		t.Errorf("a run with a NaN metric does not encode: %v", err)
	}
	bare := tracking.ToRun(&mlflow.Run{Info: mlflow.RunInfo{RunID: "x1"}})
	if bare.Name != "x1" || bare.ConfigName != "" && bare.ConfigName != "x1" || bare.Type != "" {
		t.Errorf("a bare run: %+v", bare)
	}
}

// clock is a settable now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestReaderCachesSharesAndServesStale(t *testing.T) {
	own, err := mlflowtest.Start(filepath.Join(t.TempDir(), "mlflow"), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = own.Stop() })
	var searches atomic.Int64
	c := client(t, own.URL, mlflow.WithObserver(func(call mlflow.Call) {
		if call.Endpoint == "runs/search" {
			searches.Add(1)
		}
	}))
	r := sample.QuickTestReport()
	logger := tracking.NewLogger(client(t, own.URL), nil)
	for i := 1; i <= 3; i++ {
		r.QuickTest.ID = i
		if _, err := logger.LogQuickTest(ctx(t), r); err != nil {
			t.Fatal(err)
		}
	}
	exp, _ := client(t, own.URL).GetExperimentByName(ctx(t), mlexp.ExperimentName(r.Model, r.Dataset))
	clk := &clock{t: time.Now()}
	reader := tracking.NewReader(c, 30*time.Second, clk.now, slog.New(slog.NewTextHandler(io.Discard, nil)))

	// 20 concurrent first requests share one fetch.
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			snap, err := reader.Runs(ctx(t), exp.ID)
			if err != nil || len(snap.Runs) != 3 || snap.Stale {
				t.Errorf("concurrent read: %v runs, %v", snap, err)
			}
		}()
	}
	wg.Wait()
	if n := searches.Load(); n != 1 {
		t.Errorf("20 concurrent cold reads made %d searches, want 1", n)
	}
	// Fresh: no request at all.
	if _, err := reader.Runs(ctx(t), exp.ID); err != nil || searches.Load() != 1 {
		t.Errorf("a fresh read searched MLflow again (%d)", searches.Load())
	}
	// Past the TTL, MLflow is down: the cached runs come back at once, then marked stale.
	if err := own.Stop(); err != nil {
		t.Fatal(err)
	}
	clk.add(time.Minute)
	snap, err := reader.Runs(ctx(t), exp.ID)
	if err != nil || len(snap.Runs) != 3 {
		t.Fatalf("stale read: %v, %v", snap, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !snap.Stale && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		snap, _ = reader.Runs(ctx(t), exp.ID)
	}
	if !snap.Stale || snap.StaleReason == "" || len(snap.Runs) != 3 {
		t.Fatalf("while MLflow is down: stale=%v (%q), %d runs", snap.Stale, snap.StaleReason, len(snap.Runs))
	}
	// Another experiment, never read: a clear 503-class error.
	if _, err := reader.Runs(ctx(t), "999"); mlexp.ErrorCode(err) != mlexp.EUNAVAILABLE {
		t.Errorf("cold read with MLflow down: %v, want unavailable", err)
	}
	// MLflow is back: the next refresh clears the flag, with no restart.
	back, err := mlflowtest.Start(own.DataDir, own.Port)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = back.Stop() })
	clk.add(time.Minute)
	deadline = time.Now().Add(30 * time.Second)
	for snap.Stale && time.Now().Before(deadline) {
		_, _ = reader.Runs(ctx(t), exp.ID)
		time.Sleep(100 * time.Millisecond)
		snap, _ = reader.Runs(ctx(t), exp.ID)
	}
	if snap.Stale {
		t.Error("still stale after MLflow came back")
	}
}

func TestReaderReadsRunsLoggedByPython(t *testing.T) {
	spec := map[string]any{
		"experiment": "python-logged-" + time.Now().Format("150405.000000"),
		"run_name":   "config-007 Quick Test #1", "status": "FINISHED", "start_time": 1_764_000_000_000, "end_time": 1_764_000_420_000,
		"params": map[string]string{"run_type": "quick_test", "config_id": "config-007", "data_sample_percent": "10", "epochs": "2",
			"user_id_embedding_dim": "64", "product_id_embedding_dim": "32", "cross_features": "user_id_x_city"},
		"tags":      map[string]string{"dataset_id": "dataset-001", "feature_config_id": "config-007"},
		"history":   map[string]any{"recall_at_100": []map[string]any{{"step": 0, "timestamp": 1_764_000_420_000, "value": 0.415}}, "final_loss": []map[string]any{{"step": 0, "timestamp": 1_764_000_420_000, "value": 0.4}}},
		"artifacts": map[string]string{},
	}
	in, _ := json.Marshal(spec)
	out, err := srv.RunPython("log_run.py", in)
	if err != nil {
		t.Fatal(err)
	}
	var logged struct {
		RunID string `json:"run_id"`
	}
	_ = json.Unmarshal(out, &logged)
	c := client(t, srv.URL)
	reader := tracking.NewReader(c, time.Minute, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	runs, err := reader.RunsByID(ctx(t), []string{logged.RunID})
	if err != nil {
		t.Fatal(err)
	}
	r := runs[0]
	if r.Type != mlexp.QuickTestRun || r.ConfigName != "config-007" || r.Metrics.Value("loss") != 0.4 || mlexp.AxisValue(r, mlexp.AxisEmbeddingDims) != "64/32" ||
		mlexp.AxisValue(r, mlexp.AxisCrossFeatures) != "city_x_user_id" || r.Duration() != 7*time.Minute {
		t.Errorf("run logged by Python reads as %+v", r)
	}
	if _, err := reader.RunsByID(ctx(t), []string{logged.RunID, "0123456789abcdef0123456789abcdef"}); mlexp.ErrorCode(err) != mlexp.ENOTFOUND {
		t.Errorf("an unknown run id: %v", err)
	}
}

func TestModelsAndAttach(t *testing.T) {
	r := sample.QuickTestReport()
	isolate(t, &r.Model, &r.Dataset)
	c := client(t, srv.URL)
	logger := tracking.NewLogger(c, nil)
	if _, err := logger.LogQuickTest(ctx(t), r); err != nil {
		t.Fatal(err)
	}
	reader := tracking.NewReader(c, time.Minute, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	logger.OnChange(func(string) { reader.ModelsChanged() }) // as mlexp serve wires them
	m, d, err := reader.Experiment(ctx(t), r.Model.ID, "")
	if err != nil || m.Name != r.Model.Name || d.ID != "dataset-001" || d.ExperimentName != mlexp.ExperimentName(r.Model, r.Dataset) {
		t.Fatalf("Experiment = %+v %+v, %v", m, d, err)
	}
	// An experiment made elsewhere, attached to the same model as a second dataset.
	other, _ := c.CreateExperiment(ctx(t), "made-by-hand-"+r.Model.ID, "", nil)
	if _, err := logger.Attach(ctx(t), "made-by-hand-"+r.Model.ID, r.Model, mlexp.Dataset{ID: "dataset-002", Name: "Q1 2025"}); err != nil {
		t.Fatal(err)
	}
	_, d2, err := reader.Experiment(ctx(t), r.Model.ID, "dataset-002")
	if err != nil || d2.ExperimentID != other {
		t.Errorf("attached experiment = %+v, %v; want %s", d2, err, other)
	}
	if _, _, err := reader.Experiment(ctx(t), r.Model.ID, "dataset-404"); mlexp.ErrorCode(err) != mlexp.ENOTFOUND {
		t.Errorf("unknown dataset: %v", err)
	}
	if _, _, err := reader.Experiment(ctx(t), "no-such-model", ""); mlexp.ErrorCode(err) != mlexp.ENOTFOUND {
		t.Errorf("unknown model: %v", err)
	}
	if _, err := logger.Attach(ctx(t), "no such experiment", r.Model, r.Dataset); mlexp.ErrorCode(err) != mlexp.ENOTFOUND {
		t.Errorf("attaching a missing experiment: %v", err)
	}
}

var _ = context.Background

func TestReaderDropsExperimentsNobodyAsksFor(t *testing.T) {
	r := sample.QuickTestReport()
	isolate(t, &r.Model, &r.Dataset)
	c := client(t, srv.URL)
	if _, err := tracking.NewLogger(c, nil).LogQuickTest(ctx(t), r); err != nil {
		t.Fatal(err)
	}
	exp, _ := c.GetExperimentByName(ctx(t), mlexp.ExperimentName(r.Model, r.Dataset))
	clk := &clock{t: time.Now()}
	reader := tracking.NewReader(c, time.Minute, clk.now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := reader.Runs(ctx(t), exp.ID); err != nil || !reader.Cached(exp.ID) {
		t.Fatalf("after a read: cached=%v, %v", reader.Cached(exp.ID), err)
	}
	clk.add(30 * time.Minute)
	if _, err := reader.Runs(ctx(t), "0"); err != nil { // another experiment: a sweep, too early to drop
		t.Fatal(err)
	}
	if !reader.Cached(exp.ID) {
		t.Fatal("dropped after 30 idle minutes")
	}
	clk.add(2 * time.Hour)
	if _, err := reader.Runs(ctx(t), "0"); err != nil {
		t.Fatal(err)
	}
	if reader.Cached(exp.ID) {
		t.Error("still cached after 2.5 idle hours")
	}
	if !reader.Cached("0") {
		t.Error("the experiment just read was dropped")
	}
}

// TestReaderInPartsReadsWhatOneSearchReads checks that a reader loading an experiment with
// concurrent searches of start-time ranges finds the same runs, in the same order.
func TestReaderInPartsReadsWhatOneSearchReads(t *testing.T) {
	r := sample.QuickTestReport()
	r.Model.ID += "-parts"
	logger := tracking.NewLogger(client(t, srv.URL), nil)
	start := r.QuickTest.StartedAt
	for i, off := range []time.Duration{0, 0, time.Second, time.Minute, time.Hour, 3 * time.Hour, 48 * time.Hour} {
		r.QuickTest.ID = i + 1
		r.QuickTest.StartedAt, r.QuickTest.FinishedAt = start.Add(off), start.Add(off+5*time.Minute)
		if _, err := logger.LogQuickTest(ctx(t), r); err != nil {
			t.Fatal(err)
		}
	}
	exp, err := client(t, srv.URL).GetExperimentByName(ctx(t), mlexp.ExperimentName(r.Model, r.Dataset))
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.DiscardHandler)
	one, err := tracking.NewReader(client(t, srv.URL), time.Minute, time.Now, quiet).Runs(ctx(t), exp.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, parts := range []int{2, 3, 5} {
		split, err := tracking.NewReader(client(t, srv.URL), time.Minute, time.Now, quiet, tracking.ReadInParts(parts)).Runs(ctx(t), exp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(split.Runs) != 7 || !reflect.DeepEqual(split.Runs, one.Runs) {
			t.Errorf("%d parts read %d runs, not the %d runs of one search in its order", parts, len(split.Runs), len(one.Runs))
		}
	}
}
