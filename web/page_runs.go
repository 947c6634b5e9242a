package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/chart"
	"github.com/mlexp-dev/mlexp/explore"
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
	e, l, ok := s.experimentPage(w, r, "Runs", "runs")
	if !ok {
		return
	}
	q := r.URL.Query()
	v, err := readRunsView(q, e)
	if err != nil {
		s.pageErrorIn(w, r, l, err)
		return
	}
	action := modelPath(e.Ref.ModelID) + "runs/"
	p := &runsPage{Layout: l, Exp: e.Ref, Action: action, Search: v.req.Query.Search}
	p.filters(q, v)
	p.table(q, v, e, s.now())
	if err := s.drawParallel(p, q, v, e); err != nil {
		s.pageErrorIn(w, r, p.Layout, err)
		return
	}
	s.render(w, r, http.StatusOK, viewRuns, p)
}

// runsView is what a runs page asks for: the table's query and cell, the chart's query and
// ranges, and the runs the cell and filters leave.
type runsView struct {
	req     explore.RunsRequest
	pq      mlexp.ParallelQuery
	ranges  []explore.Range
	base    []mlexp.Run // the runs of the cell
	current string      // the sort key, as the table's columns name it
	metrics []string    // the table's metric columns
}

// readRunsView reads and checks the parameters of a runs page against e's runs. It deletes
// from q the ranges on a metric or axis the chart no longer shows (explore.DropStaleRanges),
// so that the page's links and forms leave them out too.
func readRunsView(q url.Values, e *explore.Experiment) (*runsView, error) {
	req, err := runsRequestOf(q)
	if err != nil {
		return nil, err
	}
	v := &runsView{req: req, pq: mlexp.ParallelQuery{Axes: listParam(q, "axes"), Metric: q.Get("metric")}}
	if v.base, err = e.Matching(&v.req); err != nil {
		return nil, err
	}
	if err := v.pq.Check(e.All()); err != nil {
		return nil, err
	}
	explore.DropStaleRanges(q, e.All(), append(slices.Clone(v.pq.Axes), v.pq.Metric))
	if v.ranges, err = explore.RangesOf(q, e.All(), v.pq.Metric); err != nil {
		return nil, err
	}
	v.metrics = tableMetricColumns(v.pq.Metric)
	return v, nil
}

