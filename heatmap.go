package mlexp

import (
	"cmp"
	"encoding/json"
	"math"
	"slices"
	"strings"
)

// Aggregations of several runs in one heatmap cell.
const (
	AggBest   = "best"
	AggMean   = "mean"
	AggMedian = "median"
	AggLatest = "latest"
)

// RunTypeAll selects runs of every type.
const RunTypeAll = "all"

var (
	aggregations = []string{AggBest, AggMean, AggMedian, AggLatest}
	runTypes     = []string{RunTypeAll, string(QuickTestRun), string(FullTrainingRun)}
)

// HeatmapQuery asks for a heatmap of Metric over two axes.
type HeatmapQuery struct {
	Metric  string `json:"metric"`   // default recall_at_100
	XAxis   string `json:"x_axis"`   // default embedding_dims
	YAxis   string `json:"y_axis"`   // default cross_features
	RunType string `json:"run_type"` // all (default), quick_test or full_training
	Agg     string `json:"agg"`      // best (default), mean, median or latest
}

// Check fills in defaults and validates the query against runs: an unknown metric, axis,
// run type or aggregation is an EINVALID error naming the parameter and its valid values.
func (q *HeatmapQuery) Check(runs []Run) error {
	q.Metric = cmp.Or(q.Metric, MetricRecallAt100)
	q.XAxis = cmp.Or(q.XAxis, AxisEmbeddingDims)
	q.YAxis = cmp.Or(q.YAxis, AxisCrossFeatures)
	q.RunType = cmp.Or(q.RunType, RunTypeAll)
	q.Agg = cmp.Or(q.Agg, AggBest)
	if err := CheckMetric("metric", q.Metric, runs); err != nil {
		return err
	}
	if err := CheckAxis("x_axis", q.XAxis, runs); err != nil {
		return err
	}
	if err := CheckAxis("y_axis", q.YAxis, runs); err != nil {
		return err
	}
	if err := checkChoice("run_type", q.RunType, runTypes); err != nil {
		return err
	}
	return checkChoice("agg", q.Agg, aggregations)
}

// AxisValues are the values of one axis of a chart, in natural order, with their labels.
type AxisValues struct {
	Name   string   `json:"name"`
	Label  string   `json:"label"`
	Values []string `json:"values"`
	Labels []string `json:"labels"`
}

// HeatmapCell is one (x, y) cell. Value is the aggregate of the runs that have the metric,
// nil for a cell without any. RunID is the run behind the value (for best and latest) or
// the best run of the cell (for mean and median).
type HeatmapCell struct {
	X             string   `json:"x"`
	Y             string   `json:"y"`
	Value         *Number  `json:"value"`
	RunID         string   `json:"run_id,omitempty"`
	RunName       string   `json:"run_name,omitempty"`
	N             int      `json:"n"` // runs with a value of the metric
	Min           *Number  `json:"min"`
	Max           *Number  `json:"max"`
	Mean          *Number  `json:"mean"`
	Std           *Number  `json:"std"`            // sample standard deviation; 0 for one run
	RunIDs        []string `json:"run_ids"`        // every run of the cell; JSON lists MaxCellRunIDs of them
	Failed        int      `json:"failed"`         // failed or killed runs in the cell, not plotted
	MissingMetric int      `json:"missing_metric"` // finished runs without the metric, not plotted
	Empty         bool     `json:"empty"`          // no value to plot
	Best          bool     `json:"best"`
	Deployed      bool     `json:"deployed"` // the deployed run is one of the cell's runs
	// The deployed run of a Deployed cell, and its own value of the metric (nil when it has
	// none): the ● marks this run, which need not be the run behind Value.
	DeployedRunID   string  `json:"deployed_run_id,omitempty"`
	DeployedRunName string  `json:"deployed_run_name,omitempty"`
	DeployedValue   *Number `json:"deployed_value,omitempty"`
}

// ShowsDeployed reports whether the value the cell shows is the deployed run's own value,
// so that ● may stand beside it; otherwise the deployed run's value is shown apart.
func (c *HeatmapCell) ShowsDeployed() bool {
	return c.Deployed && !c.Empty && c.Value != nil && c.DeployedValue != nil && *c.Value == *c.DeployedValue
}

