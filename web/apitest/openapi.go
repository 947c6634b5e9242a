// Package apitest checks mlexp's HTTP API against its OpenAPI document (web/openapi.json):
// Load compiles the document with a JSON Schema 2020-12 validator, Check says whether it is
// a sound OpenAPI 3.1 document, and ValidateRequest and ValidateResponse check a real body
// against the schema of its path, method, status and media type. Its tests drive the server
// with real dependencies: SQLite and a real MLflow.
package apitest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// docURL is where the document is registered with the schema compiler; nothing is fetched.
const docURL = "urn:mlexp:openapi.json"

// Doc is a compiled OpenAPI document.
type Doc struct {
	raw map[string]any // as published

	mu       sync.Mutex
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema // by JSON pointer
}

// Load parses an OpenAPI document and prepares its schemas for validation.
//
// Objects of answers are validated strictly: every schema that lists properties and says
// nothing of others is compiled as if it had "unevaluatedProperties": false (the published
// document leaves answers open to additive fields). So a field an answer carries without
// the document knowing it is reported as drift. Request bodies say additionalProperties:
// false themselves, as the server's decoder refuses unknown fields.
func Load(data []byte) (*Doc, error) {
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("openapi: not JSON: %w", err)
	}
	strict, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("openapi: not JSON: %w", err)
	}
	root, ok := strict.(map[string]any)
	if !ok {
		return nil, errors.New("openapi: the document is not a JSON object")
	}
	forEachSchemaLocation(root, func(_ string, schema any) { closeObjects(schema, false) })
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseLoader(noLoader{})
	if err := c.AddResource(docURL, root); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	return &Doc{raw: raw, compiler: c, schemas: map[string]*jsonschema.Schema{}}, nil
}

// noLoader refuses to fetch anything: every $ref must resolve inside the document.
type noLoader struct{}

func (noLoader) Load(u string) (any, error) {
	return nil, fmt.Errorf("openapi: $ref to %s outside the document", u)
}

// Schema compiles the schema at a JSON pointer of the document, e.g. "/components/schemas/Run".
func (d *Doc) Schema(pointer string) (*jsonschema.Schema, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s, ok := d.schemas[pointer]; ok {
		return s, nil
	}
	s, err := d.compiler.Compile(docURL + "#" + escapeFragment(pointer))
	if err != nil {
		return nil, fmt.Errorf("openapi: schema %s: %w", pointer, err)
	}
	d.schemas[pointer] = s
	return s, nil
}

// Route is an operation of the document.
type Route struct {
	Method string // upper case
	Path   string // as documented, e.g. /api/models/{model_id}/experiments/
}

func (r Route) String() string { return r.Method + " " + r.Path }

