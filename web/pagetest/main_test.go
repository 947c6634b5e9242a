// Package pagetest tests the HTML pages and downloads of mlexp serve end to end: a real
// MLflow server, runs logged by tracking.Logger, a real tracking.Reader, and web.NewServer.
package pagetest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/chart"
	"github.com/mlexp-dev/mlexp/internal/mlflowtest"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
	"github.com/mlexp-dev/mlexp/web"
)

var srv *mlflowtest.Server

func TestMain(m *testing.M) { mlflowtest.Main(m, &srv) }

// now is the clock of the pages: a day after the sample runs, so that "time ago" is fixed.
func now() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }

// xssName is a config name that would run script if a page did not escape it.
const xssName = `<img src=x onerror=alert(1)>`

// xssEscaped is how html/template writes it.
const xssEscaped = `&lt;img src=x onerror=alert(1)&gt;`

func ctx(tb testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	tb.Cleanup(cancel)
	return c
}

func mustClient(tb testing.TB, uri string) *mlflow.Client {
	tb.Helper()
	c, err := mlflow.NewClient(uri, mlflow.WithRetry(mlflow.RetryPolicy{MaxAttempts: 2, Initial: 10 * time.Millisecond, Max: 20 * time.Millisecond}))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

var seq atomic.Int64

// uniqueModel is a model of its own, hence experiments of its own on the shared server.
func uniqueModel(name string) mlexp.Model {
	id := fmt.Sprintf("pages-%s-%d-%d", name, time.Now().UnixNano(), seq.Add(1))
	return mlexp.Model{ID: id, Name: id}
}

// world is one experiment logged to MLflow, with the run ids of its runs.
type world struct {
	Model   mlexp.Model
	Dataset mlexp.Dataset
	Quick   string // config-042 Quick Test #3: 50.0% Recall@100, the best run
	Full    string // config-042 Full Training #46: 46.8%, deployed, with training curves
	XSS     string // a quick test of a config named like an HTML tag
	Formula string // a quick test of a config named like a spreadsheet formula
	Failed  string // a quick test that ran out of memory
}

var (
	worldOnce sync.Once
	shared    world
	worldErr  error
)

// sharedWorld logs the experiment most tests read, once per package run. Tests must only
// read it.
func sharedWorld(t *testing.T) world {
	t.Helper()
	worldOnce.Do(func() { shared, worldErr = logWorld(context.Background(), uniqueModel("shared")) })
	if worldErr != nil {
		t.Fatalf("logging the test experiment: %v", worldErr)
	}
	return shared
}

func logWorld(ctx context.Context, m mlexp.Model) (world, error) {
	c, err := mlflow.NewClient(srv.URL)
	if err != nil {
		return world{}, err
	}
	lg := tracking.NewLogger(c, chart.TrainingCurves)
	w := world{Model: m}

	q := sample.QuickTestReport()
	q.Model = m
	q.QuickTest.Metrics.RecallAt100 = new(0.50)
	w.Dataset = q.Dataset
	if w.Quick, err = lg.LogQuickTest(ctx, q); err != nil {
		return w, err
	}

	tr := sample.TrainingRunReport()
	tr.Model = m
	if w.Full, err = lg.LogTrainingRun(ctx, tr); err != nil {
		return w, err
	}
	if err = sample.Promote(ctx, c, w.Full); err != nil {
		return w, err
	}

	small := func(id, name string, qtID int, user, prod int, recall float64) mlexp.QuickTestReport {
		r := sample.QuickTestReport()
		r.Model = m
		r.FeatureConfig.ID, r.FeatureConfig.Name = id, name
		r.FeatureConfig.QueryTower[0].EmbeddingDim, r.FeatureConfig.CandidateTower[0].EmbeddingDim = user, prod
		r.FeatureConfig.CrossFeatures = nil
		r.QuickTest.ID = qtID
		r.QuickTest.Metrics = mlexp.Metrics{Loss: new(0.5), RecallAt10: new(recall / 3), RecallAt50: new(recall * 0.8), RecallAt100: new(recall)}
		r.QuickTest.StartedAt = r.QuickTest.StartedAt.Add(-time.Duration(qtID) * time.Hour)
		r.QuickTest.FinishedAt = r.QuickTest.StartedAt.Add(7 * time.Minute)
		return r
	}
	if w.XSS, err = lg.LogQuickTest(ctx, small("config-xss", xssName, 1, 32, 32, 0.41)); err != nil {
		return w, err
	}
	if w.Formula, err = lg.LogQuickTest(ctx, small("config-formula", "=HYPERLINK(\"http://evil\")", 2, 128, 64, 0.44)); err != nil {
		return w, err
	}
	failed := small("config-044", "config-044", 4, 256, 64, 0)
	failed.QuickTest.Status = mlexp.StatusFailed
	failed.QuickTest.Metrics = mlexp.Metrics{}
	failed.QuickTest.Failure = &mlexp.Failure{Stage: "Transform", Reason: "OOM during Transform: user:256d embedding too large"}
	if w.Failed, err = lg.LogQuickTest(ctx, failed); err != nil {
		return w, err
	}
	return w, nil
}

// options tune the server under test.
type options struct {
	trackingURI string // default: the test MLflow server
	trainingURL string
	ttl         time.Duration
}

// newServer serves the pages over a real reader of MLflow.
func newServer(tb testing.TB, o options) http.Handler {
	tb.Helper()
	if o.trackingURI == "" {
		o.trackingURI = srv.URL
	}
	if o.ttl == 0 {
		o.ttl = time.Hour
	}
	reader := tracking.NewReader(mustClient(tb, o.trackingURI), o.ttl, time.Now, slog.New(slog.DiscardHandler))
	return web.NewServer(web.Deps{Runs: reader, Artifacts: reader, MLflowUIURL: "http://mlflow.example:5000", Now: now, TrainingURL: o.trainingURL})
}

// get sends a GET for target to h.
func get(tb testing.TB, h http.Handler, target string) *httptest.ResponseRecorder {
	tb.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	return w
}

// mustPage checks that w is an HTML page with status and returns its body.
func mustPage(tb testing.TB, w *httptest.ResponseRecorder, status int) string {
	tb.Helper()
	body := w.Body.String()
	if w.Code != status {
		tb.Fatalf("status %d, want %d; body:\n%s", w.Code, status, clip(body))
	}
	if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		tb.Fatalf("Content-Type %q, want text/html; charset=utf-8", ct)
	}
	if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
		tb.Errorf("Cache-Control %q, want no-store", cc)
	}
	if !strings.Contains(w.Header().Get("Content-Security-Policy"), "script-src 'self'") {
		tb.Errorf("no script-src 'self' in the Content-Security-Policy %q", w.Header().Get("Content-Security-Policy"))
	}
	if strings.Contains(body, "goroutine ") || strings.Contains(body, ".go:") {
		tb.Errorf("the page shows a stack trace or source location:\n%s", clip(body))
	}
	return body
}

