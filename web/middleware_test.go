package web

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

// newPanicking returns a handler with the real middleware around routes that panic, and
// the JSON log it writes.
func newPanicking(t *testing.T) (http.Handler, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	s := newServer(Deps{Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	mux := http.NewServeMux()
	s.routes(mux)
	mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("kaboom") })
	mux.HandleFunc("GET /late-boom", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
		panic("too late")
	})
	mux.HandleFunc("GET /abort", func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })
	return s.wrap(mux), &logs
}

// logLines decodes a JSON log.
func logLines(t *testing.T, logs *bytes.Buffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		lines = append(lines, m)
	}
	return lines
}

func TestPanicRecovery(t *testing.T) {
	h, logs := newPanicking(t)
	w := MustServe(t, h, "GET", "/boom")
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("status %d", w.Code)
	}
	if a := MustDecode(t, w); a.Status != "error" || a.Error.Code != "internal" || a.Error.Message != "internal error" {
		t.Errorf("answer %s", w.Body)
	}
	var panicLogged, accessLogged bool
	for _, l := range logLines(t, logs) {
		switch l["msg"] {
		case "panic serving request":
			panicLogged = l["level"] == "ERROR" && l["panic"] == "kaboom" && strings.Contains(l["stack"].(string), "goroutine")
		case "http request":
			accessLogged = l["level"] == "INFO" && l["route"] == "GET /boom" && l["status"] == 500.0
		}
	}
	if !panicLogged || !accessLogged {
		t.Errorf("panic logged %v, access logged %v: %s", panicLogged, accessLogged, logs)
	}
	if body := MustServe(t, h, "GET", "/metrics").Body.String(); !strings.Contains(body,
		`mlexp_http_requests_total{code="500",method="GET",route="GET /boom"} 1`) {
		t.Errorf("the panic was not counted:\n%s", body)
	}
}

// TestPanicAfterHeader checks that a panic after the status went out aborts the response
// (net/http then cuts the connection) instead of appending an error to a 200.
func TestPanicAfterHeader(t *testing.T) {
	h, _ := newPanicking(t)
	for _, path := range []string{"/late-boom", "/abort"} {
		func() {
			defer func() {
				if p := recover(); p != http.ErrAbortHandler {
					t.Errorf("%s: panic %v, want http.ErrAbortHandler", path, p)
				}
			}()
			MustServe(t, h, "GET", path)
		}()
	}
}
