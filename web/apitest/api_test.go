package apitest_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/chart"
	"github.com/mlexp-dev/mlexp/internal/jsonedit"
	"github.com/mlexp-dev/mlexp/internal/mlflowtest"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/tracking"
	"github.com/mlexp-dev/mlexp/web"
	"github.com/mlexp-dev/mlexp/web/apitest"
)

var srv *mlflowtest.Server

func TestMain(m *testing.M) { mlflowtest.Main(m, &srv) }

// api is mlexp's HTTP API over real dependencies, and the document its answers must match.
type api struct {
	doc  *apitest.Doc
	url  string // of the API over real MLflow and SQLite
	lazy string // the same, but its ingest answers without waiting for delivery (202)
	dead string // the same API over an MLflow that cannot be reached
	// The same API with auth: token (users ana and bob) and proxy (X-Forwarded-User).
	token, proxy string
	mlf          *mlflow.Client

	mu   sync.Mutex
	seen map[apitest.Route]map[int]bool // statuses answered, by documented route
}

func newClient(tb testing.TB, uri string, attempts int) *mlflow.Client {
	tb.Helper()
	c, err := mlflow.NewClient(uri, mlflow.WithRetry(mlflow.RetryPolicy{MaxAttempts: attempts, Initial: 10 * time.Millisecond, Max: 50 * time.Millisecond}))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// newAPI wires the server as `mlexp serve` does: a SQLite outbox, delivery to MLflow in the
// background, a reader with a cache that what mlexp logs invalidates.
func newAPI(t *testing.T) *api {
	t.Helper()
	doc, err := apitest.Load(web.OpenAPIDocument())
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range doc.Check() {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	store, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "mlexp.db"))
	if err != nil {
		t.Fatal(err)
	}
	client := newClient(t, srv.URL, 3)
	logger := tracking.NewLogger(client, chart.TrainingCurves)
	reader := tracking.NewReader(client, 30*time.Second, time.Now, log)
	logger.OnChange(func(experimentID string) {
		reader.Invalidate(experimentID)
		reader.ModelsChanged()
	})
	promoter := tracking.NewPromoter(client, store, time.Now)
	promoter.OnChange(reader.Invalidate)
	delivery := tracking.NewDelivery(store, logger, log, tracking.DeliveryConfig{Workers: 2, Poll: 100 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); delivery.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		store.Close()
	})
	checks := []web.Check{{Name: "mlflow", Check: client.Ping}, {Name: "database", Check: store.Ping}}
	deps := web.Deps{Logger: log, Checks: checks, Ingest: tracking.NewIngest(store, delivery, time.Minute),
		Promoter: promoter, Best: reader, Runs: reader, MLflowUIURL: srv.URL, Artifacts: reader, TrainingURL: trainingService(t), Comparisons: store}
	a := &api{doc: doc, mlf: client, seen: map[apitest.Route]map[int]bool{}}
	a.url = serve(t, deps)

	tokens, err := web.TokenAuth(strings.NewReader("# apitest users\nana " + anaToken + "\nbob " + bobToken + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	withTokens := deps
	withTokens.Auth = tokens
	a.token = serve(t, withTokens)
	proxy, err := web.ProxyAuth("X-Forwarded-User")
	if err != nil {
		t.Fatal(err)
	}
	behindProxy := deps
	behindProxy.Auth = proxy
	a.proxy = serve(t, behindProxy)

	lazy := deps
	lazy.Ingest = tracking.NewIngest(store, nil, 0) // no wake-up, no wait: the item is pending
	a.lazy = serve(t, lazy)

	deadClient := newClient(t, "http://127.0.0.1:1", 1) // nothing listens on port 1
	deadReader := tracking.NewReader(deadClient, 30*time.Second, time.Now, log)
	dead := web.Deps{Logger: log, Checks: []web.Check{{Name: "mlflow", Check: deadClient.Ping}, {Name: "database", Check: store.Ping}},
		Ingest: deps.Ingest, Promoter: tracking.NewPromoter(deadClient, store, time.Now), Best: deadReader, Runs: deadReader, MLflowUIURL: srv.URL,
		TrainingURL: "http://127.0.0.1:1/train", Comparisons: store}
	a.dead = serve(t, dead)
	return a
}

// trainingService stands in for the service that starts full trainings (there is none to
// run here): it answers by the config_id it is asked for, as such a service might.
func trainingService(t *testing.T) string {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ConfigID string `json:"config_id"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch req.ConfigID {
		case "unknown-config":
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprint(w, `{"error":"no such config"}`)
		case "busy-config":
			w.WriteHeader(http.StatusConflict)
			fmt.Fprint(w, `{"message":"a training of this config is running"}`)
		case "broken-config":
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, "boom")
		case "sync-config":
			fmt.Fprint(w, `{"status":"started","job":"job-2"}`)
		default:
			w.WriteHeader(http.StatusAccepted)
			fmt.Fprint(w, `{"status":"queued","job":"job-1"}`)
		}
	}))
	t.Cleanup(s.Close)
	return s.URL + "/train"
}

func serve(t *testing.T, deps web.Deps) string {
	s := httptest.NewServer(web.NewServer(deps))
	t.Cleanup(s.Close)
	return s.URL
}

// answer is a response of the API.
type answer struct {
	status int
	header http.Header
	body   []byte
	data   json.RawMessage
	err    struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Field   string         `json:"field"`
		Details map[string]any `json:"details"`
	}
}

// call sends method to base+target, with a JSON body if any; route is the documented path
// of target. It checks the request body (when valid is true) and the answer against the
// document, failing the test with the path and the validator's message on any mismatch.
func (a *api) call(t *testing.T, base, method, route, target string, body []byte, valid bool) answer {
	t.Helper()
	return a.callWith(t, base, method, route, target, body, "application/json", nil, valid)
}

// noRedirects is a client that shows redirects instead of following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// callWith is call with the body's media type and more request headers.
func (a *api) callWith(t *testing.T, base, method, route, target string, body []byte, contentType string, header http.Header, valid bool) answer {
	t.Helper()
	if body != nil && valid {
		if err := a.doc.ValidateRequest(method, route, contentType, body); err != nil {
			t.Errorf("%s %s: the document refuses a request the test means as valid: %v", method, target, err)
		}
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, base+target, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	out := answer{status: resp.StatusCode, header: resp.Header}
	if out.body, err = io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	if err := a.doc.ValidateResponse(method, route, resp.StatusCode, resp.Header, out.body); err != nil {
		t.Errorf("%s %s:\n%v", method, target, err)
	}
	a.mu.Lock()
	r := apitest.Route{Method: method, Path: route}
	if a.seen[r] == nil {
		a.seen[r] = map[int]bool{}
	}
	a.seen[r][resp.StatusCode] = true
	a.mu.Unlock()
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && route != "/api/openapi.json" {
		var env struct {
			Data  json.RawMessage `json:"data"`
			Error json.RawMessage `json:"error"`
		}
		if err := json.Unmarshal(out.body, &env); err != nil {
			t.Fatalf("%s %s: %v", method, target, err)
		}
		out.data = env.Data
		if env.Error != nil {
			_ = json.Unmarshal(env.Error, &out.err)
		}
	}
	return out
}

// want reports an error unless the answer has status (and, for errors, the field).
func (ans answer) want(t *testing.T, what string, status int, field ...string) answer {
	t.Helper()
	if ans.status != status {
		t.Errorf("%s: status %d, want %d; body %.600s", what, ans.status, status, ans.body)
		return ans
	}
	if len(field) > 0 && ans.err.Field != field[0] {
		t.Errorf("%s: error field %q, want %q (%s)", what, ans.err.Field, field[0], ans.err.Message)
	}
	return ans
}

// must stops the test unless the answer has status.
func (ans answer) must(t *testing.T, what string, status int) answer {
	t.Helper()
	if ans.status != status {
		t.Fatalf("%s: status %d, want %d; body %.600s", what, ans.status, status, ans.body)
	}
	return ans
}

func (ans answer) decode(t *testing.T, v any) {
	t.Helper()
	if ans.status >= 300 {
		t.Fatalf("no data in a %d answer: %.600s", ans.status, ans.body)
	}
	if err := json.Unmarshal(ans.data, v); err != nil {
		t.Fatalf("data: %v: %s", err, ans.data)
	}
}

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

func f(v float64) *float64 { return &v }

// TestAPIMatchesOpenAPI seeds an experiment through the API, then calls every route with
// valid and invalid input and checks every answer against web/openapi.json.
func TestAPIMatchesOpenAPI(t *testing.T) {
	a := newAPI(t)
	s := a.seedIngest(t)
	a.seedForeign(t, &s)

	t.Run("probes", func(t *testing.T) { a.probes(t) })
	t.Run("models", func(t *testing.T) { a.models(t, s) })
	t.Run("summary", func(t *testing.T) { a.summary(t, s) })
	t.Run("heatmap", func(t *testing.T) { a.heatmap(t, s) })
	t.Run("runs", func(t *testing.T) { a.runs(t, s) })
	t.Run("parallel", func(t *testing.T) { a.parallel(t, s) })
	t.Run("insights", func(t *testing.T) { a.insights(t, s) })
	t.Run("compare", func(t *testing.T) { a.compare(t, s) })
	t.Run("mlflow-url", func(t *testing.T) { a.mlflowURL(t, s) })
	t.Run("ingest status", func(t *testing.T) { a.ingestStatus(t, s) })
	t.Run("deploy", func(t *testing.T) { a.deploy(t, s) })
	t.Run("full training", func(t *testing.T) { a.fullTraining(t, s) })
	t.Run("pages", func(t *testing.T) { a.pages(t, s) })
	t.Run("saved comparisons", func(t *testing.T) { a.savedComparisons(t, s) })
	t.Run("auth", func(t *testing.T) { a.auth(t, s) })
	t.Run("MLflow down", func(t *testing.T) { a.mlflowDown(t, s) })

	// Every documented route was answered successfully at least once (with a 2xx, or for a
	// route that documents none, such as POST /signin, with a redirect); the statuses never
	// seen are listed, for whoever extends this test.
	a.mu.Lock()
	defer a.mu.Unlock()
	var unseen []string
	for _, r := range a.doc.Routes() {
		success := 300
		if !slices.ContainsFunc(a.doc.Statuses(r), func(st int) bool { return st < 300 }) {
			success = 400
		}
		ok := false
		for st := range a.seen[r] {
			ok = ok || st < success
		}
		if !ok {
			t.Errorf("%s was never answered with success: call it in web/apitest/api_test.go", r)
		}
		for _, st := range a.doc.Statuses(r) {
			if !a.seen[r][st] {
				unseen = append(unseen, fmt.Sprintf("%s → %d", r, st))
			}
		}
	}
	sort.Strings(unseen)
	t.Logf("documented answers not exercised:\n  %s", strings.Join(unseen, "\n  "))
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
	q2.QuickTest.Metrics = mlexp.Metrics{Loss: f(0.35), RecallAt10: f(0.19), RecallAt50: f(0.40), RecallAt100: f(0.49),
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
	q3.QuickTest.CostUSD = f(0.2)
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

func (a *api) probes(t *testing.T) {
	a.call(t, a.url, http.MethodGet, "/healthz", "/healthz", nil, true).want(t, "healthz", http.StatusOK)
	var ready struct {
		Checks map[string]string `json:"checks"`
	}
	a.call(t, a.url, http.MethodGet, "/readyz", "/readyz", nil, true).want(t, "readyz", http.StatusOK).decode(t, &ready)
	if len(ready.Checks) != 2 {
		t.Errorf("readyz checks %v, want mlflow and database", ready.Checks)
	}
	ans := a.call(t, a.dead, http.MethodGet, "/readyz", "/readyz", nil, true).want(t, "readyz without MLflow", http.StatusServiceUnavailable)
	if !strings.Contains(ans.err.Message, "mlflow") {
		t.Errorf("readyz message %q does not name mlflow", ans.err.Message)
	}
	ans = a.call(t, a.url, http.MethodGet, "/metrics", "/metrics", nil, true).want(t, "metrics", http.StatusOK)
	if !bytes.Contains(ans.body, []byte("# TYPE")) {
		t.Errorf("metrics: not the Prometheus text format: %.200s", ans.body)
	}
	ans = a.call(t, a.url, http.MethodGet, "/api/openapi.json", "/api/openapi.json", nil, true).want(t, "openapi", http.StatusOK)
	if !bytes.Equal(ans.body, web.OpenAPIDocument()) {
		t.Error("GET /api/openapi.json is not the document")
	}
}

func (a *api) models(t *testing.T, s seed) {
	var list struct {
		Models []mlexp.ModelInfo `json:"models"`
	}
	a.call(t, a.url, http.MethodGet, "/api/models/", "/api/models/", nil, true).want(t, "models", http.StatusOK).decode(t, &list)
	a.call(t, a.url, http.MethodGet, "/api/models/", "/api/models", nil, true).want(t, "models", http.StatusOK)
	found := map[string]bool{}
	for _, m := range list.Models {
		found[m.ID] = true
	}
	if !found[s.model] || !found[s.foreignModel] {
		t.Errorf("models: %v lacks %s or %s", found, s.model, s.foreignModel)
	}
}

// query calls a GET route of a model with a query, expecting status (and the error field).
func (a *api) query(t *testing.T, route, model, query string, status int, field ...string) answer {
	t.Helper()
	target := strings.Replace(route, "{model_id}", url.PathEscape(model), 1)
	if query != "" {
		target += "?" + query
	}
	return a.call(t, a.url, http.MethodGet, route, target, nil, true).want(t, "GET "+target, status, field...)
}

func (a *api) summary(t *testing.T, s seed) {
	const route = "/api/models/{model_id}/experiments/"
	for _, q := range []string{"", "metric=loss", "metric=ndcg_at_10", "recent=2", "recent=0", "dataset_id=dataset-001"} {
		a.query(t, route, s.model, q, http.StatusOK)
	}
	for _, q := range []string{"", "metric=accuracy"} {
		a.query(t, route, s.foreignModel, q, http.StatusOK)
	}
	a.query(t, route, s.emptyModel, "", http.StatusOK)
	a.query(t, route, s.model, "metric=lr", http.StatusBadRequest, "metric")
	a.query(t, route, s.model, "recent=x", http.StatusBadRequest, "recent")
	a.query(t, route, s.model, "recent=101", http.StatusBadRequest, "recent")
	a.query(t, route, "no-such-model", "", http.StatusNotFound, "model_id")
	a.query(t, route, s.model, "dataset_id=no-such-dataset", http.StatusNotFound, "dataset_id")

	var sum struct {
		Total    int `json:"total"`
		Failed   int `json:"failed"`
		Deployed any `json:"deployed"`
	}
	a.query(t, route, s.model, "", http.StatusOK).decode(t, &sum)
	if sum.Total != 5 || sum.Failed != 1 {
		t.Errorf("summary: %d runs, %d failed; want 5 and 1", sum.Total, sum.Failed)
	}
}

func (a *api) heatmap(t *testing.T, s seed) {
	const route = "/api/models/{model_id}/experiments/heatmap/"
	for _, q := range []string{"", "agg=best", "agg=mean", "agg=median", "agg=latest", "run_type=all", "run_type=quick_test",
		"run_type=full_training", "metric=loss&agg=mean", "metric=ndcg_at_10", "x_axis=epochs&y_axis=run_type",
		"x_axis=num_crosses&y_axis=revenue_buckets", "x_axis=user_id_embedding_dim&y_axis=config_id"} {
		a.query(t, route, s.model, q, http.StatusOK)
	}
	a.call(t, a.url, http.MethodGet, route, "/api/models/"+s.model+"/experiments/heatmap", nil, true).want(t, "heatmap without the slash", http.StatusOK)
	for _, q := range []string{"", "x_axis=lr&y_axis=run_type"} {
		a.query(t, route, s.foreignModel, q, http.StatusOK)
	}
	a.query(t, route, s.emptyModel, "", http.StatusOK)
	for q, field := range map[string]string{"agg=max": "agg", "run_type=quick": "run_type", "x_axis=colour": "x_axis",
		"y_axis=": "", "metric=precision": "metric"} {
		if field == "" {
			a.query(t, route, s.model, q, http.StatusOK) // empty is the default
			continue
		}
		ans := a.query(t, route, s.model, q, http.StatusBadRequest, field)
		if _, ok := ans.err.Details["valid"]; !ok {
			t.Errorf("heatmap %s: no valid values in the error details: %s", q, ans.body)
		}
	}
	a.query(t, route, "no-such-model", "", http.StatusNotFound, "model_id")
}

func (a *api) runs(t *testing.T, s seed) {
	const route = "/api/models/{model_id}/experiments/runs/"
	for _, q := range []string{"", "page_size=1", "page=2&page_size=1", "page=99", "page=0&page_size=0", "sort=recall_at_100&order=asc",
		"sort=metrics.loss", "sort=params.epochs&order=DESC", "sort=cost", "sort=duration", "sort=config", "sort=name", "sort=end_time",
		"type=quick_test", "type=FULL_TRAINING", "status=failed", "status=Finished", "search=config-044", "search=user_id_embedding_dim=128",
		"format=json"} {
		a.query(t, route, s.model, q, http.StatusOK)
	}
	for _, q := range []string{"", "status=running", "sort=params.lr", "sort=accuracy"} {
		a.query(t, route, s.foreignModel, q, http.StatusOK)
	}
	a.query(t, route, s.emptyModel, "", http.StatusOK)
	var page struct {
		Runs  []map[string]any `json:"runs"`
		Total int              `json:"total"`
		Pages int              `json:"pages"`
	}
	a.query(t, route, s.model, "page_size=2", http.StatusOK).decode(t, &page)
	if page.Total != 5 || page.Pages != 3 || len(page.Runs) != 2 {
		t.Errorf("runs page: total %d, pages %d, %d runs; want 5, 3, 2", page.Total, page.Pages, len(page.Runs))
	}

	for _, c := range []struct{ q, field string }{
		{"format=xml", "format"}, {"page_size=5000", "page_size"}, {"page=-1", "page"}, {"page=one", "page"}, {"sort=colour", "sort"},
		{"order=up", "order"}, {"type=quick", "type"}, {"status=done", "status"}, {"search=" + strings.Repeat("x", 501), "search"},
	} {
		a.query(t, route, s.model, c.q, http.StatusBadRequest, c.field)
	}
	a.query(t, route, "no-such-model", "", http.StatusNotFound, "model_id")

	// CSV: every matching run, with a header row.
	for _, model := range []string{s.model, s.foreignModel} {
		ans := a.query(t, route, model, "format=csv&sort=name", http.StatusOK)
		if ct := ans.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("CSV Content-Type %q", ct)
		}
		if cd := ans.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=") || !strings.HasSuffix(cd, `-runs.csv"`) {
			t.Errorf("CSV Content-Disposition %q", cd)
		}
		rows, err := csv.NewReader(bytes.NewReader(ans.body)).ReadAll()
		if err != nil {
			t.Fatalf("CSV: %v", err)
		}
		wantHeader := []string{"run_id", "run_name", "run_type", "config_id", "config_name", "status", "start_time", "end_time",
			"duration_seconds", "cost_usd", "is_deployed", "failure_stage", "failure_reason"}
		if len(rows) == 0 || !slices.Equal(rows[0][:len(wantHeader)], wantHeader) {
			t.Errorf("CSV header %v, want it to start with %v", rows[0], wantHeader)
		}
		if model == s.model && len(rows) != 6 {
			t.Errorf("CSV: %d rows, want a header and 5 runs", len(rows))
		}
	}
}

