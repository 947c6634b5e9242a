package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// sendToHost sends GET path to h with the Host header host.
func sendToHost(h http.Handler, path, host string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", path, nil)
	r.Host = host
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// Issue 16 (DNS rebinding): with allowed hosts set, a request to any other host name is
// answered 421 in the error envelope; probes answer whatever the Host.
func TestForeignHostsAreRefused(t *testing.T) {
	h := NewServer(Deps{AllowedHosts: append(LoopbackHosts(), "mlexp.example.com", "Other.Example:9000", "[2001:db8::1]")})
	for host, want := range map[string]int{
		"127.0.0.1:8080":         http.StatusOK,
		"localhost:8080":         http.StatusOK,
		"LOCALHOST:8080":         http.StatusOK,
		"[::1]:8080":             http.StatusOK,
		"mlexp.example.com":      http.StatusOK,
		"mlexp.example.com:443":  http.StatusOK,
		"other.example:9000":     http.StatusOK,
		"[2001:db8::1]:8080":     http.StatusOK,
		"[2001:db8::1]":          http.StatusOK,
		"other.example":          http.StatusMisdirectedRequest,
		"other.example:9001":     http.StatusMisdirectedRequest,
		"127.0.0.1:8081":         http.StatusOK, // loopback names on any port: a port-forward changes it
		"localhost":              http.StatusOK,
		"evil.example:8080":      http.StatusMisdirectedRequest,
		"localhost.evil.example": http.StatusMisdirectedRequest,
		"":                       http.StatusMisdirectedRequest,
	} {
		w := sendToHost(h, "/api/openapi.json", host)
		if w.Code != want {
			t.Errorf("Host %q: %d, want %d", host, w.Code, want)
		}
		if want == http.StatusMisdirectedRequest {
			if a := MustDecode(t, w); a.Error.Code != codeMisdirected {
				t.Errorf("Host %q: error %+v", host, a.Error)
			}
		}
	}
	for _, probe := range []string{"/healthz", "/readyz", "/metrics"} {
		if w := sendToHost(h, probe, "10.0.0.7:8080"); w.Code != http.StatusOK {
			t.Errorf("%s with the pod's address as Host: %d", probe, w.Code)
		}
	}
}

// Without allowed hosts (tests, and token or proxy auth without --allowed-hosts) any Host
// is served.
func TestAnyHostWithoutAllowedHosts(t *testing.T) {
	if w := sendToHost(NewServer(Deps{}), "/api/openapi.json", "whatever.example"); w.Code != http.StatusOK {
		t.Errorf("no allowed hosts: %d", w.Code)
	}
}
