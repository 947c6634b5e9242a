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
