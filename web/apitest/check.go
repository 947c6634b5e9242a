package apitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

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

// toSchemaValue converts a decoded JSON value to the form the validator expects (numbers as
// json.Number).
func toSchemaValue(v any) any {
	b, _ := json.Marshal(v)
	out, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	return out
}
