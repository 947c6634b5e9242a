package apitest_test

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/jsonedit"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// seed names the runs the test logged.
type seed struct {
	model, modelName, foreignModel   string
	quick1, quick2, failed, training string // MLflow run ids
	deletedRun, foreignRun, emptyRun string
	emptyModel, experimentID         string
	ingestIDs                        []string
}

func uniqueModel(m *mlexp.Model, suffix string) {
	n := time.Now().UnixNano()
	m.ID = fmt.Sprintf("apitest-%s-%d", suffix, n)
	m.Name = fmt.Sprintf("apitest %s %d", suffix, n)
}

// ingestData is the data of an ingest answer.
type ingestData struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	RunID     string `json:"run_id"`
	StatusURL string `json:"status_url"`
}

// seedIngest reports quick tests and a full training of a new model through the API.
func (a *api) seedIngest(t *testing.T) seed {
	const quick, training = "/api/experiments/quick-tests/", "/api/experiments/training-runs/"
	var s seed
	q1 := sample.QuickTestReport()
	uniqueModel(&q1.Model, "main")
	s.model, s.modelName = q1.Model.ID, q1.Model.Name

	q2 := q1
	q2.FeatureConfig = sample.FeatureConfig()
	q2.FeatureConfig.ID, q2.FeatureConfig.Name = "config-043", "config-043 wide"
	q2.FeatureConfig.QueryTower = []mlexp.Feature{{Name: "user_id", EmbeddingDim: 128}, {Name: "city", EmbeddingDim: 16}}
	q2.FeatureConfig.CandidateTower = []mlexp.Feature{{Name: "product_id", EmbeddingDim: 128}, {Name: "category", EmbeddingDim: 16}}
	q2.FeatureConfig.CrossFeatures = nil
	q2.QuickTest.ID = 1
	q2.QuickTest.Metrics = mlexp.Metrics{Loss: new(0.35), RecallAt10: new(0.19), RecallAt50: new(0.40), RecallAt100: new(0.49),
		Extra: map[string]float64{"ndcg_at_10": 0.21}}
	q2.QuickTest.StartedAt = q2.QuickTest.StartedAt.Add(time.Hour)
	q2.QuickTest.FinishedAt = q2.QuickTest.FinishedAt.Add(time.Hour)

	q3 := q1
	q3.FeatureConfig = sample.FeatureConfig()
	q3.FeatureConfig.ID = "config-044"
	q3.FeatureConfig.QueryTower = []mlexp.Feature{{Name: "user_id", EmbeddingDim: 256}}
	q3.QuickTest.ID = 1
	q3.QuickTest.Status = mlexp.StatusFailed
	q3.QuickTest.Metrics = mlexp.Metrics{}
	q3.QuickTest.CostUSD = new(0.2)
	q3.QuickTest.Failure = &mlexp.Failure{Stage: "Transform", Reason: "OOM during Transform: user:256d"}

	tr := sample.TrainingRunReport()
	tr.Model = q1.Model

	ingest := func(route, target string, report any) ingestData {
		t.Helper()
		ans := a.call(t, a.url, http.MethodPost, route, target, jsonedit.Body(t, report), true).must(t, "POST "+target, http.StatusCreated)
		var d ingestData
		ans.decode(t, &d)
		s.ingestIDs = append(s.ingestIDs, d.ID)
		return d
	}
	first := ingest(quick, quick, q1)
	s.quick1 = first.RunID
	s.quick2 = ingest(quick, quick, q2).RunID
	s.failed = ingest(quick, quick, q3).RunID
	s.training = ingest(training, strings.TrimSuffix(training, "/"), tr).RunID

	// The same report again is the same item; other values under the same id conflict.
	again := ingest(quick, strings.TrimSuffix(quick, "/"), q1)
	if again.ID != first.ID || again.RunID != first.RunID {
		t.Errorf("reporting a quick test again gave item %s (run %s), want %s (run %s)", again.ID, again.RunID, first.ID, first.RunID)
	}
	changed := jsonedit.Body(t, q1, jsonedit.Edit{Path: "quick_test.metrics.recall_at_100", Value: 0.5})
	a.call(t, a.url, http.MethodPost, quick, quick, changed, true).want(t, "changed report", http.StatusConflict)

	// Bad input.
	for _, c := range []struct {
		name, path string
		body       []byte
		field      string
	}{
		{"unknown field", quick, jsonedit.Body(t, q1, jsonedit.Edit{Path: "quick_test.recall", Value: 1}), "quick_test.recall"},
		{"malformed JSON", quick, []byte(`{"model":`), "body"},
		{"empty body", training, []byte(` `), "body"},
		{"wrong type", training, jsonedit.Body(t, tr, jsonedit.Edit{Path: "training_run.epochs", Value: "20"}), "training_run.epochs"},
		{"recall out of range", quick, jsonedit.Body(t, q1, jsonedit.Edit{Path: "quick_test.metrics.recall_at_10", Value: 1.5}), "quick_test.metrics.recall_at_10"},
		{"failed without failure", quick, jsonedit.Body(t, q3, jsonedit.Edit{Path: "quick_test.failure", Value: jsonedit.Delete}), "quick_test.failure"},
		{"history past epochs", training, jsonedit.Body(t, tr, jsonedit.Edit{Path: "training_run.epochs", Value: 2}), "training_run.history"},
		{"oversized", quick, append(jsonedit.Body(t, q1), bytes.Repeat([]byte(" "), 1<<20)...), "body"},
	} {
		a.call(t, a.url, http.MethodPost, c.path, c.path, c.body, false).want(t, c.name, http.StatusBadRequest, c.field)
	}

	// Without waiting for delivery: 202 with a Location to poll.
	q5 := q1
	q5.FeatureConfig = sample.FeatureConfig()
	q5.FeatureConfig.ID = "config-045"
	q5.FeatureConfig.Settings = map[string]float64{"revenue_buckets": 20}
	q5.QuickTest.ID = 1
	ans := a.call(t, a.lazy, http.MethodPost, quick, quick, jsonedit.Body(t, q5), true).must(t, "lazy ingest", http.StatusAccepted)
	var pending ingestData
	ans.decode(t, &pending)
	if loc := ans.header.Get("Location"); loc != pending.StatusURL {
		t.Errorf("Location %q, want the status URL %q", loc, pending.StatusURL)
	}
	s.ingestIDs = append(s.ingestIDs, pending.ID)
	deadline := time.Now().Add(time.Minute)
	for pending.Status == mlexp.OutboxPending && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		a.call(t, a.url, http.MethodGet, "/api/experiments/ingest/{id}/", pending.StatusURL, nil, true).must(t, "status", http.StatusOK).decode(t, &pending)
	}
	if pending.Status != mlexp.OutboxDelivered {
		t.Fatalf("the pending item ended %q, want delivered", pending.Status)
	}
	run, err := a.mlf.GetRun(t.Context(), s.quick1)
	if err != nil {
		t.Fatal(err)
	}
	s.experimentID = run.Info.ExperimentID
	return s
}

