package web

import (
	"net/http"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// unmatched answers the requests that match no route as every other error of mlexp is
// answered: the JSON error envelope under /api/, the error page elsewhere, rather than the
// mux's bare "404 page not found". A path that exists for other methods keeps the mux's
// 405 with its Allow header.
func (s *server) unmatched(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(&notFoundWriter{ResponseWriter: w, answer: func() { s.notFound(w, r) }}, r)
	})
}

// notFound answers a path no route serves.
func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	err := mlexp.Errorf(mlexp.ENOTFOUND, "nothing is served at %s", r.URL.Path)
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.respondError(w, r, err)
		return
	}
	s.pageError(w, r, err)
}

// notFoundWriter replaces the mux's 404 answer by answer; any other status goes through.
type notFoundWriter struct {
	http.ResponseWriter
	answer   func()
	answered bool
}

func (n *notFoundWriter) WriteHeader(code int) {
	if code == http.StatusNotFound && !n.answered {
		n.answered = true
		h := n.Header()
		h.Del("Content-Type")
		h.Del("X-Content-Type-Options")
		n.answer()
		return
	}
	n.ResponseWriter.WriteHeader(code)
}

func (n *notFoundWriter) Write(b []byte) (int, error) {
	if n.answered {
		return len(b), nil // the mux's own text, replaced
	}
	return n.ResponseWriter.Write(b)
}
