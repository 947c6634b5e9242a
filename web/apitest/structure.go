package apitest

import (
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// structureURL names the structure schema for the compiler; nothing is fetched.
const structureURL = "urn:mlexp:openapi-3.1-structure.json"

// structureSchema describes the objects of an OpenAPI 3.1.0 document, with the fixed fields
// the specification gives each (https://spec.openapis.org/oas/v3.1.0): unknown fields other
// than x- extensions are refused, required ones demanded, and enumerated ones checked.
// Schema Objects are left to the JSON Schema compiler (Doc.Check compiles each one).
const structureSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["openapi", "info"],
  "anyOf": [{"required": ["paths"]}, {"required": ["components"]}, {"required": ["webhooks"]}],
  "properties": {
    "openapi": {"type": "string", "pattern": "^3\\.1\\.\\d+$"},
    "info": {"$ref": "#/$defs/info"},
    "jsonSchemaDialect": {"type": "string", "format": "uri"},
    "servers": {"type": "array", "items": {"$ref": "#/$defs/server"}},
    "paths": {"$ref": "#/$defs/paths"},
    "webhooks": {"type": "object", "additionalProperties": {"$ref": "#/$defs/pathItemOrRef"}},
    "components": {"$ref": "#/$defs/components"},
    "security": {"type": "array", "items": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}},
    "tags": {"type": "array", "items": {"$ref": "#/$defs/tag"}},
    "externalDocs": {"$ref": "#/$defs/externalDocs"}
  },
  "patternProperties": {"^x-": true},
  "additionalProperties": false,
  "$defs": {
    "info": {
      "type": "object",
      "required": ["title", "version"],
      "properties": {
        "title": {"type": "string"},
        "summary": {"type": "string"},
        "description": {"type": "string"},
        "termsOfService": {"type": "string"},
        "contact": {"type": "object"},
        "license": {"type": "object", "required": ["name"]},
        "version": {"type": "string"}
      },
      "patternProperties": {"^x-": true},
      "additionalProperties": false
    },
    "server": {
      "type": "object",
      "required": ["url"],
      "properties": {"url": {"type": "string"}, "description": {"type": "string"}, "variables": {"type": "object"}},
      "patternProperties": {"^x-": true},
      "additionalProperties": false
    },
    "tag": {
      "type": "object",
      "required": ["name"],
      "properties": {"name": {"type": "string"}, "description": {"type": "string"}, "externalDocs": {"$ref": "#/$defs/externalDocs"}},
      "patternProperties": {"^x-": true},
      "additionalProperties": false
    },
    "externalDocs": {
      "type": "object",
      "required": ["url"],
      "properties": {"url": {"type": "string"}, "description": {"type": "string"}},
      "patternProperties": {"^x-": true},
      "additionalProperties": false
    },
    "reference": {
      "type": "object",
      "required": ["$ref"],
      "properties": {"$ref": {"type": "string", "pattern": "^#/"}, "summary": {"type": "string"}, "description": {"type": "string"}},
      "additionalProperties": false
    },
    "paths": {
      "type": "object",
      "patternProperties": {"^/": {"$ref": "#/$defs/pathItem"}, "^x-": true},
      "additionalProperties": false
    },
    "pathItemOrRef": {"anyOf": [{"$ref": "#/$defs/reference"}, {"$ref": "#/$defs/pathItem"}]},
    "pathItem": {
      "type": "object",
      "properties": {
        "summary": {"type": "string"},
        "description": {"type": "string"},
        "get": {"$ref": "#/$defs/operation"},
        "put": {"$ref": "#/$defs/operation"},
        "post": {"$ref": "#/$defs/operation"},
        "delete": {"$ref": "#/$defs/operation"},
        "options": {"$ref": "#/$defs/operation"},
        "head": {"$ref": "#/$defs/operation"},
        "patch": {"$ref": "#/$defs/operation"},
        "trace": {"$ref": "#/$defs/operation"},
        "servers": {"type": "array", "items": {"$ref": "#/$defs/server"}},
        "parameters": {"$ref": "#/$defs/parameters"}
      },
      "patternProperties": {"^x-": true},
      "additionalProperties": false
    },
    "operation": {
      "type": "object",
      "required": ["responses"],
      "properties": {
        "tags": {"type": "array", "items": {"type": "string"}},
        "summary": {"type": "string"},
        "description": {"type": "string"},
        "externalDocs": {"$ref": "#/$defs/externalDocs"},
        "operationId": {"type": "string", "minLength": 1},
        "parameters": {"$ref": "#/$defs/parameters"},
        "requestBody": {"anyOf": [{"$ref": "#/$defs/reference"}, {"$ref": "#/$defs/requestBody"}]},
        "responses": {"$ref": "#/$defs/responses"},
        "callbacks": {"type": "object"},
        "deprecated": {"type": "boolean"},
        "security": {"type": "array", "items": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}},
        "servers": {"type": "array", "items": {"$ref": "#/$defs/server"}}
      },
      "patternProperties": {"^x-": true},
      "additionalProperties": false
    },
    "parameters": {"type": "array", "items": {"anyOf": [{"$ref": "#/$defs/reference"}, {"$ref": "#/$defs/parameter"}]}},
    "parameter": {
      "type": "object",
      "required": ["name", "in"],
      "properties": {
        "name": {"type": "string", "minLength": 1},
        "in": {"enum": ["query", "header", "path", "cookie"]},
        "description": {"type": "string"},
        "required": {"type": "boolean"},
        "deprecated": {"type": "boolean"},
        "allowEmptyValue": {"type": "boolean"},
        "style": {"enum": ["matrix", "label", "form", "simple", "spaceDelimited", "pipeDelimited", "deepObject"]},
        "explode": {"type": "boolean"},
        "allowReserved": {"type": "boolean"},
        "schema": true,
        "example": true,
        "examples": {"type": "object"},
        "content": {"$ref": "#/$defs/content", "minProperties": 1, "maxProperties": 1}
      },
      "oneOf": [{"required": ["schema"]}, {"required": ["content"]}],
      "if": {"properties": {"in": {"const": "path"}}},
      "then": {"properties": {"required": {"const": true}}, "required": ["required"]},
      "patternProperties": {"^x-": true},
      "additionalProperties": false
    },
    "requestBody": {
      "type": "object",
      "required": ["content"],
      "properties": {"description": {"type": "string"}, "content": {"$ref": "#/$defs/content"}, "required": {"type": "boolean"}},
      "patternProperties": {"^x-": true},
      "additionalProperties": false
    },
    "content": {
      "type": "object",
      "propertyNames": {"pattern": "^[a-z*]+/[-+.a-z0-9*]+$"},
      "additionalProperties": {"$ref": "#/$defs/mediaType"}
    },
    "mediaType": {
      "type": "object",
      "properties": {"schema": true, "example": true, "examples": {"type": "object"}, "encoding": {"type": "object"}},
      "patternProperties": {"^x-": true},
      "additionalProperties": false
    },
    "responses": {
      "type": "object",
      "minProperties": 1,
      "patternProperties": {
        "^[1-5](?:[0-9]{2}|XX)$": {"anyOf": [{"$ref": "#/$defs/reference"}, {"$ref": "#/$defs/response"}]},
        "^x-": true
      },
      "properties": {"default": {"anyOf": [{"$ref": "#/$defs/reference"}, {"$ref": "#/$defs/response"}]}},
      "additionalProperties": false
    },
    "response": {
      "type": "object",
      "required": ["description"],
      "properties": {
        "description": {"type": "string"},
        "headers": {"type": "object", "additionalProperties": {"anyOf": [{"$ref": "#/$defs/reference"}, {"$ref": "#/$defs/header"}]}},
        "content": {"$ref": "#/$defs/content"},
        "links": {"type": "object"}
      },
      "patternProperties": {"^x-": true},
      "additionalProperties": false
    },
    "header": {
      "type": "object",
      "properties": {
        "description": {"type": "string"},
        "required": {"type": "boolean"},
        "deprecated": {"type": "boolean"},
        "style": {"const": "simple"},
        "explode": {"type": "boolean"},
        "schema": true,
        "example": true,
        "examples": {"type": "object"},
        "content": {"$ref": "#/$defs/content"}
      },
      "oneOf": [{"required": ["schema"]}, {"required": ["content"]}],
      "patternProperties": {"^x-": true},
      "additionalProperties": false
    },
    "components": {
      "type": "object",
      "properties": {
        "schemas": {"$ref": "#/$defs/componentMap"},
        "responses": {"$ref": "#/$defs/componentMap", "additionalProperties": {"anyOf": [{"$ref": "#/$defs/reference"}, {"$ref": "#/$defs/response"}]}},
        "parameters": {"$ref": "#/$defs/componentMap", "additionalProperties": {"anyOf": [{"$ref": "#/$defs/reference"}, {"$ref": "#/$defs/parameter"}]}},
        "examples": {"$ref": "#/$defs/componentMap"},
        "requestBodies": {"$ref": "#/$defs/componentMap", "additionalProperties": {"anyOf": [{"$ref": "#/$defs/reference"}, {"$ref": "#/$defs/requestBody"}]}},
        "headers": {"$ref": "#/$defs/componentMap", "additionalProperties": {"anyOf": [{"$ref": "#/$defs/reference"}, {"$ref": "#/$defs/header"}]}},
        "securitySchemes": {"$ref": "#/$defs/componentMap", "additionalProperties": {"anyOf": [{"$ref": "#/$defs/reference"}, {"$ref": "#/$defs/securityScheme"}]}},
        "links": {"$ref": "#/$defs/componentMap"},
        "callbacks": {"$ref": "#/$defs/componentMap"},
        "pathItems": {"$ref": "#/$defs/componentMap", "additionalProperties": {"$ref": "#/$defs/pathItemOrRef"}}
      },
      "patternProperties": {"^x-": true},
      "additionalProperties": false
    },
    "securityScheme": {
      "type": "object",
      "required": ["type"],
      "properties": {
        "type": {"enum": ["apiKey", "http", "mutualTLS", "oauth2", "openIdConnect"]},
        "description": {"type": "string"},
        "name": {"type": "string", "minLength": 1},
        "in": {"enum": ["query", "header", "cookie"]},
        "scheme": {"type": "string", "minLength": 1},
        "bearerFormat": {"type": "string"},
        "flows": {"type": "object"},
        "openIdConnectUrl": {"type": "string"}
      },
      "allOf": [
        {"if": {"properties": {"type": {"const": "apiKey"}}}, "then": {"required": ["name", "in"]}},
        {"if": {"properties": {"type": {"const": "http"}}}, "then": {"required": ["scheme"]}},
        {"if": {"properties": {"type": {"const": "oauth2"}}}, "then": {"required": ["flows"]}},
        {"if": {"properties": {"type": {"const": "openIdConnect"}}}, "then": {"required": ["openIdConnectUrl"]}}
      ],
      "patternProperties": {"^x-": true},
      "additionalProperties": false
    },
    "componentMap": {"type": "object", "propertyNames": {"pattern": "^[a-zA-Z0-9._-]+$"}}
  }
}`

// compileStructure compiles structureSchema.
func compileStructure() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(structureSchema))
	if err != nil {
		return nil, fmt.Errorf("apitest: structure schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(noLoader{})
	if err := c.AddResource(structureURL, doc); err != nil {
		return nil, fmt.Errorf("apitest: structure schema: %w", err)
	}
	s, err := c.Compile(structureURL)
	if err != nil {
		return nil, fmt.Errorf("apitest: structure schema: %w", err)
	}
	return s, nil
}
