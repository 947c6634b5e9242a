package explore

import (
	"context"

	"github.com/mlexp-dev/mlexp"
)

// SummaryAnswer is the experiments summary of a model: counts, best, deployed, recent runs.
type SummaryAnswer struct {
	*mlexp.Summary
	Experiment mlexp.ExperimentRef `json:"experiment"`
}

// ExperimentRef says which experiment the answer is about.
func (a *SummaryAnswer) ExperimentRef() mlexp.ExperimentRef { return a.Experiment }

// Summary summarises the experiment on metric ("" for the default) with its recent runs
// (0 for the default number).
func (e *Experiment) Summary(metric string, recent int) (*SummaryAnswer, error) {
	sum, err := mlexp.Summarize(e.Set.Runs, metric, e.now, recent)
	if err != nil {
		return nil, err
	}
	return &SummaryAnswer{Summary: sum, Experiment: e.Ref}, nil
}

// Summary reads the experiment of t and summarises it.
func (s *Service) Summary(ctx context.Context, t Target, metric string, recent int) (*SummaryAnswer, error) {
	e, err := s.Open(ctx, t)
	if err != nil {
		return nil, err
	}
	return e.Summary(metric, recent)
}
