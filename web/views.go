package web

import (
	"encoding/csv"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp"
)

type summaryAnswer struct {
	*mlexp.Summary
	Experiment mlexp.ExperimentRef `json:"experiment"`
}

// handleSummary answers the experiments summary of a model: counts, best, deployed, recent.
func (s *server) handleSummary(w http.ResponseWriter, r *http.Request) {
	set, exp, err := s.experimentRuns(r.Context(), r)
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	q := r.URL.Query()
	recent, err := intParam(q.Get("recent"), "recent", 0, 100)
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	sum, err := mlexp.Summarize(set.Runs, q.Get("metric"), s.now(), recent)
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	s.respondJSON(w, r, http.StatusOK, summaryAnswer{Summary: sum, Experiment: exp})
}

type runsAnswer struct {
	mlexp.RunsPage
	Query      mlexp.RunsQuery     `json:"query"`
	Experiment mlexp.ExperimentRef `json:"experiment"`
}

// handleRuns answers a page of the runs table, or with format=csv every matching run.
func (s *server) handleRuns(w http.ResponseWriter, r *http.Request) {
	set, exp, err := s.experimentRuns(r.Context(), r)
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	q := r.URL.Query()
	cell, err := cellFilterOf(q, set.Runs) // the runs of one heatmap cell, when x/y are given
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	runs := cell.apply(set.Runs)
	rq := mlexp.RunsQuery{Type: q.Get("type"), Status: q.Get("status"), Search: q.Get("search"), Sort: q.Get("sort"), Order: q.Get("order")}
	if rq.Page, err = intParam(q.Get("page"), "page", 0, 1<<30); err == nil {
		rq.PageSize, err = intParam(q.Get("page_size"), "page_size", 0, mlexp.MaxPageSize)
	}
	if err == nil {
		err = rq.Check(runs)
	}
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	switch format := q.Get("format"); format {
	case "csv":
		writeRunsCSV(w, exp, mlexp.FilterRuns(runs, rq))
	case "", "json":
		s.respondJSON(w, r, http.StatusOK, runsAnswer{RunsPage: mlexp.QueryRuns(runs, rq), Query: rq, Experiment: exp})
	default:
		s.respondError(w, r, &mlexp.Error{Code: mlexp.EINVALID, Field: "format", Message: "format: " + strconv.Quote(format) + " is not one of json, csv",
			Details: map[string]any{"valid": []string{"json", "csv"}}})
	}
}

// writeRunsCSV streams runs as CSV: attributes, then one column per param and per metric.
// Cells that a spreadsheet would run as a formula are neutralised.
func writeRunsCSV(w http.ResponseWriter, exp mlexp.ExperimentRef, runs []mlexp.Run) {
	params, metrics := map[string]bool{}, map[string]bool{}
	for _, r := range runs {
		for k := range r.Params {
			params[k] = true
		}
		for k := range r.Metrics {
			metrics[k] = true
		}
	}
	paramCols, metricCols := sortedSet(params), sortedSet(metrics)
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+safeFilename(exp.ExperimentName)+`-runs.csv"`)
	h.Set("X-Content-Type-Options", "nosniff")
	cw := csv.NewWriter(w)
	header := []string{"run_id", "run_name", "run_type", "config_id", "config_name", "status", "start_time", "end_time",
		"duration_seconds", "cost_usd", "is_deployed", "failure_stage", "failure_reason"}
	for _, p := range paramCols {
		header = append(header, "params."+p)
	}
	for _, m := range metricCols {
		header = append(header, "metrics."+m)
	}
	_ = cw.Write(csvSafe(header))
	for _, r := range runs {
		row := []string{r.ID, r.Name, string(r.Type), r.ConfigID, r.ConfigName, r.Status, csvTime(r.Start), csvTime(r.End),
			csvDuration(r), csvCost(r.CostUSD), strconv.FormatBool(r.Deployed), "", ""}
		if r.Failure != nil {
			row[11], row[12] = r.Failure.Stage, r.Failure.Reason
		}
		for _, p := range paramCols {
			row = append(row, r.Params[p])
		}
		for _, m := range metricCols {
			v, ok := r.Metrics[m]
			cell := ""
			if ok {
				cell = strconv.FormatFloat(v, 'g', -1, 64)
			}
			row = append(row, cell)
		}
		_ = cw.Write(csvSafe(row))
	}
	cw.Flush()
}

