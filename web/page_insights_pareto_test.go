package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/insight"
)

// TestParetoPanelsForQuickTestsAndFullTrainings: quick tests ($1–$1.60) and full trainings
// ($35–$38) get a panel each, so that the quick tests spread over a scale of their own;
// quick tests alone get one chart.
func TestParetoPanelsForQuickTestsAndFullTrainings(t *testing.T) {
	var f insight.ParetoFront
	f.Resource = insight.ResourceCost
	for i := range 10 {
		p := insight.ParetoPoint{RunID: fmt.Sprintf("q%d", i), ConfigID: fmt.Sprintf("config-%03d", i), RunType: mlexp.QuickTestRun,
			Value: 0.40 + 0.007*float64(i), Resource: 1 + 0.06*float64(i), OnFront: i%2 == 0}
		f.Points = append(f.Points, p)
	}
	quickOnly := f
	for i := range 3 {
		f.Points = append(f.Points, insight.ParetoPoint{RunID: fmt.Sprintf("f%d", i), ConfigID: fmt.Sprintf("config-%03d", 20+i),
			RunType: mlexp.FullTrainingRun, Value: 0.45 + 0.005*float64(i), Resource: 35 + float64(i)})
	}
	rep := &insight.Report{Metric: "recall_at_100", MetricLabel: "Recall@100"}
	svg := string(frontOf(rep, f).SVG)
	if strings.Count(svg, "<svg") != 2 || !strings.Contains(svg, `id="pareto-cost"`) || !strings.Contains(svg, `id="pareto-cost-full"`) ||
		!strings.Contains(svg, "Quick tests: Recall@100 against cost") || !strings.Contains(svg, "Full trainings: Recall@100 against cost") {
		t.Fatalf("want a panel of quick tests and one of full trainings:\n%s", svg)
	}
	full := svg[strings.Index(svg, `id="pareto-cost-full"`):]
	if strings.Count(full, `data-id="f`) != 3 || strings.Contains(full, `data-id="q`) || strings.Count(full, `class="point-label"`) != 3 {
		t.Errorf("the full-training panel should hold the 3 full trainings, labelled, and no quick test")
	}
	if one := string(frontOf(rep, quickOnly).SVG); strings.Count(one, "<svg") != 1 || strings.Contains(one, "log scale") {
		t.Errorf("quick tests alone: want one linear chart")
	}
}
