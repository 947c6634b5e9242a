package mlexp_test

import (
	"math"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/insight"
)

// storedInf is +Inf as MLflow's SQL stores keep it and read it back: math.MaxFloat64.
const storedInf = math.MaxFloat64

// TestStoredInfinityNeverWins probes defect 15 of the hardening issue: MLflow's SQL stores
// turn +Inf into 1.797e308, so "infinite values never qualify" failed there and such a run
// was picked as best. It must count as infinite in best-run selection, the heatmap, the
// summary, comparisons and insights.
func TestStoredInfinityNeverWins(t *testing.T) {
	b := bestRun("b", 0.47, 0.31, 20)
	diverged := bestRun("x", storedInf, -storedInf, 10)
	runs := []mlexp.Run{b, diverged}

	best, _ := selectBest(t, runs, mlexp.BestQuery{}, allURIs(runs), nil)
	if best.Run == nil || best.Run.RunID != "b" {
		t.Errorf("best run %+v, want b: a stored +Inf never qualifies", best.Run)
	}
	for _, g := range best.Gates {
		if g.Gate == mlexp.GateMetric && g.Removed != 1 {
			t.Errorf("the metric gate removed %d runs, want the stored +Inf one", g.Removed)
		}
	}

	sum, err := mlexp.Summarize(runs, "recall_at_100", bestT0, 5)
	if err != nil || sum.Best == nil || sum.Best.RunID != "b" {
		t.Errorf("summary best %+v, %v; want b", sum.Best, err)
	}

	h := mlexp.BuildHeatmap(runs, mlexp.HeatmapQuery{Metric: "recall_at_100", XAxis: "config_id", YAxis: "run_type", Agg: mlexp.AggBest})
	for _, c := range h.Cells {
		if c.Best && c.RunID != "b" {
			t.Errorf("the heatmap's best cell is %s, want b's", c.RunID)
		}
	}

	cmp, err := mlexp.CompareRuns(runs, mlexp.CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rec := cmp.Recommendation; rec.RunID == "x" {
		t.Errorf("the comparison recommends the stored +Inf run: %+v", rec)
	}

	if got := mlexp.FormatMetric("recall_at_100", storedInf); got != mlexp.NoValue {
		t.Errorf("a stored +Inf is shown as %q, want %q", got, mlexp.NoValue)
	}
	rep, err := insight.Analyze(append(runs, with(b, func(r *mlexp.Run) { r.ID = "b2" })), insight.Query{RunType: mlexp.RunTypeAll})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Counted != 2 {
		t.Errorf("insights count %d runs, want the 2 with a finite value", rep.Counted)
	}
}

func TestMetricFromStore(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{
		{storedInf, math.Inf(1)}, {-storedInf, math.Inf(-1)}, {math.Inf(1), math.Inf(1)}, {1.5e308, 1.5e308}, {0.47, 0.47},
	} {
		if got := mlexp.MetricFromStore(c.in); got != c.want {
			t.Errorf("MetricFromStore(%g) = %g, want %g", c.in, got, c.want)
		}
	}
	if !math.IsNaN(mlexp.MetricFromStore(math.NaN())) {
		t.Error("NaN did not stay NaN")
	}
}
