package pagetest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/mlexp-dev/mlexp/internal/apianswer"
)

const trainingRoute = "/api/experiments/full-training-requests/"

const trainingBody = `{"model_id":"model-7","dataset_id":"dataset-001","config_id":"config-042","source_run_id":"abc123"}`

func post(t *testing.T, h http.Handler, contentType, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, trainingRoute, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

type envelope = apianswer.Answer

func mustJSON(t *testing.T, w *httptest.ResponseRecorder, status int) envelope {
	t.Helper()
	if w.Code != status || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("status %d, Content-Type %q, want %d JSON; body %s", w.Code, w.Header().Get("Content-Type"), status, w.Body)
	}
	var e envelope
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
		t.Fatalf("not JSON: %v: %s", err, w.Body)
	}
	return e
}

// trainingService records what it is sent and answers with status and body.
type trainingService struct {
	mu      sync.Mutex
	got     []map[string]any
	headers []http.Header
}

func (ts *trainingService) start(t *testing.T, status int, body string) string {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var v map[string]any
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &v); err != nil || r.Method != http.MethodPost {
			http.Error(w, "want a JSON POST", http.StatusTeapot)
			return
		}
		ts.mu.Lock()
		ts.got, ts.headers = append(ts.got, v), append(ts.headers, r.Header.Clone())
		ts.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(s.Close)
	return s.URL + "/train"
}

func TestFullTrainingRequestWithoutTrainingService(t *testing.T) {
	h := newServer(t, options{})
	e := mustJSON(t, post(t, h, "application/json", trainingBody), http.StatusServiceUnavailable)
	if e.Status != "error" || e.Error.Code != "unavailable" || !strings.Contains(e.Error.Message, "MLEXP_TRAINING_URL") {
		t.Errorf("error %+v, want unavailable naming MLEXP_TRAINING_URL", e.Error)
	}
	// From the comparison page's form: an HTML page.
	form := url.Values{"model_id": {"m"}, "dataset_id": {"d"}, "config_id": {"config-042"}}.Encode()
	body := mustPage(t, post(t, h, "application/x-www-form-urlencoded", form), http.StatusServiceUnavailable)
	mustContain(t, body, "MLEXP_TRAINING_URL")
}

func TestFullTrainingRequestIsForwarded(t *testing.T) {
	var ts trainingService
	h := newServer(t, options{trainingURL: ts.start(t, http.StatusAccepted, `{"job_id":"job-1","message":"queued"}`)})
	e := mustJSON(t, post(t, h, "application/json", trainingBody), http.StatusAccepted)
	if len(ts.got) != 1 {
		t.Fatalf("the training service got %d requests, want 1", len(ts.got))
	}
	want := map[string]any{"model_id": "model-7", "dataset_id": "dataset-001", "config_id": "config-042", "source_run_id": "abc123",
		"requested_at": "2026-11-25T12:00:00Z"}
	if got := ts.got[0]; len(got) != len(want)+1 {
		t.Errorf("forwarded %v, want %v and an idempotency key", got, want)
	}
	if key, _ := ts.got[0]["idempotency_key"].(string); key == "" || ts.headers[0].Get("Idempotency-Key") != key {
		t.Errorf("forwarded idempotency key %q, header %q: want the same key in both", key, ts.headers[0].Get("Idempotency-Key"))
	}
	for k, v := range want {
		if ts.got[0][k] != v {
			t.Errorf("forwarded %s = %v, want %v", k, ts.got[0][k], v)
		}
	}
	if ct := ts.headers[0].Get("Content-Type"); ct != "application/json" {
		t.Errorf("forwarded Content-Type %q", ct)
	}
	var data struct {
		Request  map[string]any `json:"request"`
		Status   int            `json:"training_service_status"`
		Response map[string]any `json:"training_service_response"`
	}
	if err := json.Unmarshal(e.Data, &data); err != nil {
		t.Fatal(err)
	}
	if data.Status != http.StatusAccepted || data.Response["job_id"] != "job-1" || data.Request["config_id"] != "config-042" {
		t.Errorf("answer %+v", data)
	}

	// The form of the comparison page gets a page saying what happened.
	form := url.Values{"model_id": {"model-7"}, "dataset_id": {"dataset-001"}, "config_id": {"config-042"}, "source_run_id": {"abc123"}}.Encode()
	body := mustPage(t, post(t, h, "application/x-www-form-urlencoded", form), http.StatusOK)
	mustContain(t, body, "Full training requested", "config-042", "queued")
	if len(ts.got) != 2 || ts.got[1]["source_run_id"] != "abc123" {
		t.Errorf("form request forwarded as %v", ts.got)
	}

	// A browser posting from another site is refused.
	rec := post(t, h, "application/x-www-form-urlencoded", form, "Sec-Fetch-Site", "cross-site")
	if rec.Code != http.StatusForbidden || len(ts.got) != 2 {
		t.Errorf("cross-site form: status %d, %d forwarded; want 403 and nothing forwarded", rec.Code, len(ts.got))
	}
}

func TestFullTrainingRequestErrors(t *testing.T) {
	var ok trainingService
	h := newServer(t, options{trainingURL: ok.start(t, http.StatusOK, `{}`)})
	e := mustJSON(t, post(t, h, "application/json", `{"model_id":"m","dataset_id":"d"}`), http.StatusBadRequest)
	if e.Error.Field != "config_id" {
		t.Errorf("missing config_id: error %+v", e.Error)
	}
	e = mustJSON(t, post(t, h, "application/json", `{"model_id":"m","dataset_id":"d","config_id":"c","extra":1}`), http.StatusBadRequest)
	if !strings.Contains(e.Error.Message, "extra") {
		t.Errorf("unknown field: error %+v", e.Error)
	}
	if len(ok.got) != 0 {
		t.Errorf("bad requests were forwarded: %v", ok.got)
	}

	var failing trainingService
	h = newServer(t, options{trainingURL: failing.start(t, http.StatusInternalServerError, `{"error":"scheduler is down"}`)})
	e = mustJSON(t, post(t, h, "application/json", trainingBody), http.StatusServiceUnavailable)
	if !strings.Contains(e.Error.Message, "500") || !strings.Contains(e.Error.Message, "scheduler is down") {
		t.Errorf("failing service: error %+v", e.Error)
	}

	var busy trainingService
	h = newServer(t, options{trainingURL: busy.start(t, http.StatusConflict, `{"message":"config-042 is already training"}`)})
	e = mustJSON(t, post(t, h, "application/json", trainingBody), http.StatusConflict)
	if !strings.Contains(e.Error.Message, "already training") {
		t.Errorf("busy service: error %+v", e.Error)
	}

	h = newServer(t, options{trainingURL: closedPort(t) + "/train"})
	e = mustJSON(t, post(t, h, "application/json", trainingBody), http.StatusServiceUnavailable)
	if !strings.Contains(e.Error.Message, "cannot be reached") {
		t.Errorf("unreachable service: error %+v", e.Error)
	}
}