// csvSafe prefixes with a quote every cell that starts like a formula (= + - @, tab, CR),
// unless it is a plain number.
func csvSafe(row []string) []string {
	for i, c := range row {
		if c == "" || !strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			continue
		}
		if _, err := strconv.ParseFloat(c, 64); err == nil {
			continue
		}
		row[i] = "'" + c
	}
	return row
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func csvDuration(r mlexp.Run) string {
	if d := r.Duration(); d > 0 {
		return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
	}
	return ""
}

func csvCost(c *float64) string {
	if c == nil {
		return ""
	}
	return strconv.FormatFloat(*c, 'f', -1, 64)
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, mlexp.NaturalCompare)
	return out
}

// safeFilename keeps letters, digits, '-', '_' and '.' of name.
func safeFilename(name string) string {
	b := []rune{}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b = append(b, r)
		case r == ' ':
			b = append(b, '_')
		}
	}
	if len(b) == 0 {
		return "experiment"
	}
	return string(b)
}

type parallelAnswer struct {
	*mlexp.Parallel
	Experiment mlexp.ExperimentRef `json:"experiment"`
}

// handleParallel answers parallel-coordinates data over chosen axes.
func (s *server) handleParallel(w http.ResponseWriter, r *http.Request) {
	set, exp, err := s.experimentRuns(r.Context(), r)
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	q := r.URL.Query()
	pq := mlexp.ParallelQuery{Metric: q.Get("metric"), RunType: q.Get("run_type")}
	for _, a := range strings.Split(q.Get("axes"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			pq.Axes = append(pq.Axes, a)
		}
	}
	if err := pq.Check(set.Runs); err != nil {
		s.respondError(w, r, err)
		return
	}
	s.respondJSON(w, r, http.StatusOK, parallelAnswer{Parallel: mlexp.BuildParallel(set.Runs, pq), Experiment: exp})
}

// compareRequest is the body of POST /api/experiments/compare/.
type compareRequest struct {
	RunIDs     []string `json:"run_ids"`
	BaselineID string   `json:"baseline_run_id,omitempty"`
	Metric     string   `json:"metric,omitempty"`
}

// handleCompare compares 2 to 50 runs by id, of any experiments.
func (s *server) handleCompare(w http.ResponseWriter, r *http.Request) {
	if s.runs == nil {
		s.respondError(w, r, errNotConfigured("reading MLflow"))
		return
	}
	req, err := decode[compareRequest](w, r)
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	if n := len(req.RunIDs); n < mlexp.MinCompareRuns || n > mlexp.MaxCompareRuns {
		s.respondError(w, r, mlexp.InvalidField("run_ids", "compare %d to %d runs, got %d", mlexp.MinCompareRuns, mlexp.MaxCompareRuns, n))
		return
	}
	runs, err := s.runs.RunsByID(r.Context(), req.RunIDs)
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	cmp, err := mlexp.CompareRuns(runs, mlexp.CompareOptions{BaselineID: req.BaselineID, Metric: req.Metric, Noise: s.noiseJudge(r.Context(), runs)})
	var e *mlexp.Error
	if errors.As(err, &e) && e.Field == "baseline" { // the API calls it baseline_run_id
		e.Field, e.Message = "baseline_run_id", strings.Replace(e.Message, "baseline", "baseline_run_id", 1)
	}
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	s.respondJSON(w, r, http.StatusOK, cmp)
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
