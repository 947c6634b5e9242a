package terminal

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/insight"
	"github.com/mlexp-dev/mlexp/internal/golden"
)

// termCheckWidth fails the test for every line of out wider than width.
func termCheckWidth(t *testing.T, name string, out string, width int) {
	t.Helper()
	for i, l := range strings.Split(out, "\n") {
		if w := StringWidth(l); w > width {
			t.Errorf("%s at width %d: line %d is %d columns: %s", name, width, i+1, w, l)
		}
	}
}

// TestScreensFitTheWidth: every screen fits 80 and 120 columns (golden files at both), and
// ids stay whole where they are what a command takes.
func TestScreensFitTheWidth(t *testing.T) {
	runs := termRuns()
	report, err := insight.Analyze(runs, insight.Query{})
	if err != nil {
		t.Fatal(err)
	}
	three := termComparison(t, "full38"+strings.Repeat("0", 26), termRID(31), termRID(42))
	models := []mlexp.ModelInfo{{ID: "retail-recs", Name: "Retail recommendations, two towers", Datasets: []mlexp.DatasetInfo{
		{ID: "retail-2026-q3", Name: "Retail transactions 2026 Q3 (10% sample)", ExperimentID: "7", ExperimentName: "retail-recs-Retail transactions 2026 Q3 (10% sample)", LastUpdateTime: termNow.Add(-2 * time.Hour).UnixMilli()},
		{ID: "retail-2026-q2", Name: "Retail transactions 2026 Q2", ExperimentID: "12", ExperimentName: "retail-recs-Retail transactions 2026 Q2"}}}}
	screens := []struct {
		name string
		draw func(*bytes.Buffer, Options) error
		keep []string // shown whole at every width
	}{
		{"insights", func(b *bytes.Buffer, o Options) error { return Insights(b, report, o) }, nil},
		{"compare3", func(b *bytes.Buffer, o Options) error { return Comparison(b, three, o) }, nil},
		{"models", func(b *bytes.Buffer, o Options) error { return Models(b, models, o) }, []string{"retail-recs", "retail-2026-q3", "retail-2026-q2"}},
		{"lineage", func(b *bytes.Buffer, o Options) error { return Lineage(b, termLineage(), o) }, []string{termRID(42)}},
	}
	for _, s := range screens {
		for _, width := range []int{80, 120} {
			out := termRender(t, func(b *bytes.Buffer) error { return s.draw(b, Options{Now: termNow, Width: width}) })
			golden.Check(t, fmt.Sprintf("%s_width%d.txt", s.name, width), []byte(out))
			termCheckWidth(t, s.name, out, width)
			for _, k := range s.keep {
				if !strings.Contains(out, k) {
					t.Errorf("%s at width %d: %q is not whole:\n%s", s.name, width, k, out)
				}
			}
		}
	}
}

// termLineage is a short lineage: a trainer and its model, found by the run's model URI.
func termLineage() *mlexp.Lineage {
	at := termNow.Add(-time.Hour)
	return &mlexp.Lineage{RunID: termRID(42), LinkedBy: mlexp.LinkModelURI, TrainerID: "execution:4", ModelID: "artifact:7",
		Nodes: []mlexp.LineageNode{
			{ID: "execution:4", Kind: "execution", Type: "Trainer", Name: "trainer-config-042-full-training-with-a-long-name", Created: at},
			{ID: "artifact:7", Kind: "artifact", Type: "Model", Name: "model-config-042-full-training-with-a-long-name", URI: "gs://demo-bucket/models/config-042/full-training/with/a/long/path/that/goes/on", Created: at},
		},
		Edges: []mlexp.LineageEdge{{Artifact: "artifact:7", Execution: "execution:4", Kind: mlexp.LineageOutputEdge}}}
}