// mustContain checks that body contains every want.
func mustContain(tb testing.TB, body string, want ...string) {
	tb.Helper()
	for _, s := range want {
		if !strings.Contains(body, s) {
			tb.Errorf("missing %q in:\n%s", s, clip(body))
		}
	}
}

func mustNotContain(tb testing.TB, body string, unwanted ...string) {
	tb.Helper()
	for _, s := range unwanted {
		if strings.Contains(body, s) {
			tb.Errorf("unexpected %q in the page", s)
		}
	}
}

// mustEscapeXSS checks that the run named like an HTML tag is shown, escaped.
func mustEscapeXSS(tb testing.TB, body string) {
	tb.Helper()
	if strings.Contains(body, xssName) {
		tb.Errorf("the page has the unescaped %s", xssName)
	}
	if !strings.Contains(body, xssEscaped) {
		tb.Errorf("the page does not show the run named %s (escaped: %s)", xssName, xssEscaped)
	}
}

func clip(s string) string {
	if len(s) > 6000 {
		return s[:6000] + "\n…"
	}
	return s
}

func dashboardPath(w world) string {
	return "/models/" + url.PathEscape(w.Model.ID) + "/?dataset_id=" + url.QueryEscape(w.Dataset.ID)
}

func runsPath(w world, extra string) string {
	p := "/models/" + url.PathEscape(w.Model.ID) + "/runs/?dataset_id=" + url.QueryEscape(w.Dataset.ID)
	if extra != "" {
		p += "&" + extra
	}
	return p
}
