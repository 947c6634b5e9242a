// Package mlexp holds the domain of mlexp: the types and rules that turn MLflow runs of
// recommender-model experiments into answers (summaries, heatmaps, comparisons,
// recommendations, the best run to deploy), the table of metric specs, the one error type,
// and every interface that the adapters implement (RunSource, Attacher, Ingester, Promoter,
// BestSelector, Artifacts and the stores). It does no I/O; adapters in sub-packages do.
package mlexp

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in the web package.
const (
	EINVALID      = "invalid"      // the caller's input is wrong; the message names the field
	ENOTFOUND     = "not_found"    // a model, run or saved item does not exist
	ECONFLICT     = "conflict"     // the request clashes with the current state
	EUNAUTHORIZED = "unauthorized" // no or bad credentials
	EFORBIDDEN    = "forbidden"    // authenticated, but not allowed
	EUNAVAILABLE  = "unavailable"  // a dependency (MLflow, the database) cannot be reached
	EINTERNAL     = "internal"     // a bug or an unexpected failure
)

// Error is the one error type of mlexp. Code says what kind of failure it is, Message is
// written for the user, Field names the offending input when there is one, and Details
// carries machine-readable extras (such as the valid values of a parameter).
type Error struct {
	Code    string
	Message string
	Field   string
	Details map[string]any
	// Dependency names what is unavailable (DependencyMLflow…) when Code is EUNAVAILABLE,
	// so that callers can tell an MLflow outage from a missing database without reading
	// the message.
	Dependency string
	Err        error // the underlying cause, if any; never shown to users for EINTERNAL
}

// Dependencies that can be unavailable (Error.Dependency).
const (
	DependencyMLflow   = "mlflow"           // the MLflow tracking server
	DependencyDatabase = "database"         // mlexp's own database
	DependencyTraining = "training_service" // the service that starts full trainings
	DependencyNone     = "not_configured"   // a part this server was started without
)

// Error implements error.
func (e *Error) Error() string {
	msg := e.Message
	if e.Field != "" && msg == "" {
		msg = "invalid " + e.Field
	}
	if e.Err != nil && e.Code == EINTERNAL {
		return fmt.Sprintf("mlexp %s: %s: %v", e.Code, msg, e.Err)
	}
	return fmt.Sprintf("mlexp %s: %s", e.Code, msg)
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidField returns an EINVALID error that names the offending field.
func InvalidField(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: field + ": " + fmt.Sprintf(format, args...)}
}

// Unavailable returns an EUNAVAILABLE error of dependency (DependencyMLflow…) with a
// formatted message and cause.
func Unavailable(dependency string, cause error, format string, args ...any) *Error {
	return &Error{Code: EUNAVAILABLE, Dependency: dependency, Message: fmt.Sprintf(format, args...), Err: cause}
}

// NotConfigured is the error of a part this server was started without: what is the
// feature that needs it ("ingest", "saving comparisons").
func NotConfigured(what string) *Error {
	return Unavailable(DependencyNone, nil, "%s is not configured on this server", what)
}

// UnavailableDependency returns the dependency that err says is unavailable, or "" when
// err is not an EUNAVAILABLE error.
func UnavailableDependency(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code == EUNAVAILABLE {
		return e.Dependency
	}
	return ""
}

// ErrorCode returns the code of err: the Code of the first *Error in its chain, or EINTERNAL.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err. Internal errors get a generic
// message so that no internal detail leaks to a user.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "internal error"
}
