package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/chart"
	"github.com/mlexp-dev/mlexp/explore"
	"github.com/mlexp-dev/mlexp/insight"
)

// recentOnDashboard is how many recent runs the dashboard lists.
const recentOnDashboard = 8

// selectOption is one <selectOption> of a <select>.
type selectOption struct {
	Value, Label string
	Selected     bool
}

func selectOptions(values []string, selected string, label func(string) string) []selectOption {
	out := make([]selectOption, len(values))
	for i, v := range values {
		out[i] = selectOption{Value: v, Label: label(v), Selected: v == selected}
	}
	return out
}

// link is an anchor of a page.
type pageLink struct{ Label, URL string }

type dashboardPage struct {
	Layout      pageLayout
	Exp         mlexp.ExperimentRef
	Action      string // the dashboard's own path, for its forms
	Datasets    []selectOption
	Summary     *mlexp.Summary
	Heatmap     *mlexp.Heatmap
	Title       string // "Recall@100 by Embedding Dims × Cross Features"
	SVG         template.HTML
	Table       *heatmapTable // set in the table view
	SwitchView  pageLink      // to the table view, or back to the chart
	Exports     []pageLink
	XAxes       []selectOption
	YAxes       []selectOption
	Metrics     []selectOption
	RunTypes    []selectOption
	Aggs        []selectOption
	Hidden      []hiddenField
	Recent      []recentCard
	RunsURL     string
	MetricLabel string
	BestURL     string
	DeployedURL string
	HistoryURL  string // the deployment history
	SavedURL    string // the model's saved comparisons; "" without a store
	Insights    []insightCard

	state url.Values // the heatmap's parameters, for its exports and view switch
}

// recentCard is one run of the recent-experiments list.
type recentCard struct {
	Name, URL, ValueText string
	Meta                 []string // time ago, duration, cost, config or failure
	Failed               bool
	Note                 string
	Best, Deployed       bool
}

// handleDashboardPage renders the experiments dashboard of a model: summary cards, the
// heatmap (as a chart or a table) with its selectors and exports, and the recent runs.
func (s *server) handleDashboardPage(w http.ResponseWriter, r *http.Request) {
	e, l, ok := s.experimentPage(w, r, "Experiments", "dashboard")
	if !ok {
		return
	}
	q := r.URL.Query()
	hq := heatmapQueryOf(q)
	hm, err := e.Heatmap(&hq)
	if err != nil {
		s.pageErrorIn(w, r, l, err)
		return
	}
	sum, err := e.Summary(hq.Metric, recentOnDashboard)
	if err != nil {
		s.pageErrorIn(w, r, l, err)
		return
	}
	p := newDashboardPage(e, l, hq, sum.Summary, hm.Heatmap, q.Get("view"))
	if err := p.drawHeatmap(q.Get("view") == "table", cellLink(e.Ref, hq)); err != nil {
		s.pageErrorIn(w, r, p.Layout, err)
		return
	}
	if ans, err := e.Insights(insight.Query{Metric: hq.Metric}); err == nil {
		p.Insights = dashboardInsights(ans.Report, p.Layout.Nav.Insights)
	}
	if s.canSave {
		p.SavedURL = comparisonsURL(e.Ref.ModelID)
	}
	s.render(w, r, http.StatusOK, viewDashboard, p)
}

// newDashboardPage lays out the dashboard of experiment e: its selectors, summary cards,
// export links and recent runs, for the heatmap h of hq.
func newDashboardPage(e *explore.Experiment, l pageLayout, hq mlexp.HeatmapQuery, sum *mlexp.Summary, h *mlexp.Heatmap, view string) *dashboardPage {
	exp := e.Ref
	p := &dashboardPage{Layout: l, Exp: exp, Action: modelPath(exp.ModelID), Summary: sum, Heatmap: h,
		Title:   heatmapTitle(h),
		RunsURL: runsURL(exp.ModelID, exp.DatasetID), MetricLabel: h.MetricLabel}
	for _, d := range e.Model.Datasets {
		p.Datasets = append(p.Datasets, selectOption{Value: d.ID, Label: d.Name, Selected: d.ID == exp.DatasetID})
	}
	runs := e.All()
	axes := mlexp.Axes(runs)
	p.XAxes = selectOptions(axes, hq.XAxis, mlexp.AxisLabelName)
	p.YAxes = selectOptions(axes, hq.YAxis, mlexp.AxisLabelName)
	p.Metrics = selectOptions(mlexp.MetricNames(runs), hq.Metric, mlexp.MetricLabel)
	p.RunTypes = selectOptions([]string{mlexp.RunTypeAll, string(mlexp.QuickTestRun), string(mlexp.FullTrainingRun)}, hq.RunType, runTypeChoice)
	p.Aggs = selectOptions([]string{mlexp.AggBest, mlexp.AggMean, mlexp.AggMedian, mlexp.AggLatest}, hq.Agg, aggChoice)
	p.Hidden = hiddenFields(url.Values{"dataset_id": {exp.DatasetID}, "view": {view}})
	p.state = url.Values{"dataset_id": {exp.DatasetID}, "metric": {hq.Metric}, "x_axis": {hq.XAxis}, "y_axis": {hq.YAxis},
		"run_type": {hq.RunType}, "agg": {hq.Agg}}
	for _, ext := range []string{"svg", "png", "csv"} {
		p.Exports = append(p.Exports, pageLink{Label: strings.ToUpper(ext), URL: withQuery(modelPath(exp.ModelID)+"heatmap."+ext, p.state)})
	}
	if sum.Best != nil {
		p.BestURL = runURL(sum.Best.RunID)
	}
	if sum.Deployed != nil {
		p.DeployedURL = runURL(sum.Deployed.RunID)
	}
	p.HistoryURL = p.Layout.Nav.Deployments
	for _, rr := range sum.Recent {
		p.Recent = append(p.Recent, recentCardOf(rr))
	}
	return p
}

