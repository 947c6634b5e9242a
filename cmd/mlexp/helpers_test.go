package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// envOf returns a getenv that reads only vars: tests never see the real environment.
func envOf(vars map[string]string) func(string) string {
	return func(key string) string { return vars[key] }
}

// logSink collects what run writes to stdout, and reports the address of the first JSON
// log line "listening".
type logSink struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	scanned   int
	listening chan string // receives the addr once
	found     bool
}

func newLogSink() *logSink { return &logSink{listening: make(chan string, 1)} }

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.Write(p)
	for !s.found {
		rest := s.buf.Bytes()[s.scanned:]
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		s.scanned += i + 1
		var line struct{ Msg, Addr string }
		if json.Unmarshal(rest[:i], &line) == nil && line.Msg == "listening" && line.Addr != "" {
			s.found = true
			s.listening <- line.Addr
		}
	}
	return len(p), nil
}

func (s *logSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// served is a `mlexp serve` running in the test process.
type served struct {
	URL    string
	logs   *logSink
	stderr *bytes.Buffer
	cancel context.CancelFunc
	done   chan error // receives run's result
}

// MustStartServe runs `mlexp serve --addr 127.0.0.1:0 args...` in a goroutine and returns
// once it listens. The server is stopped at the end of the test.
func MustStartServe(t *testing.T, vars map[string]string, args ...string) *served {
	t.Helper()
	if vars["MLEXP_DATA_DIR"] == "" { // never the real per-user directory
		with := map[string]string{"MLEXP_DATA_DIR": t.TempDir()}
		for k, v := range vars {
			with[k] = v
		}
		vars = with
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{logs: newLogSink(), stderr: &bytes.Buffer{}, cancel: cancel, done: make(chan error, 1)}
	argv := append([]string{"mlexp", "serve", "--addr", "127.0.0.1:0", "--log-level", "debug"}, args...)
	go func() { s.done <- run(ctx, argv, envOf(vars), s.logs, s.stderr) }()
	t.Cleanup(func() { s.stop(t) })
	select {
	case addr := <-s.logs.listening:
		s.URL = "http://" + addr
	case err := <-s.done:
		s.done <- err // for stop
		t.Fatalf("serve returned before listening: %v\nlogs:\n%s", err, s.logs)
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not log \"listening\" within 30s; logs:\n%s", s.logs)
	}
	return s
}

// stop cancels the server's context and returns what run returned; it fails the test if
// run does not return within a deadline.
func (s *served) stop(t *testing.T) error {
	t.Helper()
	s.cancel()
	select {
	case err := <-s.done:
		s.done <- err // a second stop (the cleanup) sees the same result
		return err
	case <-time.After(30 * time.Second):
		t.Fatalf("run did not return within 30s of cancellation; logs:\n%s", s.logs)
		return nil
	}
}

// MustGet GETs url and returns the status and body.
func MustGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", url, err)
	}
	return resp.StatusCode, string(body)
}

// waitForStatus polls url until it answers want, and returns that answer's body.
func waitForStatus(t *testing.T, url string, want int, within time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(within)
	var lastStatus int
	var lastBody string
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			lastStatus, lastBody = resp.StatusCode, string(b)
			if lastStatus == want {
				return lastBody
			}
		} else {
			lastBody = err.Error()
		}
		time.Sleep(100 * time.Millisecond) // polling interval, not an assertion
	}
	t.Fatalf("GET %s: no %d within %s; last answer %d %s", url, want, within, lastStatus, lastBody)
	return ""
}

// readyzAnswer is the body of /readyz, success or error.
type readyzAnswer struct {
	Status string
	Data   struct{ Checks map[string]string }
	Error  struct {
		Code, Message string
		Details       struct{ Checks map[string]string }
	}
}

func decodeReadyz(t *testing.T, body string) readyzAnswer {
	t.Helper()
	var a readyzAnswer
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatalf("/readyz answer is not JSON: %v: %s", err, body)
	}
	return a
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// missing returns those of wants that s does not contain.
func missing(s string, wants ...string) []string {
	var out []string
	for _, w := range wants {
		if !strings.Contains(s, w) {
			out = append(out, w)
		}
	}
	return out
}
