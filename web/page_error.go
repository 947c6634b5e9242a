package web

import (
	"errors"
	"net/http"

	"github.com/mlexp-dev/mlexp"
)

// errorPage is the HTML twin of the JSON error envelope.
type errorPage struct {
	Layout  pageLayout
	Status  int
	Heading string
	Message string
	Field   string
	Valid   []string // the valid values of Field, when the error lists them
	Hint    string
}

// pageError answers err as an HTML page with the HTTP status of its mlexp code, mirroring
// respondError: the same status mapping; internal errors are logged and shown with a
// generic message, never their cause or a stack trace.
func (s *server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	s.pageErrorIn(w, r, pageLayout{}, err)
}

// pageErrorIn is pageError inside the navigation of a page that knows its model.
func (s *server) pageErrorIn(w http.ResponseWriter, r *http.Request, l pageLayout, err error) {
	code := mlexp.ErrorCode(err)
	status := errorStatus(code)
	p := errorPage{Layout: l, Status: status}
	p.Layout.Nav.Active = ""
	if status == http.StatusInternalServerError {
		s.logger.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		p.Heading, p.Message = "Internal error", "Something went wrong on our side. It has been logged; please try again later."
		p.Layout.Title = p.Heading
		s.render(w, r, status, viewError, p)
		return
	}
	var e *mlexp.Error
	errors.As(err, &e) // always true: only an *mlexp.Error has a code other than internal
	p.Message, p.Field = e.Message, e.Field
	if valid, ok := e.Details["valid"].([]string); ok && len(valid) <= 60 {
		p.Valid = valid
	}
	switch code {
	case mlexp.EINVALID:
		p.Heading, p.Hint = "Bad request", "Check the address or the form, then try again."
	case mlexp.ENOTFOUND:
		p.Heading, p.Hint = "Not found", "The home page lists every model mlexp finds in MLflow."
	case mlexp.EUNAVAILABLE:
		p.Heading, p.Hint = "Service unavailable", "This is usually temporary: reload the page in a moment."
		if read, loading := mlexp.LoadingProgress(err); loading {
			p.Heading, p.Layout.Refresh = "Loading runs from MLflow", mlexp.LoadingRetrySeconds
			p.Message = "The runs of this experiment are loading from MLflow into mlexp's index: " + mlexp.FormatCount(read) + " read so far."
			p.Hint = "This page reloads by itself until they are all in; later visits and restarts are served from the index."
			break
		}
		if e.Dependency == mlexp.DependencyMLflow {
			p.Heading = "MLflow cannot be reached"
			p.Hint = "Check that the MLflow tracking server is running and that mlexp can reach it " +
				"(--mlflow-tracking-uri / MLFLOW_TRACKING_URI), then reload this page."
		}
	case mlexp.EUNAUTHORIZED:
		p.Heading = "Sign-in required"
	case mlexp.EFORBIDDEN:
		p.Heading = "Forbidden"
	case mlexp.ECONFLICT:
		p.Heading = "Conflict"
	}
	p.Layout.Title = p.Heading
	s.render(w, r, status, viewError, p)
}
