package apitest

import (
	"strconv"
)

// forEachSchemaLocation calls fn with the JSON pointer and value of every schema the
// document holds outside other schemas: components, and those of parameters, headers and
// media types, wherever they are.
func forEachSchemaLocation(root map[string]any, fn func(ptr string, schema any)) {
	for name, s := range obj(obj(root["components"])["schemas"]) {
		fn("/components/schemas/"+escapeToken(name), s)
	}
	var walk func(v any, ptr string, inSchemas bool)
	walk = func(v any, ptr string, inSchemas bool) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				p := ptr + "/" + escapeToken(k)
				switch {
				case inSchemas:
				case k == "schema":
					fn(p, x)
				case ptr == "/components" && k == "schemas":
				default:
					walk(x, p, false)
				}
			}
		case []any:
			for i, x := range v {
				walk(x, ptr+"/"+strconv.Itoa(i), inSchemas)
			}
		}
	}
	walk(root, "", false)
}

// closeObjects adds "unevaluatedProperties": false to every object schema in s that lists
// properties and says nothing of other ones. Subschemas that only narrow another schema
// (under allOf, if, then, else, not) are left open, since they see only part of the object.
func closeObjects(s any, narrowing bool) {
	m, ok := s.(map[string]any)
	if !ok {
		return
	}
	_, hasProps := m["properties"]
	_, hasAdditional := m["additionalProperties"]
	_, hasUnevaluated := m["unevaluatedProperties"]
	if !narrowing && hasProps && !hasAdditional && !hasUnevaluated {
		m["unevaluatedProperties"] = false
	}
	for k, v := range m {
		switch k {
		case "properties", "patternProperties", "$defs", "dependentSchemas":
			for _, sub := range obj(v) {
				closeObjects(sub, narrowing || k == "dependentSchemas")
			}
		case "items", "additionalProperties", "propertyNames", "contains", "unevaluatedItems", "unevaluatedProperties":
			closeObjects(v, narrowing)
		case "prefixItems", "anyOf", "oneOf":
			for _, sub := range list(v) {
				closeObjects(sub, narrowing)
			}
		case "allOf":
			for _, sub := range list(v) {
				closeObjects(sub, true)
			}
		case "if", "then", "else", "not":
			closeObjects(v, true)
		}
	}
}
