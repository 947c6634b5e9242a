package explore

import (
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// Cell is a heatmap cell as a filter of the runs table: the runs whose value on XAxis is X
// and on YAxis is Y (x_axis, x, y_axis, y in a query). Either pair may be absent. A heatmap
// cell links to the runs page with both pairs set.
type Cell struct {
	XAxis, X, YAxis, Y string
}

// CellOf reads the cell filter of a query (the API's names).
func CellOf(q url.Values) Cell {
	return Cell{XAxis: q.Get("x_axis"), X: q.Get("x"), YAxis: q.Get("y_axis"), Y: q.Get("y")}
}

// Check checks the axes of the filter against runs.
func (f Cell) Check(runs []mlexp.Run) error {
	for _, p := range []struct{ axisField, axis, valueField, value string }{
		{"x_axis", f.XAxis, "x", f.X}, {"y_axis", f.YAxis, "y", f.Y},
	} {
		switch {
		case p.value == "":
			continue
		case p.axis == "":
			return mlexp.InvalidField(p.axisField, "is required with %s: the axis whose value %s is", p.valueField, p.valueField)
		}
		if err := mlexp.CheckAxis(p.axisField, p.axis, runs); err != nil {
			return err
		}
	}
	return nil
}

// Active reports whether the filter narrows anything.
func (f Cell) Active() bool { return f.X != "" || f.Y != "" }

// Apply keeps the runs of the cell.
func (f Cell) Apply(runs []mlexp.Run) []mlexp.Run {
	if !f.Active() {
		return runs
	}
	out := make([]mlexp.Run, 0, len(runs))
	for _, r := range runs {
		if (f.X == "" || mlexp.AxisValue(r, f.XAxis) == f.X) && (f.Y == "" || mlexp.AxisValue(r, f.YAxis) == f.Y) {
			out = append(out, r)
		}
	}
	return out
}

// Label describes the cell for people: "Embedding Dims user:64 prod:64, Cross Features No crosses".
func (f Cell) Label() string {
	var parts []string
	if f.X != "" {
		parts = append(parts, mlexp.AxisLabelName(f.XAxis)+" "+mlexp.AxisLabel(f.XAxis, f.X))
	}
	if f.Y != "" {
		parts = append(parts, mlexp.AxisLabelName(f.YAxis)+" "+mlexp.AxisLabel(f.YAxis, f.Y))
	}
	return strings.Join(parts, ", ")
}

// RangePrefix starts the query keys of the parallel-coordinates range filters:
// range.<axis>=lo:hi.
const RangePrefix = "range."

// Range keeps the runs whose value on Axis lies within [Lo, Hi]; a nil bound is open. Axis
// is a metric (Metric) or an axis of the runs.
type Range struct {
	Axis   string
	Lo, Hi *float64
	Metric bool
}

// RangesOf reads the range filters of a query: range.<axis>=lo:hi, where either bound may
// be left out (":64", "0.45:") and a bound may be a percentage ("45%" is 0.45). Axis is
// metric, another metric of the runs, or one of the axes of runs. Empty values are no filter.
func RangesOf(q url.Values, runs []mlexp.Run, metric string) ([]Range, error) {
	var out []Range
	for _, k := range slices.Sorted(maps.Keys(q)) {
		axis, ok := strings.CutPrefix(k, RangePrefix)
		v := strings.TrimSpace(q.Get(k))
		if !ok || v == "" {
			continue
		}
		isMetric := axis == metric || (axis != "" && mlexp.HasMetric(runs, axis))
		if !isMetric {
			if err := mlexp.CheckAxis(k, axis, runs); err != nil {
				return nil, err
			}
		}
		rg, err := parseRange(k, axis, v)
		if err != nil {
			return nil, err
		}
		rg.Metric = isMetric
		out = append(out, rg)
	}
	return out, nil
}

// DropStaleRanges deletes from q the ranges on a metric or axis of the runs that is not in
// shown: those a form kept from an earlier choice of the chart's metric or axes, which would
// filter by something no longer on the chart. Ranges on unknown names stay, for RangesOf to
// refuse.
func DropStaleRanges(q url.Values, runs []mlexp.Run, shown []string) {
	for k := range q {
		axis, ok := strings.CutPrefix(k, RangePrefix)
		if !ok || axis == "" || slices.Contains(shown, axis) {
			continue
		}
		if mlexp.HasMetric(runs, axis) || mlexp.CheckAxis(k, axis, runs) == nil {
			q.Del(k)
		}
	}
}

func parseRange(field, axis, v string) (Range, error) {
	lo, hi, found := strings.Cut(v, ":")
	if !found {
		return Range{}, mlexp.InvalidField(field, "%q is not a range such as 32:128, 0.45: or :50%%", v)
	}
	rg := Range{Axis: axis}
	for _, b := range []struct {
		text string
		dst  **float64
	}{{lo, &rg.Lo}, {hi, &rg.Hi}} {
		t := strings.TrimSpace(b.text)
		if t == "" {
			continue
		}
		scale := 1.0
		if p, ok := strings.CutSuffix(t, "%"); ok {
			t, scale = strings.TrimSpace(p), 0.01
		}
		n, err := strconv.ParseFloat(t, 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return Range{}, mlexp.InvalidField(field, "%q is not a number", b.text)
		}
		n *= scale
		*b.dst = &n
	}
	if rg.Lo != nil && rg.Hi != nil && *rg.Lo > *rg.Hi {
		return Range{}, mlexp.InvalidField(field, "the lower bound %v is above the upper bound %v", *rg.Lo, *rg.Hi)
	}
	return rg, nil
}

// Text writes the range back as it is given in a query.
func (rg Range) Text() string {
	f := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', -1, 64)
	}
	return f(rg.Lo) + ":" + f(rg.Hi)
}

// FilterRanges keeps the runs within every range: on a metric by the run's value of it,
// on an axis by its value there read as a number. A run without a number on a filtered axis
// is left out.
func FilterRanges(runs []mlexp.Run, ranges []Range, metric string) []mlexp.Run {
	if len(ranges) == 0 {
		return runs
	}
	out := make([]mlexp.Run, 0, len(runs))
	for _, r := range runs {
		if slices.IndexFunc(ranges, func(rg Range) bool { return !rg.contains(r, metric) }) < 0 {
			out = append(out, r)
		}
	}
	return out
}

func (rg Range) contains(r mlexp.Run, metric string) bool {
	var v float64
	if rg.Metric || rg.Axis == metric {
		var ok bool
		if v, ok = r.Metric(rg.Axis); !ok {
			return false
		}
	} else {
		n, err := strconv.ParseFloat(strings.TrimSpace(mlexp.AxisValue(r, rg.Axis)), 64)
		if err != nil || math.IsNaN(n) {
			return false
		}
		v = n
	}
	return (rg.Lo == nil || v >= *rg.Lo) && (rg.Hi == nil || v <= *rg.Hi)
}
