package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/chart"
)

type runsPage struct {
	Layout     pageLayout
	Exp        mlexp.ExperimentRef
	Action     string // the runs page's own path
	Cell       string // the heatmap cell the table is narrowed to
	ClearCell  string
	Types      []selectOption
	Statuses   []selectOption
	Sorts      []selectOption
	Orders     []selectOption
	Search     string
	KeepFilter []hiddenField // state the filter form carries through
	Columns    []runsColumn
	Rows       []runsRow
	Elsewhere  []string // selected runs not on this page, carried as hidden inputs
	Total      int
	Page       int
	Pages      int
	Prev, Next string
	CSVURL     string
	Parallel   parallelView
}

// runsColumn is a header of the runs table: a link that sorts by the column.
type runsColumn struct {
	Label, URL, Arrow string
	Num               bool // right-aligned, like its values
}

type runsRow struct {
	ID, Name, URL, Type, Status string
	Values                      []string
	Duration, Cost, Date, When  string
	Failed, Checked             bool
	Best, Deployed              bool
	PromoteURL                  string // the Promote button's form action; "" for no button
}

// tableMetricColumns are the metric columns of the runs table: the spec's Recall@100 and
// Recall@50, then Recall@10 and Loss; a chosen metric of another name comes first.
func tableMetricColumns(metric string) []string {
	cols := slices.Clone(mlexp.StandardMetrics)
	if !slices.Contains(cols, metric) {
		cols = append([]string{metric}, cols...)
	}
	return cols
}

// handleRunsPage renders the runs table of an experiment (filters, sortable columns,
// paging, selection for comparison) and its parallel-coordinates chart.
func (s *server) handleRunsPage(w http.ResponseWriter, r *http.Request) {
	set, exp, l, ok := s.experimentPage(w, r, "Runs", "runs")
	if !ok {
		return
	}
	var err error
	q := r.URL.Query()
	rq := mlexp.RunsQuery{Type: q.Get("type"), Status: q.Get("status"), Search: q.Get("search"), Sort: q.Get("sort"), Order: q.Get("order")}
	if rq.Page, err = intParam(q.Get("page"), "page", 0, 1<<30); err == nil {
		rq.PageSize, err = intParam(q.Get("page_size"), "page_size", 0, mlexp.MaxPageSize)
	}
	if err == nil {
		err = rq.Check(set.Runs)
	}
	cell, cerr := cellFilterOf(q, set.Runs)
	pq := mlexp.ParallelQuery{Axes: listParam(q, "axes"), Metric: q.Get("metric")}
	if err == nil {
		err = cerr
	}
	if err == nil {
		err = pq.Check(set.Runs)
	}
	var ranges []axisRange
	if err == nil {
		ranges, err = rangesOf(q, set.Runs, pq.Metric)
	}
	if err != nil {
		s.pageErrorIn(w, r, l, err)
		return
	}
	action := modelPath(exp.ModelID) + "runs/"
	p := runsPage{Layout: l, Exp: exp, Action: action, Search: rq.Search}
	if cell.active() {
		p.Cell = cell.label()
		p.ClearCell = withQuery(action, override(q, "x_axis", "", "x", "", "y_axis", "", "y", "", "page", ""))
	}
	p.Types = selectOptions([]string{mlexp.RunTypeAll, string(mlexp.QuickTestRun), string(mlexp.FullTrainingRun)}, rq.Type, func(v string) string {
		if v == mlexp.RunTypeAll {
			return "All Types"
		}
		return mlexp.RunType(v).Label()
	})
	p.Statuses = selectOptions([]string{"all", "finished", "failed", "running", "killed"}, rq.Status, func(v string) string {
		if v == "all" {
			return "Any status"
		}
		return strings.ToUpper(v[:1]) + v[1:]
	})
	metricCols := tableMetricColumns(pq.Metric)
	sortKeys := []string{mlexp.SortStartTime, mlexp.SortName, mlexp.SortRunType, mlexp.SortDuration, mlexp.SortCost}
	for _, m := range metricCols {
		sortKeys = append(sortKeys, "metrics."+m)
	}
	current := rq.Sort
	if !slices.Contains(sortKeys, current) && slices.Contains(sortKeys, "metrics."+current) {
		current = "metrics." + current
	}
	if !slices.Contains(sortKeys, current) {
		sortKeys = append(sortKeys, current)
	}
	p.Sorts = selectOptions(sortKeys, current, sortChoice)
	p.Orders = selectOptions([]string{"desc", "asc"}, rq.Order, func(v string) string {
		if v == "asc" {
			return "Ascending"
		}
		return "Descending"
	})
	p.KeepFilter = hiddenFields(q, "type", "status", "search", "sort", "order", "page")

	// The table.
	selected := listParam(q, "run_ids")
	base := cell.apply(set.Runs)
	page := mlexp.QueryRuns(base, rq)
	p.Total, p.Page, p.Pages = page.Total, page.Page, page.Pages
	for _, c := range []struct{ label, key, order string }{{"Run Name", mlexp.SortName, "asc"}, {"Type", mlexp.SortRunType, "asc"}} {
		p.Columns = append(p.Columns, sortColumn(action, q, c.label, c.key, c.order, current, rq.Order))
	}
	for _, m := range metricCols {
		order := "desc"
		if mlexp.LowerIsBetter(m) {
			order = "asc"
		}
		c := sortColumn(action, q, shortMetricLabel(m), "metrics."+m, order, current, rq.Order)
		c.Num = true
		p.Columns = append(p.Columns, c)
	}
	for _, c := range []struct{ label, key, order string }{
		{"Status", mlexp.SortStatus, "asc"}, {"Duration", mlexp.SortDuration, "desc"}, {"Cost", mlexp.SortCost, "desc"}, {"Date", mlexp.SortStartTime, "desc"},
	} {
		col := sortColumn(action, q, c.label, c.key, c.order, current, rq.Order)
		col.Num = c.key != mlexp.SortStatus
		p.Columns = append(p.Columns, col)
	}
	bestID := ""
	if sum, err := mlexp.Summarize(set.Runs, pq.Metric, s.now(), 1); err == nil && sum.Best != nil {
		bestID = sum.Best.RunID
	}
	now := s.now()
	for _, run := range page.Runs {
		row := runsRow{ID: run.ID, Name: run.Name, URL: runURL(run.ID), Type: shortTypeLabel(run.Type), Status: statusLabel(run.Status),
			Duration: mlexp.NoValue, Cost: mlexp.FormatCost(run.CostUSD), Date: mlexp.TimeAgo(run.Start, now), Failed: run.Failed(),
			Checked: slices.Contains(selected, run.ID), Best: run.ID == bestID, Deployed: run.Deployed}
		if run.Status == mlexp.RunFinished && !run.Deployed && run.Type != mlexp.QuickTestRun { // quick tests make no model
			row.PromoteURL = deployAction(run.ID)
		}
		if !run.Start.IsZero() {
			row.When = run.Start.UTC().Format("2006-01-02 15:04 UTC")
		}
		if d := run.Duration(); d > 0 {
			row.Duration = mlexp.FormatDuration(d)
		}
		for _, m := range metricCols {
			text := mlexp.NoValue
			if v, ok := run.Metric(m); ok {
				text = mlexp.FormatMetric(m, v)
			}
			row.Values = append(row.Values, text)
		}
		p.Rows = append(p.Rows, row)
	}
	for _, id := range selected {
		if !slices.ContainsFunc(page.Runs, func(r mlexp.Run) bool { return r.ID == id }) {
			p.Elsewhere = append(p.Elsewhere, id)
		}
	}
	if p.Page > 1 {
		p.Prev = withQuery(action, override(q, "page", strconv.Itoa(min(p.Page-1, max(p.Pages, 1)))))
	}
	if p.Page < p.Pages {
		p.Next = withQuery(action, override(q, "page", strconv.Itoa(p.Page+1)))
	}
	csv := url.Values{"format": {"csv"}}
	for _, k := range []string{"dataset_id", "type", "status", "search", "sort", "order", "x_axis", "x", "y_axis", "y"} {
		csv[k] = q[k]
	}
	csv.Set("dataset_id", exp.DatasetID)
	p.CSVURL = withQuery("/api/models/"+url.PathEscape(exp.ModelID)+"/experiments/runs/", csv)

	// The parallel-coordinates chart: the runs of the table's filters (every page), of
	// which those within the ranges are drawn.
	filtered := mlexp.FilterRuns(base, rq)
	all := mlexp.BuildParallel(filtered, pq)
	shown := all
	if len(ranges) > 0 {
		shown = mlexp.BuildParallel(filterRanges(filtered, ranges, pq.Metric), pq)
	}
	p.Parallel = s.parallelView(q, action, set.Runs, pq, all, shown, ranges)
	if len(shown.Lines) > 0 {
		svg, err := chart.ParallelSVG(shown, chart.SVGOptions{})
		if err != nil {
			s.pageErrorIn(w, r, p.Layout, err)
			return
		}
		p.Parallel.SVG = inlineSVG(svg)
	}
	s.render(w, r, http.StatusOK, viewRuns, p)
}

