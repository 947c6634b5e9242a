package explore

import (
	"context"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/insight"
)

// InsightsAnswer is the insights report of an experiment (see docs/insights.md).
type InsightsAnswer struct {
	*insight.Report
	Experiment mlexp.ExperimentRef `json:"experiment"`
}

// Insights answers whether the experiment's results can be decided on: quick-test fidelity,
// the noise-aware ranking of configs, parameter effects, what to try next, cost and
// failures. The report is analysed once per snapshot and query (mlexp.RunSet.Derive), so
// that the dashboard's cards, the Insights page and the API share one analysis (about 0.1 s
// for 10,000 runs, BenchmarkAnalyze10k) instead of one per request, kept with the snapshot
// and gone with it.
func (e *Experiment) Insights(q insight.Query) (*InsightsAnswer, error) {
	if err := q.Check(e.Set.Runs); err != nil { // defaults filled in: one key per analysis
		return nil, err
	}
	q.DatasetID = "" // the snapshot is the dataset's experiment
	v, err := e.Set.Derive(insightsKey{q}, func() (any, error) { return insight.Analyze(e.Set.Runs, q) })
	if err != nil {
		return nil, err
	}
	return &InsightsAnswer{Report: v.(*insight.Report), Experiment: e.Ref}, nil
}

// insightsKey names an insights report among what is derived from a snapshot.
type insightsKey struct{ q insight.Query }

// Insights reads the experiment of t and answers its insights for q.
func (s *Service) Insights(ctx context.Context, t Target, q insight.Query) (*InsightsAnswer, error) {
	e, err := s.Open(ctx, t)
	if err != nil {
		return nil, err
	}
	return e.Insights(q)
}
