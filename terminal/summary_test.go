package terminal

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/golden"
)

func TestSummary(t *testing.T) {
	s, err := mlexp.Summarize(termRuns(), "", termNow, 4)
	if err != nil {
		t.Fatal(err)
	}
	out := termRender(t, func(b *bytes.Buffer) error { return Summary(b, s, Options{Now: termNow}) })
	golden.Check(t, "summary.txt", []byte(out))
	termCheckPlain(t, out)
	for _, want := range []string{"Quick Tests", "Full Trains", "Best R@100", "★ 47.3%", "config-042", "● 46.2%", "config-038",
		"config-042 • Full Training #42", "5 hours ago | 3h 42m | $38.50 | user:64d prod:64d +2 crosses",
		"config-044 • Quick Test #1", "Failed", "OOM during Transform: user:256d (too large)", "The 4 most recent of 15 runs."} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}