// sortColumn is a header that sorts by key: the other way round when it already does.
func sortColumn(action string, q url.Values, label, key, defaultOrder, current, order string) runsColumn {
	c := runsColumn{Label: label}
	next := defaultOrder
	if current == key {
		c.Arrow = "▼"
		if order == "asc" {
			c.Arrow = "▲"
		}
		next = map[string]string{"asc": "desc", "desc": "asc"}[order]
	}
	c.URL = withQuery(action, override(q, "sort", key, "order", next, "page", ""))
	return c
}

func sortChoice(key string) string {
	if m, ok := strings.CutPrefix(key, "metrics."); ok {
		return mlexp.MetricLabel(m)
	}
	switch key {
	case mlexp.SortStartTime:
		return "Date"
	case mlexp.SortName:
		return "Run name"
	case mlexp.SortRunType:
		return "Type"
	case mlexp.SortDuration:
		return "Duration"
	case mlexp.SortCost:
		return "Cost"
	}
	return key
}

// shortMetricLabel is a column header: "R@100" for recall_at_100.
func shortMetricLabel(m string) string {
	if k, ok := strings.CutPrefix(m, "recall_at_"); ok {
		return "R@" + k
	}
	return mlexp.MetricLabel(m)
}

func shortTypeLabel(t mlexp.RunType) string {
	switch t {
	case mlexp.QuickTestRun:
		return "Quick"
	case mlexp.FullTrainingRun:
		return "Full"
	}
	return t.Label()
}

func statusLabel(status string) string {
	if status == "" {
		return mlexp.NoValue
	}
	return strings.ToUpper(status[:1]) + strings.ToLower(status[1:])
}
