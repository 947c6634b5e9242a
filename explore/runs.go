package explore

import (
	"context"

	"github.com/mlexp-dev/mlexp"
)

// RunsRequest asks for a page of the runs table, optionally narrowed to a heatmap cell.
type RunsRequest struct {
	Query  mlexp.RunsQuery
	Cell   Cell
	Ranges []Range // the parallel-coordinates ranges (RangesOf), which the runs must lie within
}

// RunsAnswer is a page of the runs table with the query it answers (defaults filled in).
type RunsAnswer struct {
	mlexp.RunsPage
	Query      mlexp.RunsQuery     `json:"query"`
	Experiment mlexp.ExperimentRef `json:"experiment"`
}

// Matching checks req against the experiment's runs (filling in the query's defaults) and
// returns the runs of its cell within its ranges: the runs the query filters, sorts and pages. A sort key is
// valid when any run of the experiment has it, so that every cell of a heatmap links to a
// runs table sorted by the heatmap's metric.
func (e *Experiment) Matching(req *RunsRequest) ([]mlexp.Run, error) {
	if err := req.Query.Check(e.Set.Runs); err != nil {
		return nil, err
	}
	if err := req.Cell.Check(e.Set.Runs); err != nil {
		return nil, err
	}
	return FilterRanges(req.Cell.Apply(e.Set.Runs), req.Ranges, ""), nil
}

// Runs answers a page of the runs table.
func (e *Experiment) Runs(req RunsRequest) (*RunsAnswer, error) {
	runs, err := e.Matching(&req)
	if err != nil {
		return nil, err
	}
	return &RunsAnswer{RunsPage: mlexp.QueryRuns(runs, req.Query), Query: req.Query, Experiment: e.Ref}, nil
}

// Export returns every run that req matches, sorted, unpaged: the rows of a CSV export.
func (e *Experiment) Export(req RunsRequest) ([]mlexp.Run, error) {
	runs, err := e.Matching(&req)
	if err != nil {
		return nil, err
	}
	return mlexp.FilterRuns(runs, req.Query), nil
}

// Runs reads the experiment of t and answers a page of its runs table.
func (s *Service) Runs(ctx context.Context, t Target, req RunsRequest) (*RunsAnswer, error) {
	e, err := s.Open(ctx, t)
	if err != nil {
		return nil, err
	}
	return e.Runs(req)
}
