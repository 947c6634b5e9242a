package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"

	"github.com/mlexp-dev/mlexp"
)

// maxBodyBytes bounds every request body.
const maxBodyBytes = 1 << 20

// decode reads one JSON value of type T from the request body, strictly: unknown fields,
// wrong types, trailing data, oversized bodies, duplicate keys, keys in another case than
// the field's and text that is not UTF-8 are refused with an EINVALID error that names the
// field.
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

// decodeBytes is decode's parser: v must be a pointer.
func decodeBytes(body []byte, v any) error {
	if err := checkText(body); err != nil {
		return err
	}
	if err := mlexp.UnmarshalStrict(body, v); err != nil {
		return err
	}
	return checkKeys(body, reflect.TypeOf(v))
}