var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// Routes lists the operations of the document, by path then method.
func (d *Doc) Routes() []Route {
	var out []Route
	for path, item := range obj(d.raw["paths"]) {
		for _, m := range methods {
			if _, ok := obj(item)[m]; ok {
				out = append(out, Route{strings.ToUpper(m), path})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// operation returns the operation of method and path and its JSON pointer.
func (d *Doc) operation(method, path string) (map[string]any, string, error) {
	item, ok := obj(d.raw["paths"])[path]
	if !ok {
		return nil, "", fmt.Errorf("openapi: path %s is not documented", path)
	}
	op, ok := obj(item)[strings.ToLower(method)]
	if !ok {
		return nil, "", fmt.Errorf("openapi: %s %s is not documented", method, path)
	}
	return obj(op), "/paths/" + escapeToken(path) + "/" + strings.ToLower(method), nil
}

// resolve follows a local $ref of a response, parameter or request body.
func (d *Doc) resolve(v map[string]any, pointer string) (map[string]any, string, error) {
	ref, ok := v["$ref"].(string)
	if !ok {
		return v, pointer, nil
	}
	p, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, "", fmt.Errorf("openapi: %s: $ref %s is not local", pointer, ref)
	}
	target, err := lookup(d.raw, p)
	if err != nil {
		return nil, "", fmt.Errorf("openapi: %s: %w", pointer, err)
	}
	return obj(target), p, nil
}

// ValidateRequest checks a request body against the document's request body of method and
// path.
func (d *Doc) ValidateRequest(method, path, contentType string, body []byte) error {
	op, ptr, err := d.operation(method, path)
	if err != nil {
		return err
	}
	rb, ok := op["requestBody"].(map[string]any)
	if !ok {
		if len(bytes.TrimSpace(body)) > 0 {
			return fmt.Errorf("%s %s takes no request body", method, path)
		}
		return nil
	}
	rb, ptr, err = d.resolve(rb, ptr+"/requestBody")
	if err != nil {
		return err
	}
	return d.validateContent(fmt.Sprintf("request of %s %s", method, path), rb, ptr, contentType, body)
}

// ValidateResponse checks an answer of method and path against the document: its status is
// documented, and so are its media type and required headers, and a JSON body matches the
// schema.
func (d *Doc) ValidateResponse(method, path string, status int, header http.Header, body []byte) error {
	op, ptr, err := d.operation(method, path)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("%s %s → %d", method, path, status)
	responses := obj(op["responses"])
	code := strconv.Itoa(status)
	resp, ok := responses[code]
	switch {
	case ok:
	case responses[code[:1]+"XX"] != nil:
		code = code[:1] + "XX"
		resp = responses[code]
	case responses["default"] != nil:
		code = "default"
		resp = responses[code]
	default:
		documented := slices.Sorted(mapKeys(responses))
		return fmt.Errorf("%s: status %d is not documented (documented: %s); body %s", what, status, strings.Join(documented, ", "), excerpt(body))
	}
	r, rptr, err := d.resolve(obj(resp), ptr+"/responses/"+code)
	if err != nil {
		return err
	}
	for name, h := range obj(r["headers"]) {
		if req, _ := obj(h)["required"].(bool); req && header.Get(name) == "" {
			return fmt.Errorf("%s: required header %s is missing", what, name)
		}
	}
	if r["content"] == nil {
		if len(body) > 0 {
			return fmt.Errorf("%s: documented without content, but the body is %s", what, excerpt(body))
		}
		return nil
	}
	return d.validateContent(what, r, rptr, header.Get("Content-Type"), body)
}

// validateContent checks body against the content (of a response or request body) at ptr.
func (d *Doc) validateContent(what string, holder map[string]any, ptr, contentType string, body []byte) error {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("%s: Content-Type %q: %w", what, contentType, err)
	}
	content := obj(holder["content"])
	media, ok := content[mt]
	if !ok {
		return fmt.Errorf("%s: media type %s is not documented (documented: %s)", what, mt, strings.Join(slices.Sorted(mapKeys(content)), ", "))
	}
	if _, ok := obj(media)["schema"]; !ok {
		return nil
	}
	if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return nil // text: every body is a string
	}
	sch, err := d.Schema(ptr + "/content/" + escapeToken(mt) + "/schema")
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: body is not JSON: %v: %s", what, err, excerpt(body))
	}
	if err := sch.Validate(v); err != nil {
		return fmt.Errorf("%s: body does not match the document: %v\nbody: %s", what, err, excerpt(body))
	}
	return nil
}