// drawHeatmap shows the heatmap as a table, or as a chart whose cells link with cellURL,
// with the link to switch between the two.
func (p *dashboardPage) drawHeatmap(table bool, cellURL func(*mlexp.HeatmapCell) string) error {
	if table {
		p.Table = buildHeatmapTable(p.Heatmap, cellURL)
		p.SwitchView = pageLink{Label: "View as Chart", URL: withQuery(p.Action, p.state)}
		return nil
	}
	if len(p.Heatmap.Cells) == 0 {
		return nil
	}
	svg, err := chart.HeatmapSVG(p.Heatmap, chart.SVGOptions{Link: cellURL})
	if err != nil {
		return err
	}
	p.SVG = inlineSVG(svg)
	p.SwitchView = pageLink{Label: "View as Table", URL: withQuery(p.Action, override(p.state, "view", "table"))}
	return nil
}

func heatmapTitle(h *mlexp.Heatmap) string {
	return h.MetricLabel + " by " + h.XAxis.Label + " × " + h.YAxis.Label
}

// cellLink links a heatmap cell to the runs page filtered to its runs (x_axis, x, y_axis,
// y), of the heatmap's run type, best first by the heatmap's metric. A cell without any run
// has no link.
func cellLink(exp mlexp.ExperimentRef, hq mlexp.HeatmapQuery) func(*mlexp.HeatmapCell) string {
	order := "desc"
	if mlexp.LowerIsBetter(hq.Metric) {
		order = "asc"
	}
	return func(c *mlexp.HeatmapCell) string {
		if len(c.RunIDs) == 0 {
			return ""
		}
		q := url.Values{"dataset_id": {exp.DatasetID}, "x_axis": {hq.XAxis}, "x": {c.X}, "y_axis": {hq.YAxis}, "y": {c.Y},
			"metric": {hq.Metric}, "sort": {"metrics." + hq.Metric}, "order": {order}}
		if hq.RunType != mlexp.RunTypeAll {
			q.Set("type", hq.RunType)
		}
		return withQuery(modelPath(exp.ModelID)+"runs/", q)
	}
}

func runTypeChoice(v string) string {
	if v == mlexp.RunTypeAll {
		return "All runs"
	}
	return mlexp.RunType(v).Label() + "s"
}

func aggChoice(v string) string {
	switch v {
	case mlexp.AggMean:
		return "Mean of the runs"
	case mlexp.AggMedian:
		return "Median of the runs"
	case mlexp.AggLatest:
		return "Latest run"
	}
	return "Best run"
}

func recentCardOf(rr mlexp.RecentRun) recentCard {
	c := recentCard{Name: rr.RunName, URL: runURL(rr.RunID), ValueText: rr.ValueText, Failed: rr.Failed, Note: rr.Note,
		Best: rr.IsBest, Deployed: rr.IsDeployed}
	c.Meta = append(c.Meta, rr.TimeAgo)
	for _, v := range []string{rr.Duration, rr.Cost} {
		if v != mlexp.NoValue && v != "" {
			c.Meta = append(c.Meta, v)
		}
	}
	switch {
	case rr.FailureReason != "":
		c.Meta = append(c.Meta, rr.FailureReason)
	case rr.FailureStage != "":
		c.Meta = append(c.Meta, "failed in "+rr.FailureStage)
	case rr.ConfigSummary != "":
		c.Meta = append(c.Meta, rr.ConfigSummary)
	}
	return c
}

// inlineSVG prepares a chart's standalone SVG document for a page: anything before the
// <svg> element (an XML declaration, a doctype) is dropped. The chart package escapes every
// text it draws, so the markup is safe to insert as is.
func inlineSVG(doc []byte) template.HTML {
	for i := 0; i+4 <= len(doc); i++ {
		if string(doc[i:i+4]) == "<svg" {
			return template.HTML(doc[i:]) //nolint:gosec // generated by package chart, which escapes all text
		}
	}
	return ""
}
