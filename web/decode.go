package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

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

// decodeBytes is decode's parser, separate so that it can be fuzzed.
func decodeBytes(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return mlexp.InvalidField("body", "is empty: send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err, body)
	}
	if dec.More() {
		return mlexp.InvalidField("body", "must hold a single JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return mlexp.InvalidField("body", "must hold a single JSON object")
	}
	return nil
}

func decodeError(err error, body []byte) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var parse *time.ParseError
	switch {
	case errors.As(err, &syntax):
		return mlexp.InvalidField("body", "malformed JSON at byte %d: %v", syntax.Offset, syntax)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return mlexp.InvalidField("body", "malformed JSON: it ends too early")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return mlexp.InvalidField(field, "must be %s, got %s", jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.As(err, &parse):
		return mlexp.InvalidField(badTimeField(body), "must be an RFC 3339 time such as 2026-11-26T09:30:00Z, got %q", parse.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return mlexp.InvalidField(name, "is not a known field")
	}
	return mlexp.InvalidField("body", "%v", err)
}

// badTimeField finds the time field that failed to parse: encoding/json does not say which.
func badTimeField(body []byte) string {
	var doc map[string]any
	if json.Unmarshal(body, &doc) != nil {
		return "body"
	}
	for section, v := range doc {
		obj, _ := v.(map[string]any)
		for _, k := range []string{"started_at", "finished_at"} {
			if s, ok := obj[k].(string); ok {
				if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
					return section + "." + k
				}
			}
		}
	}
	return "body"
}

func jsonKind(goKind string) string {
	switch goKind {
	case "int", "int64", "int32", "float64", "float32", "uint", "uint64":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice":
		return "a list"
	case "struct", "map":
		return "an object"
	}
	return "of type " + goKind
}
