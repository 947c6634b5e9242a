package web

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// trainingCall is what the fake training service received.
type trainingCall struct {
	header string // Idempotency-Key
	body   struct {
		ConfigID       string `json:"config_id"`
		IdempotencyKey string `json:"idempotency_key"`
	}
}

// fakeTraining stands in for the training service (there is none to run here): it records
// each request and answers 202 after delay.
type fakeTraining struct {
	mu    sync.Mutex
	calls []trainingCall
	URL   string
}

func newFakeTraining(t *testing.T, delay time.Duration) *fakeTraining {
	f := &fakeTraining{}
	release := make(chan struct{})
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var c trainingCall
		c.header = r.Header.Get("Idempotency-Key")
		if err := json.NewDecoder(r.Body).Decode(&c.body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.calls = append(f.calls, c)
		f.mu.Unlock()
		select { // it started the training, but answers late
		case <-time.After(delay):
		case <-release:
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"status":"queued"}`)
	}))
	t.Cleanup(func() { close(release); s.Close() })
	f.URL = s.URL + "/train"
	return f
}

func (f *fakeTraining) received() []trainingCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]trainingCall(nil), f.calls...)
}

// trainingHandler serves deps with requests to the training service bounded by timeout
// instead of trainingTimeout.
func trainingHandler(deps Deps, timeout time.Duration) http.Handler {
	s := newServer(deps)
	s.trainHTTP.Timeout = timeout
	mux := http.NewServeMux()
	s.routes(mux)
	return s.wrap(mux)
}

// postTraining asks h for a full training and returns the status and decoded answer.
func postTraining(t *testing.T, h http.Handler, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/api/experiments/full-training-requests/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var ans map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil {
		t.Fatalf("answer is not JSON: %v: %s", err, rec.Body)
	}
	return rec.Code, ans
}

func errorMessage(ans map[string]any) string {
	e, _ := ans["error"].(map[string]any)
	msg, _ := e["message"].(string)
	return msg
}

const trainingBody = `{"model_id":"m","dataset_id":"d","config_id":"config-043","source_run_id":"run-7"}`

// TestTrainingTimeoutSaysItMayHaveStarted probes a training service slower than the
// timeout: it received the request, so mlexp must not say that nothing was started, and a
// retried click must send the same idempotency key.
func TestTrainingTimeoutSaysItMayHaveStarted(t *testing.T) {
	slow := newFakeTraining(t, 10*time.Second)
	h := trainingHandler(Deps{TrainingURL: slow.URL}, 300*time.Millisecond)
	for try := 1; try <= 2; try++ { // the click, and the retried click
		status, ans := postTraining(t, h, trainingBody)
		msg := errorMessage(ans)
		if status != http.StatusServiceUnavailable {
			t.Fatalf("try %d: %d %v, want 503", try, status, ans)
		}
		if m := missingText(msg, "did not answer within 300ms", "it may have started the training", "check before retrying",
			"retrying sends the same idempotency key"); len(m) > 0 || strings.Contains(msg, "nothing was started") {
			t.Errorf("try %d: the timeout says %q, lacking %q (or claiming nothing was started)", try, msg, m)
		}
	}
	calls := slow.received()
	if len(calls) != 2 {
		t.Fatalf("the training service received %d requests, want 2", len(calls))
	}
	key := calls[0].header
	if key == "" || calls[0].body.IdempotencyKey != key || calls[1].header != key || calls[1].body.IdempotencyKey != key {
		t.Errorf("idempotency keys sent: %+v, want one key in the header and the body of both", calls)
	}
}

// TestTrainingIdempotencyKeyNamesTheRequest checks that the key is the same for the same
// model, dataset, config and source run, and differs otherwise; and that it is answered.
func TestTrainingIdempotencyKeyNamesTheRequest(t *testing.T) {
	fast := newFakeTraining(t, 0)
	h := trainingHandler(Deps{TrainingURL: fast.URL}, time.Second)
	bodies := []string{trainingBody, trainingBody,
		strings.Replace(trainingBody, "run-7", "run-8", 1),
		strings.Replace(trainingBody, "config-043", "config-044", 1),
		`{"model_id":"m","dataset_id":"d","config_id":"config-043"}`}
	for _, b := range bodies {
		status, ans := postTraining(t, h, b)
		data, _ := ans["data"].(map[string]any)
		req, _ := data["request"].(map[string]any)
		if status != http.StatusAccepted || req["idempotency_key"] == "" || req["idempotency_key"] == nil {
			t.Errorf("%s: %d %v, want 202 naming the idempotency key", b, status, ans)
		}
	}
	calls := fast.received()
	if len(calls) != len(bodies) {
		t.Fatalf("%d requests received, want %d", len(calls), len(bodies))
	}
	if calls[0].header != calls[1].header {
		t.Errorf("the same request sent keys %q and %q", calls[0].header, calls[1].header)
	}
	seen := map[string]bool{}
	for _, c := range calls[1:] {
		if seen[c.header] {
			t.Errorf("key %q names two different requests", c.header)
		}
		seen[c.header] = true
	}
}

// TestTrainingRefusedConnectionSaysNothingStarted checks the one case where mlexp knows that
// nothing started: the connection was refused before anything was sent.
func TestTrainingRefusedConnectionSaysNothingStarted(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String() + "/train"
	l.Close()
	status, ans := postTraining(t, trainingHandler(Deps{TrainingURL: url}, time.Second), trainingBody)
	if msg := errorMessage(ans); status != http.StatusServiceUnavailable || !strings.Contains(msg, "cannot be reached; nothing was started") {
		t.Errorf("refused connection: %d %q", status, msg)
	}
}

// missingText returns those of wants that s does not contain.
func missingText(s string, wants ...string) []string {
	var out []string
	for _, w := range wants {
		if !strings.Contains(s, w) {
			out = append(out, w)
		}
	}
	return out
}
