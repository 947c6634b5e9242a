package securitytest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/web"
)

// The users of the token-auth probes.
const (
	authProbeAna    = "ana-securitytest-token-01"
	authProbeBob    = "bob-securitytest-token-02"
	authProbeTokens = "ana " + authProbeAna + "\nbob " + authProbeBob + "\n"
)

// authProbeTokenAuth serves token auth of authProbeTokens, with sessions in the world's
// store, as serve wires them.
func authProbeTokenAuth(t *testing.T) func(*web.Deps) {
	return func(d *web.Deps) {
		a, err := web.TokenAuth(strings.NewReader(authProbeTokens))
		if err != nil {
			t.Fatal(err)
		}
		d.Auth, d.Sessions = a, d.Comparisons.(*sqlstore.DB)
	}
}

// authProbeClient follows no redirect: where mlexp sends the browser is what is probed.
var authProbeClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// authProbeSend sends a request and returns the answer with its body read.
func authProbeSend(t *testing.T, method, target, body string, header http.Header) (*http.Response, string) {
	t.Helper()
	r, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	if host := header.Get("Host"); host != "" {
		r.Host = host
	}
	resp, err := authProbeClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// authProbeForge makes a session cookie the way mlexp made them before the fix: keyed by a
// hash of the tokens file alone.
func authProbeForge(file, user string) string {
	key := sha256.New()
	key.Write([]byte("mlexp session key\n"))
	for _, line := range strings.Split(file, "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			sum := sha256.Sum256([]byte(f[1]))
			key.Write([]byte(f[0]))
			key.Write(sum[:])
		}
	}
	payload := url.QueryEscape(user) + "|" + strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	m := hmac.New(sha256.New, key.Sum(nil))
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString([]byte(payload + "|" + hex.EncodeToString(m.Sum(nil))))
}

// authProbeCookie is a header carrying a session cookie, as mlexp's own pages send it.
func authProbeCookie(v string) http.Header {
	return http.Header{"Cookie": {"mlexp_session=" + v}, "Sec-Fetch-Site": {"same-origin"}, "Content-Type": {"application/json"}}
}

// authProbeSignIn signs in with token and returns the session cookie's value.
func authProbeSignIn(t *testing.T, base, token string) string {
	t.Helper()
	resp, _ := authProbeSend(t, "POST", base+"/signin", url.Values{"token": {token}}.Encode(),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
	for _, c := range resp.Cookies() {
		if c.Name == "mlexp_session" && c.Value != "" {
			return c.Value
		}
	}
	t.Fatalf("sign in: %d without a session cookie", resp.StatusCode)
	return ""
}

// Issue 16 (HIGH): a cookie forged from the tokens file alone got 200 for a user absent
// from the file, and let ana, as bob, change bob's saved comparison.
func TestProbeForgedSessionCookie(t *testing.T) {
	w := newWorld(t, authProbeTokenAuth(t))
	api := w.URL + "/api/experiments/comparisons/"
	if resp, _ := authProbeSend(t, "GET", api, "", authProbeCookie(authProbeForge(authProbeTokens, "mallory"))); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("forged cookie of mallory: %d, want 401", resp.StatusCode)
	}
	bob := http.Header{"Authorization": {"Bearer " + authProbeBob}, "Content-Type": {"application/json"}}
	resp, body := authProbeSend(t, "POST", api, `{"name":"bob's","model_id":"model-7","run_ids":["run-a","run-b"]}`, bob)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("bob saves: %d %s", resp.StatusCode, body)
	}
	mine := w.URL + resp.Header.Get("Location")
	resp, body = authProbeSend(t, "PATCH", mine, `{"notes":"ana was here"}`, authProbeCookie(authProbeForge(authProbeTokens, "bob")))
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("forged cookie of bob changes bob's comparison: %d %s, want 401", resp.StatusCode, body)
	}
	if _, body := authProbeSend(t, "GET", mine, "", bob); strings.Contains(body, "ana was here") {
		t.Errorf("bob's comparison changed: %s", body)
	}
}

// Issue 16 (HIGH): signing out left a copy of the cookie valid.
func TestProbeSignOutRevokesTheSession(t *testing.T) {
	w := newWorld(t, authProbeTokenAuth(t))
	other := w.serve(t, w.Deps) // a second replica on the same database
	c := authProbeSignIn(t, w.URL, authProbeAna)
	api := "/api/experiments/comparisons/"
	if resp, _ := authProbeSend(t, "GET", other+api, "", authProbeCookie(c)); resp.StatusCode != http.StatusOK {
		t.Fatalf("the session on the other replica: %d", resp.StatusCode)
	}
	if resp, _ := authProbeSend(t, "POST", w.URL+"/signout", "", authProbeCookie(c)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", resp.StatusCode)
	}
	for _, base := range []string{w.URL, other} {
		if resp, _ := authProbeSend(t, "GET", base+api, "", authProbeCookie(c)); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("the cookie after sign-out: %d, want 401", resp.StatusCode)
		}
	}
}

