package explore

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/fakesource"
	"github.com/mlexp-dev/mlexp/internal/sample"
)

func fakeService() (*Service, *fakesource.Source) {
	src := fakesource.New()
	src.Add("m", "d", "7", sample.AxisRuns()...)
	return New(Deps{Runs: src, MLflowUIURL: "http://mlflow.example/"}), src
}

func TestAnswersCarryTheirExperiment(t *testing.T) {
	s, _ := fakeService()
	ctx := context.Background()
	h, err := s.Heatmap(ctx, Target{ModelID: "m"}, mlexp.HeatmapQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if h.Experiment.ExperimentID != "7" || h.Experiment.MLflowURL != "http://mlflow.example/#/experiments/7/runs" || h.XAxis.Name != "embedding_dims" {
		t.Errorf("heatmap answer %+v", h.Experiment)
	}
	sum, err := s.Summary(ctx, Target{ModelID: "m", DatasetID: "d"}, "", 0)
	if err != nil || sum.QuickTests != 4 || sum.Experiment.DatasetID != "d" {
		t.Errorf("summary %+v, %v", sum, err)
	}
	runs, err := s.Runs(ctx, Target{ModelID: "m"}, RunsRequest{Cell: Cell{XAxis: "embedding_dims", X: "64/64"}})
	if err != nil || runs.Total != 2 || runs.Query.Page != 1 {
		t.Errorf("runs of a cell: %+v, %v", runs, err)
	}
}

func TestQueriesAreCheckedBeforeMLflowIsRead(t *testing.T) {
	s, src := fakeService()
	src.Down(errors.New("never read"))
	if _, err := s.Best(context.Background(), Target{ModelID: "m"}, mlexp.BestQuery{RunType: "deployed"}); mlexp.ErrorCode(err) != mlexp.EINVALID {
		t.Errorf("a bad best query: %v, want invalid", err)
	}
	if _, err := s.Compare(context.Background(), CompareRequest{RunIDs: []string{"a"}}); mlexp.ErrorCode(err) != mlexp.EINVALID {
		t.Errorf("one run to compare: %v, want invalid", err)
	}
}

func TestMissingDependenciesAreNotConfigured(t *testing.T) {
	s := New(Deps{})
	ctx := context.Background()
	for name, err := range map[string]error{
		"models":  second(s.Models(ctx)),
		"open":    second(s.Open(ctx, Target{ModelID: "m"})),
		"compare": second(s.Compare(ctx, CompareRequest{RunIDs: []string{"a", "b"}})),
		"attach":  second(s.Attach(ctx, "m", AttachRequest{Experiment: "1"})),
		"lineage": second(s.Lineage(ctx, "r")),
	} {
		if mlexp.UnavailableDependency(err) != mlexp.DependencyNone {
			t.Errorf("%s without its dependency: %v", name, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestLinks(t *testing.T) {
	s, _ := fakeService()
	l, err := s.Links(context.Background(), LinksRequest{RunID: "a", RunIDs: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if l.ExperimentURL != "http://mlflow.example/#/experiments/7/runs" || l.RunURL != "http://mlflow.example/#/experiments/7/runs/a" ||
		!strings.Contains(l.CompareURL, "compare-runs?runs=%5B%22a%22%2C%22b%22%5D&experiments=%5B%227%22%5D") {
		t.Errorf("links %+v", l)
	}
	if _, err := s.Links(context.Background(), LinksRequest{RunID: "nope"}); mlexp.ErrorCode(err) != mlexp.ENOTFOUND {
		t.Errorf("an unknown run: %v", err)
	}
}

// TestHeatmapOncePerSnapshot checks that a heatmap is built once per snapshot and query, so
// that a warm request does not go over every run again.
func TestHeatmapOncePerSnapshot(t *testing.T) {
	s, _ := fakeService()
	e, err := s.Open(context.Background(), Target{ModelID: "m"})
	if err != nil {
		t.Fatal(err)
	}
	first, err := e.Heatmap(&mlexp.HeatmapQuery{})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := e.Heatmap(&mlexp.HeatmapQuery{Metric: "recall_at_100", XAxis: "embedding_dims"}) // the same, defaults spelled out
	other, _ := e.Heatmap(&mlexp.HeatmapQuery{Agg: mlexp.AggMean})
	if again.Heatmap != first.Heatmap {
		t.Error("the same snapshot and query built the heatmap twice")
	}
	if other.Heatmap == first.Heatmap || other.Agg != mlexp.AggMean {
		t.Error("another query got the first query's heatmap")
	}
}
