package mlflow_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/mlexp-dev/mlexp/mlflow"
)

// The local test server runs without authentication, so these tests put a small
// authenticating reverse proxy, like the ones deployments put in front of MLflow, between
// the client and the real server.

func authProxy(t *testing.T, check func(*http.Request) bool) string {
	t.Helper()
	p := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !check(r) {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error_code":"UNAUTHENTICATED","message":"You are not authenticated."}`))
			return
		}
		forward(w, r)
	}))
	p.StartTLS()
	t.Cleanup(p.Close)
	pem := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(pem, certPEM(p), 0o600); err != nil {
		t.Fatal(err)
	}
	return p.URL + "|" + pem
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestEnvironmentTokenAndCA(t *testing.T) {
	urlAndCA := authProxy(t, func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer s3cret" })
	u, ca := split(urlAndCA)
	c, err := mlflow.NewClientFromEnv(env(map[string]string{"MLFLOW_TRACKING_URI": u, "MLFLOW_TRACKING_TOKEN": "s3cret", "MLFLOW_TRACKING_SERVER_CERT_PATH": ca}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Ping(ctx(t)); err != nil {
		t.Fatalf("with the right token and CA: %v", err)
	}
	wrong, _ := mlflow.NewClientFromEnv(env(map[string]string{"MLFLOW_TRACKING_URI": u, "MLFLOW_TRACKING_TOKEN": "nope", "MLFLOW_TRACKING_SERVER_CERT_PATH": ca}))
	if err := wrong.Ping(ctx(t)); !errors.Is(err, mlflow.ErrUnauthenticated) {
		t.Fatalf("with a wrong token: err = %v, want ErrUnauthenticated", err)
	}
	noCA, _ := mlflow.NewClientFromEnv(env(map[string]string{"MLFLOW_TRACKING_URI": u, "MLFLOW_TRACKING_TOKEN": "s3cret"}))
	if err := noCA.Ping(ctx(t)); err == nil {
		t.Fatal("a self-signed server was trusted without its CA or MLFLOW_TRACKING_INSECURE_TLS")
	}
}

func TestEnvironmentBasicAuthAndInsecureTLS(t *testing.T) {
	u, _ := split(authProxy(t, func(r *http.Request) bool {
		user, pass, ok := r.BasicAuth()
		return ok && user == "ana" && pass == "pw"
	}))
	c, err := mlflow.NewClientFromEnv(env(map[string]string{"MLFLOW_TRACKING_URI": u, "MLFLOW_TRACKING_USERNAME": "ana",
		"MLFLOW_TRACKING_PASSWORD": "pw", "MLFLOW_TRACKING_INSECURE_TLS": "true"}))
	if err != nil {
		t.Fatal(err)
	}
	exp := mustExperiment(t, newClient(t))
	if _, err := c.CreateRun(ctx(t), mlflow.CreateRunRequest{ExperimentID: exp}); err != nil {
		t.Fatalf("basic auth over insecure TLS: %v", err)
	}
}

func TestEnvironmentErrors(t *testing.T) {
	for name, e := range map[string]map[string]string{
		"no URI":             {},
		"file URI":           {"MLFLOW_TRACKING_URI": "file:///tmp/mlruns"},
		"databricks":         {"MLFLOW_TRACKING_URI": "databricks"},
		"bad insecure value": {"MLFLOW_TRACKING_URI": "http://x", "MLFLOW_TRACKING_INSECURE_TLS": "maybe"},
		"missing CA file":    {"MLFLOW_TRACKING_URI": "https://x", "MLFLOW_TRACKING_SERVER_CERT_PATH": "/nonexistent.pem"},
	} {
		if _, err := mlflow.NewClientFromEnv(env(e)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
