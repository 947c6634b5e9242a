package explore

import (
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/insight"
)

// TestInsightsOncePerSnapshot checks that the insights of one snapshot and query are
// analysed once, whatever defaults the query spells out, and that another snapshot, or
// another query, is analysed anew.
func TestInsightsOncePerSnapshot(t *testing.T) {
	snapshot := func(v float64) *mlexp.RunSet {
		return mlexp.NewRunSet("1", []mlexp.Run{
			{ID: "a", Type: mlexp.QuickTestRun, ConfigID: "c1", Status: mlexp.RunFinished, Metrics: mlexp.NewMetricValues(map[string]float64{"recall_at_100": v})},
			{ID: "b", Type: mlexp.QuickTestRun, ConfigID: "c2", Status: mlexp.RunFinished, Metrics: mlexp.NewMetricValues(map[string]float64{"recall_at_100": 0.3, "loss": 0.5})},
		}, time.Now())
	}
	// insightsOf is the insights of a snapshot, as every front end asks for them.
	insightsOf := func(set *mlexp.RunSet, q insight.Query) (*insight.Report, error) {
		ans, err := (&Experiment{Set: set}).Insights(q)
		if err != nil {
			return nil, err
		}
		return ans.Report, nil
	}
	old := snapshot(0.4)
	first, err := insightsOf(old, insight.Query{})
	if err != nil {
		t.Fatal(err)
	}
	// The dashboard names the metric, the page the dataset: the same analysis.
	if again, _ := insightsOf(old, insight.Query{Metric: "recall_at_100", DatasetID: "d", RunType: "quick_test"}); again != first {
		t.Error("the same snapshot and query were analysed twice")
	}
	if other, _ := insightsOf(old, insight.Query{Metric: "loss"}); other == first || other.Metric != "loss" {
		t.Error("another query got the first query's report")
	}
	refreshed, _ := insightsOf(snapshot(0.2), insight.Query{})
	if refreshed == first || refreshed.Noise.BestConfig != "c2" {
		t.Errorf("a new snapshot got the old report (best %q, want c2)", refreshed.Noise.BestConfig)
	}
	if _, err := insightsOf(old, insight.Query{Metric: "no_such_metric"}); mlexp.ErrorCode(err) != mlexp.EINVALID {
		t.Errorf("a bad query: %v, want invalid", err)
	}
}
