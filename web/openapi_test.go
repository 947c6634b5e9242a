package web

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/jsonedit"
	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/web/apitest"
)

func loadOpenAPI(tb testing.TB) *apitest.Doc {
	tb.Helper()
	doc, err := apitest.Load(openAPIDocument)
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	for _, err := range loadOpenAPI(t).Check() {
		t.Error(err)
	}
}

// registeredRoute is a route as routes.go registers it.
type registeredRoute struct {
	method, path string // the pattern as written, e.g. GET /api/models
	call         string // the registering call, e.g. api or mux.HandleFunc
}

// routeKey identifies a route whatever its trailing slash: method and path without a final
// "/" or "/{$}". Helpers such as api and page register a path with and without the slash.
func routeKey(method, path string) string {
	return method + " " + strings.TrimSuffix(strings.TrimSuffix(path, "{$}"), "/")
}

// registeredRoutes reads the routes that routes.go registers, from its source: in
// (*server).routes, every call of mux.HandleFunc or mux.Handle, or of a helper taking mux,
// with the string literal of its pattern.
func registeredRoutes(t *testing.T) []registeredRoute {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "routes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	isMux := func(e ast.Expr) bool { id, ok := e.(*ast.Ident); return ok && id.Name == "mux" }
	var out []registeredRoute
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "routes" || fn.Recv == nil {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			var name string
			switch fun := call.Fun.(type) {
			case *ast.SelectorExpr:
				if isMux(fun.X) {
					name = "mux." + fun.Sel.Name
				}
			case *ast.Ident:
				if slices.ContainsFunc(call.Args, isMux) {
					name = fun.Name
				}
			}
			if name == "" {
				return true
			}
			var pattern string
			for _, arg := range call.Args {
				if lit, ok := arg.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					pattern, _ = strconv.Unquote(lit.Value)
					break
				}
			}
			method, path, ok := strings.Cut(pattern, " ")
			if !ok || !strings.HasPrefix(path, "/") {
				t.Fatalf("routes.go: %s registers a route whose pattern is not a string literal \"METHOD /path\" (%q); keep patterns literal so that this test can check the OpenAPI document", name, pattern)
			}
			out = append(out, registeredRoute{method, path, name})
			return true
		})
	}
	if len(out) == 0 {
		t.Fatal("routes.go: found no routes registered in (*server).routes")
	}
	return out
}

// TestOpenAPIListsEveryRoute checks that web/openapi.json documents exactly the routes of
// routes.go, and that the server routes each documented path, and the same path without its
// trailing slash, to a route registered for it.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	doc := loadOpenAPI(t)
	documented := map[string]apitest.Route{}
	for _, r := range doc.Routes() {
		documented[routeKey(r.Method, r.Path)] = r
	}
	registered := map[string]registeredRoute{}
	for _, r := range registeredRoutes(t) {
		key := routeKey(r.method, r.path)
		registered[key] = r
		if _, ok := documented[key]; !ok {
			t.Errorf("routes.go registers %s %s (%s), which web/openapi.json does not document", r.method, r.path, r.call)
		}
	}
	for key, r := range documented {
		if _, ok := registered[key]; !ok {
			t.Errorf("web/openapi.json documents %s, which routes.go does not register", r)
		}
	}

	mux := http.NewServeMux()
	newServer(Deps{}).routes(mux)
	param := regexp.MustCompile(`\{[^}]+\}`)
	for key, r := range documented {
		if _, ok := registered[key]; !ok {
			continue
		}
		paths := []string{param.ReplaceAllString(r.Path, "x-1")}
		if p := strings.TrimSuffix(paths[0], "/"); p != paths[0] && p != "" {
			paths = append(paths, p)
		}
		for i, path := range paths {
			_, pattern := mux.Handler(httptest.NewRequest(r.Method, path, nil))
			method, ppath, _ := strings.Cut(pattern, " ")
			switch {
			case pattern == "":
				t.Errorf("%s: the server does not route %s %s", r, r.Method, path)
			case routeKey(method, ppath) != key:
				t.Errorf("%s: the server routes %s %s to %q", r, r.Method, path, pattern)
			case i == 0 && strings.HasSuffix(r.Path, "/") && !strings.HasSuffix(ppath, "/") && !strings.HasSuffix(ppath, "/{$}"):
				t.Errorf("%s: the documented path is routed to %q, which is registered without the trailing slash", r, pattern)
			}
		}
	}
}

