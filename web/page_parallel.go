package web

import (
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/explore"
)

// The parallel-coordinates chart of the runs page, with its "Change Axes" and "Filter
// Runs" forms.

type parallelView struct {
	SVG        template.HTML
	Drawn      int
	Of         int
	Skipped    int
	Metric     string
	Metrics    []selectOption
	AxisChoice []checkOption
	Ranges     []rangeInput
	Keep       []hiddenField
	Filtered   bool
	Reset      string
}

type checkOption struct {
	Name, Value, Label string
	Checked            bool
}

// rangeInput is a "Filter Runs" input: range.<axis>=lo:hi.
type rangeInput struct {
	Name, Label, Value, Placeholder string
}

func (s *server) parallelView(q url.Values, action string, runs []mlexp.Run, pq mlexp.ParallelQuery, all, shown *mlexp.Parallel, ranges []explore.Range) parallelView {
	v := parallelView{Drawn: len(shown.Lines), Of: len(all.Lines) + all.Skipped, Skipped: all.Skipped, Metric: all.MetricLabel,
		Metrics: selectOptions(mlexp.MetricNames(runs), pq.Metric, mlexp.MetricLabel), Filtered: len(ranges) > 0}
	for _, a := range mlexp.Axes(runs) {
		v.AxisChoice = append(v.AxisChoice, checkOption{Name: "axes", Value: a, Label: mlexp.AxisLabelName(a), Checked: slices.Contains(pq.Axes, a)})
	}
	given := map[string]string{}
	for _, rg := range ranges {
		given[rg.Axis] = q.Get(explore.RangePrefix + rg.Axis)
	}
	for _, a := range all.Axes {
		if a.Kind != mlexp.AxisKindNumeric || a.Min == nil || a.Max == nil {
			continue
		}
		v.Ranges = append(v.Ranges, rangeInput{Name: explore.RangePrefix + a.Name, Label: a.Label, Value: given[a.Name],
			Placeholder: strconv.FormatFloat(float64(*a.Min), 'f', -1, 64) + ":" + strconv.FormatFloat(float64(*a.Max), 'f', -1, 64)})
	}
	if all.MetricMin != nil && all.MetricMax != nil {
		ph := strconv.FormatFloat(float64(*all.MetricMin), 'g', 4, 64) + ":" + strconv.FormatFloat(float64(*all.MetricMax), 'g', 4, 64)
		if mlexp.IsFraction(pq.Metric) {
			ph = mlexp.FormatPercent(float64(*all.MetricMin), 1) + ":" + mlexp.FormatPercent(float64(*all.MetricMax), 1)
		}
		v.Ranges = append(v.Ranges, rangeInput{Name: explore.RangePrefix + pq.Metric, Label: all.MetricLabel, Value: given[pq.Metric], Placeholder: ph})
	}
	except := []string{"axes", "metric", "page"}
	for k := range q {
		if strings.HasPrefix(k, explore.RangePrefix) {
			except = append(except, k)
		}
	}
	v.Keep = hiddenFields(q, except...)
	reset := override(q)
	for _, k := range except {
		reset.Del(k)
	}
	v.Reset = withQuery(action, reset)
	return v
}