func (a *api) parallel(t *testing.T, s seed) {
	const route = "/api/models/{model_id}/experiments/parallel/"
	for _, q := range []string{"", "axes=epochs,run_type", "axes=embedding_dims,%20num_crosses,cross_features", "run_type=quick_test",
		"run_type=full_training", "metric=loss", "metric=ndcg_at_10&axes=config_id"} {
		a.query(t, route, s.model, q, http.StatusOK)
	}
	for _, q := range []string{"", "axes=lr,run_type"} {
		a.query(t, route, s.foreignModel, q, http.StatusOK)
	}
	a.query(t, route, s.emptyModel, "", http.StatusOK)
	thirteen := strings.TrimSuffix(strings.Repeat("epochs,", 13), ",")
	for q, field := range map[string]string{"axes=colour": "axes", "axes=epochs,epochs": "axes", "axes=" + thirteen: "axes",
		"run_type=full": "run_type", "metric=precision": "metric"} {
		a.query(t, route, s.model, q, http.StatusBadRequest, field)
	}
	a.query(t, route, "no-such-model", "", http.StatusNotFound, "model_id")
}

func (a *api) compare(t *testing.T, s seed) {
	const route = "/api/experiments/compare/"
	post := func(body string, valid bool, status int, field ...string) answer {
		t.Helper()
		return a.call(t, a.url, http.MethodPost, route, route, []byte(body), valid).want(t, "compare "+body, status, field...)
	}
	ids := func(v ...string) string { b, _ := json.Marshal(v); return string(b) }
	post(`{"run_ids":`+ids(s.quick1, s.quick2)+`}`, true, http.StatusOK)
	post(`{"run_ids":`+ids(s.quick1, s.quick2, s.failed, s.training)+`,"baseline_run_id":"`+s.quick2+`","metric":"loss"}`, true, http.StatusOK)
	post(`{"run_ids":`+ids(s.training, s.quick2)+`,"metric":"ndcg_at_10"}`, true, http.StatusOK)
	post(`{"run_ids":`+ids(s.foreignRun, s.quick1)+`}`, true, http.StatusOK) // a running run of another experiment
	post(`{"run_ids":`+ids(s.failed, s.foreignRun)+`}`, true, http.StatusOK)
	post(`{"run_ids":`+ids(s.failed, s.emptyRun)+`}`, true, http.StatusOK) // no metric in the table

	post(`{"run_ids":`+ids(s.quick1)+`}`, false, http.StatusBadRequest, "run_ids")
	post(`{"run_ids":`+ids(s.quick1, s.quick1)+`}`, false, http.StatusBadRequest, "run_ids")
	post(`{"run_ids":`+ids(s.quick1, s.quick2)+`,"baseline":"x"}`, false, http.StatusBadRequest, "baseline")
	post(`{"run_ids":`+ids(s.quick1, s.quick2)+`,"baseline_run_id":"`+s.training+`"}`, true, http.StatusBadRequest, "baseline_run_id")
	post(`{"run_ids":`+ids(s.quick1, s.quick2)+`,"metric":"precision"}`, true, http.StatusBadRequest, "metric")
	post(`{"run_ids":"`+s.quick1+`"}`, false, http.StatusBadRequest, "run_ids")
	post(`{"run_ids":`+ids(s.quick1, "0123456789abcdef0123456789abcdef")+`}`, true, http.StatusNotFound, "run_ids")
}

