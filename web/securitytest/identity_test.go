package securitytest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

// Probes of the identity of results (issue 16): which MLflow experiment a model's results
// land in, what MLflow refuses, and the idempotency keys of the outbox.

// identityAnswer is the JSON envelope of an API answer, data or error.
type identityAnswer struct {
	Status string          `json:"status"`
	Data   json.RawMessage `json:"data"`
	Error  struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// identityCall sends body (as JSON, when not nil) to the API of w and decodes the answer.
func identityCall(t *testing.T, w *world, method, path string, body any) (int, identityAnswer) {
	t.Helper()
	var raw bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&raw).Encode(body); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequestWithContext(t.Context(), method, w.URL+path, &raw)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ans identityAnswer
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		t.Fatalf("%s %s: answer is not JSON: %v", method, path, err)
	}
	return resp.StatusCode, ans
}

// identityIngest posts a quick test and returns the MLflow run id it was delivered as.
func identityIngest(t *testing.T, w *world, r mlexp.QuickTestReport) (runID, key string) {
	t.Helper()
	status, ans := identityCall(t, w, http.MethodPost, "/api/experiments/quick-tests/", r)
	var item struct {
		RunID string `json:"run_id"`
		Key   string `json:"idempotency_key"`
	}
	if err := json.Unmarshal(ans.Data, &item); status != http.StatusCreated || err != nil || item.RunID == "" {
		t.Fatalf("ingest of %s on %s = %d %s %+v, want 201 with a run id", r.Model.ID, r.Dataset.ID, status, ans.Data, ans.Error)
	}
	return item.RunID, item.Key
}

// identityReport is the spec's quick test of model (id, name) on dataset (id, name).
func identityReport(modelID, modelName, datasetID, datasetName string) mlexp.QuickTestReport {
	r := sample.QuickTestReport()
	r.Model = mlexp.Model{ID: modelID, Name: modelName}
	r.Dataset = mlexp.Dataset{ID: datasetID, Name: datasetName}
	return r
}

// identityRuns returns the ids of the runs the API lists for a model on a dataset, and the
// experiment it read them from.
func identityRuns(t *testing.T, w *world, modelID, datasetID string) (runIDs []string, experimentID string) {
	t.Helper()
	path := "/api/models/" + url.PathEscape(modelID) + "/experiments/runs?dataset_id=" + url.QueryEscape(datasetID)
	status, ans := identityCall(t, w, http.MethodGet, path, nil)
	var page struct {
		Runs []struct {
			RunID string `json:"run_id"`
		} `json:"runs"`
		Experiment struct {
			ExperimentID string `json:"experiment_id"`
		} `json:"experiment"`
	}
	if err := json.Unmarshal(ans.Data, &page); status != http.StatusOK || err != nil {
		t.Fatalf("runs of model %s on %s = %d %+v, want 200", modelID, datasetID, status, ans.Error)
	}
	for _, r := range page.Runs {
		runIDs = append(runIDs, r.RunID)
	}
	return runIDs, page.Experiment.ExperimentID
}

// checkOwnRuns fails unless each report's model lists exactly the run it logged, from an
// experiment of its own.
func checkOwnRuns(t *testing.T, w *world, reports ...mlexp.QuickTestReport) {
	t.Helper()
	experiments := map[string]string{}
	for _, r := range reports {
		runID, _ := identityIngest(t, w, r)
		runs, exp := identityRuns(t, w, r.Model.ID, r.Dataset.ID)
		if len(runs) != 1 || runs[0] != runID {
			t.Errorf("model %s on %s lists runs %v, want only its own %s", r.Model.ID, r.Dataset.ID, runs, runID)
		}
		if other, ok := experiments[exp]; ok {
			t.Errorf("model %s shares experiment %s with model %s", r.Model.ID, exp, other)
		}
		experiments[exp] = r.Model.ID
	}
}

// Defect: the experiment "{model}-{dataset}" was found by name, so a second model named
// "recs" on "Q1" logged into the first one's experiment (re-tagging it) and answered 404.
func TestIdentityModelsNamedAlikeSeeTheirOwnRuns(t *testing.T) {
	w := newWorld(t)
	u := fmt.Sprintf("%d", time.Now().UnixNano())
	checkOwnRuns(t, w, identityReport("recs-1-"+u, "recs"+u, "Q1", "Q1"), identityReport("recs-2-"+u, "recs"+u, "Q1", "Q1"))
}

