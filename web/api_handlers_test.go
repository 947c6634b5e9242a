package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/fakesource"
	"github.com/mlexp-dev/mlexp/internal/sample"
)

// The handlers over a fake run source, without MLflow: what each route answers, and the
// field it names when the query is wrong. web/apitest checks the same routes end to end
// against a real MLflow server.

// fakeServer serves the four runs of sample.AxisRuns as model "m" on dataset "d".
func fakeServer(t *testing.T) (http.Handler, *fakesource.Source) {
	t.Helper()
	src := fakesource.New()
	src.Add("m", "d", "7", sample.AxisRuns()...)
	return NewServer(Deps{Runs: src, MLflowUIURL: "http://mlflow.example/"}), src
}

// envelope is the JSON envelope of an answer.
type envelope struct {
	Status string          `json:"status"`
	Data   json.RawMessage `json:"data"`
	Error  struct {
		Code, Message, Field string
	} `json:"error"`
}

func call(t *testing.T, h http.Handler, method, target, body string) (*httptest.ResponseRecorder, envelope) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var e envelope
	if strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
			t.Fatalf("%s %s: %v in %s", method, target, err, w.Body)
		}
	}
	return w, e
}

func TestQueryHandlersOverAFakeSource(t *testing.T) {
	h, _ := fakeServer(t)
	for _, c := range []struct {
		target string
		want   []string // in the data
	}{
		{"/api/models/", []string{`"model_id":"m"`, `"experiment_id":"7"`}},
		{"/api/models/m/experiments/?dataset_id=d", []string{`"quick_tests":4`, `"experiment_id":"7"`, `"mlflow_url":"http://mlflow.example/#/experiments/7/runs"`}},
		{"/api/models/m/experiments/heatmap/", []string{`"metric":"recall_at_100"`, `"x_axis":{"name":"embedding_dims"`}},
		{"/api/models/m/experiments/runs/?sort=metrics.recall_at_100&order=desc", []string{`"total":4`, `"runs":[{"run_id":"b"`}},
		{"/api/models/m/experiments/runs/?x_axis=embedding_dims&x=64/64", []string{`"total":2`}},
		{"/api/models/m/experiments/parallel/?axes=embedding_dims", []string{`"lines":[`}},
		{"/api/models/m/experiments/insights/", []string{`"noise":`, `"fidelity":`}},
		{"/api/experiments/mlflow-url/?run_id=b", []string{`"run_url":"http://mlflow.example/#/experiments/7/runs/b"`}},
	} {
		w, e := call(t, h, http.MethodGet, c.target, "")
		if w.Code != http.StatusOK || e.Status != "success" {
			t.Errorf("GET %s: %d %s", c.target, w.Code, w.Body)
			continue
		}
		for _, want := range c.want {
			if !strings.Contains(string(e.Data), want) {
				t.Errorf("GET %s: data lacks %s: %s", c.target, want, e.Data)
			}
		}
	}
}

func TestQueryHandlersNameTheBadField(t *testing.T) {
	h, _ := fakeServer(t)
	for _, c := range []struct {
		method, target, body string
		status               int
		field                string
	}{
		{"GET", "/api/models/m/experiments/heatmap/?x_axis=nope", "", http.StatusBadRequest, "x_axis"},
		{"GET", "/api/models/m/experiments/?recent=-1", "", http.StatusBadRequest, "recent"},
		{"GET", "/api/models/m/experiments/runs/?format=xml", "", http.StatusBadRequest, "format"},
		{"GET", "/api/models/m/experiments/runs/?x=64/64", "", http.StatusBadRequest, "x_axis"},
		{"GET", "/api/models/m/experiments/best/?min_value=high", "", http.StatusBadRequest, "min_value"},
		{"GET", "/api/models/nobody/experiments/", "", http.StatusNotFound, "model_id"},
		{"GET", "/api/models/m/experiments/?dataset_id=other", "", http.StatusNotFound, "dataset_id"},
		{"POST", "/api/experiments/compare/", `{"run_ids":["a"]}`, http.StatusBadRequest, "run_ids"},
		{"POST", "/api/experiments/compare/", `{"run_ids":["a","zz"]}`, http.StatusNotFound, "run_ids"},
		{"POST", "/api/experiments/compare/", `{"run_ids":["a","b"],"baseline_run_id":"c"}`, http.StatusBadRequest, "baseline_run_id"},
		{"GET", "/api/experiments/mlflow-url/?run_ids=" + strings.Repeat("a,", 50) + manyIDs(51), "", http.StatusBadRequest, "run_ids"},
	} {
		w, e := call(t, h, c.method, c.target, c.body)
		if w.Code != c.status || e.Error.Field != c.field {
			t.Errorf("%s %s %s: %d field %q, want %d naming %s: %s", c.method, c.target, c.body, w.Code, e.Error.Field, c.status, c.field, w.Body)
		}
	}
}