func (a *api) mlflowURL(t *testing.T, s seed) {
	const route = "/api/experiments/mlflow-url/"
	for _, q := range []string{"", "?experiment_id=" + s.experimentID, "?run_id=" + s.quick1, "?run_ids=" + s.quick1 + "," + s.foreignRun,
		"?run_id=" + s.training + "&run_ids=" + s.quick1 + "," + s.quick2} {
		a.call(t, a.url, http.MethodGet, route, route+q, nil, true).want(t, "mlflow-url"+q, http.StatusOK)
	}
	a.call(t, a.url, http.MethodGet, route, strings.TrimSuffix(route, "/"), nil, true).want(t, "mlflow-url", http.StatusOK)
	a.call(t, a.url, http.MethodGet, route, route+"?run_id=0123456789abcdef0123456789abcdef", nil, true).want(t, "unknown run", http.StatusNotFound)
}

func (a *api) ingestStatus(t *testing.T, s seed) {
	const route = "/api/experiments/ingest/{id}/"
	for _, id := range s.ingestIDs {
		a.call(t, a.url, http.MethodGet, route, "/api/experiments/ingest/"+id+"/", nil, true).want(t, "status", http.StatusOK)
	}
	a.call(t, a.url, http.MethodGet, route, "/api/experiments/ingest/"+s.ingestIDs[0], nil, true).want(t, "status", http.StatusOK)
	a.call(t, a.url, http.MethodGet, route, "/api/experiments/ingest/no-such-item/", nil, true).want(t, "unknown item", http.StatusNotFound)
}

