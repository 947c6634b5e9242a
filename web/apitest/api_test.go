package apitest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp/chart"
	"github.com/mlexp-dev/mlexp/internal/mlflowtest"
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
	deps         web.Deps // of url, for servers configured otherwise

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
		Promoter: promoter, Best: promoter, Runs: reader, Attacher: logger, MLflowUIURL: srv.URL, Artifacts: reader, TrainingURL: trainingService(t), Comparisons: store, Towers: store}
	a := &api{doc: doc, mlf: client, deps: deps, seen: map[apitest.Route]map[int]bool{}}
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
	deadPromoter := tracking.NewPromoter(deadClient, store, time.Now)
	dead := web.Deps{Logger: log, Checks: []web.Check{{Name: "mlflow", Check: deadClient.Ping}, {Name: "database", Check: store.Ping}},
		Ingest: deps.Ingest, Promoter: deadPromoter, Best: deadPromoter, Runs: deadReader, Attacher: tracking.NewLogger(deadClient, nil), MLflowUIURL: srv.URL,
		TrainingURL: "http://127.0.0.1:1/train", Comparisons: store}
	a.dead = serve(t, dead)
	return a
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
	t.Run("lineage", func(t *testing.T) { a.lineage(t, s) })
	t.Run("ingest status", func(t *testing.T) { a.ingestStatus(t, s) })
	t.Run("deploy", func(t *testing.T) { a.deploy(t, s) })
	t.Run("full training", func(t *testing.T) { a.fullTraining(t, s) })
	t.Run("pages", func(t *testing.T) { a.pages(t, s) })
	t.Run("saved comparisons", func(t *testing.T) { a.savedComparisons(t, s) })
	t.Run("towers", func(t *testing.T) { a.towers(t, s) })
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