func TestCompareOverAFakeSource(t *testing.T) {
	h, _ := fakeServer(t)
	w, e := call(t, h, http.MethodPost, "/api/experiments/compare/", `{"run_ids":["a","b"]}`)
	var c mlexp.Comparison
	if w.Code != http.StatusOK || json.Unmarshal(e.Data, &c) != nil || len(c.Runs) != 2 || c.Recommendation.Kind == "" {
		t.Fatalf("compare: %d %s", w.Code, w.Body)
	}
	if c.Recommendation.RunID != "b" {
		t.Errorf("recommendation for %s, want b (47%% against 40%%): %+v", c.Recommendation.RunID, c.Recommendation)
	}
}

// TestMLflowOutageByDependency checks that an outage is recognised by the dependency its
// error names: the API answers 503, the page says MLflow cannot be reached, whatever the
// message says.
func TestMLflowOutageByDependency(t *testing.T) {
	h, src := fakeServer(t)
	src.Down(mlexp.Unavailable(mlexp.DependencyMLflow, nil, "reading the runs: the tracking server is away"))
	if w, e := call(t, h, http.MethodGet, "/api/models/m/experiments/heatmap/", ""); w.Code != http.StatusServiceUnavailable || e.Error.Code != mlexp.EUNAVAILABLE {
		t.Errorf("API during an outage: %d %s", w.Code, w.Body)
	}
	w, _ := call(t, h, http.MethodGet, "/models/m/", "")
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "MLflow cannot be reached") ||
		!strings.Contains(w.Body.String(), "MLFLOW_TRACKING_URI") {
		t.Errorf("page during an outage: %d %s", w.Code, w.Body)
	}
}

// TestMissingDependenciesAnswerNotConfigured checks that a server made without a
// dependency answers 503 for the routes that need it, and serves the others.
func TestMissingDependenciesAnswerNotConfigured(t *testing.T) {
	h := NewServer(Deps{})
	for _, target := range []string{"/api/models/", "/api/models/m/experiments/heatmap/", "/api/models/m/deployments/",
		"/api/experiments/ingest/x/", "/api/experiments/comparisons/"} {
		if w, e := call(t, h, http.MethodGet, target, ""); w.Code != http.StatusServiceUnavailable || !strings.Contains(e.Error.Message, "not configured") {
			t.Errorf("GET %s: %d %s", target, w.Code, w.Body)
		}
	}
	if w, _ := call(t, h, http.MethodGet, "/healthz", ""); w.Code != http.StatusOK {
		t.Errorf("/healthz: %d", w.Code)
	}
}

// manyIDs is n distinct run ids, comma-separated.
func manyIDs(n int) string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("run-%04d", i)
	}
	return strings.Join(ids, ",")
}

// TestLoadingSaysHowFarItHasGot checks what a request gets while an experiment's first load
// is under way: the API a 503 that says it is loading, how many runs are in, and when to try
// again; the page the same in words, reloading itself.
func TestLoadingSaysHowFarItHasGot(t *testing.T) {
	h, src := fakeServer(t)
	src.Down(mlexp.Loading("7", 45000))
	w, e := call(t, h, http.MethodGet, "/api/models/m/experiments/heatmap/", "")
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Errorf("API while loading: %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	var body struct {
		Error struct {
			Details map[string]any `json:"details"`
		} `json:"error"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Error.Details["loading"] != true || body.Error.Details["runs_read"] != 45000.0 {
		t.Errorf("API while loading: details %v (%v); want loading and runs_read 45000: %s", body.Error.Details, err, e.Error.Message)
	}
	w, _ = call(t, h, http.MethodGet, "/models/m/", "")
	for _, want := range []string{"Loading runs from MLflow", "45,000 read", `<meta http-equiv="refresh" content="3">`} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("page while loading lacks %q: %s", want, w.Body)
		}
	}
}