func (a *api) deploy(t *testing.T, s seed) {
	a.deployments(t, s)

	// The deployed run shows in every query.
	const base = "/api/models/{model_id}/experiments/"
	for _, r := range []string{base, base + "heatmap/", base + "runs/", base + "parallel/"} {
		a.query(t, r, s.model, "", http.StatusOK)
	}
	ids, _ := json.Marshal([]string{s.quick1, s.quick2, s.training})
	a.call(t, a.url, http.MethodPost, "/api/experiments/compare/", "/api/experiments/compare/", []byte(`{"run_ids":`+string(ids)+`}`), true).
		want(t, "compare with the deployed run", http.StatusOK)
}

// mlflowDown calls the routes that read or write MLflow on a server whose MLflow cannot be
// reached: each answers 503.
func (a *api) mlflowDown(t *testing.T, s seed) {
	for _, c := range []struct{ method, route, target, body string }{
		{"GET", "/api/models/", "/api/models/", ""},
		{"GET", "/api/models/{model_id}/experiments/", "/api/models/" + s.model + "/experiments/", ""},
		{"GET", "/api/models/{model_id}/experiments/heatmap/", "/api/models/" + s.model + "/experiments/heatmap/", ""},
		{"GET", "/api/models/{model_id}/experiments/runs/", "/api/models/" + s.model + "/experiments/runs/?format=csv", ""},
		{"GET", "/api/models/{model_id}/experiments/parallel/", "/api/models/" + s.model + "/experiments/parallel/", ""},
		{"GET", "/api/models/{model_id}/experiments/insights/", "/api/models/" + s.model + "/experiments/insights/", ""},
		{"POST", "/api/models/{model_id}/experiments/attach/", "/api/models/" + s.model + "/experiments/attach/", `{"experiment":"1","dataset":{"id":"d","name":"D"}}`},
		{"POST", "/api/experiments/compare/", "/api/experiments/compare/", `{"run_ids":["` + s.quick1 + `","` + s.quick2 + `"]}`},
		{"GET", "/api/experiments/mlflow-url/", "/api/experiments/mlflow-url/?run_id=" + s.quick1, ""},
		{"POST", "/api/experiments/runs/{run_id}/deploy/", "/api/experiments/runs/" + s.training + "/deploy/", ""},
		{"POST", "/api/models/{model_id}/deployments/rollback/", "/api/models/" + s.model + "/deployments/rollback/", ""},
		{"GET", "/api/models/{model_id}/experiments/best/", "/api/models/" + s.model + "/experiments/best/", ""},
		{"GET", "/models/{model_id}/deployments/", "/models/" + s.model + "/deployments/", ""},
		{"POST", "/api/experiments/full-training-requests/", "/api/experiments/full-training-requests/", `{"model_id":"m","dataset_id":"d","config_id":"c"}`},
		{"GET", "/", "/", ""},
		{"GET", "/models/{model_id}/", "/models/" + s.model + "/", ""},
		{"GET", "/models/{model_id}/heatmap.png", "/models/" + s.model + "/heatmap.png", ""},
		{"GET", "/compare/", "/compare/?run_ids=" + s.quick1 + "," + s.quick2, ""},
	} {
		var body []byte
		if c.body != "" {
			body = []byte(c.body)
		}
		a.call(t, a.dead, c.method, c.route, c.target, body, true).want(t, c.method+" "+c.target+" without MLflow", http.StatusServiceUnavailable)
	}
}