// Defect: ("zz-a", "b") and ("zz", "a-b") both named the experiment "zz-a-b".
func TestIdentityNamesCollidingAcrossTheHyphen(t *testing.T) {
	w := newWorld(t)
	u := fmt.Sprintf("%d", time.Now().UnixNano())
	checkOwnRuns(t, w, identityReport("zz-a"+u, "zz"+u+"-a", "b", "b"), identityReport("zz"+u, "zz"+u, "a-b", "a-b"))
}

// Defect: a 314-character cross key, or a 10,099-character tower list, was refused by
// MLflow only after runs/create, leaving a RUNNING run without params. It is refused with
// 400 naming the field, and nothing is queued or made in MLflow.
func TestIdentityParamsMLflowRefusesAreRefusedFirst(t *testing.T) {
	w := newWorld(t)
	long := func(i int, n int) string {
		return fmt.Sprintf("f%d_%s", i, strings.Repeat("x", n-len(fmt.Sprint(i))-2))
	}
	for _, tc := range []struct {
		name, field string
		change      func(*mlexp.FeatureConfig)
	}{
		{"a 314-character cross key", "feature_config.cross_features[0]", func(c *mlexp.FeatureConfig) {
			c.CrossFeatures[0].Features = []string{long(1, 100), long(2, 100), long(3, 100)}
		}},
		{"a 10,099-character tower list", "feature_config.query_tower", func(c *mlexp.FeatureConfig) {
			c.QueryTower = nil
			for i := range 101 {
				c.QueryTower = append(c.QueryTower, mlexp.Feature{Name: long(i, 99), EmbeddingDim: 8})
			}
		}},
	} {
		r := identityReport(fmt.Sprintf("refused-%d", time.Now().UnixNano()), "refused", "ds", "ds")
		tc.change(&r.FeatureConfig)
		status, ans := identityCall(t, w, http.MethodPost, "/api/experiments/quick-tests/", r)
		if status != http.StatusBadRequest || ans.Error.Field != tc.field {
			t.Errorf("%s: ingest = %d %+v, want 400 naming %s", tc.name, status, ans.Error, tc.field)
		}
		if _, err := w.Client.GetExperimentByName(t.Context(), mlexp.ExperimentName(r.Model, r.Dataset)); !errors.Is(err, mlflow.ErrNotFound) {
			t.Errorf("%s: the refused result made an experiment in MLflow (%v)", tc.name, err)
		}
		filter, _ := mlflow.And(mlflow.Where(mlflow.Tags, tracking.TagModelID, "=", r.Model.ID))
		if exps, err := w.Client.SearchExperiments(t.Context(), mlflow.SearchExperimentsRequest{Filter: filter, ViewType: mlflow.AllViews}); err != nil || len(exps) > 0 {
			t.Errorf("%s: experiments of the refused model: %d, %v", tc.name, len(exps), err)
		}
	}
	counts, err := w.Store.OutboxCounts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for status, n := range counts {
		if n > 0 {
			t.Errorf("the refused results left %d %s items in the outbox", n, status)
		}
	}
}

// Defect: idempotency keys joined ids with '/', so model "coll/x" on dataset "d" and model
// "coll" on dataset "x/d" shared a key, and the second result was refused as a changed copy.
func TestIdentityKeysDoNotCollideThroughTheSlash(t *testing.T) {
	w := newWorld(t)
	u := fmt.Sprintf("%d", time.Now().UnixNano())
	a := identityReport("coll"+u+"/x", "coll x", "d", "d")
	b := identityReport("coll"+u, "coll", "x/d", "x d")
	runA, keyA := identityIngest(t, w, a)
	runB, keyB := identityIngest(t, w, b)
	if runA == runB || keyA == keyB {
		t.Fatalf("the two results share run %s / %s, keys %q / %q", runA, runB, keyA, keyB)
	}
	for runID, r := range map[string]mlexp.QuickTestReport{runA: a, runB: b} {
		run, err := w.Client.GetRun(t.Context(), runID)
		if err != nil {
			t.Fatal(err)
		}
		exp, err := w.Client.GetExperiment(t.Context(), run.Info.ExperimentID)
		if err != nil {
			t.Fatal(err)
		}
		model, _ := exp.Tag(tracking.TagModelID)
		dataset, _ := run.Data.Tag(tracking.TagDatasetID)
		if model != r.Model.ID || dataset != r.Dataset.ID {
			t.Errorf("run %s is of model %q on %q, want %q on %q", runID, model, dataset, r.Model.ID, r.Dataset.ID)
		}
	}
}
