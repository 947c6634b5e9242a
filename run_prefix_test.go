package mlexp_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

// TestResolveRunID: a prefix of 8 characters or more names the one run that starts with it;
// too short, unknown and shared prefixes are errors naming the argument.
func TestResolveRunID(t *testing.T) {
	ids := []string{"abcdef0011111111", "abcdef0022222222", "0123456789abcdef"}
	if got, err := mlexp.ResolveRunID("RUN_ID", "abcdef001", ids); err != nil || got != ids[0] {
		t.Errorf("abcdef001 = %q, %v", got, err)
	}
	if got, err := mlexp.ResolveRunID("RUN_ID", "01234567…", ids); err != nil || got != ids[2] {
		t.Errorf("01234567… (as the runs table shows it) = %q, %v", got, err)
	}
	whole := "0123456789abcdef0123456789abcdef"
	if got, err := mlexp.ResolveRunID("RUN_ID", whole, ids); err != nil || got != whole {
		t.Errorf("a whole id = %q, %v; want it as it is", got, err)
	}
	for _, tc := range []struct{ prefix, want string }{
		{"abcdef00", `RUN_ID: "abcdef00" is the start of 2 runs' ids (abcdef0011111111, abcdef0022222222): give more characters`},
		{"abcdef0", `RUN_ID: "abcdef0" is neither a run id nor a prefix of one: give at least 8 characters`},
		{"ffffffff", `RUN_ID: no run of the model starts with "ffffffff"`},
	} {
		_, err := mlexp.ResolveRunID("RUN_ID", tc.prefix, ids)
		var me *mlexp.Error
		if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.As(err, &me) || me.Field != "RUN_ID" {
			t.Errorf("%s: error %v, want one with field RUN_ID saying %q", tc.prefix, err, tc.want)
		}
	}
	if err := mlexp.CheckRunIDPrefixes([]string{"a", "b"}, []string{"abcdef0011111111", "abc"}); err == nil || !strings.Contains(err.Error(), `b: "abc"`) {
		t.Errorf("CheckRunIDPrefixes: %v", err)
	}
}
