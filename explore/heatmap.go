package explore

import (
	"context"

	"github.com/mlexp-dev/mlexp"
)

// HeatmapAnswer is a heatmap of the experiment.
type HeatmapAnswer struct {
	*mlexp.Heatmap
	Experiment mlexp.ExperimentRef `json:"experiment"`
}

// Heatmap checks q against the runs (filling in its defaults) and builds the heatmap.
func (e *Experiment) Heatmap(q *mlexp.HeatmapQuery) (*HeatmapAnswer, error) {
	if err := q.Check(e.Set.Runs); err != nil {
		return nil, err
	}
	return &HeatmapAnswer{Heatmap: mlexp.BuildHeatmap(e.Set.Runs, *q), Experiment: e.Ref}, nil
}

// Heatmap reads the experiment of t and builds the heatmap of q.
func (s *Service) Heatmap(ctx context.Context, t Target, q mlexp.HeatmapQuery) (*HeatmapAnswer, error) {
	e, err := s.Open(ctx, t)
	if err != nil {
		return nil, err
	}
	return e.Heatmap(&q)
}
