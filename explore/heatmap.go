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

// ExperimentRef says which experiment the answer is about.
func (a *HeatmapAnswer) ExperimentRef() mlexp.ExperimentRef { return a.Experiment }

// Heatmap checks q against the runs (filling in its defaults) and builds the heatmap, once
// per snapshot and query (mlexp.RunSet.Derive): a warm request costs no pass over the runs,
// whatever their number. Callers must not modify the heatmap.
func (e *Experiment) Heatmap(q *mlexp.HeatmapQuery) (*HeatmapAnswer, error) {
	if err := q.Check(e.Set.Runs); err != nil {
		return nil, err
	}
	runs, hq := e.Set.Runs, *q
	v, err := e.Set.Derive(heatmapKey{hq}, func() (any, error) { return mlexp.BuildHeatmap(runs, hq), nil })
	if err != nil {
		return nil, err
	}
	return &HeatmapAnswer{Heatmap: v.(*mlexp.Heatmap), Experiment: e.Ref}, nil
}

// heatmapKey names a heatmap among what is derived from a snapshot.
type heatmapKey struct{ q mlexp.HeatmapQuery }

// Heatmap reads the experiment of t and builds the heatmap of q.
func (s *Service) Heatmap(ctx context.Context, t Target, q mlexp.HeatmapQuery) (*HeatmapAnswer, error) {
	e, err := s.Open(ctx, t)
	if err != nil {
		return nil, err
	}
	return e.Heatmap(&q)
}
