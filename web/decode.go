package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/mlexp-dev/mlexp"
)

// maxBodyBytes bounds every request body.
const maxBodyBytes = 1 << 20

// decode reads one JSON value of type T from the request body, strictly: unknown fields,
// wrong types, trailing data and oversized bodies are refused with an EINVALID error that
// names the field.
func decode[T any](w http.ResponseWriter, r *http.Request) (T, error) {
	var v T
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return v, &mlexp.Error{Code: mlexp.EINVALID, Field: "body", Message: fmt.Sprintf("body: larger than the limit of %d bytes", maxBodyBytes),
			Details: map[string]any{"limit_bytes": maxBodyBytes}}
	}
	if err != nil {
		return v, mlexp.InvalidField("body", "could not be read: %v", err)
	}
	return v, decodeBytes(body, &v)
}

// decodeBytes is decode's parser.
func decodeBytes(body []byte, v any) error { return mlexp.UnmarshalStrict(body, v) }
