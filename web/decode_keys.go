package web

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/mlexp-dev/mlexp"
)

// checkText refuses a body that is not valid UTF-8, or whose strings escape a lone UTF-16
// surrogate: encoding/json would turn either into U+FFFD, so that what is stored (an
// experiment's name) is not what was sent.
func checkText(body []byte) error {
	if !utf8.Valid(body) {
		at := 0
		for at < len(body) {
			r, size := utf8.DecodeRune(body[at:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			at += size
		}
		return mlexp.InvalidField("body", "is not valid UTF-8 (at byte %d): send UTF-8 text", at)
	}
	if at := loneSurrogate(body); at >= 0 {
		return mlexp.InvalidField("body", "escapes a lone UTF-16 surrogate at byte %d, which is not UTF-8 text: escape a character outside the BMP as a pair (\\ud83d\\ude00)", at)
	}
	return nil
}

// loneSurrogate returns the offset of the first \u escape of an unpaired UTF-16 surrogate in
// the strings of the JSON text b, or -1.
func loneSurrogate(b []byte) int {
	inString := false
	for i := 0; i < len(b); i++ {
		switch {
		case !inString:
			inString = b[i] == '"'
		case b[i] == '"':
			inString = false
		case b[i] != '\\':
		case i+1 < len(b) && b[i+1] == 'u':
			r := hex4(b[i+2:])
			switch {
			case r >= 0xD800 && r < 0xDC00: // high: a low one must follow
				if i+7 >= len(b) || b[i+6] != '\\' || b[i+7] != 'u' {
					return i
				}
				if low := hex4(b[i+8:]); low < 0xDC00 || low > 0xDFFF {
					return i
				}
				i += 11
			case r >= 0xDC00 && r <= 0xDFFF:
				return i
			default:
				i += 5
			}
		default:
			i++ // an escaped character: \" and \\ do not end or start anything
		}
	}
	return -1
}

// hex4 is the value of the four hex digits at the start of b, or -1.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return -1
		}
	}
	return r
}

// checkKeys walks the JSON body along the type it was decoded into, and refuses what
// encoding/json lets through: a key given twice in one object (it keeps the last), and a
// key that matches a field only when case is ignored (EPOCHS for epochs). Either lets two
// readers of one body see two different reports. Map keys are data and may differ only in
// case. body is known to be well-formed.
func checkKeys(body []byte, into reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	return walkJSON(dec, into, "")
}

// walkJSON reads one value from dec, which should decode into t (nil: unknown), at path.
func walkJSON(dec *json.Decoder, t reflect.Type, path string) error {
	tok, err := dec.Token()
	if err != nil {
		return nil // malformed: UnmarshalStrict says so
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && reflect.PointerTo(t).Implements(unmarshalerType) {
		t = nil // decodes itself: only duplicates can be told
	}
	switch tok {
	case json.Delim('{'):
		return walkObject(dec, t, path)
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := walkJSON(dec, elem, fmt.Sprintf("%s[%d]", valueName(path), i)); err != nil {
				return err
			}
		}
		_, _ = dec.Token() // ]
	}
	return nil
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// walkObject reads the members of an object whose { has been read.
func walkObject(dec *json.Decoder, t reflect.Type, path string) error {
	var fields map[string]reflect.Type
	if t != nil && t.Kind() == reflect.Struct {
		fields = jsonFieldTypes(t)
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		key, ok := tok.(string)
		if err != nil || !ok {
			return nil
		}
		member := key
		if path != "" {
			member = path + "." + key
		}
		if seen[key] {
			return mlexp.InvalidField(member, "is given more than once: give each field once")
		}
		seen[key] = true
		var vt reflect.Type
		switch {
		case fields != nil:
			var known bool
			if vt, known = fields[key]; !known {
				for name := range fields {
					if strings.EqualFold(name, key) {
						return mlexp.InvalidField(member, "is not a known field: names are case-sensitive; did you mean %q?", name)
					}
				}
			}
		case t != nil && t.Kind() == reflect.Map:
			vt = t.Elem()
		}
		if err := walkJSON(dec, vt, member); err != nil {
			return err
		}
	}
	_, _ = dec.Token() // }
	return nil
}

// valueName is the name of the value at path in messages: "body" for the whole body.
func valueName(path string) string {
	if path == "" {
		return "body"
	}
	return path
}

// jsonFieldTypes maps the JSON names of the fields of struct type t, those of embedded
// structs included, to their types, as encoding/json sees them: a shallower field hides a
// deeper one of the same name.
func jsonFieldTypes(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	var promoted []reflect.Type
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if ft := sf.Type; sf.Anonymous && name == "" {
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				promoted = append(promoted, ft)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		fields[cmp.Or(name, sf.Name)] = sf.Type
	}
	for _, p := range promoted {
		for name, ft := range jsonFieldTypes(p) {
			if _, taken := fields[name]; !taken {
				fields[name] = ft
			}
		}
	}
	return fields
}
