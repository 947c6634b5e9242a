package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/sample"
)

// assertInvalid checks that err is an EINVALID *mlexp.Error naming field.
func assertInvalid(tb testing.TB, err error, field string) {
	tb.Helper()
	var e *mlexp.Error
	switch {
	case err == nil:
		tb.Errorf("no error, want one naming %q", field)
	case !errors.As(err, &e):
		tb.Errorf("error %T %v, want an *mlexp.Error", err, err)
	case e.Code != mlexp.EINVALID || e.Field != field || !strings.HasPrefix(e.Message, field+": "):
		tb.Errorf("error code %q field %q message %q, want code invalid naming field %q", e.Code, e.Field, e.Message, field)
	}
}

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
			assertInvalid(t, err, "body")
			var e *mlexp.Error
			if errors.As(err, &e) && e.Details["limit_bytes"] != maxBodyBytes {
				t.Errorf("details %v, want limit_bytes %d", e.Details, maxBodyBytes)
			}
		})
	}
}
