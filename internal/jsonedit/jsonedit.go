// Package jsonedit makes request bodies for tests: the JSON of a value with some members
// changed or removed, to build bad input precisely, and checks the error such input gets.
package jsonedit

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

// Delete, as the value of an Edit, removes the member.
var Delete = deleted{}

type deleted struct{}

// Edit sets the member at Path of a JSON document to Value (Delete removes it). A path is
// dot-separated member names, each optionally followed by list indices: "a.b[2].c".
type Edit struct {
	Path  string
	Value any
}

// Body returns the JSON of v with the edits applied.
func Body(tb testing.TB, v any, edits ...Edit) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		tb.Fatal(err)
	}
	for _, e := range edits {
		doc = applyEdit(tb, doc, strings.Split(e.Path, "."), e)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func applyEdit(tb testing.TB, doc any, path []string, e Edit) any {
	tb.Helper()
	name, rest, _ := strings.Cut(path[0], "[")
	obj, ok := doc.(map[string]any)
	if !ok {
		tb.Fatalf("edit %s: %q is not in an object", e.Path, name)
	}
	if rest == "" && len(path) == 1 { // the member itself
		if e.Value == Delete {
			delete(obj, name)
		} else {
			obj[name] = e.Value
		}
		return obj
	}
	// Descend: through the list indices of this segment, then the next segment.
	var set func(v any, idx []string) any
	set = func(v any, idx []string) any {
		if len(idx) == 0 {
			if len(path) == 1 {
				return e.Value
			}
			return applyEdit(tb, v, path[1:], e)
		}
		i, err := strconv.Atoi(strings.TrimSuffix(idx[0], "]"))
		list, ok := v.([]any)
		if err != nil || !ok || i >= len(list) {
			tb.Fatalf("edit %s: no item %s", e.Path, idx[0])
		}
		list[i] = set(list[i], idx[1:])
		return list
	}
	var idx []string
	if rest != "" {
		idx = strings.Split(rest, "[")
	}
	obj[name] = set(obj[name], idx)
	return obj
}

// MustNameField checks that err is the EINVALID *mlexp.Error a bad body gets: one that names
// field, in its Field and at the start of its message.
func MustNameField(tb testing.TB, err error, field string) {
	tb.Helper()
	var e *mlexp.Error
	switch {
	case err == nil:
		tb.Errorf("no error, want one naming %q", field)
	case !errors.As(err, &e):
		tb.Errorf("error %T %v, want an *mlexp.Error", err, err)
	case e.Code != mlexp.EINVALID || e.Field != field || !strings.HasPrefix(e.Message, field+": "):
		tb.Errorf("error code %q field %q message %q, want code invalid naming field %q", e.Code, e.Field, e.Message, field)
	}
}
