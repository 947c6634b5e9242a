package mlexp_test

import (
	"testing"

	"github.com/mlexp-dev/mlexp"
)

func TestPlural(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 runs"}, {1, "1 run"}, {2, "2 runs"}, {1204, "1,204 runs"}} {
		if got := mlexp.Plural(c.n, "run", "runs"); got != c.want {
			t.Errorf("Plural(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}
