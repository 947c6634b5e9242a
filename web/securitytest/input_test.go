package securitytest

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp/internal/sample"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
	"github.com/mlexp-dev/mlexp/web"
)

// inputProbeReport is the JSON of a sample quick test of a dataset of its own, edited by the
// replacements of pairs (old, new).
func inputProbeReport(t *testing.T, dataset string, pairs ...string) string {
	t.Helper()
	r := sample.QuickTestReport()
	r.Dataset.ID, r.Dataset.Name = dataset, "probe "+dataset
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("the report lacks %q", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}

// inputProbeError is the error of an answer.
type inputProbeError struct {
	Status string
	Error  struct{ Code, Message, Field string }
}

// inputProbePost posts body to path and returns the status and decoded error.
func inputProbePost(t *testing.T, base, path, body string) (int, inputProbeError, string) {
	t.Helper()
	resp, raw := authProbeSend(t, "POST", base+path, body, http.Header{"Content-Type": {"application/json"}})
	var e inputProbeError
	_ = json.Unmarshal([]byte(raw), &e)
	return resp.StatusCode, e, raw
}

// Issue 16: duplicate keys and case variants of keys were accepted, the last or the
// case-folded one winning; each is refused with 400 naming the key, and nothing reaches
// MLflow.
func TestProbeDuplicateAndCaseVariantKeys(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct{ name, body, field string }{
		{"duplicate", inputProbeReport(t, "dup-keys", `"epochs":2`, `"epochs":2,"epochs":200`), "quick_test.epochs"},
		{"nested duplicate", inputProbeReport(t, "dup-nested", `{"name":"city",`, `{"name":"city","name":"town",`), "feature_config.query_tower[1].name"},
		{"case variant", inputProbeReport(t, "case-keys", `"epochs":2`, `"EPOCHS":2`), "quick_test.EPOCHS"},
	} {
		status, e, raw := inputProbePost(t, w.URL, "/api/experiments/quick-tests/", tc.body)
		if status != http.StatusBadRequest || e.Error.Field != tc.field {
			t.Errorf("%s: %d %s, want 400 naming %s", tc.name, status, raw, tc.field)
		}
	}
	exps, err := w.Client.SearchExperiments(t.Context(), mlflow.SearchExperimentsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range exps {
		if strings.Contains(e.Name, "dup-") || strings.Contains(e.Name, "case-keys") {
			t.Errorf("a refused report reached MLflow: experiment %q", e.Name)
		}
	}
}

// Issue 16: invalid UTF-8 in a body became U+FFFD in experiment names.
func TestProbeInvalidUTF8(t *testing.T) {
	w := newWorld(t)
	for name, body := range map[string]string{
		"a bad byte":          inputProbeReport(t, "bad-utf8", `"probe bad-utf8"`, "\"probe bad-utf8 \xff\xfe\""),
		"a lone surrogate":    inputProbeReport(t, "bad-surrogate", `"probe bad-surrogate"`, `"probe bad-surrogate \udc00"`),
		"a bad byte in a key": inputProbeReport(t, "bad-key", `"epochs":2`, "\"epochs\":2,\"ep\xffochs\":3"),
	} {
		status, e, raw := inputProbePost(t, w.URL, "/api/experiments/quick-tests/", body)
		if status != http.StatusBadRequest || e.Error.Field != "body" || !strings.Contains(e.Error.Message, "UTF") {
			t.Errorf("%s: %d %s, want 400 about UTF-8", name, status, raw)
		}
	}
	exps, err := w.Client.SearchExperiments(context.Background(), mlflow.SearchExperimentsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range exps {
		if strings.ContainsRune(e.Name, '\uFFFD') {
			t.Errorf("an experiment name holds U+FFFD: %q", e.Name)
		}
	}
}

// inputProbeFakeMLflow answers every call as MLflow's SQLAlchemy store does when the
// database refuses a statement.
func inputProbeFakeMLflow(t *testing.T) string {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error_code": "INVALID_PARAMETER_VALUE",
			"message": "Experiment(name=x) already exists. Error: (sqlite3.IntegrityError) UNIQUE constraint failed: experiments.workspace, experiments.name\n" +
				"[SQL: SELECT experiments.experiment_id FROM experiments WHERE experiments.name = ?]\n[parameters: ('x',)]\n" +
				"(Background on this error at: https://sqlalche.me/e/21/gkpj)"})
	}))
	t.Cleanup(s.Close)
	return s.URL
}

// inputProbeReaderOf serves the runs of the MLflow at uri.
func inputProbeReaderOf(t *testing.T, uri string) func(*web.Deps) {
	c, err := mlflow.NewClient(uri, mlflow.WithRetry(mlflow.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	return func(d *web.Deps) {
		d.Runs = tracking.NewReader(c, time.Minute, time.Now, slog.New(slog.DiscardHandler))
	}
}

// Issue 16: MLflow's SQL text reached clients in error messages, and so did its internal
// URL when it could not be reached.
func TestProbeMLflowInternalsInErrors(t *testing.T) {
	sqlWorld := newWorld(t, inputProbeReaderOf(t, inputProbeFakeMLflow(t)))
	resp, body := authProbeSend(t, "GET", sqlWorld.URL+"/api/models/", "", nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "already exists") {
		t.Errorf("MLflow refusing: %d %s", resp.StatusCode, body)
	}
	for _, leak := range []string{"SQL", "SELECT", "sqlite3", "parameters", "sqlalche"} {
		if strings.Contains(body, leak) {
			t.Errorf("the answer shows %q of MLflow's inside: %s", leak, body)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close()
	downWorld := newWorld(t, inputProbeReaderOf(t, "http://"+dead))
	resp, body = authProbeSend(t, "GET", downWorld.URL+"/api/models/", "", nil)
	if resp.StatusCode != http.StatusServiceUnavailable || strings.Contains(body, dead) || strings.Contains(body, "http://") {
		t.Errorf("MLflow down: %d %s", resp.StatusCode, body)
	}
}