func (a *api) fullTraining(t *testing.T, s seed) {
	const route = "/api/experiments/full-training-requests/"
	post := func(body string, valid bool, status int, field ...string) answer {
		t.Helper()
		return a.call(t, a.url, http.MethodPost, route, route, []byte(body), valid).want(t, "full training "+body, status, field...)
	}
	request := func(config string) string {
		return fmt.Sprintf(`{"model_id":%q,"dataset_id":"dataset-001","config_id":%q,"source_run_id":%q}`, s.model, config, s.quick2)
	}
	var ans struct {
		Request struct {
			ConfigID    string    `json:"config_id"`
			RequestedAt time.Time `json:"requested_at"`
		} `json:"request"`
		Status int `json:"training_service_status"`
	}
	post(request("config-043"), true, http.StatusAccepted).decode(t, &ans)
	if ans.Request.ConfigID != "config-043" || ans.Status != http.StatusAccepted || ans.Request.RequestedAt.IsZero() {
		t.Errorf("full training answer %+v", ans)
	}
	post(request("sync-config"), true, http.StatusOK)
	post(request("unknown-config"), true, http.StatusBadRequest)
	post(request("busy-config"), true, http.StatusConflict)
	post(request("broken-config"), true, http.StatusServiceUnavailable)
	post(`{"model_id":"m","dataset_id":"d"}`, false, http.StatusBadRequest, "config_id")
	post(`{"model_id":"m","dataset_id":"d","config_id":"c","priority":1}`, false, http.StatusBadRequest, "priority")
	post(`{"model_id":"m","dataset_id":"d","config_id":"c\u0007"}`, false, http.StatusBadRequest, "config_id")

	// The comparison page's form is answered with a page; a browser's cross-site request is refused.
	form := url.Values{"model_id": {s.model}, "dataset_id": {"dataset-001"}, "config_id": {"config-043"}, "source_run_id": {s.quick2}}
	ans2 := a.callWith(t, a.url, http.MethodPost, route, route, []byte(form.Encode()), "application/x-www-form-urlencoded", nil, true).
		want(t, "full training form", http.StatusOK)
	if ct := ans2.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("full training form: Content-Type %q, want a page", ct)
	}
	cross := http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://elsewhere.example"}}
	a.callWith(t, a.url, http.MethodPost, route, route, []byte(request("config-043")), "application/json", cross, true).
		want(t, "cross-site full training", http.StatusForbidden)
}

