// Package apianswer decodes mlexp's JSON answers in tests: every answer of the API is this
// envelope, {"status": "success", "data": …} or {"status": "error", "error": {…}}.
package apianswer

import "encoding/json"

// Answer is the envelope of a JSON answer of mlexp's API, success or error.
type Answer struct {
	Status string          `json:"status"`
	Data   json.RawMessage `json:"data"`
	Error  struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Field   string         `json:"field"`
		Details map[string]any `json:"details"`
	} `json:"error"`
}
