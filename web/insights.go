package web

import (
	"context"
	"net/http"
	"net/url"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/insight"
)

// insightsAnswer is the insights report of an experiment, with the experiment.
type insightsAnswer struct {
	*insight.Report
	Experiment mlexp.ExperimentRef `json:"experiment"`
}

// insightQueryOf reads the insights parameters of a query (the API's names).
func insightQueryOf(q url.Values) (insight.Query, error) {
	limit, err := intParam(q.Get("limit"), "limit", 1, insight.MaxNextLimit)
	return insight.Query{Metric: q.Get("metric"), DatasetID: q.Get("dataset_id"), RunType: q.Get("run_type"),
		XAxis: q.Get("x_axis"), YAxis: q.Get("y_axis"), Agg: q.Get("agg"), Limit: limit}, err
}

// handleInsights answers whether the experiment's results can be decided on: quick-test
// fidelity, the noise-aware ranking of configs, and parameter effects (see docs/insights.md).
func (s *server) handleInsights(w http.ResponseWriter, r *http.Request) {
	set, exp, err := s.experimentRuns(r.Context(), r)
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	iq, err := insightQueryOf(r.URL.Query())
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	rep, err := insightsOf(set, iq)
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	s.respondJSON(w, r, http.StatusOK, insightsAnswer{Report: rep, Experiment: exp})
}

// noiseJudge judges run-to-run noise from the repeated quick tests of the experiment of the
// compared runs, so that a comparison can ask for replicates before a full training. It is
// nil when the runs span several experiments or that experiment cannot be read: the
// comparison then follows its plain rule.
func (s *server) noiseJudge(ctx context.Context, runs []mlexp.Run) mlexp.NoiseJudge {
	if s.runs == nil || len(runs) == 0 {
		return nil
	}
	for _, r := range runs {
		if r.ExperimentID != runs[0].ExperimentID {
			return nil
		}
	}
	set, err := s.runs.Runs(ctx, runs[0].ExperimentID)
	if err != nil {
		return nil
	}
	return insight.NewNoiseJudge(set.Runs)
}

// insightsOf returns the insights of a snapshot for q, analysed once per snapshot and query
// (mlexp.RunSet.Derive), so that the dashboard's cards, the Insights page and the API share
// one analysis (about 0.1 s for 10,000 runs, BenchmarkAnalyze10k) instead of one per request,
// kept with the snapshot and gone with it.
func insightsOf(set *mlexp.RunSet, q insight.Query) (*insight.Report, error) {
	if err := q.Check(set.Runs); err != nil { // defaults filled in: one key per analysis
		return nil, err
	}
	q.DatasetID = "" // the snapshot is the dataset's experiment
	v, err := set.Derive(insightsKey{q}, func() (any, error) { return insight.Analyze(set.Runs, q) })
	if err != nil {
		return nil, err
	}
	return v.(*insight.Report), nil
}

// insightsKey names an insights report among what is derived from a snapshot.
type insightsKey struct{ q insight.Query }
