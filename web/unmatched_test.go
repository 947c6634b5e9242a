package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

// TestUnknownPaths: a path no route serves gets the app's error page (the JSON envelope
// under /api/), not the mux's bare "404 page not found"; a path served for other methods
// keeps its 405.
func TestUnknownPaths(t *testing.T) {
	h := NewServer(Deps{})
	for _, path := range []string{"/nope", "/models/m/nope/deeper", "/comparisons/x/y/z"} {
		w := MustServe(t, h, http.MethodGet, path)
		body := w.Body.String()
		if w.Code != http.StatusNotFound || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") ||
			!strings.Contains(body, "<h1>Not found</h1>") || !strings.Contains(body, "nothing is served at "+path) || strings.Contains(body, "404 page not found") {
			t.Errorf("GET %s: %d %q\n%.400s", path, w.Code, w.Header().Get("Content-Type"), body)
		}
	}
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		mustError(t, MustServe(t, h, method, "/api/nope"), http.StatusNotFound, mlexp.ENOTFOUND, "")
	}
	if w := MustServe(t, h, http.MethodPut, "/api/models"); w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") == "" {
		t.Errorf("PUT /api/models: %d, Allow %q; want 405 naming the allowed methods", w.Code, w.Header().Get("Allow"))
	}
	if w := MustServe(t, h, http.MethodGet, "/static/nope.css"); w.Code != http.StatusNotFound {
		t.Errorf("GET /static/nope.css: %d, want 404", w.Code)
	}
}
