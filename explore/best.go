package explore

import (
	"context"

	"github.com/mlexp-dev/mlexp"
)

// BestAnswer is the run of an experiment to deploy, with the experiment.
type BestAnswer struct {
	*mlexp.Best
	Experiment mlexp.ExperimentRef `json:"experiment"`
}

// BestIn picks the run of experiment e to deploy by q (see mlexp.BestQuery); when no run
// passes the gates, the answer is not eligible and says why.
func (s *Service) BestIn(ctx context.Context, e *Experiment, q mlexp.BestQuery) (*BestAnswer, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	b, err := s.best.SelectBest(ctx, e.Ref.ModelID, e.Set.Runs, q)
	if err != nil {
		return nil, err
	}
	return &BestAnswer{Best: b, Experiment: e.Ref}, nil
}

// Best reads the experiment of t and picks its run to deploy.
func (s *Service) Best(ctx context.Context, t Target, q mlexp.BestQuery) (*BestAnswer, error) {
	if err := q.Normalize(); err != nil { // a bad query is refused before MLflow is read
		return nil, err
	}
	e, err := s.Open(ctx, t)
	if err != nil {
		return nil, err
	}
	return s.BestIn(ctx, e, q)
}
