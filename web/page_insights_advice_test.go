package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp/insight"
)

// TestParetoChartOfManyRuns checks that a Pareto chart of 10,000 runs draws every run of the
// front and a bounded sample of the others, and lists the front in full.
func TestParetoChartOfManyRuns(t *testing.T) {
	var f insight.ParetoFront
	f.Resource = insight.ResourceCost
	for i := range 10_000 {
		p := insight.ParetoPoint{RunID: fmt.Sprintf("run-%05d", i), Value: 0.3, Resource: float64(i)}
		if i%1000 == 0 { // ten runs on the front
			p.Value, p.OnFront = 0.4+float64(i)/1e5, true
			f.Front = append(f.Front, p)
		}
		f.Points = append(f.Points, p)
	}
	v := frontOf(&insight.Report{Metric: "recall_at_100", MetricLabel: "Recall@100"}, f)
	svg := string(v.SVG)
	drawn := strings.Count(svg, `data-id="run-`)
	if drawn > len(f.Front)+maxDominatedDrawn || drawn < maxDominatedDrawn/2 {
		t.Errorf("%d points drawn of 10,000, want the 10 of the front and at most %d others", drawn, maxDominatedDrawn)
	}
	for _, p := range f.Front {
		if !strings.Contains(svg, `data-id="`+p.RunID+`"`) {
			t.Errorf("front run %s not drawn", p.RunID)
		}
	}
	if len(v.Runs) != len(f.Front) {
		t.Errorf("the front table lists %d runs, want %d", len(v.Runs), len(f.Front))
	}
	if !strings.Contains(svg, "10000 runs, ") || len(svg) > 400_000 {
		t.Errorf("the chart of 10,000 runs is %d bytes and its description says: %s", len(svg), svg[strings.Index(svg, "<desc"):strings.Index(svg, "</desc>")])
	}
	for n, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th", 21: "21st", 25: "25th"} {
		if got := ordinal(n); got != want {
			t.Errorf("ordinal(%d) = %q, want %q", n, got, want)
		}
	}
}
