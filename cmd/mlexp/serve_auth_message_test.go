package main

import (
	"io"
	"strings"
	"testing"
)

// Issue 16: refusing no auth on a public address read `the default="none": refusing…`. The
// error is a sentence that names the flag, its value and where it came from.
func TestServeNoAuthOnAPublicAddressNamesTheFlag(t *testing.T) {
	uri := map[string]string{"MLFLOW_TRACKING_URI": "http://127.0.0.1:5000"}
	for _, tc := range []struct {
		args []string
		vars map[string]string
		want []string
	}{
		{[]string{"serve", "--addr", "0.0.0.0:0"}, uri, []string{`--auth is "none" (the default)`, "0.0.0.0", "--auth token", "--addr"}},
		{[]string{"serve", "--addr", "0.0.0.0:0", "--auth", "none"}, uri, []string{`--auth is "none"`, "0.0.0.0"}},
		{[]string{"serve", "--addr", "192.0.2.1:0"}, map[string]string{"MLFLOW_TRACKING_URI": "http://127.0.0.1:5000", "MLEXP_AUTH": "none"},
			[]string{`MLEXP_AUTH is "none"`, "192.0.2.1"}},
	} {
		err := run(t.Context(), append([]string{"mlexp"}, tc.args...), envOf(tc.vars), io.Discard, io.Discard)
		if err == nil {
			t.Errorf("%q: serve started", tc.args)
			continue
		}
		if m := missing(err.Error(), tc.want...); len(m) > 0 || strings.Contains(err.Error(), `default="`) {
			t.Errorf("%q: error %q lacks %q", tc.args, err, m)
		}
	}
}
