package web

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestMetrics(t *testing.T) {
	m := NewMetrics()
	h := NewServer(Deps{Metrics: m, Checks: []Check{{Name: "mlflow", Check: failing}}})
	for _, req := range [][2]string{
		{"GET", "/healthz"}, {"GET", "/healthz"}, {"HEAD", "/healthz"}, {"GET", "/readyz"},
		{"GET", "/no/such/page"}, {"POST", "/healthz"}, {"BREW", "/healthz"},
	} {
		MustServe(t, h, req[0], req[1])
	}
	m.ObserveMLflowCall("experiments/search", 200, 10*time.Millisecond, nil)
	m.ObserveMLflowCall("experiments/search", 200, 30*time.Millisecond, nil)
	m.ObserveMLflowCall("runs/search", 0, 2*time.Second, errors.New("connection refused"))
	m.ObserveMLflowCall("runs/get", 404, time.Millisecond, errors.New("not found"))

	w := MustServe(t, h, "GET", "/metrics")
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q", ct)
	}
	body := w.Body.String()
	for _, want := range []string{
		`mlexp_http_requests_total{code="200",method="GET",route="GET /healthz"} 2`,
		`mlexp_http_requests_total{code="200",method="HEAD",route="GET /healthz"} 1`,
		`mlexp_http_requests_total{code="503",method="GET",route="GET /readyz"} 1`,
		`mlexp_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`mlexp_http_requests_total{code="405",method="POST",route="unmatched"} 1`,
		`mlexp_http_requests_total{code="405",method="OTHER",route="unmatched"} 1`,
		`mlexp_http_request_duration_seconds_count{method="GET",route="GET /healthz"} 2`,
		`mlexp_http_request_duration_seconds_bucket{method="GET",route="GET /readyz",le="+Inf"} 1`,
		`mlexp_mlflow_requests_total{code="200",endpoint="experiments/search"} 2`,
		`mlexp_mlflow_requests_total{code="error",endpoint="runs/search"} 1`,
		`mlexp_mlflow_requests_total{code="404",endpoint="runs/get"} 1`,
		`mlexp_mlflow_request_duration_seconds_sum{endpoint="experiments/search"} 0.04`,
		`mlexp_mlflow_request_duration_seconds_count{endpoint="runs/search"} 1`,
		"# HELP mlexp_http_requests_total ",
		"# TYPE mlexp_http_request_duration_seconds histogram",
		"go_goroutines ",
		"process_start_time_seconds ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", body)
	}
	// A second server with its own metrics in the same process neither panics on
	// registration nor sees the first one's counts.
	other := MustServe(t, NewServer(Deps{}), "GET", "/metrics").Body.String()
	if strings.Contains(other, `route="GET /healthz"`) {
		t.Errorf("metrics leaked between servers:\n%s", other)
	}
}

func failing(context.Context) error { return errors.New("down") }