// Issue 16: next=/%09/evil.com after sign-in led off-site in Chromium.
func TestProbeOpenRedirectAfterSignIn(t *testing.T) {
	w := newWorld(t, authProbeTokenAuth(t))
	for _, next := range []string{"/%09/evil.example", "/%0a/evil.example", "/%5Cevil.example", "//evil.example", "https:evil.example"} {
		body := "token=" + authProbeAna + "&next=" + next
		resp, _ := authProbeSend(t, "POST", w.URL+"/signin", body, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/" {
			t.Errorf("next=%s: %d to %q, want 303 to /", next, resp.StatusCode, loc)
		}
	}
}

// Issue 16: 500 token guesses took half a second, none refused.
func TestProbeTokenGuessing(t *testing.T) {
	w := newWorld(t, authProbeTokenAuth(t))
	for i := range 500 {
		resp, _ := authProbeSend(t, "GET", w.URL+"/api/models/", "", http.Header{"Authorization": {"Bearer guess-" + strconv.Itoa(i) + "-000000000000"}})
		if resp.StatusCode == http.StatusTooManyRequests {
			if resp.Header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
			if i > 50 {
				t.Errorf("%d guesses before the first 429", i)
			}
			return
		}
	}
	t.Error("500 wrong tokens, none answered 429")
}

// Issue 16: proxy mode took the first of repeated identity headers and stripped any
// "prefix:" from the identity.
func TestProbeProxyIdentityHeader(t *testing.T) {
	w := newWorld(t, func(d *web.Deps) { d.Auth, _ = web.ProxyAuth("X-Goog-Authenticated-User-Email") })
	api := w.URL + "/api/experiments/comparisons/"
	two := http.Header{"X-Goog-Authenticated-User-Email": {"accounts.google.com:mallory@example.com", "accounts.google.com:ana@example.com"}}
	if resp, _ := authProbeSend(t, "GET", api, "", two); resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusBadRequest {
		t.Errorf("two identity headers: %d, want 401 or 400", resp.StatusCode)
	}
	save := `{"name":"n","model_id":"model-7","run_ids":["run-a","run-b"]}`
	h := http.Header{"X-Goog-Authenticated-User-Email": {"evil.example:ana@example.com"}, "Content-Type": {"application/json"}}
	if _, body := authProbeSend(t, "POST", api, save, h); !strings.Contains(body, `"created_by":"evil.example:ana@example.com"`) {
		t.Errorf("an identity with another prefix: %s", body)
	}
}

// Issue 16: a lowercase bearer scheme was refused.
func TestProbeLowercaseBearer(t *testing.T) {
	w := newWorld(t, authProbeTokenAuth(t))
	if resp, body := authProbeSend(t, "GET", w.URL+"/api/models/", "", http.Header{"Authorization": {"bearer " + authProbeAna}}); resp.StatusCode != http.StatusOK {
		t.Errorf("bearer TOKEN: %d %s", resp.StatusCode, body)
	}
}

// Issue 16 (DNS rebinding): with --auth none any Host was served.
func TestProbeDNSRebinding(t *testing.T) {
	w := newWorld(t, func(d *web.Deps) { d.AllowedHosts = []string{"127.0.0.1", "localhost", "::1"} })
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(w.URL, "http://"))
	for host, want := range map[string]int{
		"127.0.0.1:" + port:           http.StatusOK,
		"localhost:" + port:           http.StatusOK,
		"rebind.evil.example:" + port: http.StatusMisdirectedRequest,
	} {
		if resp, _ := authProbeSend(t, "GET", w.URL+"/api/models/", "", http.Header{"Host": {host}}); resp.StatusCode != want {
			t.Errorf("Host %s: %d, want %d", host, resp.StatusCode, want)
		}
	}
}

// Issue 16: the unauthenticated /readyz showed MLflow's internal URL; /metrics lacked
// nosniff.
func TestProbeReadyzAndMetrics(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	l.Close()
	down, err := mlflow.NewClient(dead)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, func(d *web.Deps) { d.Checks = []web.Check{{Name: "mlflow", Check: down.Ping}} })
	resp, body := authProbeSend(t, "GET", w.URL+"/readyz", "", nil)
	if resp.StatusCode != http.StatusServiceUnavailable || strings.Contains(body, l.Addr().String()) || strings.Contains(body, "http://") {
		t.Errorf("/readyz with MLflow down: %d %s", resp.StatusCode, body)
	}
	if resp, _ := authProbeSend(t, "GET", w.URL+"/metrics", "", nil); resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("/metrics: X-Content-Type-Options %q", resp.Header.Get("X-Content-Type-Options"))
	}
}
