package insight

import (
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

// TestNextConfigsTooFewRuns: with fewer than MinNextRuns runs, what to try next says that
// there are too few runs, not that every neighbour of the best cell has runs.
func TestNextConfigsTooFewRuns(t *testing.T) {
	all := nextRuns()
	for n := 1; n < MinNextRuns; n++ {
		got := mustNext(t, all[:n], NextQuery{})
		if got.Best == nil || len(got.Suggestions) != 0 {
			t.Fatalf("%d runs: best %+v, suggestions %+v", n, got.Best, got.Suggestions)
		}
		if !strings.HasPrefix(got.Note, "Too few runs to suggest") || strings.Contains(got.Note, "every neighbour") {
			t.Errorf("%d runs: note %q", n, got.Note)
		}
	}
	if got := mustNext(t, all[:1], NextQuery{}); !strings.Contains(got.Note, "1 finished Quick Test with Recall@100") {
		t.Errorf("one run: note %q", got.Note)
	}
	if got := mustNext(t, all[:2], NextQuery{}); !strings.Contains(got.Note, "2 finished Quick Tests") {
		t.Errorf("two runs: note %q", got.Note)
	}
	// From MinNextRuns on, runs with an untested neighbour of the best cell give suggestions.
	three := []mlexp.Run{all[0], all[2], all[5]}
	if got := mustNext(t, three, NextQuery{}); len(got.Suggestions) == 0 {
		t.Errorf("%d runs: no suggestions, note %q", MinNextRuns, got.Note)
	}
}

// TestNextConfigsOneCell: runs enough, all of one config, fill one heatmap cell; the note
// says there is no neighbour rather than that every neighbour has runs.
func TestNextConfigsOneCell(t *testing.T) {
	cfg := towerConfig("c1", 64, 64, 20)
	runs := nextRuns()[:0]
	for _, id := range []string{"a", "b", "c", "d"} {
		runs = append(runs, configRun(id, cfg, 0.4))
	}
	got := mustNext(t, runs, NextQuery{})
	if len(got.Suggestions) != 0 || !strings.Contains(got.Note, "one heatmap cell") || strings.Contains(got.Note, "every neighbour") {
		t.Errorf("one cell: suggestions %+v, note %q", got.Suggestions, got.Note)
	}
}
