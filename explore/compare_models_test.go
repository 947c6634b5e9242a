package explore

import (
	"context"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/fakesource"
)

// fakeModels says every run's model is a logged model named after it.
type fakeModels struct{}

func (fakeModels) RunModel(_ context.Context, runID string) (*mlexp.RunModel, error) {
	return &mlexp.RunModel{URI: "models:/m-" + runID, Source: mlexp.ModelSourceLoggedModel}, nil
}

// TestComparisonShowsEachFullTrainingsModel checks that a comparison says what each compared
// full training would deploy, and where MLflow records it; quick tests make no model.
func TestComparisonShowsEachFullTrainingsModel(t *testing.T) {
	src := fakesource.New()
	quick := mlexp.Run{ID: "q", Type: mlexp.QuickTestRun, Status: mlexp.RunFinished, Metrics: mlexp.NewMetricValues(map[string]float64{"recall_at_100": 0.4})}
	full := mlexp.Run{ID: "f", Type: mlexp.FullTrainingRun, Status: mlexp.RunFinished, Metrics: mlexp.NewMetricValues(map[string]float64{"recall_at_100": 0.45})}
	src.Add("m", "d", "7", quick, full)
	s := New(Deps{Runs: src, RunModels: fakeModels{}})
	c, err := s.Compare(context.Background(), CompareRequest{RunIDs: []string{"q", "f"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Runs[0].Model != nil {
		t.Errorf("a quick test has a model: %+v", c.Runs[0].Model)
	}
	if m := c.Runs[1].Model; m == nil || m.URI != "models:/m-f" || m.Source != mlexp.ModelSourceLoggedModel {
		t.Errorf("the full training's model: %+v", m)
	}
	without, err := New(Deps{Runs: src}).Compare(context.Background(), CompareRequest{RunIDs: []string{"q", "f"}})
	if err != nil || without.Runs[1].Model != nil {
		t.Errorf("without a model reader: %+v, %v", without.Runs[1].Model, err)
	}
}
