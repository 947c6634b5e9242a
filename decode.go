package mlexp

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"
)

// UnmarshalStrict decodes one JSON value from body into v, strictly: unknown fields, wrong
// types and trailing data are refused with an EINVALID error that names the field (for
// example "quick_test.epochs"), so that a trainer knows what to fix.
func UnmarshalStrict(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return InvalidField("body", "is empty: send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err, body)
	}
	if dec.More() {
		return InvalidField("body", "must hold a single JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return InvalidField("body", "must hold a single JSON object")
	}
	return nil
}

func decodeError(err error, body []byte) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var parse *time.ParseError
	switch {
	case errors.As(err, &syntax):
		return InvalidField("body", "malformed JSON at byte %d: %v", syntax.Offset, syntax)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return InvalidField("body", "malformed JSON: it ends too early")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return InvalidField(field, "must be %s, got %s", jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.As(err, &parse):
		return InvalidField(badTimeField(body), "must be an RFC 3339 time such as 2026-11-26T09:30:00Z, got %q", parse.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return InvalidField(name, "is not a known field")
	}
	return InvalidField("body", "%v", err)
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
