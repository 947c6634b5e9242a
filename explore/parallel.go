package explore

import (
	"context"

	"github.com/mlexp-dev/mlexp"
)

// ParallelAnswer is the parallel-coordinates data of the experiment over chosen axes.
type ParallelAnswer struct {
	*mlexp.Parallel
	Experiment mlexp.ExperimentRef `json:"experiment"`
}

// Parallel checks q against the runs (filling in its defaults) and builds the chart's data.
func (e *Experiment) Parallel(q *mlexp.ParallelQuery) (*ParallelAnswer, error) {
	if err := q.Check(e.Set.Runs); err != nil {
		return nil, err
	}
	return &ParallelAnswer{Parallel: mlexp.BuildParallel(e.Set.Runs, *q), Experiment: e.Ref}, nil
}

// Parallel reads the experiment of t and builds the parallel coordinates of q.
func (s *Service) Parallel(ctx context.Context, t Target, q mlexp.ParallelQuery) (*ParallelAnswer, error) {
	e, err := s.Open(ctx, t)
	if err != nil {
		return nil, err
	}
	return e.Parallel(&q)
}