// filters lays out the filter form: cell, type, status, sort and order.
func (p *runsPage) filters(q url.Values, v *runsView) {
	rq := v.req.Query
	if v.req.Cell.Active() {
		p.Cell = v.req.Cell.Label()
		p.ClearCell = withQuery(p.Action, override(q, "x_axis", "", "x", "", "y_axis", "", "y", "", "page", ""))
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
	sortKeys := []string{mlexp.SortStartTime, mlexp.SortName, mlexp.SortRunType, mlexp.SortDuration, mlexp.SortCost}
	for _, m := range v.metrics {
		sortKeys = append(sortKeys, "metrics."+m)
	}
	v.current = rq.Sort
	if !slices.Contains(sortKeys, v.current) && slices.Contains(sortKeys, "metrics."+v.current) {
		v.current = "metrics." + v.current
	}
	if !slices.Contains(sortKeys, v.current) {
		sortKeys = append(sortKeys, v.current)
	}
	p.Sorts = selectOptions(sortKeys, v.current, sortChoice)
	p.Orders = selectOptions([]string{"desc", "asc"}, rq.Order, func(v string) string {
		if v == "asc" {
			return "Ascending"
		}
		return "Descending"
	})
	p.KeepFilter = hiddenFields(q, "type", "status", "search", "sort", "order", "page")
}

// table lays out the page of the table: its sortable columns, its rows (the runs within the
// chart's ranges), the runs selected elsewhere, paging and the CSV export of the same runs.
func (p *runsPage) table(q url.Values, v *runsView, e *explore.Experiment, now time.Time) {
	rq := v.req.Query
	selected := listParam(q, "run_ids")
	page := mlexp.QueryRuns(explore.FilterRanges(v.base, v.ranges, v.pq.Metric), rq)
	p.Total, p.Page, p.Pages = page.Total, page.Page, page.Pages
	p.columns(q, v)
	bestID := ""
	if sum, err := mlexp.Summarize(e.All(), v.pq.Metric, now, 1); err == nil && sum.Best != nil {
		bestID = sum.Best.RunID
	}
	for _, run := range page.Runs {
		p.Rows = append(p.Rows, runsRowOf(run, v.metrics, now, slices.Contains(selected, run.ID), run.ID == bestID))
	}
	for _, id := range selected {
		if !slices.ContainsFunc(page.Runs, func(r mlexp.Run) bool { return r.ID == id }) {
			p.Elsewhere = append(p.Elsewhere, id)
		}
	}
	if p.Page > 1 {
		p.Prev = withQuery(p.Action, override(q, "page", strconv.Itoa(min(p.Page-1, max(p.Pages, 1)))))
	}
	if p.Page < p.Pages {
		p.Next = withQuery(p.Action, override(q, "page", strconv.Itoa(p.Page+1)))
	}
	csv := url.Values{"format": {"csv"}}
	for _, k := range []string{"dataset_id", "type", "status", "search", "sort", "order", "x_axis", "x", "y_axis", "y"} {
		csv[k] = q[k]
	}
	for _, rg := range v.ranges {
		csv.Set(explore.RangePrefix+rg.Axis, rg.Text())
	}
	csv.Set("dataset_id", e.Ref.DatasetID)
	p.CSVURL = withQuery("/api/models/"+url.PathEscape(e.Ref.ModelID)+"/experiments/runs/", csv)
}

// columns are the table's headers, each a link that sorts by it.
func (p *runsPage) columns(q url.Values, v *runsView) {
	order := v.req.Query.Order
	for _, c := range []struct{ label, key, order string }{{"Run Name", mlexp.SortName, "asc"}, {"Type", mlexp.SortRunType, "asc"}} {
		p.Columns = append(p.Columns, sortColumn(p.Action, q, c.label, c.key, c.order, v.current, order))
	}
	for _, m := range v.metrics {
		first := "desc"
		if mlexp.LowerIsBetter(m) {
			first = "asc"
		}
		c := sortColumn(p.Action, q, mlexp.MetricShortLabel(m), "metrics."+m, first, v.current, order)
		c.Num = true
		p.Columns = append(p.Columns, c)
	}
	for _, c := range []struct{ label, key, order string }{
		{"Status", mlexp.SortStatus, "asc"}, {"Duration", mlexp.SortDuration, "desc"}, {"Cost", mlexp.SortCost, "desc"}, {"Date", mlexp.SortStartTime, "desc"},
	} {
		col := sortColumn(p.Action, q, c.label, c.key, c.order, v.current, order)
		col.Num = c.key != mlexp.SortStatus
		p.Columns = append(p.Columns, col)
	}
}

// runsRowOf is a row of the table: run's metrics in the columns of metrics, and a Promote
// button on a finished full training that is not deployed (quick tests make no model).
func runsRowOf(run mlexp.Run, metrics []string, now time.Time, checked, best bool) runsRow {
	row := runsRow{ID: run.ID, Name: run.Name, URL: runURL(run.ID), Type: run.Type.ShortLabel(), Status: mlexp.StatusLabel(run.Status),
		Duration: mlexp.NoValue, Cost: mlexp.FormatCost(run.CostUSD), Date: mlexp.TimeAgo(run.Start, now), Failed: run.Failed(),
		Checked: checked, Best: best, Deployed: run.Deployed}
	if run.Status == mlexp.RunFinished && !run.Deployed && run.Type != mlexp.QuickTestRun {
		row.PromoteURL = deployAction(run.ID)
	}
	if !run.Start.IsZero() {
		row.When = run.Start.UTC().Format("2006-01-02 15:04 UTC")
	}
	if d := run.Duration(); d > 0 {
		row.Duration = mlexp.FormatDuration(d)
	}
	for _, m := range metrics {
		text := mlexp.NoValue
		if v, ok := run.Metric(m); ok {
			text = mlexp.FormatMetric(m, v)
		}
		row.Values = append(row.Values, text)
	}
	return row
}

// drawParallel adds the parallel-coordinates chart: the runs of the table's filters (every
// page), of which those within the ranges are drawn.
func (s *server) drawParallel(p *runsPage, q url.Values, v *runsView, e *explore.Experiment) error {
	filtered := mlexp.FilterRuns(v.base, v.req.Query)
	all := mlexp.BuildParallel(filtered, v.pq)
	shown := all
	if len(v.ranges) > 0 {
		shown = mlexp.BuildParallel(explore.FilterRanges(filtered, v.ranges, v.pq.Metric), v.pq)
	}
	p.Parallel = s.parallelView(q, p.Action, e.All(), v.pq, all, shown, v.ranges)
	if len(shown.Lines) == 0 {
		return nil
	}
	svg, err := chart.ParallelSVG(shown, chart.SVGOptions{})
	if err != nil {
		return err
	}
	p.Parallel.SVG = inlineSVG(svg)
	return nil
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
