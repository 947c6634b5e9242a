package main

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// hostGet sends GET path to base with the Host header host and returns the status.
func hostGet(t *testing.T, base, path, host string) int {
	t.Helper()
	r, err := http.NewRequest("GET", base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Host = host
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Issue 16: with --auth none any Host was served, so that a page of another site whose name
// resolves to 127.0.0.1 (DNS rebinding) could read and change everything.
func TestServeNoAuthRefusesForeignHosts(t *testing.T) {
	s := MustStartServe(t, map[string]string{"MLFLOW_TRACKING_URI": mlflowServer.URL})
	port := s.URL[strings.LastIndexByte(s.URL, ':')+1:]
	for host, want := range map[string]int{
		"127.0.0.1:" + port:      http.StatusOK,
		"localhost:" + port:      http.StatusOK,
		"LocalHost:" + port:      http.StatusOK,
		"[::1]:" + port:          http.StatusOK,
		"evil.example:" + port:   http.StatusMisdirectedRequest,
		"evil.example":           http.StatusMisdirectedRequest,
		"127.0.0.1:9000":         http.StatusOK, // through a port-forward (ssh -L 9000:localhost:PORT)
		"localhost.evil.example": http.StatusMisdirectedRequest,
	} {
		if got := hostGet(t, s.URL, "/api/experiments/comparisons/", host); got != want {
			t.Errorf("Host %s: %d, want %d", host, got, want)
		}
	}
	// Probes answer whatever the Host: an orchestrator asks by the pod's address.
	if got := hostGet(t, s.URL, "/healthz", "10.0.0.7:"+port); got != http.StatusOK {
		t.Errorf("/healthz with the pod's address as Host: %d", got)
	}
}

// --allowed-hosts adds names (any port) and name:port pairs to the loopback ones.
func TestServeAllowedHosts(t *testing.T) {
	s := MustStartServe(t, map[string]string{"MLFLOW_TRACKING_URI": mlflowServer.URL}, "--allowed-hosts", "mlexp.test, Other.Test:9999")
	port := s.URL[strings.LastIndexByte(s.URL, ':')+1:]
	for host, want := range map[string]int{
		"127.0.0.1:" + port:    http.StatusOK,
		"mlexp.test":           http.StatusOK,
		"mlexp.test:" + port:   http.StatusOK,
		"other.test:9999":      http.StatusOK,
		"other.test:" + port:   http.StatusMisdirectedRequest,
		"evil.example:" + port: http.StatusMisdirectedRequest,
	} {
		if got := hostGet(t, s.URL, "/api/experiments/comparisons/", host); got != want {
			t.Errorf("Host %s: %d, want %d", host, got, want)
		}
	}
}

// A bad --allowed-hosts stops serve before it listens, naming the flag and the entry.
func TestServeBadAllowedHosts(t *testing.T) {
	uri := envOf(map[string]string{"MLFLOW_TRACKING_URI": "http://127.0.0.1:5000"})
	for _, bad := range []string{"http://mlexp.test", "mlexp.test:http", "mlexp.test/path", "*.example.com", "mlexp.test:0"} {
		err := run(t.Context(), []string{"mlexp", "serve", "--allowed-hosts", "ok.test," + bad}, uri, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "--allowed-hosts=") || !strings.Contains(err.Error(), strconv.Quote(bad)) {
			t.Errorf("--allowed-hosts %q: %v", bad, err)
		}
	}
}
