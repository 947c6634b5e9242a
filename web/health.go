package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// checkOK is what /readyz reports for a dependency that passed its check.
const checkOK = "ok"

// handleHealthz answers whether the process is alive: it asks no dependency, so that an
// orchestrator never restarts mlexp because MLflow is down.
func (s *server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	s.respondJSON(w, r, http.StatusOK, map[string]any{
		"status": "alive",
		"time":   s.now().UTC().Format(time.RFC3339Nano),
	})
}

// handleReadyz answers whether every dependency can serve: 200 with each one "ok", or 503
// naming each dependency that failed and why.
func (s *server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	results := s.runChecks(r.Context())
	var failed []string
	for _, c := range s.checks {
		if res := results[c.Name]; res != checkOK {
			failed = append(failed, c.Name+": "+res)
		}
	}
	if len(failed) > 0 {
		s.respondError(w, r, &mlexp.Error{
			Code:    mlexp.EUNAVAILABLE,
			Message: strings.Join(failed, "; "),
			Details: map[string]any{"checks": results},
		})
		return
	}
	s.respondJSON(w, r, http.StatusOK, map[string]any{"checks": results})
}

// runChecks runs every check concurrently, each bounded by the check timeout, and returns
// "ok" or the error text of each, by name. A check that ignores its context is reported as
// timed out rather than holding the probe.
func (s *server) runChecks(ctx context.Context) map[string]string {
	ctx, cancel := context.WithTimeout(ctx, s.checkTimeout)
	defer cancel()
	type result struct {
		name, text string
	}
	done := make(chan result, len(s.checks)) // buffered: a late check never blocks
	for _, c := range s.checks {
		go func() { done <- result{c.Name, runCheck(ctx, c)} }()
	}
	results := make(map[string]string, len(s.checks))
	for range s.checks {
		select {
		case res := <-done:
			results[res.name] = res.text
		case <-ctx.Done():
			for _, c := range s.checks {
				if _, ok := results[c.Name]; !ok {
					results[c.Name] = fmt.Sprintf("no answer within %s", s.checkTimeout)
				}
			}
			return results
		}
	}
	return results
}

// runCheck runs one check, turning a panic into a failure.
func runCheck(ctx context.Context, c Check) (text string) {
	defer func() {
		if p := recover(); p != nil {
			text = fmt.Sprintf("check panicked: %v", p)
		}
	}()
	if err := c.Check(ctx); err != nil {
		if msg := strings.TrimSpace(err.Error()); msg != "" {
			return msg
		}
		return "failed"
	}
	return checkOK
}
