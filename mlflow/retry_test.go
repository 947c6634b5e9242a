package mlflow_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp/mlflow"
)

// These tests use a fake HTTP server on purpose: a real MLflow cannot be made to answer a
// burst of 503s or 429s on demand. Everything else runs against the real server.

// flaky answers the first failures requests with status, then passes to the real server.
func flaky(t *testing.T, failures int, status int, header http.Header) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var calls atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= int64(failures) {
			for k, v := range header {
				w.Header()[k] = v
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"error_code":"TEMPORARILY_UNAVAILABLE","message":"try later"}`))
			return
		}
		forward(w, r)
	}))
	t.Cleanup(proxy.Close)
	return proxy, &calls
}

func fastRetry(attempts int) mlflow.Option {
	return mlflow.WithRetry(mlflow.RetryPolicy{MaxAttempts: attempts, Initial: time.Millisecond, Max: 5 * time.Millisecond})
}

func TestRetriesABurstOf503sOnIdempotentCalls(t *testing.T) {
	proxy, calls := flaky(t, 3, http.StatusServiceUnavailable, nil)
	var attempts []int
	c, _ := mlflow.NewClient(proxy.URL, fastRetry(5), mlflow.WithObserver(func(call mlflow.Call) { attempts = append(attempts, call.Attempt) }))
	exp := mustExperiment(t, newClient(t))
	runs, err := c.SearchRuns(ctx(t), mlflow.SearchRunsRequest{ExperimentIDs: []string{exp}})
	if err != nil || runs != nil {
		t.Fatalf("search after three 503s: %v, %v", runs, err)
	}
	if calls.Load() != 4 || len(attempts) != 4 || attempts[3] != 4 {
		t.Errorf("calls = %d, attempts = %v; want 4 tries", calls.Load(), attempts)
	}
}

func TestGivesUpAfterMaxAttemptsWithTheLastError(t *testing.T) {
	proxy, calls := flaky(t, 100, http.StatusServiceUnavailable, nil)
	c, _ := mlflow.NewClient(proxy.URL, fastRetry(3))
	_, err := c.GetRun(ctx(t), "abc")
	var me *mlflow.Error
	if !errors.Is(err, mlflow.ErrUnavailable) || !errors.As(err, &me) || me.Code != "TEMPORARILY_UNAVAILABLE" || me.Message != "try later" {
		t.Fatalf("err = %v, want the 503's TEMPORARILY_UNAVAILABLE", err)
	}
	if calls.Load() != 3 {
		t.Errorf("%d calls, want 3", calls.Load())
	}
}

func TestDoesNotRepeatANonIdempotentCallAfterA5xx(t *testing.T) {
	// The server may have created the run before failing: a retry could make a second one.
	proxy, calls := flaky(t, 1, http.StatusBadGateway, nil)
	c, _ := mlflow.NewClient(proxy.URL, fastRetry(5))
	_, err := c.CreateRun(ctx(t), mlflow.CreateRunRequest{ExperimentID: "0"})
	if !errors.Is(err, mlflow.ErrUnavailable) || calls.Load() != 1 {
		t.Fatalf("CreateRun after a 502: err = %v after %d calls; want one call and ErrUnavailable", err, calls.Load())
	}
}

func TestRetries429EvenForNonIdempotentCallsAndHonoursRetryAfter(t *testing.T) {
	proxy, calls := flaky(t, 1, http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}})
	c, _ := mlflow.NewClient(proxy.URL, fastRetry(3))
	exp := mustExperiment(t, newClient(t))
	start := time.Now()
	run, err := c.CreateRun(ctx(t), mlflow.CreateRunRequest{ExperimentID: exp, RunName: "after-429"})
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 || run.Info.RunName != "after-429" {
		t.Errorf("calls = %d, run = %+v", calls.Load(), run.Info)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("retried after %v, before the server's Retry-After of 1s", waited)
	}
}

func TestRetryIsBoundedByTheContext(t *testing.T) {
	proxy, _ := flaky(t, 1000, http.StatusServiceUnavailable, nil)
	c, _ := mlflow.NewClient(proxy.URL, mlflow.WithRetry(mlflow.RetryPolicy{MaxAttempts: 1000, Initial: 50 * time.Millisecond, Max: time.Second}))
	cctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := c.GetRun(cctx, "abc")
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, mlflow.ErrUnavailable) {
		t.Fatalf("err = %v, want the deadline and the last MLflow error", err)
	}
}

func TestConnectionRefusedIsRetriedThenUnavailable(t *testing.T) {
	var tries atomic.Int64
	c, _ := mlflow.NewClient("http://127.0.0.1:1", fastRetry(4), mlflow.WithObserver(func(mlflow.Call) { tries.Add(1) }))
	_, err := c.CreateRun(ctx(t), mlflow.CreateRunRequest{ExperimentID: "0"}) // never reached the server: safe to retry
	var me *mlflow.Error
	if !errors.Is(err, mlflow.ErrUnavailable) || !errors.As(err, &me) || me.HTTPStatus != 0 || me.Code != "UNREACHABLE" {
		t.Fatalf("err = %#v", err)
	}
	if tries.Load() != 4 {
		t.Errorf("%d tries, want 4", tries.Load())
	}
}

func TestNonJSONErrorFromAProxyIsMapped(t *testing.T) {
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>denied by the gateway</html>", http.StatusForbidden)
	}))
	defer proxy.Close()
	c, _ := mlflow.NewClient(proxy.URL, fastRetry(3))
	_, err := c.GetRun(ctx(t), "abc")
	var me *mlflow.Error
	if !errors.Is(err, mlflow.ErrPermissionDenied) || !errors.As(err, &me) || me.Code != "PERMISSION_DENIED" {
		t.Fatalf("err = %v, want PERMISSION_DENIED", err)
	}
}
