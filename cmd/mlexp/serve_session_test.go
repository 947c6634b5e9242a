package main

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp/internal/pgtest"
)

// sessionTestToken is ana's token in the tokens file of these tests.
const sessionTestToken = "ana-serve-session-token-01"

// tokenServeVars are the settings of a token-auth serve on db.
func tokenServeVars(t *testing.T, db string) map[string]string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(file, []byte("ana "+sessionTestToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"MLFLOW_TRACKING_URI": mlflowServer.URL, "MLEXP_DB": db,
		"MLEXP_AUTH": "token", "MLEXP_AUTH_TOKENS_FILE": file}
}

// noRedirects is a client that shows redirects rather than following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// signInTo signs ana in at base and returns the session cookie.
func signInTo(t *testing.T, base string) *http.Cookie {
	t.Helper()
	resp, err := noRedirects.PostForm(base+"/signin", url.Values{"token": {sessionTestToken}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "mlexp_session" && c.Value != "" {
			return c
		}
	}
	t.Fatalf("sign in at %s: %d without a session cookie", base, resp.StatusCode)
	return nil
}

// sendCookie sends method path to base with the cookie and returns the status.
func sendCookie(t *testing.T, method, base, path string, c *http.Cookie) int {
	t.Helper()
	r, _ := http.NewRequest(method, base+path, nil)
	r.AddCookie(c)
	resp, err := noRedirects.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Issue 16: two replicas on one PostgreSQL share the session secret that the first made,
// and signing out on one ends the session on the other.
func TestReplicasShareSessions(t *testing.T) {
	pg, err := pgtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pg.Stop)
	vars := tokenServeVars(t, pg.NewDatabase(t))
	a, b := MustStartServe(t, vars), MustStartServe(t, vars)
	c := signInTo(t, a.URL)
	if got := sendCookie(t, "GET", b.URL, "/api/experiments/comparisons/", c); got != http.StatusOK {
		t.Fatalf("the session of replica a on replica b: %d", got)
	}
	if got := sendCookie(t, "POST", b.URL, "/signout", c); got != http.StatusSeeOther {
		t.Fatalf("sign out on b: %d", got)
	}
	if got := sendCookie(t, "GET", a.URL, "/api/experiments/comparisons/", c); got != http.StatusUnauthorized {
		t.Errorf("signed out on b, replica a still accepts the cookie: %d", got)
	}
}

// A session outlives a restart on the same database, and --session-secret-file replaces
// the database's secret.
func TestSessionSecretAcrossRestarts(t *testing.T) {
	vars := tokenServeVars(t, filepath.Join(t.TempDir(), "mlexp.db"))
	first := MustStartServe(t, vars)
	c := signInTo(t, first.URL)
	if err := first.stop(t); err != nil {
		t.Fatal(err)
	}
	again := MustStartServe(t, vars)
	if got := sendCookie(t, "GET", again.URL, "/api/experiments/comparisons/", c); got != http.StatusOK {
		t.Errorf("after a restart: %d", got)
	}
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("0123456789abcdef0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	other := MustStartServe(t, vars, "--session-secret-file", secret)
	if got := sendCookie(t, "GET", other.URL, "/api/experiments/comparisons/", c); got != http.StatusUnauthorized {
		t.Errorf("a cookie signed with the database's secret, on a server given another: %d", got)
	}
	if got := sendCookie(t, "GET", other.URL, "/api/experiments/comparisons/", signInTo(t, other.URL)); got != http.StatusOK {
		t.Errorf("a session of the server given the secret: %d", got)
	}
}

// A bad session secret stops serve, naming the flag and never the secret.
func TestServeBadSessionSecret(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("short-file-secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	uri := map[string]string{"MLFLOW_TRACKING_URI": "http://127.0.0.1:5000"}
	for _, tc := range []struct {
		args []string
		vars map[string]string
		want string
	}{
		{[]string{"--session-secret", "short-flag-secret"}, uri, "--session-secret: the session secret must be at least 32"},
		{nil, map[string]string{"MLFLOW_TRACKING_URI": "http://127.0.0.1:5000", "MLEXP_SESSION_SECRET": "short-env-secret"}, "MLEXP_SESSION_SECRET: the session secret"},
		{[]string{"--session-secret-file", secretFile}, uri, "--session-secret-file=" + `"` + secretFile + `": the session secret must be`},
		{[]string{"--session-secret-file", secretFile + ".missing"}, uri, "cannot read the session secret"},
		{[]string{"--session-secret", strings.Repeat("s", 32), "--session-secret-file", secretFile}, uri, "give it once"},
	} {
		err := run(t.Context(), append([]string{"mlexp", "serve"}, tc.args...), envOf(tc.vars), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "short-") {
			t.Errorf("%q: %v, want an error containing %q and not the secret", tc.args, err, tc.want)
		}
	}
}
