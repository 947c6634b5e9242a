package web

import (
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
	rep, err := insight.Analyze(set.Runs, iq)
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	s.respondJSON(w, r, http.StatusOK, insightsAnswer{Report: rep, Experiment: exp})
}
