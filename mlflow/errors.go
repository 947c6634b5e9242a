package mlflow

import (
	"errors"
	"fmt"
	"net/http"
)

// Sentinel errors for the kinds of failure callers handle. Test with errors.Is; the *Error
// in the chain keeps MLflow's own error code and message.
var (
	ErrNotFound         = errors.New("mlflow: not found")
	ErrAlreadyExists    = errors.New("mlflow: already exists")
	ErrInvalidParameter = errors.New("mlflow: invalid parameter")
	ErrUnauthenticated  = errors.New("mlflow: unauthenticated")
	ErrPermissionDenied = errors.New("mlflow: permission denied")
	ErrUnavailable      = errors.New("mlflow: unavailable")
)

// Error is an error answered by MLflow, or the failure to get an answer at all.
type Error struct {
	Endpoint   string // e.g. "runs/get"
	HTTPStatus int    // 0 when no response arrived
	Code       string // MLflow's error_code, e.g. RESOURCE_DOES_NOT_EXIST; UNREACHABLE without a response
	Message    string // MLflow's message
	Err        error  // the transport error, when there was no response
}

func (e *Error) Error() string {
	if e.HTTPStatus == 0 {
		return fmt.Sprintf("mlflow %s: %s: %v", e.Endpoint, e.Code, e.Err)
	}
	return fmt.Sprintf("mlflow %s: %s (HTTP %d): %s", e.Endpoint, e.Code, e.HTTPStatus, e.Message)
}

// Unwrap returns the transport error, if any.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether e is of the kind of one of the sentinel errors.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Code == "RESOURCE_DOES_NOT_EXIST" || e.Code == "NOT_FOUND" || (e.Code == "" && e.HTTPStatus == http.StatusNotFound)
	case ErrAlreadyExists:
		return e.Code == "RESOURCE_ALREADY_EXISTS" || e.Code == "ALREADY_EXISTS"
	case ErrInvalidParameter:
		return e.Code == "INVALID_PARAMETER_VALUE" || e.Code == "BAD_REQUEST" || e.Code == "INVALID_STATE" ||
			(e.HTTPStatus == http.StatusBadRequest && e.Code != "RESOURCE_ALREADY_EXISTS")
	case ErrUnauthenticated:
		return e.Code == "UNAUTHENTICATED" || e.HTTPStatus == http.StatusUnauthorized
	case ErrPermissionDenied:
		return e.Code == "PERMISSION_DENIED" || e.HTTPStatus == http.StatusForbidden
	case ErrUnavailable:
		return e.HTTPStatus == 0 || e.HTTPStatus == http.StatusTooManyRequests || e.HTTPStatus >= 500 ||
			e.Code == "TEMPORARILY_UNAVAILABLE" || e.Code == "REQUEST_LIMIT_EXCEEDED"
	}
	return false
}

// codeForStatus names an HTTP status when the body carried no MLflow error code (a proxy's
// answer, for instance).
func codeForStatus(status int) string {
	switch {
	case status == http.StatusNotFound:
		return "NOT_FOUND"
	case status == http.StatusUnauthorized:
		return "UNAUTHENTICATED"
	case status == http.StatusForbidden:
		return "PERMISSION_DENIED"
	case status == http.StatusTooManyRequests:
		return "REQUEST_LIMIT_EXCEEDED"
	case status == http.StatusServiceUnavailable:
		return "TEMPORARILY_UNAVAILABLE"
	case status >= 500:
		return "INTERNAL_ERROR"
	default:
		return "BAD_REQUEST"
	}
}
