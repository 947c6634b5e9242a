package apitest

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

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

func excerpt(b []byte) string {
	const max = 2000
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}
