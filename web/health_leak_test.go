package web

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Issue 16: the unauthenticated /readyz showed the error text of each failed check, and with
// it MLflow's internal URL. It names the check and a generic status; the log has the cause.
func TestReadyzDoesNotShowDependencyDetails(t *testing.T) {
	const internal = `Get "http://mlflow.internal.example:5000/api/2.0/mlflow/experiments/search": dial tcp 10.1.2.3:5000: connect: connection refused`
	var logs bytes.Buffer
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	h := NewServer(Deps{
		Logger:       slog.New(slog.NewTextHandler(&logs, nil)),
		CheckTimeout: 50 * time.Millisecond,
		Checks: []Check{
			{Name: "mlflow", Check: func(context.Context) error { return errors.New(internal) }},
			{Name: "database", Check: func(context.Context) error { panic("postgres://mlexp:secret@db.internal.example/mlexp") }},
			{Name: "slow", Check: func(context.Context) error { <-hang; return nil }},
		},
	})
	w := MustServe(t, h, "GET", "/readyz")
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d", w.Code)
	}
	if body := w.Body.String(); containsAny(body, "internal.example", "10.1.2.3", "5000", "secret", "http://", "postgres://") {
		t.Errorf("/readyz shows internal details: %s", body)
	}
	a := MustDecode(t, w)
	checks, _ := a.Error.Details["checks"].(map[string]any)
	for _, name := range []string{"mlflow", "database", "slow"} {
		if c, _ := checks[name].(string); c == "" || c == "ok" {
			t.Errorf("checks[%q] = %q, want a failure status", name, c)
		}
		if !strings.Contains(a.Error.Message, name) {
			t.Errorf("message %q does not name %s", a.Error.Message, name)
		}
	}
	if !strings.Contains(logs.String(), "10.1.2.3") {
		t.Errorf("the cause of the failure is not logged for the operator:\n%s", logs.String())
	}
}

// Issue 16: /metrics was served without X-Content-Type-Options: nosniff.
func TestMetricsAreNotSniffed(t *testing.T) {
	w := MustServe(t, NewServer(Deps{}), "GET", "/metrics")
	if w.Code != http.StatusOK || w.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("/metrics: %d, X-Content-Type-Options %q, want nosniff", w.Code, w.Header().Get("X-Content-Type-Options"))
	}
}
