package web

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"time"
)

// openAPIDocument is the OpenAPI 3.1 description of every route in routes.go. It is written
// by hand; openapi_test.go checks that it is valid, that it lists exactly the routes of
// routes.go, and (in web/apitest) that real answers match it.
//
//go:embed openapi.json
var openAPIDocument []byte

// openAPIETag identifies this build's document, for conditional requests.
var openAPIETag = func() string {
	sum := sha256.Sum256(openAPIDocument)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}()

// OpenAPIDocument returns a copy of the OpenAPI document that GET /api/openapi.json serves.
func OpenAPIDocument() []byte { return bytes.Clone(openAPIDocument) }

// handleOpenAPI serves the OpenAPI document. It changes only with the binary, so clients may
// cache it for a while and then revalidate it by its ETag.
func (s *server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=300, must-revalidate")
	h.Set("ETag", openAPIETag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(openAPIDocument))
}
