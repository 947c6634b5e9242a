package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// What /readyz reports of a dependency: the cause of a failure is logged, never answered,
// because the probe is public and causes name internal hosts, URLs and credentials.
const (
	checkOK     = "ok"
	checkFailed = "failed"
)

// handleHealthz answers whether the process is alive: it asks no dependency, so that an
// orchestrator never restarts mlexp because MLflow is down.
func (s *server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	s.respondJSON(w, r, http.StatusOK, map[string]any{
		"status": "alive",
		"time":   s.now().UTC().Format(time.RFC3339Nano),
	})
}

// handleReadyz answers whether every dependency can serve: 200 with each one "ok", or 503
// naming each dependency that failed, with a generic status ("failed", "no answer within
// 2s"); the cause is in the log.
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
			Details: s.readyAnswer(results),
		})
		return
	}
	s.respondJSON(w, r, http.StatusOK, s.readyAnswer(results))
}

// readyAnswer is the checks' results, and the notes when there are any.
func (s *server) readyAnswer(results map[string]string) map[string]any {
	a := map[string]any{"checks": results}
	if len(s.readyNotes) > 0 {
		a["notes"] = s.readyNotes
	}
	return a
}

// runChecks runs every check concurrently, each bounded by the check timeout, and returns
// the status of each, by name. A check that ignores its context is reported as timed out
// rather than holding the probe.
func (s *server) runChecks(ctx context.Context) map[string]string {
	ctx, cancel := context.WithTimeout(ctx, s.checkTimeout)
	defer cancel()
	type result struct {
		name, text string
	}
	done := make(chan result, len(s.checks)) // buffered: a late check never blocks
	for _, c := range s.checks {
		go func() { done <- result{c.Name, s.runCheck(ctx, c)} }()
	}
	results := make(map[string]string, len(s.checks))
	for range s.checks {
		select {
		case res := <-done:
			results[res.name] = res.text
		case <-ctx.Done():
			for _, c := range s.checks {
				if _, ok := results[c.Name]; !ok {
					s.logger.WarnContext(ctx, "readiness check failed", "check", c.Name, "err", "no answer within "+s.checkTimeout.String())
					results[c.Name] = fmt.Sprintf("no answer within %s", s.checkTimeout)
				}
			}
			return results
		}
	}
	return results
}

// runCheck runs one check and returns checkOK or checkFailed; the cause of a failure, a
// panic included, is logged.
func (s *server) runCheck(ctx context.Context, c Check) (status string) {
	defer func() {
		if p := recover(); p != nil {
			s.logger.ErrorContext(ctx, "readiness check panicked", "check", c.Name, "panic", fmt.Sprint(p))
			status = checkFailed
		}
	}()
	if err := c.Check(ctx); err != nil {
		s.logger.WarnContext(ctx, "readiness check failed", "check", c.Name, "err", err)
		return checkFailed
	}
	return checkOK
}
