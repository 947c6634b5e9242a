package mlexp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"
)

// UnmarshalStrict decodes one JSON value from body into v, strictly: unknown fields, wrong
// types and trailing data are refused with an EINVALID error that names the field the way a
// user writes it (for example "feature_config.query_tower[1].embedding_dim"), so that a
// trainer knows what to fix.
func UnmarshalStrict(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return InvalidField("body", "is empty: send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err, body, reflect.TypeOf(v))
	}
	if dec.More() {
		return InvalidField("body", "must hold a single JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return InvalidField("body", "must hold a single JSON object")
	}
	return nil
}

func decodeError(err error, body []byte, into reflect.Type) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return InvalidField("body", "malformed JSON at byte %d: %v", syntax.Offset, syntax)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return InvalidField("body", "malformed JSON: it ends too early")
	}
	// The body is well-formed JSON that does not fit the type. encoding/json names the field
	// imprecisely (unknown fields by their last name only, no list indices, Go names of
	// embedded structs) or not at all (a time that is not a string), so walk the body along
	// the type to find it.
	if into != nil && into.Kind() == reflect.Pointer {
		var first json.RawMessage
		if json.NewDecoder(bytes.NewReader(body)).Decode(&first) == nil {
			if e := locate(first, into.Elem(), ""); e != nil {
				return e
			}
		}
	}
	// Not found by the walk, which should not happen: say what encoding/json says.
	switch {
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return InvalidField(field, "must be %s, got %s", jsonKind(typ.Type), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return InvalidField(memberName("", strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)), "is not a known field")
	}
	return InvalidField("body", "%v", err)
}

var (
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	timeType        = reflect.TypeFor[time.Time]()
)

// locate returns the error of the first value in raw, at path, that does not decode into t
// the way encoding/json decodes it (same field matching, same types), or nil.
func locate(raw json.RawMessage, t reflect.Type, path string) *Error {
	raw = bytes.TrimSpace(raw)
	name := path
	if name == "" {
		name = "body"
	}
	// null leaves any value as it is.
	if len(raw) == 0 || string(raw) == "null" || fits(raw, t) {
		return nil
	}
	if t.Kind() == reflect.Pointer { // decoded as its element once it is not null
		return locate(raw, t.Elem(), path)
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) { // decodes itself, e.g. time.Time
		return decodeLeaf(raw, t, name)
	}
	switch t.Kind() {
	case reflect.Struct:
		if raw[0] != '{' {
			return InvalidField(name, "must be an object, got %s", rawKind(raw))
		}
		fields := jsonFields(t)
		return eachMember(raw, func(key string, v json.RawMessage) *Error {
			f, ok := lookupField(fields, key)
			if !ok {
				return InvalidField(memberName(path, key), "is not a known field")
			}
			return locate(v, f.typ, memberName(path, f.name))
		})
	case reflect.Map:
		if raw[0] != '{' {
			return InvalidField(name, "must be an object, got %s", rawKind(raw))
		}
		if t.Key().Kind() != reflect.String {
			return decodeLeaf(raw, t, name)
		}
		return eachMember(raw, func(key string, v json.RawMessage) *Error {
			return locate(v, t.Elem(), memberName(path, key))
		})
	case reflect.Slice, reflect.Array:
		if raw[0] != '[' {
			return InvalidField(name, "must be a list, got %s", rawKind(raw))
		}
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return nil
		}
		for i, item := range items {
			if e := locate(item, t.Elem(), fmt.Sprintf("%s[%d]", name, i)); e != nil {
				return e
			}
		}
		return nil
	}
	return decodeLeaf(raw, t, name)
}

// fits says whether raw decodes strictly into a t. Checking each value before looking
// inside it keeps the walk to the path of the bad value, and its cost to a few decodings.
func fits(raw json.RawMessage, t reflect.Type) bool {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(reflect.New(t).Interface()) == nil
}

// decodeLeaf decodes raw into a new t and describes the failure.
func decodeLeaf(raw json.RawMessage, t reflect.Type, name string) *Error {
	err := json.Unmarshal(raw, reflect.New(t).Interface())
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case t == timeType:
		return InvalidField(name, "must be an RFC 3339 time such as 2026-11-26T09:30:00Z, got %s", excerpt(raw))
	case errors.As(err, &typ):
		return InvalidField(name, "must be %s, got %s", jsonKind(t), excerpt(raw))
	}
	return InvalidField(name, "%v", err)
}

// eachMember calls fn with the members of the JSON object raw in order, duplicates
// included, until fn returns an error.
func eachMember(raw json.RawMessage, fn func(key string, v json.RawMessage) *Error) *Error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // {
		return nil
	}
	for dec.More() {
		tok, err := dec.Token()
		key, ok := tok.(string)
		if err != nil || !ok {
			return nil
		}
		var v json.RawMessage
		if dec.Decode(&v) != nil {
			return nil
		}
		if e := fn(key, v); e != nil {
			return e
		}
	}
	return nil
}

// jsonField is a field of a struct as encoding/json sees it.
type jsonField struct {
	name string
	typ  reflect.Type
}

// jsonFields lists the JSON fields of struct type t, the fields of embedded structs
// included; a shallower field hides a deeper one of the same name.
func jsonFields(t reflect.Type) []jsonField {
	var direct, promoted []jsonField
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := sf.Type
		if sf.Anonymous && name == "" {
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				promoted = append(promoted, jsonFields(ft)...)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		direct = append(direct, jsonField{name, sf.Type})
	}
	for _, f := range promoted {
		if _, taken := lookupExact(direct, f.name); !taken {
			direct = append(direct, f)
		}
	}
	return direct
}

func lookupExact(fields []jsonField, key string) (jsonField, bool) {
	for _, f := range fields {
		if f.name == key {
			return f, true
		}
	}
	return jsonField{}, false
}

// lookupField matches key the way encoding/json does: exactly, or else ignoring case.
func lookupField(fields []jsonField, key string) (jsonField, bool) {
	if f, ok := lookupExact(fields, key); ok {
		return f, true
	}
	for _, f := range fields {
		if strings.EqualFold(f.name, key) {
			return f, true
		}
	}
	return jsonField{}, false
}

// memberName is the field name of member key of the object at path.
func memberName(path, key string) string {
	if key == "" {
		key = `""`
	}
	if len(key) > 100 {
		key = strings.ToValidUTF8(key[:100], "") + "…"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// rawKind names the kind of the JSON value raw.
func rawKind(raw json.RawMessage) string {
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "true or false"
	}
	return "a number"
}

// excerpt is raw as shown in a message: at most 60 bytes of it.
func excerpt(raw json.RawMessage) string {
	if len(raw) > 60 {
		return strings.ToValidUTF8(string(raw[:60]), "") + "…"
	}
	return string(raw)
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "of type " + t.String()
}