var staticAsset = regexp.MustCompile(`/static/[A-Za-z0-9_-]+\.[0-9a-f]+\.(?:css|js)`)

func (a *api) pages(t *testing.T, s seed) {
	page := func(route, target string, status int) answer {
		t.Helper()
		ans := a.call(t, a.url, http.MethodGet, route, target, nil, true).want(t, "GET "+target, status)
		if ct := ans.header.Get("Content-Type"); status != http.StatusOK && !strings.HasPrefix(ct, "text/html") {
			t.Errorf("GET %s: an error as %q, want a page", target, ct)
		}
		return ans
	}
	model := "/models/" + url.PathEscape(s.model) + "/"
	home := page("/", "/", http.StatusOK)
	for _, q := range []string{"", "?view=table", "?metric=loss&agg=mean&x_axis=epochs&y_axis=run_type", "?run_type=quick_test&dataset_id=dataset-001"} {
		page("/models/{model_id}/", model+q, http.StatusOK)
	}
	page("/models/{model_id}/", "/models/"+url.PathEscape(s.foreignModel)+"/", http.StatusOK)
	page("/models/{model_id}/", "/models/"+url.PathEscape(s.emptyModel)+"/", http.StatusOK)
	page("/models/{model_id}/", model+"?agg=max", http.StatusBadRequest)
	page("/models/{model_id}/", "/models/no-such-model/", http.StatusNotFound)
	for _, q := range []string{"", "?metric=loss&run_type=all", "?limit=1&x_axis=epochs"} {
		page("/models/{model_id}/insights/", model+"insights/"+q, http.StatusOK)
	}
	page("/models/{model_id}/insights/", "/models/"+url.PathEscape(s.foreignModel)+"/insights/", http.StatusOK)
	page("/models/{model_id}/insights/", "/models/"+url.PathEscape(s.emptyModel)+"/insights/", http.StatusOK)
	page("/models/{model_id}/insights/", model+"insights/?limit=99", http.StatusBadRequest)
	page("/models/{model_id}/insights/", "/models/no-such-model/insights/", http.StatusNotFound)
	for ext, media := range map[string]string{"svg": "image/svg+xml", "png": "image/png", "csv": "text/csv"} {
		route := "/models/{model_id}/heatmap." + ext
		for _, q := range []string{"", "?metric=loss&agg=median", "?x_axis=epochs&y_axis=config_id&run_type=full_training"} {
			ans := page(route, model+"heatmap."+ext+q, http.StatusOK)
			if ct := ans.header.Get("Content-Type"); !strings.HasPrefix(ct, media) {
				t.Errorf("heatmap.%s: Content-Type %q", ext, ct)
			}
		}
		page(route, "/models/"+url.PathEscape(s.emptyModel)+"/heatmap."+ext, http.StatusOK)
		page(route, model+"heatmap."+ext+"?x_axis=colour", http.StatusBadRequest)
		page(route, "/models/no-such-model/heatmap."+ext, http.StatusNotFound)
	}
	runs := model + "runs/"
	for _, q := range []string{"", "?type=quick_test&page_size=2&page=2", "?axes=epochs,run_type&metric=loss", "?status=failed&search=config",
		"?x_axis=embedding_dims&x=64%2F64&y_axis=run_type&y=quick_test", "?range.epochs=1:5&range.recall_at_100=0.4:"} {
		page("/models/{model_id}/runs/", runs+q, http.StatusOK)
	}
	page("/models/{model_id}/runs/", "/models/"+url.PathEscape(s.foreignModel)+"/runs/", http.StatusOK)
	page("/models/{model_id}/runs/", runs+"?sort=colour", http.StatusBadRequest)
	page("/models/{model_id}/runs/", runs+"?range.epochs=lots", http.StatusBadRequest)
	page("/models/{model_id}/runs/", "/models/no-such-model/runs/", http.StatusNotFound)

	two := s.quick1 + "," + s.quick2
	for _, q := range []string{two, two + "," + s.training + "&baseline=" + s.training + "&diff=changed", s.failed + "&run_ids=" + s.foreignRun + "&metric=loss"} {
		page("/compare/", "/compare/?run_ids="+q, http.StatusOK)
	}
	page("/compare/", "/compare/?run_ids="+s.quick1, http.StatusBadRequest)
	page("/compare/", "/compare/?run_ids="+two+"&metric=precision", http.StatusBadRequest)
	page("/compare/", "/compare/?run_ids="+s.quick1+",0123456789abcdef0123456789abcdef", http.StatusNotFound)

	for _, id := range []string{s.quick1, s.failed, s.training, s.foreignRun, s.emptyRun} {
		page("/runs/{run_id}/", "/runs/"+id+"/", http.StatusOK)
	}
	page("/runs/{run_id}/", "/runs/0123456789abcdef0123456789abcdef/", http.StatusNotFound)
	ans := page("/runs/{run_id}/training_curves.png", "/runs/"+s.training+"/training_curves.png", http.StatusOK)
	if !bytes.HasPrefix(ans.body, []byte("\x89PNG")) {
		t.Errorf("training_curves.png is not a PNG: %.20q", ans.body)
	}
	page("/runs/{run_id}/training_curves.png", "/runs/"+s.quick1+"/training_curves.png", http.StatusNotFound)

	assets := staticAsset.FindAllString(string(home.body), -1)
	if len(assets) == 0 {
		t.Errorf("the home page links no static asset:\n%.2000s", home.body)
	}
	for _, asset := range assets {
		a.call(t, a.url, http.MethodGet, "/static/{file}", asset, nil, true).want(t, asset, http.StatusOK)
	}
	a.call(t, a.url, http.MethodGet, "/static/{file}", "/static/app.css", nil, true).want(t, "unhashed asset", http.StatusNotFound)
}
