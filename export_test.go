package mlexp

import (
	"encoding/json"
	"reflect"
)

// Locate exposes the field-finding walk of UnmarshalStrict to the fuzz tests, which check
// that it agrees with encoding/json.
func Locate(raw json.RawMessage, t reflect.Type) error {
	if e := locate(raw, t, ""); e != nil {
		return e
	}
	return nil
}

// SameNames reports whether a and b hold one shared slice of names, as an Interner makes them.
func SameNames(a, b Params) bool {
	return len(a.names) > 0 && len(a.names) == len(b.names) && &a.names[0] == &b.names[0]
}