// TestOpenAPIServed checks GET /api/openapi.json: the embedded document, cacheable, and
// revalidated by its ETag.
func TestOpenAPIServed(t *testing.T) {
	doc := loadOpenAPI(t)
	h := NewServer(Deps{})
	w := MustServe(t, h, http.MethodGet, "/api/openapi.json")
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200; body %.200s", w.Code, w.Body)
	}
	if err := doc.ValidateResponse(http.MethodGet, "/api/openapi.json", w.Code, w.Header(), w.Body.Bytes()); err != nil {
		t.Error(err)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if w.Body.String() != string(openAPIDocument) {
		t.Error("the answer is not the embedded document")
	}
	if cc := w.Header().Get("Cache-Control"); !strings.Contains(cc, "max-age=") {
		t.Errorf("Cache-Control %q, want a max-age", cc)
	}
	etag := w.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	r := httptest.NewRequest(http.MethodGet, "/api/openapi.json", nil)
	r.Header.Set("If-None-Match", etag)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Errorf("If-None-Match with the ETag: status %d and %d bytes, want 304 and none", w.Code, w.Body.Len())
	}
	if err := doc.ValidateResponse(http.MethodGet, "/api/openapi.json", w.Code, w.Header(), w.Body.Bytes()); err != nil {
		t.Error(err)
	}
	if got := OpenAPIDocument(); string(got) != string(openAPIDocument) {
		t.Error("OpenAPIDocument differs from the served document")
	}
}

