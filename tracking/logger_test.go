package tracking_test

import (
	"bytes"
	"encoding/json"
	"image/png"
	"maps"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

func TestQuickTestIsLoggedInTheSpecShape(t *testing.T) {
	r := sample.QuickTestReport()
	isolate(t, &r.Model, &r.Dataset)
	var calls counter
	l := newLogger(t, mlflow.WithObserver(calls.observe))
	runID, err := l.LogQuickTest(ctx(t), r)
	if err != nil {
		t.Fatal(err)
	}
	// search experiments by tags, create experiment, search runs, create run, search again (a
	// run made at the same time by another process), log batch, update = 7 for a new experiment.
	if n := calls.n.Load(); n > 7 {
		t.Errorf("first quick test of a new experiment took %d requests", n)
	}
	// A second quick test in the known experiment takes at most 5.
	r2 := r
	r2.QuickTest.ID = 4
	calls.n.Store(0)
	if _, err := l.LogQuickTest(ctx(t), r2); err != nil {
		t.Fatal(err)
	}
	if n := calls.n.Load(); n > 5 {
		t.Errorf("a quick test took %d requests to MLflow, want at most 5", n)
	}

	c := client(t, srv.URL)
	run, err := c.GetRun(ctx(t), runID)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := c.GetExperiment(ctx(t), run.Info.ExperimentID)
	if err != nil {
		t.Fatal(err)
	}
	if want := r.Model.Name + "-" + r.Dataset.Name; exp.Name != want {
		t.Errorf("experiment = %q, want %q", exp.Name, want)
	}
	for k, want := range map[string]string{"ml_model_id": r.Model.ID, "ml_model_name": r.Model.Name, "dataset_id": "dataset-001", "dataset_name": "Q4 2024 Training Data"} {
		if v, _ := exp.Tag(k); v != want {
			t.Errorf("experiment tag %s = %q, want %q", k, v, want)
		}
	}
	if run.Info.RunName != "config-042 Quick Test #3" || run.Info.Status != mlflow.StatusFinished {
		t.Errorf("run = %q %s", run.Info.RunName, run.Info.Status)
	}
	if run.Info.StartTime != r.QuickTest.StartedAt.UnixMilli() || run.Info.EndTime != r.QuickTest.FinishedAt.UnixMilli() {
		t.Errorf("run times %d..%d, want the reported %v..%v", run.Info.StartTime, run.Info.EndTime, r.QuickTest.StartedAt, r.QuickTest.FinishedAt)
	}
	wantParams := map[string]string{
		"run_type": "quick_test", "config_id": "config-042", "data_sample_percent": "10", "epochs": "2",
		"user_id_embedding_dim": "64", "city_embedding_dim": "16", "product_id_embedding_dim": "64", "product_name_embedding_dim": "32",
		"category_embedding_dim": "16", "subcategory_embedding_dim": "16",
		"cross_features":                 "category_x_subcategory,user_id_x_city",
		"category_x_subcategory_buckets": "1000", "user_id_x_city_buckets": "5000", "revenue_buckets": "10",
		"query_tower": "user_id,city", "candidate_tower": "product_id,product_name,category,subcategory",
	}
	if len(run.Data.Params) != len(wantParams) {
		t.Errorf("%d params, want %d: %v", len(run.Data.Params), len(wantParams), run.Data.Params)
	}
	for k, want := range wantParams {
		if v, _ := run.Data.Param(k); v != want {
			t.Errorf("param %s = %q, want %q", k, v, want)
		}
	}
	for k, want := range map[string]float64{"loss": 0.38, "recall_at_10": 0.182, "recall_at_50": 0.385, "recall_at_100": 0.473, "cost_usd": 1.42} {
		if v, ok := run.Data.Metric(k); !ok || v != want {
			t.Errorf("metric %s = %v, want %v", k, v, want)
		}
	}
	for k, want := range map[string]string{"dataset_id": "dataset-001", "dataset_version": "3", "feature_config_id": "config-042",
		"mlflow.runName": "config-042 Quick Test #3", "mlexp.idempotency_key": tracking.QuickTestKey(r)} {
		if v, _ := run.Data.Tag(k); v != want {
			t.Errorf("tag %s = %q, want %q", k, v, want)
		}
	}
	if _, ok := run.Data.Tag("is_deployed"); ok {
		t.Error("a new run is marked deployed")
	}

	// MLflow's own Python client reads the same run.
	out, err := srv.RunPython("read_run.py", nil, runID)
	if err != nil {
		t.Fatal(err)
	}
	var py struct {
		RunName string                  `json:"run_name"`
		Status  string                  `json:"status"`
		Params  map[string]string       `json:"params"`
		Tags    map[string]string       `json:"tags"`
		Latest  map[string]mlflow.Float `json:"latest"`
	}
	if err := json.Unmarshal(out, &py); err != nil {
		t.Fatal(err)
	}
	if py.RunName != "config-042 Quick Test #3" || py.Status != "FINISHED" || py.Tags["feature_config_id"] != "config-042" {
		t.Errorf("Python reads %q %s tags %v", py.RunName, py.Status, py.Tags)
	}
	if !maps.Equal(py.Params, wantParams) {
		t.Errorf("Python reads params %v, want %v", py.Params, wantParams)
	}
	if py.Latest["recall_at_100"] != 0.473 || py.Latest["loss"] != 0.38 {
		t.Errorf("Python reads metrics %v", py.Latest)
	}
}

func TestFullTrainingHistoryCurvesAndModelURI(t *testing.T) {
	r := sample.TrainingRunReport()
	isolate(t, &r.Model, &r.Dataset)
	l := newLogger(t)
	runID, err := l.LogTrainingRun(ctx(t), r)
	if err != nil {
		t.Fatal(err)
	}
	c := client(t, srv.URL)
	run, _ := c.GetRun(ctx(t), runID)
	if run.Info.RunName != "config-042 Full Training #46" {
		t.Errorf("run name %q", run.Info.RunName)
	}
	for k, want := range map[string]string{"run_type": "full_training", "training_run_id": "46", "epochs": "20", "batch_size": "8192"} {
		if v, _ := run.Data.Param(k); v != want {
			t.Errorf("param %s = %q, want %q", k, v, want)
		}
	}
	// The final metrics are the latest values, though the history has values for every epoch.
	for k, want := range map[string]float64{"loss": 0.28, "final_loss": 0.28, "recall_at_100": 0.468, "cost_usd": 38.5} {
		if v, _ := run.Data.Metric(k); v != want {
			t.Errorf("latest %s = %v, want %v", k, v, want)
		}
	}
	hist, err := c.GetMetricHistory(ctx(t), runID, "recall_at_100")
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 21 { // 20 epochs and the final value
		t.Fatalf("recall_at_100 history has %d points, want 21", len(hist))
	}
	for i, h := range hist[:20] {
		if h.Step != int64(i+1) || float64(h.Value) != *r.TrainingRun.History[i].RecallAt100 {
			t.Errorf("epoch %d: %+v", i+1, h)
		}
	}
	uri, err := c.DownloadArtifact(ctx(t), run.Info.ArtifactURI, tracking.ModelURIArtifact)
	if err != nil || strings.TrimSpace(string(uri)) != "gs://retail-recs/models/46" {
		t.Errorf("model URI artifact = %q, %v", uri, err)
	}
	pngBytes, err := c.DownloadArtifact(ctx(t), run.Info.ArtifactURI, tracking.CurvesArtifact)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(pngBytes))
	if err != nil || img.Bounds().Dx() < 600 {
		t.Errorf("training_curves.png is not a proper image: %v", err)
	}
}

