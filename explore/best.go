package explore

import (
	"context"

	"github.com/mlexp-dev/mlexp"
)

// BestAnswer is the run of an experiment to deploy, with the experiment.
type BestAnswer struct {
	*mlexp.Best
	Experiment mlexp.ExperimentRef `json:"experiment"`
	MLMD       *BestLineage        `json:"mlmd,omitempty"` // with an ML Metadata store
}

// BestIn picks the run of experiment e to deploy by q (see mlexp.BestQuery) and opts; when
// no run passes the gates, the answer is not eligible and says why. With an ML Metadata
// store, the answer carries the blessings and pushes of the picked and the deployed run.
func (s *Service) BestIn(ctx context.Context, e *Experiment, q mlexp.BestQuery, opts ...BestOption) (*BestAnswer, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	o, err := s.bestOptions(opts)
	if err != nil {
		return nil, err
	}
	b, bl, err := s.selectBest(ctx, e.Ref.ModelID, e.Set.Runs, q, o)
	if err != nil {
		return nil, err
	}
	return &BestAnswer{Best: b, Experiment: e.Ref, MLMD: bl}, nil
}

// Best reads the experiment of t and picks its run to deploy.
func (s *Service) Best(ctx context.Context, t Target, q mlexp.BestQuery, opts ...BestOption) (*BestAnswer, error) {
	if err := q.Normalize(); err != nil { // a bad query is refused before MLflow is read
		return nil, err
	}
	if _, err := s.bestOptions(opts); err != nil {
		return nil, err
	}
	e, err := s.Open(ctx, t)
	if err != nil {
		return nil, err
	}
	return s.BestIn(ctx, e, q, opts...)
}