// TestOpenAPIWithoutDependencies sends every documented operation to a server without
// MLflow, store or ingest, and checks each answer against the document: the probes answer,
// the rest say 503 unavailable.
func TestOpenAPIWithoutDependencies(t *testing.T) {
	doc := loadOpenAPI(t)
	down := Check{Name: "mlflow", Check: func(context.Context) error { return errors.New("connection refused") }}
	servers := map[string]http.Handler{
		"no checks":    NewServer(Deps{}),
		"failed check": NewServer(Deps{Checks: []Check{down}}),
	}
	bodies := map[string][]byte{
		"/api/experiments/quick-tests/":              jsonedit.Body(t, sample.QuickTestReport()),
		"/api/experiments/training-runs/":            jsonedit.Body(t, sample.TrainingRunReport()),
		"/api/experiments/compare/":                  []byte(`{"run_ids":["a","b"]}`),
		"/api/models/{model_id}/experiments/attach/": []byte(`{"experiment":"1","dataset":{"id":"d","name":"D"}}`),
		"/api/experiments/full-training-requests/":   []byte(`{"model_id":"m","dataset_id":"d","config_id":"c"}`),
		"/api/models/{model_id}/towers/":             []byte(`{"query_tower":["user_id"]}`),
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	for name, h := range servers {
		for _, r := range doc.Routes() {
			path := param.ReplaceAllString(r.Path, "x-1")
			req := httptest.NewRequest(r.Method, path, strings.NewReader(string(bodies[r.Path])))
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if err := doc.ValidateResponse(r.Method, r.Path, w.Code, w.Header(), w.Body.Bytes()); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			if strings.HasPrefix(r.Path, "/api/") && r.Path != "/api/openapi.json" && r.Path != "/api/experiments/mlflow-url/" && w.Code != http.StatusServiceUnavailable {
				t.Errorf("%s: %s %s: status %d, want 503 without its dependency", name, r.Method, path, w.Code)
			}
		}
	}
}

// TestOpenAPIRequestSchemasAgreeWithDecoder checks the request schemas against the server's
// own decoding and validation: the examples and sample reports pass both, and each bad body
// is refused by both.
func TestOpenAPIRequestSchemasAgreeWithDecoder(t *testing.T) {
	doc := loadOpenAPI(t)
	const quick, training = "/api/experiments/quick-tests/", "/api/experiments/training-runs/"
	decodeQuick := func(b []byte) error {
		var r mlexp.QuickTestReport
		if err := decodeBytes(b, &r); err != nil {
			return err
		}
		return r.Validate()
	}
	decodeTraining := func(b []byte) error {
		var r mlexp.TrainingRunReport
		if err := decodeBytes(b, &r); err != nil {
			return err
		}
		return r.Validate()
	}
	decodeCompare := func(b []byte) error {
		var r compareRequest
		if err := decodeBytes(b, &r); err != nil {
			return err
		}
		if n := len(r.RunIDs); n < mlexp.MinCompareRuns || n > mlexp.MaxCompareRuns {
			return errors.New("run_ids: wrong number")
		}
		return nil
	}
	decodeAttach := func(b []byte) error {
		var r attachRequest
		if err := decodeBytes(b, &r); err != nil {
			return err
		}
		if r.Experiment == "" {
			return errors.New("experiment: required")
		}
		return r.Dataset.Validate("dataset")
	}
	decodeFullTraining := func(b []byte) error {
		var r fullTrainingInput
		if err := decodeBytes(b, &r); err != nil {
			return err
		}
		return r.validate()
	}
	type body struct {
		name   string
		path   string
		body   []byte
		decode func([]byte) error
	}
	readExample := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "docs", "examples", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	q, tr := sample.QuickTestReport(), sample.TrainingRunReport()
	failedQuick := jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.status", Value: "failed"},
		jsonedit.Edit{Path: "quick_test.metrics", Value: jsonedit.Delete},
		jsonedit.Edit{Path: "quick_test.failure", Value: map[string]string{"stage": "Transform", "reason": "OOM"}})
	good := []body{
		{"docs/examples/quick-test.json", quick, readExample("quick-test.json"), decodeQuick},
		{"docs/examples/training-run.json", training, readExample("training-run.json"), decodeTraining},
		{"sample quick test", quick, jsonedit.Body(t, q), decodeQuick},
		{"sample training run", training, jsonedit.Body(t, tr), decodeTraining},
		{"failed quick test without metrics", quick, failedQuick, decodeQuick},
		{"quick test with extra metrics", quick, jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test.metrics.extra", Value: map[string]float64{"ndcg_at_10": 0.3}}), decodeQuick},
		{"compare", "/api/experiments/compare/", []byte(`{"run_ids":["a","b"],"baseline_run_id":"b","metric":"loss"}`), decodeCompare},
		{"full training", "/api/experiments/full-training-requests/", []byte(`{"model_id":"m","dataset_id":"d","config_id":"c","source_run_id":"r"}`), decodeFullTraining},
		{"attach", "/api/models/{model_id}/experiments/attach/", []byte(`{"experiment":"7","model_name":"Retail","dataset":{"id":"d1","name":"Q4","version":"3"}}`), decodeAttach},
	}
	for _, b := range good {
		if err := doc.ValidateRequest(http.MethodPost, b.path, "application/json", b.body); err != nil {
			t.Errorf("%s: the document refuses it: %v", b.name, err)
		}
		if err := b.decode(b.body); err != nil {
			t.Errorf("%s: the server refuses it: %v", b.name, err)
		}
	}
	qe := func(path string, v any) []byte { return jsonedit.Body(t, q, jsonedit.Edit{Path: path, Value: v}) }
	bad := []body{
		{"unknown top-level field", quick, qe("comment", "hi"), decodeQuick},
		{"unknown nested field", quick, qe("quick_test.metrics.recall_at_20", 0.1), decodeQuick},
		{"misspelt section", quick, jsonedit.Body(t, q, jsonedit.Edit{Path: "quick_test", Value: jsonedit.Delete}, jsonedit.Edit{Path: "quicktest", Value: q.QuickTest}), decodeQuick},
		{"epochs as text", quick, qe("quick_test.epochs", "2"), decodeQuick},
		{"fractional epochs", quick, qe("quick_test.epochs", 2.5), decodeQuick},
		{"unknown status", quick, qe("quick_test.status", "done"), decodeQuick},
		{"failed without failure", quick, qe("quick_test.status", "failed"), decodeQuick},
		{"completed with failure", quick, qe("quick_test.failure", map[string]string{"stage": "s", "reason": "r"}), decodeQuick},
		{"completed without a recall", quick, qe("quick_test.metrics.recall_at_50", jsonedit.Delete), decodeQuick},
		{"recall above 1", quick, qe("quick_test.metrics.recall_at_10", 1.5), decodeQuick},
		{"negative loss", quick, qe("quick_test.metrics.loss", -1), decodeQuick},
		{"standard metric in extra", quick, qe("quick_test.metrics.extra", map[string]float64{"loss": 1}), decodeQuick},
		{"negative cost", quick, qe("quick_test.cost_usd", -1), decodeQuick},
		{"no data", quick, qe("quick_test.data_sample_percent", 0), decodeQuick},
		{"no start", quick, qe("quick_test.started_at", jsonedit.Delete), decodeQuick},
		{"time not RFC 3339", quick, qe("quick_test.started_at", "yesterday"), decodeQuick},
		{"quote in model id", quick, qe("model.id", `model"7`), decodeQuick},
		{"no model name", quick, qe("model.name", jsonedit.Delete), decodeQuick},
		{"control character in dataset name", quick, qe("dataset.name", "Q4\n2024"), decodeQuick},
		{"upper-case feature", quick, qe("feature_config.query_tower[0].name", "UserID"), decodeQuick},
		{"zero embedding", quick, qe("feature_config.query_tower[0].embedding_dim", 0), decodeQuick},
		{"empty candidate tower", quick, qe("feature_config.candidate_tower", []any{}), decodeQuick},
		{"one-feature cross", quick, qe("feature_config.cross_features[0].features", []string{"category"}), decodeQuick},
		{"reserved setting", quick, qe("feature_config.settings", map[string]float64{"epochs": 3}), decodeQuick},
		{"embedding setting", quick, qe("feature_config.settings", map[string]float64{"city_embedding_dim": 3}), decodeQuick},
		{"training run without batch size", training, jsonedit.Body(t, tr, jsonedit.Edit{Path: "training_run.batch_size", Value: jsonedit.Delete}), decodeTraining},
		{"history epoch 0", training, jsonedit.Body(t, tr, jsonedit.Edit{Path: "training_run.history[0].epoch", Value: 0}), decodeTraining},
		{"unknown field in history", training, jsonedit.Body(t, tr, jsonedit.Edit{Path: "training_run.history[0].acc", Value: 0.5}), decodeTraining},
		{"model URI without scheme", training, jsonedit.Body(t, tr, jsonedit.Edit{Path: "training_run.model_uri", Value: "models 46"}), decodeTraining},
		{"full training without config", "/api/experiments/full-training-requests/", []byte(`{"model_id":"m","dataset_id":"d"}`), decodeFullTraining},
		{"full training unknown field", "/api/experiments/full-training-requests/", []byte(`{"model_id":"m","dataset_id":"d","config_id":"c","epochs":3}`), decodeFullTraining},
		{"full training control character", "/api/experiments/full-training-requests/", []byte(`{"model_id":"m","dataset_id":"d\n","config_id":"c"}`), decodeFullTraining},
		{"full training long id", "/api/experiments/full-training-requests/", []byte(`{"model_id":"` + strings.Repeat("m", 201) + `","dataset_id":"d","config_id":"c"}`), decodeFullTraining},
		{"compare one run", "/api/experiments/compare/", []byte(`{"run_ids":["a"]}`), decodeCompare},
		{"compare unknown field", "/api/experiments/compare/", []byte(`{"run_ids":["a","b"],"baseline":"a"}`), decodeCompare},
		{"attach unknown field", "/api/models/{model_id}/experiments/attach/", []byte(`{"experiment":"7","dataset":{"id":"d","name":"D"},"tags":{}}`), decodeAttach},
		{"attach without experiment", "/api/models/{model_id}/experiments/attach/", []byte(`{"dataset":{"id":"d","name":"D"}}`), decodeAttach},
		{"attach without dataset name", "/api/models/{model_id}/experiments/attach/", []byte(`{"experiment":"7","dataset":{"id":"d"}}`), decodeAttach},
	}
	for _, b := range bad {
		if err := doc.ValidateRequest(http.MethodPost, b.path, "application/json", b.body); err == nil {
			t.Errorf("%s: the document accepts it, but it is invalid", b.name)
		}
		if err := b.decode(b.body); err == nil {
			t.Errorf("%s: the server accepts it, but the case is meant to be invalid", b.name)
		}
	}
}