func TestFailedRunsAreRecorded(t *testing.T) {
	r := sample.QuickTestReport()
	isolate(t, &r.Model, &r.Dataset)
	r.FeatureConfig.ID = "config-044"
	r.FeatureConfig.QueryTower[0].EmbeddingDim = 256
	r.QuickTest.ID = 1
	r.QuickTest.Status = mlexp.StatusFailed
	r.QuickTest.Failure = &mlexp.Failure{Stage: "Transform", Reason: "OOM during Transform: user:256d (too large)"}
	r.QuickTest.Metrics = mlexp.Metrics{}
	runID, err := newLogger(t).LogQuickTest(ctx(t), r)
	if err != nil {
		t.Fatal(err)
	}
	run, _ := client(t, srv.URL).GetRun(ctx(t), runID)
	if run.Info.Status != mlflow.StatusFailed {
		t.Errorf("status = %s, want FAILED", run.Info.Status)
	}
	if v, _ := run.Data.Tag("failure_stage"); v != "Transform" {
		t.Errorf("failure_stage = %q", v)
	}
	if v, _ := run.Data.Tag("failure_reason"); v != "OOM during Transform: user:256d (too large)" {
		t.Errorf("failure_reason = %q", v)
	}
	if len(run.Data.Metrics) != 1 { // the cost only
		t.Errorf("a failed run without results has metrics %v", run.Data.Metrics)
	}
}

func TestResumeFinishesAHalfMadeRunInsteadOfMakingAnother(t *testing.T) {
	r := sample.QuickTestReport()
	isolate(t, &r.Model, &r.Dataset)
	l := newLogger(t)
	c := client(t, srv.URL)
	// A first attempt that died after creating the run: the run exists, RUNNING, with its
	// tags but no params or metrics.
	first, err := l.LogQuickTest(ctx(t), r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateRun(ctx(t), mlflow.UpdateRunRequest{RunID: first, Status: mlflow.StatusRunning}); err != nil {
		t.Fatal(err)
	}
	again, err := l.LogQuickTest(ctx(t), r)
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Fatalf("resume made run %s, want the half-made %s", again, first)
	}
	run, _ := c.GetRun(ctx(t), first)
	if run.Info.Status != mlflow.StatusFinished {
		t.Errorf("resumed run is %s, want FINISHED", run.Info.Status)
	}
	runs, _ := c.SearchRuns(ctx(t), mlflow.SearchRunsRequest{ExperimentIDs: []string{run.Info.ExperimentID}})
	if len(runs) != 1 {
		t.Errorf("%d runs in the experiment, want 1", len(runs))
	}
	// Resuming a finished run writes nothing.
	var endpoints []string
	l2 := newLogger(t, mlflow.WithObserver(func(c mlflow.Call) { endpoints = append(endpoints, c.Endpoint) }))
	if id, err := l2.LogQuickTest(ctx(t), r); err != nil || id != first {
		t.Fatalf("resume of a finished run = %s, %v", id, err)
	}
	for _, e := range endpoints {
		if e != "experiments/search" && e != "runs/search" { // the experiment, by its tags; the run, by its key
			t.Errorf("resuming a finished run called %s", e)
		}
	}
}
