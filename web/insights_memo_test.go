package web

import (
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/insight"
)

// TestInsightsMemo checks that the insights of one snapshot and query are analysed once,
// and that another snapshot, or another query, is analysed anew.
func TestInsightsMemo(t *testing.T) {
	runs := func(v float64) *mlexp.RunSet {
		return &mlexp.RunSet{Runs: []mlexp.Run{
			{ID: "a", Type: mlexp.QuickTestRun, ConfigID: "c1", Status: mlexp.RunFinished, Metrics: mlexp.MetricValues{"recall_at_100": v}},
			{ID: "b", Type: mlexp.QuickTestRun, ConfigID: "c2", Status: mlexp.RunFinished, Metrics: mlexp.MetricValues{"recall_at_100": 0.3, "loss": 0.5}},
		}}
	}
	var m insightsMemo
	old := runs(0.4)
	first, err := m.analyze(old, insight.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := m.analyze(old, insight.Query{}); again != first {
		t.Error("the same snapshot and query were analysed twice")
	}
	if other, _ := m.analyze(old, insight.Query{Metric: "loss"}); other == first || other.Metric != "loss" {
		t.Error("another query got the first query's report")
	}
	refreshed, _ := m.analyze(runs(0.2), insight.Query{})
	if refreshed == first || refreshed.Noise.BestConfig != "c2" {
		t.Errorf("a new snapshot got the old report (best %q, want c2)", refreshed.Noise.BestConfig)
	}
	if _, err := m.analyze(old, insight.Query{Metric: "no_such_metric"}); mlexp.ErrorCode(err) != mlexp.EINVALID {
		t.Errorf("a bad query: %v, want invalid", err)
	}
	for range maxMemoReports + 1 {
		if _, err := m.analyze(runs(0.1), insight.Query{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(m.reports); n > maxMemoReports {
		t.Errorf("the memo holds %d reports, more than %d", n, maxMemoReports)
	}
}
