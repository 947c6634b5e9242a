package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp/internal/mlflowtest"
)

// mlflowServer is the real MLflow shared by the tests of this package.
var mlflowServer *mlflowtest.Server

func TestMain(m *testing.M) {
	if args := os.Getenv(childArgsEnv); args != "" { // this binary was started as mlexp by startChild
		os.Args = append([]string{"mlexp"}, strings.Split(args, "\x1f")...)
		main()
		os.Exit(0)
	}
	mlflowtest.Main(m, &mlflowServer)
}

func TestServeWithMLflow(t *testing.T) {
	// The tracking URI comes from MLflow's own environment variable here.
	s := MustStartServe(t, map[string]string{"MLFLOW_TRACKING_URI": mlflowServer.URL}, "--shutdown-timeout", "5s")
	waitForStatus(t, s.URL+"/healthz", http.StatusOK, 10*time.Second)
	a := decodeReadyz(t, waitForStatus(t, s.URL+"/readyz", http.StatusOK, 10*time.Second))
	if a.Status != "success" || a.Data.Checks["mlflow"] != "ok" || a.Data.Checks["database"] != "ok" || len(a.Data.Checks) != 2 {
		t.Errorf("/readyz answered %+v", a)
	}

	_, metrics := MustGet(t, s.URL+"/metrics")
	if m := missing(metrics,
		`mlexp_mlflow_requests_total{code="200",endpoint="experiments/search"}`,
		`mlexp_mlflow_request_duration_seconds_count{endpoint="experiments/search"}`,
		`mlexp_http_requests_total{code="200",method="GET",route="GET /healthz"}`,
		`mlexp_http_requests_total{code="200",method="GET",route="GET /readyz"}`,
	); len(m) > 0 {
		t.Errorf("/metrics lacks %q:\n%s", m, metrics)
	}

	start := time.Now()
	if err := s.stop(t); err != nil {
		t.Fatalf("run returned %v after cancellation, want nil; logs:\n%s", err, s.logs)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("run took %s to return, more than its shutdown timeout of 5s", d)
	}
	if m := missing(s.logs.String(), `"msg":"shutting down`, `"msg":"stopped"`, `"route":"GET /readyz"`); len(m) > 0 {
		t.Errorf("logs lack %q:\n%s", m, s.logs)
	}
}

// TestServeSurvivesMLflowOutage starts mlexp before MLflow, then starts, stops and restarts
// MLflow under it: mlexp stays up throughout and follows MLflow's state without a restart.
func TestServeSurvivesMLflowOutage(t *testing.T) {
	port := freePort(t)
	dir := t.TempDir()
	s := MustStartServe(t, nil, "--mlflow-tracking-uri", fmt.Sprintf("http://127.0.0.1:%d", port))
	readyz := s.URL + "/readyz"

	waitForStatus(t, s.URL+"/healthz", http.StatusOK, 10*time.Second)
	assertNotReady(t, waitForStatus(t, readyz, http.StatusServiceUnavailable, 10*time.Second))

	ml, err := mlflowtest.Start(dir, port)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ml.Stop() })
	waitForStatus(t, readyz, http.StatusOK, 30*time.Second)

	if err := ml.Stop(); err != nil {
		t.Fatal(err)
	}
	assertNotReady(t, waitForStatus(t, readyz, http.StatusServiceUnavailable, 10*time.Second))
	if status, body := MustGet(t, s.URL+"/healthz"); status != http.StatusOK {
		t.Errorf("/healthz answered %d while MLflow was down, want 200: %s", status, body)
	}

	ml, err = mlflowtest.Start(dir, port)
	if err != nil {
		t.Fatal(err)
	}
	a := decodeReadyz(t, waitForStatus(t, readyz, http.StatusOK, 30*time.Second))
	if a.Data.Checks["mlflow"] != "ok" {
		t.Errorf("/readyz answered %+v", a)
	}

	select {
	case err := <-s.done:
		t.Fatalf("serve returned during the outage: %v", err)
	default:
	}
	if n := strings.Count(s.logs.String(), `"msg":"listening"`); n != 1 {
		t.Errorf("serve logged \"listening\" %d times, want once", n)
	}
	_, metrics := MustGet(t, s.URL+"/metrics")
	if m := missing(metrics,
		`mlexp_mlflow_requests_total{code="error",endpoint="experiments/search"}`,
		`mlexp_mlflow_requests_total{code="200",endpoint="experiments/search"}`,
		`mlexp_http_requests_total{code="503",method="GET",route="GET /readyz"}`,
	); len(m) > 0 {
		t.Errorf("/metrics lacks %q:\n%s", m, metrics)
	}
}

// assertNotReady checks a 503 of /readyz: it names MLflow and why it failed.
func assertNotReady(t *testing.T, body string) {
	t.Helper()
	a := decodeReadyz(t, body)
	if a.Status != "error" || a.Error.Code != "unavailable" || !strings.HasPrefix(a.Error.Message, "mlflow: ") {
		t.Errorf("/readyz answered %s, want an unavailable error naming mlflow", body)
	}
	if c := a.Error.Details.Checks["mlflow"]; c == "" || c == "ok" {
		t.Errorf("details.checks.mlflow = %q, want the reason; body %s", c, body)
	}
}

func TestServeAddressInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	err = run(t.Context(), []string{"mlexp", "serve", "--addr", l.Addr().String(), "--mlflow-tracking-uri", mlflowServer.URL},
		envOf(map[string]string{"MLEXP_DATA_DIR": t.TempDir()}), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "cannot listen on "+l.Addr().String()) {
		t.Errorf("run returned %v, want a listen error naming the address", err)
	}
}

// TestGracefulShutdown checks that a request in flight when the context is cancelled is
// answered in full, and that one outlasting the shutdown timeout makes run fail.
func TestGracefulShutdown(t *testing.T) {
	for _, tc := range []struct {
		name     string
		timeout  time.Duration
		finishes bool
	}{
		{"in-flight request finishes", 10 * time.Second, true},
		{"request outlasts the timeout", 100 * time.Millisecond, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			entered, release := make(chan struct{}), make(chan struct{})
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				close(entered)
				select {
				case <-release:
				case <-r.Context().Done(): // the connection was cut
				}
				fmt.Fprint(w, "done")
			})
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			result := make(chan error, 1)
			go func() {
				result <- serveUntilDone(ctx, &http.Server{Handler: h}, ln, tc.timeout, slog.New(slog.DiscardHandler))
			}()
			answer := make(chan string, 1)
			go func() {
				resp, err := http.Get("http://" + ln.Addr().String())
				if err != nil {
					answer <- "error: " + err.Error()
					return
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				answer <- string(b)
			}()
			<-entered
			cancel()
			waitUntilRefused(t, ln.Addr().String()) // the shutdown has begun
			if tc.finishes {
				close(release)
			} else {
				defer close(release)
			}
			select {
			case err := <-result:
				if tc.finishes && err != nil {
					t.Errorf("serveUntilDone returned %v, want nil", err)
				}
				if !tc.finishes && (err == nil || !strings.Contains(err.Error(), "cut off")) {
					t.Errorf("serveUntilDone returned %v, want a shutdown timeout error", err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("serveUntilDone did not return")
			}
			if got := <-answer; tc.finishes && got != "done" {
				t.Errorf("in-flight request got %q, want its full answer", got)
			}
		})
	}
}

// waitUntilRefused polls addr until it refuses connections.
func waitUntilRefused(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return
		}
		c.Close()
	}
	t.Fatalf("%s still accepts connections", addr)
}