// MaxCellRunIDs is how many run ids the JSON of a heatmap cell lists: an answer's size
// follows its grid, not the experiment (3.7 MB at 100,000 runs when every cell listed them
// all). The rest are counted (run_ids_more); every run of a cell comes, paged, from the runs
// query of the cell (x_axis, x, y_axis, y), and the CSV and SVG exports list them all.
const MaxCellRunIDs = 10

// MarshalJSON writes the cell with at most MaxCellRunIDs of its run ids, and how many more.
func (c HeatmapCell) MarshalJSON() ([]byte, error) {
	type plain HeatmapCell
	out := struct {
		plain
		RunIDsMore int `json:"run_ids_more"`
	}{plain: plain(c)}
	if n := len(c.RunIDs); n > MaxCellRunIDs {
		out.RunIDs, out.RunIDsMore = c.RunIDs[:MaxCellRunIDs], n-MaxCellRunIDs
	}
	return json.Marshal(out)
}

// Heatmap is a metric over two axes: every combination of their values is a cell, empty
// ones included, row by row (y), then column by column (x).
type Heatmap struct {
	Metric        string        `json:"metric"`
	MetricLabel   string        `json:"metric_label"`
	Direction     string        `json:"direction"` // max or min
	Agg           string        `json:"agg"`
	RunType       string        `json:"run_type"`
	XAxis         AxisValues    `json:"x_axis"`
	YAxis         AxisValues    `json:"y_axis"`
	Cells         []HeatmapCell `json:"cells"`
	Best          *HeatmapCell  `json:"best"`
	Runs          int           `json:"runs"`    // runs of the chosen type
	Plotted       int           `json:"plotted"` // of which have the metric and did not fail
	Failed        int           `json:"failed"`
	MissingMetric int           `json:"missing_metric"`
}

// Cell returns the cell at (x, y).
func (h *Heatmap) Cell(x, y string) *HeatmapCell {
	xi, yi := slices.Index(h.XAxis.Values, x), slices.Index(h.YAxis.Values, y)
	if xi < 0 || yi < 0 {
		return nil
	}
	return &h.Cells[yi*len(h.XAxis.Values)+xi]
}

type cellRuns struct {
	plotted []plottedRun
	all     []int // indexes into runs
	failed  int
	missing int
}

type plottedRun struct {
	run   int // index into runs
	value float64
}

// BuildHeatmap computes the heatmap of q (checked with Check) over runs.
func BuildHeatmap(runs []Run, q HeatmapQuery) *Heatmap {
	h := &Heatmap{Metric: q.Metric, MetricLabel: MetricLabel(q.Metric), Direction: Direction(q.Metric), Agg: q.Agg, RunType: q.RunType}
	type key struct{ x, y string }
	groups := map[key]*cellRuns{}
	xs, ys := map[string]bool{}, map[string]bool{}
	xr, yr := newAxisReader(q.XAxis), newAxisReader(q.YAxis)
	for i := range runs {
		r := &runs[i]
		if q.RunType != RunTypeAll && string(r.Type) != q.RunType {
			continue
		}
		h.Runs++
		k := key{xr.value(r), yr.value(r)}
		g := groups[k]
		if g == nil {
			g = &cellRuns{}
			groups[k] = g
			xs[k.x], ys[k.y] = true, true
		}
		g.all = append(g.all, i)
		switch v, ok := r.Metric(q.Metric); {
		case r.Failed():
			g.failed++
			h.Failed++
		case !ok:
			g.missing++
			h.MissingMetric++
		default:
			g.plotted = append(g.plotted, plottedRun{i, v})
			h.Plotted++
		}
	}
	h.XAxis = axisValues(q.XAxis, xs)
	h.YAxis = axisValues(q.YAxis, ys)
	h.Cells = make([]HeatmapCell, 0, len(h.XAxis.Values)*len(h.YAxis.Values))
	best := -1
	for _, y := range h.YAxis.Values {
		for _, x := range h.XAxis.Values {
			cell := HeatmapCell{X: x, Y: y, Empty: true, RunIDs: []string{}}
			if g := groups[key{x, y}]; g != nil {
				fillCell(&cell, runs, g, q)
			}
			h.Cells = append(h.Cells, cell)
			if c := &h.Cells[len(h.Cells)-1]; !c.Empty && !IsInfinite(float64(*c.Value)) && (best < 0 || Better(q.Metric, float64(*c.Value), float64(*h.Cells[best].Value))) {
				best = len(h.Cells) - 1
			}
		}
	}
	if best >= 0 {
		h.Cells[best].Best = true
		b := h.Cells[best]
		h.Best = &b
	}
	return h
}

