package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/jsonedit"
	"github.com/mlexp-dev/mlexp/internal/sample"
)

// TestDecodeSizeLimit checks that decode refuses a body over maxBodyBytes, naming the body,
// and takes one of exactly that size.
func TestDecodeSizeLimit(t *testing.T) {
	valid, _ := json.Marshal(sample.QuickTestReport())
	atLimit := append(bytes.Clone(valid), bytes.Repeat([]byte(" "), maxBodyBytes-len(valid))...)
	for _, tc := range []struct {
		name string
		body []byte
		ok   bool
	}{
		{"at the limit", atLimit, true},
		{"one byte over", append(bytes.Clone(atLimit), ' '), false},
		{"far over", bytes.Repeat([]byte("x"), 3*maxBodyBytes), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			r := httptest.NewRequest("POST", "/api/experiments/quick-tests/", bytes.NewReader(tc.body))
			_, err := decode[mlexp.QuickTestReport](w, r)
			if tc.ok {
				if err != nil {
					t.Errorf("decode: %v", err)
				}
				return
			}
			jsonedit.MustNameField(t, err, "body")
			var e *mlexp.Error
			if errors.As(err, &e) && e.Details["limit_bytes"] != maxBodyBytes {
				t.Errorf("details %v, want limit_bytes %d", e.Details, maxBodyBytes)
			}
		})
	}
}
