package terminal

import (
	"bytes"
	"fmt"
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

// TestRunsFitTheWidth: the runs table fits 80 columns by shortening the run ids to prefixes
// that still tell the runs apart (and dropping R@50), and shows everything at 120.
func TestRunsFitTheWidth(t *testing.T) {
	runs := termRuns()
	q := mlexp.RunsQuery{Sort: "recall_at_100", PageSize: 6}
	if err := q.Check(runs); err != nil {
		t.Fatal(err)
	}
	page := mlexp.QueryRuns(runs, q)
	page.Runs[4].Status = mlexp.RunFailed // a Status column too
	for _, width := range []int{80, 120} {
		out := termRender(t, func(b *bytes.Buffer) error { return Runs(b, page, Options{Now: termNow, Width: width}) })
		golden.Check(t, fmt.Sprintf("runs_width%d.txt", width), []byte(out))
		for i, l := range strings.Split(out, "\n") {
			if w := StringWidth(l); w > width {
				t.Errorf("width %d: line %d is %d columns: %s", width, i+1, w, l)
			}
		}
		for _, r := range page.Runs {
			prefix := r.ID[:termRunIDLeast]
			if !strings.Contains(out, prefix) {
				t.Errorf("width %d: run %s is not shown", width, r.ID)
			}
			if width == 120 && !strings.Contains(out, r.ID) {
				t.Errorf("width 120: run id %s is not whole", r.ID)
			}
		}
	}
}

func TestShortIDsStayDistinct(t *testing.T) {
	got := termShortIDs([]string{"abcdefgh1234", "abcdefgh5678", "zz", "abcdefgh1299"}, 8)
	if got[0] == got[3] || got[0] == got[1] || got[2] != "zz" {
		t.Errorf("short ids %q are not distinct", got)
	}
	if got := termShortIDs([]string{"0123456789abcdef", "fedcba9876543210"}, 8); got[0] != "01234567…" || got[1] != "fedcba98…" {
		t.Errorf("short ids %q, want 8 characters and …", got)
	}
}