func axisValues(axis string, set map[string]bool) AxisValues {
	values := make([]string, 0, len(set))
	for v := range set {
		values = append(values, v)
	}
	SortAxisValues(axis, values)
	labels := make([]string, len(values))
	for i, v := range values {
		labels[i] = AxisLabel(axis, v)
	}
	return AxisValues{Name: axis, Label: AxisLabelName(axis), Values: values, Labels: labels}
}

// fillCell aggregates the runs of one cell.
func fillCell(c *HeatmapCell, runs []Run, g *cellRuns, q HeatmapQuery) {
	c.Failed, c.MissingMetric = g.failed, g.missing
	c.RunIDs = make([]string, len(g.all))
	for i, ri := range g.all {
		c.RunIDs[i] = runs[ri].ID
		if r := &runs[ri]; r.Deployed && !c.Deployed {
			c.Deployed, c.DeployedRunID, c.DeployedRunName = true, r.ID, r.Name
			if v, ok := r.Metric(q.Metric); ok && !r.Failed() && IsFinite(v) {
				c.DeployedValue = new(Number(v))
			}
		}
	}
	c.N = len(g.plotted)
	if c.N == 0 {
		return
	}
	c.Empty = false
	vals := make([]float64, c.N)
	best, latest := g.plotted[0], g.plotted[0]
	lower := LowerIsBetter(q.Metric)
	sum := 0.0
	for i, p := range g.plotted {
		vals[i] = p.value
		sum += p.value
		if lower && p.value < best.value || !lower && p.value > best.value {
			best = p
		}
		if runs[p.run].Start.After(runs[latest.run].Start) {
			latest = p
		}
	}
	mean := sum / float64(c.N)
	ss := 0.0
	for _, v := range vals {
		ss += (v - mean) * (v - mean)
	}
	std := 0.0
	if c.N > 1 {
		std = math.Sqrt(ss / float64(c.N-1))
	}
	lo, hi := slices.Min(vals), slices.Max(vals)
	c.Min, c.Max, c.Mean, c.Std = new(Number(lo)), new(Number(hi)), new(Number(mean)), new(Number(std))
	shown, value := best, best.value
	switch q.Agg {
	case AggMean:
		value = mean
	case AggMedian:
		value = median(vals)
	case AggLatest:
		shown, value = latest, latest.value
	}
	c.Value = new(Number(value))
	c.RunID, c.RunName = runs[shown.run].ID, runs[shown.run].Name
}

func median(vals []float64) float64 {
	s := slices.Clone(vals)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// MetricNames lists the metrics of runs: the standard ones first, then every other in name order.
func MetricNames(runs []Run) []string {
	seen := map[string]bool{}
	out := slices.Clone(StandardMetrics)
	for _, m := range out {
		seen[m] = true
	}
	var extra []string
	for _, r := range runs {
		for k := range r.Metrics.All() {
			if !seen[k] {
				seen[k] = true
				extra = append(extra, k)
			}
		}
	}
	slices.Sort(extra)
	return append(out, extra...)
}

// CheckMetric returns an EINVALID error naming field and listing the valid metrics when
// metric is not one of them.
func CheckMetric(field, metric string, runs []Run) error {
	if HasMetric(runs, metric) {
		return nil
	}
	return checkChoice(field, metric, MetricNames(runs)) // the list is built for the error only
}

// HasMetric reports whether metric is a standard metric or one some run has.
func HasMetric(runs []Run, metric string) bool {
	if slices.Contains(StandardMetrics, metric) {
		return true
	}
	for i := range runs {
		if _, ok := runs[i].Metrics.Lookup(metric); ok {
			return true
		}
	}
	return false
}

func checkChoice(field, value string, valid []string) error {
	if slices.Contains(valid, value) {
		return nil
	}
	return &Error{Code: EINVALID, Field: field, Message: field + ": " + quoteValue(value) + " is not one of " + strings.Join(valid, ", "),
		Details: map[string]any{"valid": valid}}
}

func quoteValue(v string) string {
	if len(v) > 80 {
		v = v[:80] + "…"
	}
	return `"` + v + `"`
}
