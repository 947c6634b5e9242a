package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/mlexp-dev/mlexp"
)

// unmatchedRoute is the route label of requests that matched no pattern, so that scanners
// probing random paths cannot create new time series.
const unmatchedRoute = "unmatched"

// isProbe says whether route is polled every few seconds by orchestrators and scrapers;
// their access log lines are at debug level so they do not drown the rest.
func isProbe(route string) bool {
	switch route {
	case "GET /healthz", "GET /readyz", "GET /metrics":
		return true
	}
	return false
}

// observe counts and times every request by route pattern and writes the access log. It
// must wrap the mux without copying the request: the mux sets r.Pattern on the request it is
// given, and that is what is read here once the mux is done.
func (s *server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.now()
		rec := record(w)
		matched := &routeHolder{}
		r = r.WithContext(context.WithValue(r.Context(), matchedRouteKey{}, matched))
		defer func() {
			d := s.now().Sub(start)
			route := matched.pattern
			if route == "" {
				route = unmatchedRoute
			}
			status := rec.statusCode()
			s.metrics.observeHTTP(route, r.Method, status, d)
			level := slog.LevelInfo
			if isProbe(route) && status < http.StatusInternalServerError {
				level = slog.LevelDebug
			}
			s.logger.LogAttrs(r.Context(), level, "http request",
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Int64("bytes", rec.bytes),
				slog.Duration("duration", d),
				slog.String("remote", r.RemoteAddr),
			)
		}()
		next.ServeHTTP(rec, r)
	})
}

// routeHolder receives the pattern the mux matched. Middleware between observe and the mux
// may pass on a copy of the request (with a user in its context), and the mux sets the
// pattern on the copy it gets, so capturePattern hands it back here.
type routeHolder struct{ pattern string }

type matchedRouteKey struct{}

// capturePattern wraps the mux (serve): once it has routed the request, the matched pattern is
// recorded for observe.
func capturePattern(serve http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { // deferred: a panicking handler is counted under its route too
			if h, ok := r.Context().Value(matchedRouteKey{}).(*routeHolder); ok {
				h.pattern = r.Pattern
			}
		}()
		serve.ServeHTTP(w, r)
	})
}

// refuseCrossOrigin turns away unsafe requests (POST, PATCH, DELETE...) that a browser sends
// from another site, by the standard library's Sec-Fetch-Site and Origin checks. Clients that
// are not browsers (curl, trainers) send neither header and pass.
func (s *server) refuseCrossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := mlexp.Errorf(mlexp.EFORBIDDEN, "cross-origin request refused: send it from mlexp's own pages, or from a program rather than another site")
		if isFormPost(r) {
			s.pageError(w, r, err)
			return
		}
		s.respondError(w, r, err)
	}))
	return cop.Handler(next)
}

// recoverPanics turns a panic in a handler into a logged 500 in the error envelope, so that
// one bad request neither kills the connection silently nor goes unnoticed.
func (s *server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := record(w)
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler { // the handler's deliberate way to abort a response
				panic(p)
			}
			s.logger.ErrorContext(r.Context(), "panic serving request",
				"method", r.Method, "path", r.URL.Path, "route", r.Pattern,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if rec.wroteHeader {
				// Too late for a clean answer: abort, so the client sees a broken response
				// rather than a truncated one that looks whole.
				panic(http.ErrAbortHandler)
			}
			s.writeJSON(rec, r, http.StatusInternalServerError, internalError())
		}()
		next.ServeHTTP(rec, r)
	})
}

// statusRecorder remembers the status and size of an answer.
type statusRecorder struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
}

// record wraps w, or returns it when it is already a statusRecorder.
func record(w http.ResponseWriter) *statusRecorder {
	if rec, ok := w.(*statusRecorder); ok {
		return rec
	}
	return &statusRecorder{ResponseWriter: w}
}

func (rec *statusRecorder) WriteHeader(code int) {
	if !rec.wroteHeader && code >= 200 { // 1xx answers are informational, not the status
		rec.status, rec.wroteHeader = code, true
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *statusRecorder) Write(b []byte) (int, error) {
	if !rec.wroteHeader {
		rec.status, rec.wroteHeader = http.StatusOK, true
	}
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += int64(n)
	return n, err
}

// Flush lets streaming handlers flush through the recorder.
func (rec *statusRecorder) Flush() {
	if f, ok := rec.ResponseWriter.(http.Flusher); ok {
		if !rec.wroteHeader {
			rec.status, rec.wroteHeader = http.StatusOK, true
		}
		f.Flush()
	}
}

// Unwrap gives http.ResponseController access to the underlying writer.
func (rec *statusRecorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// statusCode is the status answered; a handler that wrote nothing answered 200.
func (rec *statusRecorder) statusCode() int {
	if rec.status == 0 {
		return http.StatusOK
	}
	return rec.status
}