// seedForeign makes an MLflow experiment by hand, as another tool would, with a running run
// without mlexp's params, a finished one, and a deleted one, and attaches it to a model.
func (a *api) seedForeign(t *testing.T, s *seed) {
	ctx := t.Context()
	var m mlexp.Model
	uniqueModel(&m, "foreign")
	s.foreignModel = m.ID
	expID, err := a.mlf.CreateExperiment(ctx, m.Name+" by hand", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	mk := func(name string, metrics map[string]float64, params map[string]string) string {
		t.Helper()
		r, err := a.mlf.CreateRun(ctx, mlflow.CreateRunRequest{ExperimentID: expID, RunName: name, StartTime: now.Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		var ms []mlflow.Metric
		for k, v := range metrics {
			ms = append(ms, mlflow.Metric{Key: k, Value: mlflow.Float(v), Timestamp: now.UnixMilli()})
		}
		var ps []mlflow.Param
		for k, v := range params {
			ps = append(ps, mlflow.Param{Key: k, Value: v})
		}
		if err := a.mlf.LogBatch(ctx, r.Info.RunID, ms, ps, nil); err != nil {
			t.Fatal(err)
		}
		return r.Info.RunID
	}
	s.foreignRun = mk("exploratory", map[string]float64{"recall_at_100": 0.31, "accuracy": math.Inf(1)}, map[string]string{"lr": "0.01"})
	mk("diverged", map[string]float64{"recall_at_100": math.NaN(), "loss": math.NaN(), "cost_usd": math.NaN()}, map[string]string{"lr": "1"})
	done := mk("baseline", map[string]float64{"recall_at_100": 0.29, "loss": 0.5}, map[string]string{"lr": "0.1", "run_type": "full_training"})
	if _, err := a.mlf.UpdateRun(ctx, mlflow.UpdateRunRequest{RunID: done, Status: mlflow.StatusFinished, EndTime: now}); err != nil {
		t.Fatal(err)
	}
	s.emptyRun = mk("nothing logged yet", nil, nil)
	s.deletedRun = mk("deleted", nil, nil)
	if err := a.mlf.DeleteRun(ctx, s.deletedRun); err != nil {
		t.Fatal(err)
	}

	const attach = "/api/models/{model_id}/experiments/attach/"
	target := "/api/models/" + url.PathEscape(m.ID) + "/experiments/attach/"
	body := []byte(fmt.Sprintf(`{"experiment":%q,"model_name":%q,"dataset":{"id":"by-hand","name":"Hand-made data","version":"1"}}`, expID, m.Name))
	var d mlexp.DatasetInfo
	a.call(t, a.url, http.MethodPost, attach, target, body, true).must(t, "attach by id", http.StatusOK).decode(t, &d)
	if d.ExperimentID != expID {
		t.Errorf("attached experiment %q, want %q", d.ExperimentID, expID)
	}
	byName := []byte(fmt.Sprintf(`{"experiment":%q,"dataset":{"id":"by-hand","name":"Hand-made data"}}`, m.Name+" by hand"))
	a.call(t, a.url, http.MethodPost, attach, strings.TrimSuffix(target, "/"), byName, true).want(t, "attach by name", http.StatusOK)
	// An experiment without runs.
	var e mlexp.Model
	uniqueModel(&e, "empty")
	s.emptyModel = e.ID
	emptyID, err := a.mlf.CreateExperiment(ctx, e.Name+" empty", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	target = "/api/models/" + url.PathEscape(e.ID) + "/experiments/attach/"
	body = []byte(fmt.Sprintf(`{"experiment":%q,"dataset":{"id":"none","name":"No data"}}`, emptyID))
	a.call(t, a.url, http.MethodPost, attach, target, body, true).must(t, "attach an empty experiment", http.StatusOK)

	for _, c := range []struct {
		name   string
		body   string
		status int
		field  string
	}{
		{"unknown experiment", `{"experiment":"no such experiment anywhere","dataset":{"id":"d","name":"D"}}`, http.StatusNotFound, "experiment"},
		{"no experiment", `{"dataset":{"id":"d","name":"D"}}`, http.StatusBadRequest, "experiment"},
		{"unknown field", `{"experiment":"0","dataset":{"id":"d","name":"D"},"owner":"me"}`, http.StatusBadRequest, "owner"},
		{"no dataset name", `{"experiment":"0","dataset":{"id":"d"}}`, http.StatusBadRequest, "dataset.name"},
	} {
		a.call(t, a.url, http.MethodPost, attach, target, []byte(c.body), false).want(t, c.name, c.status, c.field)
	}
}
