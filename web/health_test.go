package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp/internal/apianswer"
)

// answer is the envelope of every JSON answer, success or error.
type answer = apianswer.Answer

// MustServe sends a request with method and path to h and returns the recorded answer.
func MustServe(tb testing.TB, h http.Handler, method, path string) *httptest.ResponseRecorder {
	tb.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, path, nil))
	return w
}

// MustDecode decodes the JSON envelope of an answer.
func MustDecode(tb testing.TB, w *httptest.ResponseRecorder) answer {
	tb.Helper()
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Fatalf("Content-Type = %q, want JSON; body %s", ct, w.Body)
	}
	var a answer
	if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
		tb.Fatalf("answer is not JSON: %v: %s", err, w.Body)
	}
	return a
}

func fixedClock() time.Time { return time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC) }

func TestHealthz(t *testing.T) {
	failing := Check{Name: "mlflow", Check: func(context.Context) error { return errors.New("down") }}
	h := NewServer(Deps{Checks: []Check{failing}, Now: fixedClock})
	w := MustServe(t, h, "GET", "/healthz")
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200 even with a failing dependency; body %s", w.Code, w.Body)
	}
	a := MustDecode(t, w)
	var data struct{ Status, Time string }
	if err := json.Unmarshal(a.Data, &data); err != nil {
		t.Fatal(err)
	}
	if a.Status != "success" || data.Status != "alive" || data.Time != "2025-03-04T05:06:07Z" {
		t.Errorf("answer %s", w.Body)
	}
	if w := MustServe(t, h, "POST", "/healthz"); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz: status %d, want 405", w.Code)
	}
}

func TestReadyz(t *testing.T) {
	pass := func(name string) Check {
		return Check{Name: name, Check: func(context.Context) error { return nil }}
	}
	fail := func(name, msg string) Check {
		return Check{Name: name, Check: func(context.Context) error { return errors.New(msg) }}
	}
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	for _, tc := range []struct {
		name       string
		checks     []Check
		wantStatus int
		wantChecks map[string]string // exact, or a prefix for failures
		wantMsg    string            // substring of the error message
	}{
		{"no dependencies", nil, 200, map[string]string{}, ""},
		{"all pass", []Check{pass("mlflow"), pass("database")}, 200,
			map[string]string{"mlflow": "ok", "database": "ok"}, ""},
		{"one fails", []Check{fail("mlflow", "connection refused"), pass("database")}, 503,
			map[string]string{"mlflow": "failed", "database": "ok"}, "mlflow: failed"},
		{"all fail", []Check{fail("mlflow", "refused"), fail("database", "locked")}, 503,
			map[string]string{"mlflow": "failed", "database": "failed"}, "database: failed"},
		{"ignores its deadline", []Check{{Name: "mlflow", Check: func(context.Context) error { <-hang; return nil }}}, 503,
			map[string]string{"mlflow": "no answer within"}, "mlflow: no answer within 50ms"},
		{"panics", []Check{{Name: "mlflow", Check: func(context.Context) error { panic("boom") }}}, 503,
			map[string]string{"mlflow": "failed"}, "mlflow: failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := NewServer(Deps{Checks: tc.checks, CheckTimeout: 50 * time.Millisecond})
			w := MustServe(t, h, "GET", "/readyz")
			if w.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d; body %s", w.Code, tc.wantStatus, w.Body)
			}
			a := MustDecode(t, w)
			var checks map[string]any
			if tc.wantStatus == 200 {
				var data struct{ Checks map[string]any }
				if err := json.Unmarshal(a.Data, &data); err != nil {
					t.Fatal(err)
				}
				checks = data.Checks
			} else {
				if a.Status != "error" || a.Error.Code != "unavailable" || !strings.Contains(a.Error.Message, tc.wantMsg) {
					t.Errorf("error %+v, want unavailable with message containing %q", a.Error, tc.wantMsg)
				}
				checks, _ = a.Error.Details["checks"].(map[string]any)
			}
			if len(checks) != len(tc.wantChecks) {
				t.Errorf("checks %v, want %v", checks, tc.wantChecks)
			}
			for name, want := range tc.wantChecks {
				if got, _ := checks[name].(string); !strings.HasPrefix(got, want) {
					t.Errorf("checks[%q] = %q, want %q", name, got, want)
				}
			}
		})
	}
}

// TestReadyzRunsChecksConcurrently makes each check wait for the other: run one after the
// other, the first would wait out the timeout.
func TestReadyzRunsChecksConcurrently(t *testing.T) {
	var started sync.WaitGroup
	started.Add(2)
	bothStarted := make(chan struct{})
	go func() { started.Wait(); close(bothStarted) }()
	check := func(ctx context.Context) error {
		started.Done()
		select {
		case <-bothStarted:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	h := NewServer(Deps{Checks: []Check{{"mlflow", check}, {"database", check}}, CheckTimeout: 10 * time.Second})
	if w := MustServe(t, h, "GET", "/readyz"); w.Code != http.StatusOK {
		t.Fatalf("status %d; body %s", w.Code, w.Body)
	}
}

// TestReadyzPassesRequestContext checks that a check sees the probe's deadline.
func TestReadyzPassesRequestContext(t *testing.T) {
	var logs bytes.Buffer
	check := func(ctx context.Context) error {
		if _, ok := ctx.Deadline(); !ok {
			return errors.New("no deadline")
		}
		return nil
	}
	h := NewServer(Deps{Checks: []Check{{"mlflow", check}}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if w := MustServe(t, h, "GET", "/readyz"); w.Code != http.StatusOK {
		t.Fatalf("status %d; body %s", w.Code, w.Body)
	}
	if logs.Len() != 0 {
		t.Errorf("a passing probe logged at info level: %s", logs.String())
	}
}
