package terminal

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/golden"
)

func TestRuns(t *testing.T) {
	runs := termRuns()
	q := mlexp.RunsQuery{Sort: "recall_at_100", PageSize: 6}
	if err := q.Check(runs); err != nil {
		t.Fatal(err)
	}
	out := termRender(t, func(b *bytes.Buffer) error {
		return Runs(b, mlexp.QueryRuns(runs, q), Options{Now: termNow})
	})
	golden.Check(t, "runs.txt", []byte(out))
	termCheckPlain(t, out)
	for _, want := range []string{"Run Name", "R@100", "  config-042 #1 ", "47.3%", "38.5%", "Quick", "Full", "3h 42m",
		"5h ago", "1d ago", "● config-038 #38 ", "Page 1 of 3 · 15 runs · 6 per page"} {
		if !strings.Contains(out, want) {
			t.Errorf("runs table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Status") {
		t.Errorf("a page of finished runs has a Status column:\n%s", out)
	}
	q = mlexp.RunsQuery{Status: "failed"}
	_ = q.Check(runs)
	out = termRender(t, func(b *bytes.Buffer) error {
		return Runs(b, mlexp.QueryRuns(runs, q), Options{Now: termNow})
	})
	termCheckPlain(t, out)
	if !strings.Contains(out, "Status") || !strings.Contains(out, "Failed") {
		t.Errorf("failed runs without status:\n%s", out)
	}
	out = termRender(t, func(b *bytes.Buffer) error { return Runs(b, mlexp.RunsPage{Page: 1}, Options{}) })
	if !strings.Contains(out, "No runs match.") {
		t.Errorf("empty page:\n%s", out)
	}
}
