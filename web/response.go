package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/mlexp-dev/mlexp"
)

// successEnvelope is the body of every successful JSON answer.
type successEnvelope struct {
	Status string `json:"status"` // always "success"
	Data   any    `json:"data"`
}

// errorEnvelope is the body of every JSON error.
type errorEnvelope struct {
	Status string    `json:"status"` // always "error"
	Error  errorBody `json:"error"`
}

type errorBody struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Field   string         `json:"field,omitempty"`
	Details map[string]any `json:"details,omitempty"`
}

// apiFunc is an API handler: it returns the data of its answer, or an error. serveAPI
// writes either, so that every answer and every error of the API is written one way.
type apiFunc func(w http.ResponseWriter, r *http.Request) (any, error)

// statusAnswer is data to be sent with another status than 200 OK, a Location, or both.
type statusAnswer struct {
	status   int
	location string
	data     any
}

// download is an answer sent as a file rather than in the JSON envelope.
type download struct {
	contentType string
	filename    string
	write       func(io.Writer) error // streams the file: a runs CSV of 100,000 runs is never held whole
}

// serveAPI turns h into a handler that writes its data in the success envelope (200 OK, or
// the status of an answer), a download as the file it is, and an error in the error
// envelope with the HTTP status of its code.
func (s *server) serveAPI(h apiFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := h(w, r)
		if err != nil {
			s.respondError(w, r, err)
			return
		}
		switch v := v.(type) {
		case statusAnswer:
			if v.location != "" {
				w.Header().Set("Location", v.location)
			}
			s.respondJSON(w, r, v.status, v.data)
		case download:
			h := w.Header()
			h.Set("Content-Type", v.contentType)
			h.Set("Content-Disposition", `attachment; filename="`+v.filename+`"`)
			h.Set("X-Content-Type-Options", "nosniff")
			if err := v.write(w); err != nil { // the status is sent: the client sees a cut file
				s.logger.WarnContext(r.Context(), "writing a download", "path", r.URL.Path, "err", err)
			}
		default:
			s.respondJSON(w, r, http.StatusOK, v)
		}
	}
}

// respondJSON writes data in the success envelope with the given status.
func (s *server) respondJSON(w http.ResponseWriter, r *http.Request, status int, data any) {
	s.writeJSON(w, r, status, successEnvelope{Status: "success", Data: data})
}

// respondError writes err in the error envelope, with the HTTP status of its mlexp code.
// Internal errors (and codes unknown to errorStatus, which are bugs) are logged, and
// answered with a generic message and no details, so that nothing internal leaks; every
// other error is the caller's or a dependency's and is left to the access log.
func (s *server) respondError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return // the client gave up: nobody reads an answer, and it is no error of ours
	}
	status := errorStatus(mlexp.ErrorCode(err))
	if status == http.StatusInternalServerError {
		s.logger.ErrorContext(r.Context(), "internal error",
			"method", r.Method, "path", r.URL.Path, "err", err)
		s.writeJSON(w, r, status, internalError())
		return
	}
	var e *mlexp.Error
	errors.As(err, &e) // always true: only an *mlexp.Error has a code other than internal
	if secs, ok := e.Details["retry_after_seconds"].(int); ok {
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	s.writeJSON(w, r, status, errorEnvelope{Status: "error", Error: errorBody{
		Code: e.Code, Message: e.Message, Field: e.Field, Details: e.Details,
	}})
}

// internalError is the whole answer to an internal error.
func internalError() errorEnvelope {
	return errorEnvelope{Status: "error", Error: errorBody{
		Code: mlexp.EINTERNAL, Message: mlexp.ErrorMessage(&mlexp.Error{Code: mlexp.EINTERNAL}),
	}}
}

// errorStatus maps an mlexp error code to its HTTP status; this is the only such mapping.
func errorStatus(code string) int {
	switch code {
	case mlexp.EINVALID:
		return http.StatusBadRequest
	case mlexp.ENOTFOUND:
		return http.StatusNotFound
	case mlexp.ECONFLICT:
		return http.StatusConflict
	case mlexp.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case mlexp.EFORBIDDEN:
		return http.StatusForbidden
	case mlexp.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	case codeTooManyRequests:
		return http.StatusTooManyRequests
	case codeMisdirected:
		return http.StatusMisdirectedRequest
	default:
		return http.StatusInternalServerError
	}
}

// writeJSON encodes v completely before writing anything, so that an encoding failure can
// still be answered with a clean 500.
func (s *server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		s.logger.ErrorContext(r.Context(), "encoding JSON answer", "path", r.URL.Path, "err", err)
		buf.Reset()
		buf.WriteString(`{"status":"error","error":{"code":"internal","message":"internal error"}}` + "\n")
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if _, err := w.Write(buf.Bytes()); err != nil {
		s.logger.DebugContext(r.Context(), "writing answer", "path", r.URL.Path, "err", err)
	}
}
