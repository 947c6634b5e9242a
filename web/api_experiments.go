package web

import (
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/explore"
	"github.com/mlexp-dev/mlexp/insight"
)

// The API of one experiment: /api/models/{model_id}/experiments/… with dataset_id in the
// query. Each handler reads its parameters and asks package explore.

// targetOf names the experiment a request asks for.
func targetOf(r *http.Request) explore.Target {
	return explore.Target{ModelID: r.PathValue("model_id"), DatasetID: r.URL.Query().Get("dataset_id")}
}

// handleSummary answers the experiments summary of a model: counts, best, deployed, recent.
func (s *server) handleSummary(w http.ResponseWriter, r *http.Request) (any, error) {
	q := r.URL.Query()
	recent, err := intParam(q.Get("recent"), "recent", 0, 100)
	if err != nil {
		return nil, err
	}
	return s.explore.Summary(r.Context(), targetOf(r), q.Get("metric"), recent)
}

// heatmapQueryOf reads the heatmap parameters of a query (the API's names).
func heatmapQueryOf(q url.Values) mlexp.HeatmapQuery {
	return mlexp.HeatmapQuery{Metric: q.Get("metric"), XAxis: q.Get("x_axis"), YAxis: q.Get("y_axis"), RunType: q.Get("run_type"), Agg: q.Get("agg")}
}

func (s *server) handleHeatmap(w http.ResponseWriter, r *http.Request) (any, error) {
	return s.explore.Heatmap(r.Context(), targetOf(r), heatmapQueryOf(r.URL.Query()))
}

// runsRequestOf reads the runs-table parameters of a query (the API's names).
func runsRequestOf(q url.Values) (explore.RunsRequest, error) {
	rq := mlexp.RunsQuery{Type: q.Get("type"), Status: q.Get("status"), Search: q.Get("search"), Sort: q.Get("sort"), Order: q.Get("order")}
	var err error
	if rq.Page, err = intParam(q.Get("page"), "page", 0, 1<<30); err == nil {
		rq.PageSize, err = intParam(q.Get("page_size"), "page_size", 0, mlexp.MaxPageSize)
	}
	return explore.RunsRequest{Query: rq, Cell: explore.CellOf(q)}, err
}

// handleRuns answers a page of the runs table, or with format=csv every matching run.
func (s *server) handleRuns(w http.ResponseWriter, r *http.Request) (any, error) {
	q := r.URL.Query()
	format := q.Get("format")
	if format != "" && format != "json" && format != "csv" {
		return nil, &mlexp.Error{Code: mlexp.EINVALID, Field: "format", Message: "format: " + strconv.Quote(format) + " is not one of json, csv",
			Details: map[string]any{"valid": []string{"json", "csv"}}}
	}
	req, err := runsRequestOf(q)
	if err != nil {
		return nil, err
	}
	e, err := s.explore.Open(r.Context(), targetOf(r))
	if err != nil {
		return nil, err
	}
	if req.Ranges, err = explore.RangesOf(q, e.All(), ""); err != nil {
		return nil, err
	}
	if format != "csv" {
		return e.Runs(req)
	}
	runs, err := e.Export(req)
	if err != nil {
		return nil, err
	}
	return download{contentType: "text/csv; charset=utf-8", filename: safeFilename(e.Ref.ExperimentName) + "-runs.csv",
		write: func(w io.Writer) error { return runsCSV(w, runs) }}, nil
}

// handleParallel answers parallel-coordinates data over chosen axes.
func (s *server) handleParallel(w http.ResponseWriter, r *http.Request) (any, error) {
	q := r.URL.Query()
	return s.explore.Parallel(r.Context(), targetOf(r), mlexp.ParallelQuery{Metric: q.Get("metric"), RunType: q.Get("run_type"), Axes: mlexp.SplitList(q.Get("axes"))})
}

// insightQueryOf reads the insights parameters of a query (the API's names).
func insightQueryOf(q url.Values) (insight.Query, error) {
	limit, err := intParam(q.Get("limit"), "limit", 1, insight.MaxNextLimit)
	return insight.Query{Metric: q.Get("metric"), DatasetID: q.Get("dataset_id"), RunType: q.Get("run_type"),
		XAxis: q.Get("x_axis"), YAxis: q.Get("y_axis"), Agg: q.Get("agg"), Limit: limit}, err
}

// handleInsights answers whether the experiment's results can be decided on: quick-test
// fidelity, the noise-aware ranking of configs, and parameter effects (see docs/insights.md).
func (s *server) handleInsights(w http.ResponseWriter, r *http.Request) (any, error) {
	iq, err := insightQueryOf(r.URL.Query())
	if err != nil {
		return nil, err
	}
	return s.explore.Insights(r.Context(), targetOf(r), iq)
}

// bestQueryOf reads the selection's parameters; a bad one is EINVALID naming it.
func bestQueryOf(q url.Values) (mlexp.BestQuery, error) {
	bq := mlexp.BestQuery{Metric: q.Get("metric"), RunType: q.Get("run_type")}
	for _, p := range []struct {
		name string
		dst  **float64
	}{{"min_value", &bq.MinValue}, {"max_value", &bq.MaxValue}} {
		if v := q.Get(p.name); v != "" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return bq, mlexp.InvalidField(p.name, "%q is not a number", v)
			}
			*p.dst = &f
		}
	}
	switch v := q.Get("require_finished"); v {
	case "", "true":
	case "false":
		bq.AllowRunning = true
	default:
		return bq, mlexp.InvalidField("require_finished", "%q is not true or false", v)
	}
	return bq, nil
}

// handleBest answers the run of the experiment to deploy.
func (s *server) handleBest(w http.ResponseWriter, r *http.Request) (any, error) {
	bq, err := bestQueryOf(r.URL.Query())
	if err != nil {
		return nil, err
	}
	var opts []explore.BestOption
	switch v := r.URL.Query().Get("require_blessing"); v {
	case "", "false":
	case "true":
		opts = append(opts, explore.RequireBlessing())
	default:
		return nil, mlexp.InvalidField("require_blessing", "%q is not true or false", v)
	}
	return s.explore.Best(r.Context(), targetOf(r), bq, opts...)
}

// intParam parses an optional whole-number query parameter within [lo, hi]; "" is 0.
func intParam(v, field string, lo, hi int) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, mlexp.InvalidField(field, "must be a whole number from %d to %d, got %q", lo, hi, v)
	}
	return n, nil
}
