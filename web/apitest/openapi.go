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