// Check reports every way in which the document is not a sound OpenAPI 3.1 document:
// its structure (checked against a schema of the OpenAPI 3.1 objects it may use), every
// schema (each must compile as JSON Schema 2020-12, with every $ref resolving inside the
// document), the path parameters of each path template, unique operation ids, and security
// requirements that name only defined security schemes.
func (d *Doc) Check() []error {
	var errs []error
	structure, err := compileStructure()
	if err != nil {
		return []error{err}
	}
	if err := structure.Validate(toSchemaValue(d.raw)); err != nil {
		errs = append(errs, fmt.Errorf("openapi: not a valid OpenAPI 3.1 document: %v", err))
	}
	forEachSchemaLocation(d.raw, func(ptr string, _ any) {
		if _, err := d.Schema(ptr); err != nil {
			errs = append(errs, err)
		}
	})
	ids := map[string]string{}
	for _, r := range d.Routes() {
		op, ptr, _ := d.operation(r.Method, r.Path)
		id, _ := op["operationId"].(string)
		if other, dup := ids[id]; dup {
			errs = append(errs, fmt.Errorf("openapi: %s and %s share operationId %q", other, r, id))
		}
		ids[id] = r.String()
		errs = append(errs, d.checkPathParams(r, op, ptr)...)
		errs = append(errs, d.checkSecurity(r.String(), op["security"])...)
	}
	return append(errs, d.checkSecurity("the document", d.raw["security"])...)
}

// checkSecurity checks that each security requirement of where names defined schemes.
func (d *Doc) checkSecurity(where string, security any) []error {
	var errs []error
	schemes := obj(obj(d.raw["components"])["securitySchemes"])
	for _, req := range list(security) {
		for name := range obj(req) {
			if _, ok := schemes[name]; !ok {
				errs = append(errs, fmt.Errorf("openapi: %s: security scheme %q is not defined in components.securitySchemes", where, name))
			}
		}
	}
	return errs
}

var templateParam = regexp.MustCompile(`\{([^}/]+)\}`)

// checkPathParams checks that the path parameters of an operation are exactly those of its
// template, each required.
func (d *Doc) checkPathParams(r Route, op map[string]any, ptr string) []error {
	var errs []error
	want := map[string]bool{}
	for _, m := range templateParam.FindAllStringSubmatch(r.Path, -1) {
		want[m[1]] = true
	}
	got := map[string]bool{}
	params, _ := op["parameters"].([]any)
	if item, ok := obj(d.raw["paths"])[r.Path].(map[string]any); ok {
		shared, _ := item["parameters"].([]any)
		params = append(shared, params...)
	}
	for i, p := range params {
		pm, _, err := d.resolve(obj(p), fmt.Sprintf("%s/parameters/%d", ptr, i))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if pm["in"] != "path" {
			continue
		}
		name, _ := pm["name"].(string)
		switch {
		case !want[name]:
			errs = append(errs, fmt.Errorf("openapi: %s: path parameter %q is not in the path", r, name))
		case pm["required"] != true:
			errs = append(errs, fmt.Errorf("openapi: %s: path parameter %q must be required", r, name))
		}
		got[name] = true
	}
	for name := range want {
		if !got[name] {
			errs = append(errs, fmt.Errorf("openapi: %s: path parameter {%s} is not declared", r, name))
		}
	}
	return errs
}

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

// toSchemaValue converts a decoded JSON value to the form the validator expects (numbers as
// json.Number).
func toSchemaValue(v any) any {
	b, _ := json.Marshal(v)
	out, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	return out
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func mapKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// lookup returns the value at a JSON pointer of doc.
func lookup(doc any, pointer string) (any, error) {
	if pointer == "" {
		return doc, nil
	}
	v := doc
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("no %s in the document", pointer)
		}
		if v, ok = m[tok]; !ok {
			return nil, fmt.Errorf("no %s in the document", pointer)
		}
	}
	return v, nil
}

func escapeToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// escapeFragment percent-encodes a JSON pointer for a URI fragment.
func escapeFragment(pointer string) string {
	toks := strings.Split(pointer, "/")
	for i, t := range toks {
		toks[i] = url.PathEscape(t)
	}
	return strings.Join(toks, "/")
}

func excerpt(b []byte) string {
	const max = 2000
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}

// Statuses lists the HTTP statuses documented for a route (not ranges or default).
func (d *Doc) Statuses(r Route) []int {
	op, _, err := d.operation(r.Method, r.Path)
	if err != nil {
		return nil
	}
	var out []int
	for code := range obj(op["responses"]) {
		if n, err := strconv.Atoi(code); err == nil {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}
